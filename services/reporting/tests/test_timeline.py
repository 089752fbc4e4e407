import pytest

from jefacture_reporting.domain.timeline import state_of


@pytest.mark.parametrize("seen, state", [
    ({"InvoiceReceived"}, "received"),
    ({"InvoiceReceived", "InvoiceSealed"}, "sealed"),
    ({"InvoiceSealed", "InvoiceExtracted"}, "extracted_and_sealed"),
    ({"InvoiceReceived", "InvoiceExtracted", "InvoiceSealed", "InvoiceRejected"}, "rejected"),
    ({"InvoiceValidated", "InvoiceRouted"}, "routed"),
    ({"InvoiceRouted", "InvoiceReceived"}, "routed"),
    ({"InvoiceReceived", "InvoiceExtracted", "InvoiceSealed", "TaskOpened"}, "needs_review"),
    ({"TaskOpened", "InvoiceValidated"}, "validated"),
    ({"InvoiceRejected", "InvoiceRouted"}, "rejected"),
    ({"InvoiceRouted", "InvoicePaid", "InvoiceValidated"}, "paid"),
    (set(), "unknown"),
])
def test_the_state_follows_the_furthest_event_whatever_the_arrival_order(seen, state):
    assert state_of(seen) == state
