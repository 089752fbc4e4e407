"""The invoice's state machine, in one place, with the 2026 reform's lifecycle statuses (CDAR codes).

received → ready (read and sealed) → needs_review | accepted | rejected → routed → paid
A person moves needs_review to accepted (every task accepted, or corrected until clean) or to rejected.
"""
from dataclasses import dataclass

RECEIVED, READY, NEEDS_REVIEW, ACCEPTED, REJECTED, ROUTED, PAID = (
    "received", "ready", "needs_review", "accepted", "rejected", "routed", "paid")
STATES = (RECEIVED, READY, NEEDS_REVIEW, ACCEPTED, REJECTED, ROUTED, PAID)

ALLOWED: dict[str, frozenset[str]] = {
    "": frozenset({RECEIVED}),
    RECEIVED: frozenset({READY, REJECTED}),
    READY: frozenset({NEEDS_REVIEW, ACCEPTED, REJECTED}),
    NEEDS_REVIEW: frozenset({NEEDS_REVIEW, ACCEPTED, REJECTED}),
    ACCEPTED: frozenset({ROUTED, PAID}),
    REJECTED: frozenset(),  # its delivery to the firm shows in routing's deliveries, not as a new state
    ROUTED: frozenset({ROUTED, PAID}),
    PAID: frozenset(),
}

CDAR_LABELS = {200: "Déposée", 202: "Reçue", 203: "Mise à disposition", 204: "Prise en charge", 205: "Approuvée",
               207: "En litige", 210: "Refusée", 211: "Paiement transmis", 212: "Encaissée", 213: "Rejetée"}
SYSTEM = "system"


class TransitionRefused(ValueError):
    """The invoice cannot move from its state to the one asked; the message says both."""


@dataclass(frozen=True)
class Status:
    code: int  # 0: the state has no CDAR status
    label: str


def cdar_status(state: str, direction: str, by_person: bool = False) -> Status:
    """The CDAR status a transition into `state` reports. A sales invoice is deposited (200) by the company and
    made available to its customer when routed (203); a purchase invoice is received (202), made available to the
    company once read and sealed (203), taken in charge when a person reviews it (204) and its payment transmitted
    (211). A refusal by a person is 210 Refusée; a document the platform cannot take is 213 Rejetée."""
    sale = direction == "sale"
    code = {
        RECEIVED: 200 if sale else 202,
        READY: 0 if sale else 203,
        NEEDS_REVIEW: 204,
        ACCEPTED: 205,
        REJECTED: 210 if by_person else 213,
        ROUTED: 203 if sale else 0,
        PAID: 212 if sale else 211,
    }[state]
    return Status(code, CDAR_LABELS.get(code, ""))


def check_transition(current: str, target: str) -> None:
    if target not in ALLOWED.get(current, frozenset()):
        raise TransitionRefused(f"an invoice in state {current or 'none'!r} cannot become {target!r}")
