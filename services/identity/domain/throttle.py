"""Login throttling: too many failures for one e-mail, or from one address, lock logins for a while.

Failures are counted for the e-mail as typed, whether an account has it or not, so that the lockout itself
never tells whether an e-mail is registered.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottlePolicy:
    window: timedelta = timedelta(minutes=15)
    max_failures_per_email: int = 5
    max_failures_per_address: int = 30
    lockout: timedelta = timedelta(minutes=15)


class LoginLocked(Exception):
    def __init__(self, until: datetime):
        super().__init__(f"too many failed logins: try again after {until:%H:%M} UTC")
        self.until = until


def check_not_locked(email_failures: list[datetime], address_failures: list[datetime], now: datetime,
                     policy: ThrottlePolicy) -> None:
    """Raises LoginLocked when the failures within the window reach a limit and the lockout is not over."""
    for failures, limit in ((email_failures, policy.max_failures_per_email),
                            (address_failures, policy.max_failures_per_address)):
        recent = sorted(at for at in failures if now - at < policy.window)
        if len(recent) >= limit:
            until = recent[-1] + policy.lockout
            if now < until:
                raise LoginLocked(until)
