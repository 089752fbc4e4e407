"""validation's gRPC process: an invoice's lifecycle, and the tasks people resolve (the gateway authorizes first)."""
from datetime import datetime, timezone

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from jefacture import grpc_kit, mongo
from jefacture.api.v1 import validation_pb2, validation_pb2_grpc
from jefacture.dossier_profiles import DossierProfiles
from jefacture.settings import load

from . import handlers
from .adapters.invoices import MongoInvoices, TaskRecord
from .adapters.registries import SupplierRegistry
from .settings import ValidationSettings


def _timestamp(value: datetime | None) -> Timestamp | None:
    if value is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(value if value.tzinfo else value.replace(tzinfo=timezone.utc))
    return stamp


def task_message(task: TaskRecord) -> validation_pb2.Task:
    return validation_pb2.Task(
        task_id=task.id, document_id=task.document_id, dossier_id=task.dossier_id, check=task.check,
        reason=task.reason, audience=task.audience, assignees=task.assignees, status=task.status,
        opened_at=_timestamp(task.opened_at), closed_at=_timestamp(task.closed_at), closed_by=task.closed_by or "",
        resolution=task.resolution or "")


class ValidationServicer(validation_pb2_grpc.ValidationServicer):
    def __init__(self, settings: ValidationSettings):
        self.profiles = DossierProfiles(settings.identity_grpc)
        self.registry = SupplierRegistry.from_settings(settings)

    def _context(self) -> handlers.Context:
        return handlers.Context(invoices=MongoInvoices(), profiles=self.profiles, registry=self.registry,
                                now=datetime.now(timezone.utc))

    def GetLifecycle(self, request, context):
        invoices = MongoInvoices()
        transitions = invoices.transitions(request.document_id)
        if not transitions:
            context.abort(grpc.StatusCode.NOT_FOUND, f"no invoice has the id {request.document_id!r}")
        facts = invoices.facts(request.document_id)
        fields = handlers.current_fields(invoices, request.document_id, facts)
        return validation_pb2.Lifecycle(
            document_id=request.document_id, dossier_id=transitions[0].dossier_id,
            direction=transitions[0].direction, state=transitions[-1].state, fields=fields,
            transitions=[validation_pb2.Transition(state=t.state, cdar_code=t.cdar_code, cdar_label=t.cdar_label,
                                                   actor=t.actor, reason=t.reason, at=_timestamp(t.at))
                         for t in transitions])

    def ListTasks(self, request, context):
        tasks = MongoInvoices().tasks(request.dossier_id, include_closed=request.include_closed)
        if request.user_id:
            tasks = [task for task in tasks if request.user_id in task.assignees]
        return validation_pb2.Tasks(tasks=[task_message(task) for task in tasks])

    def ResolveTask(self, request, context):
        try:
            task = handlers.resolve_task(self._context(), request.task_id, request.dossier_id, request.user_id,
                                         request.action, reason=request.reason, field=request.field,
                                         value=request.value)
        except handlers.TaskNotFound as error:
            context.abort(grpc.StatusCode.NOT_FOUND, str(error))
        except handlers.TaskRefused as error:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(error))
        return task_message(task)


def main() -> None:
    settings = load(ValidationSettings)
    mongo.connect(settings, "validation")
    grpc_kit.serve("validation-grpc", settings.validation_grpc, settings.validation_metrics_address,
                   lambda server: validation_pb2_grpc.add_ValidationServicer_to_server(
                       ValidationServicer(settings), server),
                   settings.log_level, settings.grpc_listen_host)


if __name__ == "__main__":
    main()
