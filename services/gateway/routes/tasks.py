"""Tasks ("Mes tâches") opened by the anomaly checks, the actions that close them, and an invoice's lifecycle.
Acting on a task takes the right invoices.accept and being one of its assignees (a firm admin may act on any)."""
from fastapi import APIRouter

from ..access import BackendsDep, SignedIn
from ..domain.errors import NotFound
from ..schemas import Lifecycle, Task, TaskAction
from .invoices import LOOKUP_ERRORS, UNAVAILABLE, readable_invoice

router = APIRouter(tags=["tasks"])
ACCEPT = "invoices.accept"


@router.get("/dossiers/{dossier_id}/tasks", response_model=list[Task], responses={**LOOKUP_ERRORS, **UNAVAILABLE})
def list_tasks(dossier_id: str, backends: BackendsDep, caller: SignedIn, mine: bool = True,
               include_closed: bool = False) -> list[Task]:
    """The dossier's open tasks; `mine=false` lists every task of the dossier, `include_closed=true` the closed too."""
    allowed = backends.identity.authorize(caller, dossier_id, ACCEPT)
    return backends.validation.tasks(dossier_id, user_id=allowed.user_id if mine else "",
                                     include_closed=include_closed)


@router.post("/dossiers/{dossier_id}/tasks/{task_id}", response_model=Task,
             responses={**LOOKUP_ERRORS, 409: {"description": "The task is already closed"}, **UNAVAILABLE})
def act_on_task(dossier_id: str, task_id: str, action: TaskAction, backends: BackendsDep, caller: SignedIn) -> Task:
    """accept: the anomaly is acknowledged (the invoice is accepted once none of its tasks is open); reject: the
    invoice is refused with the reason (CDAR 210); correct: `field` is set to `value` and the checks run again."""
    allowed = backends.identity.authorize(caller, dossier_id, ACCEPT)
    task = next((t for t in backends.validation.tasks(dossier_id, include_closed=True) if t.task_id == task_id), None)
    if task is None:
        raise NotFound(f"no task has the id {task_id!r} in this dossier")
    if allowed.user_id not in task.assignees:
        backends.identity.authorize(caller, dossier_id, "dossier.manage")
    return backends.validation.resolve(task_id, dossier_id, allowed.user_id, action.action, reason=action.reason,
                                       field=action.field, value=action.value)


@router.get("/invoices/{document_id}/lifecycle", response_model=Lifecycle, tags=["invoices"],
            responses={**LOOKUP_ERRORS, **UNAVAILABLE})
def get_lifecycle(document_id: str, backends: BackendsDep, caller: SignedIn) -> Lifecycle:
    """Every transition of the invoice with time, actor, reason and its CDAR lifecycle status."""
    readable_invoice(backends, caller, document_id)
    return backends.validation.lifecycle(document_id)
