"""Health, readiness and metrics, for the orchestrator and Prometheus: no authentication."""
from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ..access import BackendsDep
from ..schemas import NotReady, Readiness

router = APIRouter()


@router.get("/healthz", tags=["operations"])
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", response_model=Readiness, tags=["operations"], responses={503: {"model": NotReady}})
def readyz(backends: BackendsDep):
    statuses = backends.health()
    down = [name for name, status in statuses.items() if status != "SERVING"]
    if down:
        return JSONResponse(status_code=503, content=NotReady(
            error=f"not ready: {', '.join(down)} {'is' if len(down) == 1 else 'are'} down", backends=statuses
        ).model_dump())
    return Readiness(status="ready", backends=statuses)


@router.get("/metrics", include_in_schema=False)
def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
