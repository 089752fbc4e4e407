"""What a firm's webhook receives, and what its answer means."""
import json

from .deliveries import Outcome

GONE = 410
MAX_RESPONSE_DETAIL = 200


def webhook_body(*, delivery_id: str, event: str, occurred_at: str, dossier_id: str, document_id: str,
                 direction: str, invoice: dict, extra: dict | None = None) -> str:
    """The JSON body, fixed when the delivery is planned: every attempt sends the same bytes."""
    body = {"id": delivery_id, "type": event, "occurred_at": occurred_at, "dossier_id": dossier_id,
            "document_id": document_id, "direction": direction, "invoice": invoice, **(extra or {})}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def outcome_of_response(status_code: int, text: str) -> Outcome:
    """2xx: delivered. 410 Gone: the receiver wants no more (the subscription is disabled). Anything else: retried."""
    detail = f"HTTP {status_code}" + (f": {text.strip()[:MAX_RESPONSE_DETAIL]}" if text.strip() else "")
    if 200 <= status_code < 300:
        return Outcome.delivered(detail, status_code)
    if status_code == GONE:
        return Outcome.refused("the receiver answered 410 Gone: the subscription is disabled", status_code, detail)
    return Outcome.retry(f"the receiver answered HTTP {status_code}", status_code, detail)
