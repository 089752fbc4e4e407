"""Where a validated invoice goes, and when a failed delivery is tried again."""
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

FIRM_WEBHOOK = "firm-webhook"
JITTER = random.Random()


@dataclass(frozen=True)
class RetryPolicy:
    base: timedelta = timedelta(seconds=5)
    cap: timedelta = timedelta(hours=1)
    give_up_after: timedelta = timedelta(hours=24)

    def next_attempt(self, attempts: int, first_attempt_at: datetime, now: datetime,
                     rng: random.Random = JITTER) -> datetime | None:
        """Exponential backoff with full jitter; None once the delivery has been tried for long enough."""
        if now - first_attempt_at >= self.give_up_after:
            return None
        ceiling = min(self.cap, self.base * 2 ** (attempts - 1))
        return now + ceiling * (0.5 + rng.random() / 2)


def delivery_id(document_id: str, destination: str) -> str:
    """The idempotency key: one delivery per invoice and destination, whatever happens."""
    return f"{document_id}:{destination}"


def destinations(firm_webhook_url: str | None) -> list[str]:
    return [FIRM_WEBHOOK] if firm_webhook_url else []
