"""When a delivery is tried again: exponential backoff with jitter, for a while, then given up."""
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

JITTER = random.Random()


@dataclass(frozen=True)
class RetryPolicy:
    base: timedelta = timedelta(seconds=5)
    cap: timedelta = timedelta(hours=1)
    give_up_after: timedelta = timedelta(hours=24)

    def delay(self, tries: int, rng: random.Random = JITTER) -> timedelta:
        """Before try `tries` + 1: base × 2^(tries − 1), at most `cap`, of which a random half (jitter)."""
        ceiling = min(self.cap, self.base * 2 ** min(tries - 1, 40))
        return ceiling * (0.5 + rng.random() / 2)

    def next_attempt(self, tries: int, first_try_at: datetime, now: datetime,
                     rng: random.Random = JITTER) -> datetime | None:
        """When to try again after `tries` failed tries since `first_try_at`; None once it has been tried for long
        enough (the last try comes at least `give_up_after` after the first)."""
        if now - first_try_at >= self.give_up_after:
            return None
        return min(now + self.delay(tries, rng), first_try_at + self.give_up_after)

    def schedule(self, start: datetime, rng: random.Random = JITTER) -> list[datetime]:
        """Every try of a delivery that always fails, from `start` to the last one."""
        tries = [start]
        while (following := self.next_attempt(len(tries), start, tries[-1], rng)) is not None:
            tries.append(following)
        return tries
