"""What counts as usage: one received document, in the month it was received (UTC)."""
from datetime import datetime


def billing_month(received_at: datetime) -> str:
    return received_at.strftime("%Y-%m")
