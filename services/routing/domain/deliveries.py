"""A delivery's life: what a destination answered (the outcome of one attempt), and what the delivery becomes."""
import random
from dataclasses import dataclass
from datetime import datetime

from .retry import JITTER, RetryPolicy

# pending: waiting for its next attempt; sending: an attempt is under way, or the destination is still processing
# it (Chorus Pro); delivered; failed: the destination refused it; dead: given up after retrying.
PENDING, SENDING, DELIVERED, FAILED, DEAD = "pending", "sending", "delivered", "failed", "dead"
STATUSES = (PENDING, SENDING, DELIVERED, FAILED, DEAD)
REPLAYABLE = (DELIVERED, FAILED, DEAD)

# What an attempt did: sent it, followed what the destination did with it, resolved an interrupted attempt, or a
# person asked to send it again.
SEND, FOLLOW, RECOVER, REPLAY = "send", "follow", "recover", "replay"


@dataclass(frozen=True)
class Outcome:
    """A destination's answer to one attempt."""
    result: str  # delivered, processing, retry, refused
    response_code: int = 0
    error: str = ""
    detail: str = ""
    reference: str = ""  # what the destination calls it while processing it (a Chorus Pro flow number)

    @classmethod
    def delivered(cls, detail: str = "", response_code: int = 0) -> "Outcome":
        return cls("delivered", response_code, detail=detail)

    @classmethod
    def processing(cls, reference: str, detail: str = "", response_code: int = 0) -> "Outcome":
        return cls("processing", response_code, detail=detail, reference=reference)

    @classmethod
    def retry(cls, error: str, response_code: int = 0, detail: str = "") -> "Outcome":
        return cls("retry", response_code, error=error, detail=detail)

    @classmethod
    def refused(cls, error: str, response_code: int = 0, detail: str = "") -> "Outcome":
        return cls("refused", response_code, error=error, detail=detail)


@dataclass(frozen=True)
class Progress:
    """The counters the retry policy reads: tries in the current window (since the first attempt, the deposit being
    followed, or the last replay) and when that window began."""
    tries: int = 0
    window_started_at: datetime | None = None
    reference: str = ""


@dataclass(frozen=True)
class Transition:
    status: str
    next_attempt_at: datetime | None
    progress: Progress
    detail: str = ""
    routed: bool = False  # InvoiceRouted is due
    failure: str = ""  # DeliveryFailed is due, with this reason


def after_attempt(outcome: Outcome, progress: Progress, policy: RetryPolicy, now: datetime,
                  rng: random.Random = JITTER) -> Transition:
    """What the delivery becomes after an attempt with this outcome."""
    if outcome.result == "delivered":
        return Transition(DELIVERED, None, progress, outcome.detail, routed=True)
    if outcome.result == "refused":
        return Transition(FAILED, None, progress, outcome.detail, failure=outcome.error)
    if outcome.result == "processing" and outcome.reference != progress.reference:
        window = Progress(tries=1, window_started_at=now, reference=outcome.reference)
        return Transition(SENDING, now + policy.delay(1, rng), window, outcome.detail)
    started = progress.window_started_at or now
    window = Progress(progress.tries + 1, started, progress.reference)
    following = policy.next_attempt(window.tries, started, now, rng)
    if following is None:
        hours = (now - started).total_seconds() / 3600
        what = "no final answer from the destination" if outcome.result == "processing" else outcome.error
        return Transition(DEAD, None, window, outcome.detail,
                          failure=f"given up after {window.tries} tries over {hours:.1f} h: {what}")
    return Transition(SENDING if outcome.result == "processing" else PENDING, following, window, outcome.detail)


def replayed(now: datetime) -> Transition:
    """A person asked for the delivery again: a new attempt now, with a fresh retry window."""
    return Transition(PENDING, now, Progress(), "replay requested")


@dataclass(frozen=True)
class Delivery:
    """One invoice event on its way to one destination."""
    id: str
    firm_id: str
    document_id: str
    dossier_id: str
    direction: str
    event: str
    destination: str  # its name: "firm-webhook:<subscription>", "chorus-pro", "customer-email"
    kind: str
    target: str
    payload: dict  # what its sender needs: the webhook body, the invoice summary, the dossier's name and settings
    status: str = PENDING
    step: int = 0  # attempt records so far (sends, follow-ups, recoveries, replays)
    attempts: int = 0  # sends so far
    progress: Progress = Progress()
    detail: str = ""
    created_at: datetime | None = None
    next_attempt_at: datetime | None = None
