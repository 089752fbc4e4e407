import random
from datetime import datetime, timedelta, timezone

from jefacture.webhook_signature import sign, signature_matches
from jefacture_routing.domain.deliveries import RetryPolicy

NOW = datetime(2026, 11, 22, 12, tzinfo=timezone.utc)


def test_a_signature_verifies_with_the_right_secret_only():
    header = sign("s" * 16, 1_700_000_000, b'{"a":1}')
    assert signature_matches("s" * 16, header, b'{"a":1}')
    assert not signature_matches("t" * 16, header, b'{"a":1}')
    assert not signature_matches("s" * 16, header, b'{"a":2}')
    assert not signature_matches("s" * 16, "garbage", b'{"a":1}')


def test_retries_back_off_exponentially_with_jitter_up_to_the_cap():
    policy = RetryPolicy(base=timedelta(seconds=5), cap=timedelta(hours=1))
    rng = random.Random(1)
    delays = [policy.next_attempt(n, NOW, NOW, rng) - NOW for n in range(1, 16)]
    assert timedelta(seconds=2.5) <= delays[0] <= timedelta(seconds=5)
    assert timedelta(seconds=20) <= delays[3] <= timedelta(seconds=40)
    assert all(delay <= timedelta(hours=1) for delay in delays)
    assert delays[-1] >= timedelta(minutes=30)


def test_a_delivery_is_given_up_after_a_day_of_attempts():
    policy = RetryPolicy()
    assert policy.next_attempt(40, NOW, NOW + timedelta(hours=23)) is not None
    assert policy.next_attempt(41, NOW, NOW + timedelta(hours=24)) is None
