"""Client of the validation service: an invoice's lifecycle, the tasks of a dossier and the actions on them."""
from datetime import timezone

import grpc

from jefacture.api.v1 import validation_pb2, validation_pb2_grpc

from ..schemas import Lifecycle, Task, Transition
from .grpc_errors import call_refusing_conflicts


def _when(stamp):
    return stamp.ToDatetime(tzinfo=timezone.utc) if stamp.seconds or stamp.nanos else None


def task_of(reply: validation_pb2.Task) -> Task:
    return Task(task_id=reply.task_id, document_id=reply.document_id, dossier_id=reply.dossier_id,
                check=reply.check, reason=reply.reason, audience=reply.audience, assignees=list(reply.assignees),
                status=reply.status, opened_at=_when(reply.opened_at), closed_at=_when(reply.closed_at),
                closed_by=reply.closed_by or None, resolution=reply.resolution or None)


class ValidationClient:
    def __init__(self, channel: grpc.Channel, timeout: float):
        self.stub = validation_pb2_grpc.ValidationStub(channel)
        self.timeout = timeout

    def _call(self, method: str, request):
        return call_refusing_conflicts("validation", getattr(self.stub, method), request, self.timeout)

    def lifecycle(self, document_id: str) -> Lifecycle:
        reply = self._call("GetLifecycle", validation_pb2.LifecycleRequest(document_id=document_id))
        return Lifecycle(document_id=reply.document_id, dossier_id=reply.dossier_id, direction=reply.direction,
                         state=reply.state, fields=dict(reply.fields),
                         transitions=[Transition(state=t.state, cdar_code=t.cdar_code or None,
                                                 cdar_label=t.cdar_label or None, actor=t.actor, reason=t.reason,
                                                 at=_when(t.at)) for t in reply.transitions])

    def tasks(self, dossier_id: str, user_id: str = "", include_closed: bool = False) -> list[Task]:
        reply = self._call("ListTasks", validation_pb2.ListTasksRequest(
            dossier_id=dossier_id, user_id=user_id, include_closed=include_closed))
        return [task_of(task) for task in reply.tasks]

    def resolve(self, task_id: str, dossier_id: str, user_id: str, action: str, reason: str = "",
                field: str = "", value: str = "") -> Task:
        return task_of(self._call("ResolveTask", validation_pb2.ResolveTaskRequest(
            task_id=task_id, dossier_id=dossier_id, user_id=user_id, action=action, reason=reason, field=field,
            value=value)))
