"""An invoice's state, derived from the events seen so far (they may arrive in any order)."""

STATES_BY_PRECEDENCE = [
    ("InvoicePaid", "paid"),
    ("InvoiceRejected", "rejected"),  # a refusal delivered to the firm stays a refusal
    ("InvoiceRouted", "routed"),
    ("InvoiceValidated", "validated"),
    ("TaskOpened", "needs_review"),
]


def state_of(event_types: set[str]) -> str:
    for event_type, state in STATES_BY_PRECEDENCE:
        if event_type in event_types:
            return state
    if {"InvoiceExtracted", "InvoiceSealed"} <= event_types:
        return "extracted_and_sealed"
    if "InvoiceExtracted" in event_types:
        return "extracted"
    if "InvoiceSealed" in event_types:
        return "sealed"
    return "received" if "InvoiceReceived" in event_types else "unknown"
