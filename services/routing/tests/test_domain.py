"""routing's rules, retry schedule, delivery transitions, subscriptions and webhook signatures: pure logic."""
import json
import random
from datetime import datetime, timedelta, timezone

import pytest

from jefacture.webhook_signature import sign, verify
from jefacture_routing.domain.deliveries import (
    DEAD,
    DELIVERED,
    FAILED,
    PENDING,
    SENDING,
    Outcome,
    Progress,
    after_attempt,
    replayed,
)
from jefacture_routing.domain.retry import RetryPolicy
from jefacture_routing.domain.rules import (
    ACCEPTED,
    CHORUS_PRO,
    CUSTOMER_EMAIL,
    PAID,
    REJECTED,
    WEBHOOK,
    Destination,
    RoutedEvent,
    asks_chorus_pro,
    delivery_id,
    destinations,
)
from jefacture_routing.domain.subscriptions import (
    InvalidSubscription,
    Subscription,
    checked_events,
    checked_url,
    refused_address,
    rotated,
)
from jefacture_routing.domain.webhooks import outcome_of_response, webhook_body

NOW = datetime(2026, 11, 22, 12, tzinfo=timezone.utc)
ALL = (ACCEPTED, REJECTED, PAID)


def subscription(id_="whk_1", events=ALL, enabled=True, **fields) -> Subscription:
    return Subscription(id=id_, firm_id="firm-1", url="https://firm.example/hooks", events=tuple(events),
                        enabled=enabled, secret="whsec_current", **fields)


# ---- rules

def test_an_accepted_purchase_goes_to_the_subscriptions_that_want_it_only():
    subscriptions = [subscription("whk_all"), subscription("whk_paid", events=[PAID]),
                     subscription("whk_off", enabled=False)]
    chosen = destinations(RoutedEvent(ACCEPTED, "purchase", customer_email="a@b.example"), subscriptions,
                          public_buyer=True)
    assert chosen == [Destination(WEBHOOK, "whk_all")]


def test_an_accepted_sale_to_a_public_buyer_with_an_email_goes_to_chorus_pro_and_the_customer():
    routed = RoutedEvent(ACCEPTED, "sale", customer_email="compta@mairie.example", customer_siren="217500016")
    assert asks_chorus_pro(routed)
    chosen = destinations(routed, [subscription()], public_buyer=True)
    assert [d.name for d in chosen] == ["firm-webhook:whk_1", CHORUS_PRO, CUSTOMER_EMAIL]
    assert chosen[2].target == "compta@mairie.example"


def test_a_sale_to_a_private_buyer_without_email_goes_to_the_firm_only():
    routed = RoutedEvent(ACCEPTED, "sale", customer_siren="732829320")
    assert destinations(routed, [subscription()], public_buyer=False) == [Destination(WEBHOOK, "whk_1")]


@pytest.mark.parametrize("event", [REJECTED, PAID])
def test_rejected_and_paid_sales_go_to_the_subscriptions_only(event):
    routed = RoutedEvent(event, "sale", customer_email="a@b.example", customer_siren="217500016")
    assert not asks_chorus_pro(routed)
    assert destinations(routed, [subscription(), subscription("whk_acc", events=[ACCEPTED])], True) == [
        Destination(WEBHOOK, "whk_1")]


def test_the_delivery_id_is_one_per_document_event_and_destination():
    webhook = Destination(WEBHOOK, "whk_1")
    key = delivery_id("doc-1", ACCEPTED, webhook)
    assert key == delivery_id("doc-1", ACCEPTED, Destination(WEBHOOK, "whk_1"))
    others = {delivery_id("doc-2", ACCEPTED, webhook), delivery_id("doc-1", PAID, webhook),
              delivery_id("doc-1", ACCEPTED, Destination(WEBHOOK, "whk_2")),
              delivery_id("doc-1", ACCEPTED, Destination(CHORUS_PRO))}
    assert key not in others and len(others) == 4
    assert key.startswith("dlv_") and key.replace("_", "").isalnum()


# ---- retries

def test_retries_back_off_exponentially_with_jitter_up_to_the_cap():
    policy = RetryPolicy(base=timedelta(seconds=5), cap=timedelta(hours=1))
    rng = random.Random(1)
    delays = [policy.delay(tries, rng) for tries in range(1, 16)]
    assert timedelta(seconds=2.5) <= delays[0] <= timedelta(seconds=5)
    assert timedelta(seconds=20) <= delays[3] <= timedelta(seconds=40)
    assert all(delay <= timedelta(hours=1) for delay in delays)
    assert delays[-1] >= timedelta(minutes=30)
    assert len({round(d.total_seconds(), 3) for d in delays[:6]}) == 6  # jittered, never two alike


def test_a_failing_delivery_is_retried_over_at_least_24_hours_then_given_up():
    schedule = RetryPolicy().schedule(NOW, random.Random(7))
    gaps = [later - earlier for earlier, later in zip(schedule[:-1], schedule[1:], strict=True)]
    assert schedule[-1] - NOW >= timedelta(hours=24)
    assert max(gaps) <= timedelta(hours=1)
    assert gaps[0] < timedelta(seconds=6) and 24 < len(schedule) < 80
    assert RetryPolicy().next_attempt(len(schedule), NOW, schedule[-1]) is None


def test_the_retry_window_is_configurable():
    schedule = RetryPolicy(give_up_after=timedelta(hours=48)).schedule(NOW, random.Random(7))
    assert schedule[-1] - NOW >= timedelta(hours=48)


# ---- a delivery's transitions

def test_a_delivered_attempt_routes_the_invoice():
    transition = after_attempt(Outcome.delivered("HTTP 204", 204), Progress(), RetryPolicy(), NOW)
    assert (transition.status, transition.routed, transition.failure, transition.detail) == (
        DELIVERED, True, "", "HTTP 204")


def test_a_refusal_fails_the_delivery_at_once_with_the_reason():
    transition = after_attempt(Outcome.refused("Chorus Pro rejected the invoice: SIRET inconnu"), Progress(),
                               RetryPolicy(), NOW)
    assert transition.status == FAILED and transition.next_attempt_at is None
    assert transition.failure == "Chorus Pro rejected the invoice: SIRET inconnu"


def test_a_failed_attempt_is_retried_later_then_dead_after_the_window():
    policy = RetryPolicy(base=timedelta(seconds=10))
    first = after_attempt(Outcome.retry("the receiver answered HTTP 503", 503), Progress(), policy, NOW)
    assert first.status == PENDING and NOW + timedelta(seconds=5) <= first.next_attempt_at <= NOW + timedelta(10)
    assert first.progress == Progress(1, NOW, "")
    later = NOW + timedelta(hours=24)
    last = after_attempt(Outcome.retry("the receiver answered HTTP 503", 503), Progress(30, NOW), policy, later)
    assert last.status == DEAD and last.next_attempt_at is None
    assert last.failure == "given up after 31 tries over 24.0 h: the receiver answered HTTP 503"


def test_a_deposit_being_processed_is_followed_in_a_window_of_its_own():
    deposited = after_attempt(Outcome.processing("FLUX-1", "flow FLUX-1 deposited"), Progress(3, NOW), RetryPolicy(),
                              NOW + timedelta(hours=2))
    assert deposited.status == SENDING and deposited.progress == Progress(1, NOW + timedelta(hours=2), "FLUX-1")
    still = after_attempt(Outcome.processing("FLUX-1"), deposited.progress, RetryPolicy(), NOW + timedelta(hours=3))
    assert still.status == SENDING and still.progress.tries == 2
    silent = after_attempt(Outcome.processing("FLUX-1"), deposited.progress, RetryPolicy(), NOW + timedelta(hours=27))
    assert silent.status == DEAD and "no final answer from the destination" in silent.failure


def test_a_replay_starts_a_fresh_window_now():
    transition = replayed(NOW)
    assert (transition.status, transition.next_attempt_at, transition.progress) == (PENDING, NOW, Progress())


# ---- subscriptions

@pytest.mark.parametrize("url", ["https://firm.example/hooks", "https://93.184.216.34/hooks"])
def test_https_urls_to_the_internet_are_accepted(url):
    assert checked_url(url) == url


@pytest.mark.parametrize("url", ["http://localhost:8099/hooks", "http://127.0.0.1:8099/x", "http://[::1]:80/",
                                 "https://localhost/hooks"])
def test_this_machine_is_accepted_only_where_it_is_allowed(url):
    assert checked_url(url, this_machine_allowed=True) == url
    with pytest.raises(InvalidSubscription, match="the platform's own machine"):
        checked_url(url)


@pytest.mark.parametrize("url", ["https://10.0.0.7/hooks", "https://192.168.1.20/", "https://169.254.169.254/latest",
                                 "https://[fd00::1]/", "https://[::ffff:172.16.0.3]/", "https://100.64.0.1/"])
def test_addresses_of_private_networks_are_refused_even_where_this_machine_is_allowed(url):
    with pytest.raises(InvalidSubscription, match="not a public address"):
        checked_url(url, this_machine_allowed=True)


def test_a_host_is_refused_when_any_of_its_addresses_is_not_public():
    assert refused_address("firm.example", ["93.184.216.34", "2606:2800:220:1::1"], False) is None
    assert "10.1.2.3" in refused_address("firm.example", ["93.184.216.34", "10.1.2.3"], False)
    assert refused_address("localhost", ["127.0.0.1", "::1"], True) is None
    assert "127.0.0.1" in refused_address("localhost", ["127.0.0.1"], False)


@pytest.mark.parametrize("url, message", [
    ("", "url is required"), ("http://firm.example/hooks", "must use https"), ("ftp://firm.example/", "https://"),
    ("firm.example/hooks", "absolute"), ("https://firm.example:99999/", "not a valid URL"),
    ("https://firm.example/#x", "fragment")])
def test_other_urls_are_refused_with_the_reason(url, message):
    with pytest.raises(InvalidSubscription, match=message):
        checked_url(url)


def test_the_event_filter_is_checked_and_defaults_to_every_event():
    assert checked_events([], ALL) == ALL
    assert checked_events([PAID, ACCEPTED], ALL) == (ACCEPTED, PAID)
    with pytest.raises(InvalidSubscription, match="unknown event type"):
        checked_events(["invoice.created"], ALL)


def test_during_a_rotation_both_secrets_sign_until_the_overlap_ends():
    current = subscription()
    rotation = rotated(current, "whsec_new", NOW, timedelta(hours=24))
    assert rotation.signing_secrets(NOW + timedelta(hours=23)) == ["whsec_new", "whsec_current"]
    assert rotation.signing_secrets(NOW + timedelta(hours=24)) == ["whsec_new"]
    assert rotated(current, "whsec_new", NOW, timedelta(0)).signing_secrets(NOW) == ["whsec_new"]
    with pytest.raises(InvalidSubscription, match="overlap"):
        rotated(current, "whsec_new", NOW, timedelta(days=31))


# ---- webhooks

def test_the_webhook_body_carries_the_event_and_the_invoice():
    body = json.loads(webhook_body(delivery_id="dlv_1", event=PAID, occurred_at="2026-11-22T12:00:00Z",
                                   dossier_id="d1", document_id="doc-1", direction="sale",
                                   invoice={"invoice_number": "F-1"}, extra={"payment": {"amount": "12.00"}}))
    assert body == {"id": "dlv_1", "type": PAID, "occurred_at": "2026-11-22T12:00:00Z", "dossier_id": "d1",
                    "document_id": "doc-1", "direction": "sale", "invoice": {"invoice_number": "F-1"},
                    "payment": {"amount": "12.00"}}


@pytest.mark.parametrize("status, result", [(200, "delivered"), (204, "delivered"), (410, "refused"),
                                            (400, "retry"), (302, "retry"), (500, "retry")])
def test_a_receivers_answer_means_delivered_gone_or_try_again(status, result):
    assert outcome_of_response(status, "").result == result


def test_a_signature_verifies_with_the_right_secret_and_body_only():
    body, stamp = b'{"a":1}', 1_700_000_000
    header = sign("whsec_one", stamp, body)
    assert verify(["whsec_one"], header, body, now=stamp)
    assert verify("whsec_one", header, body, now=stamp + 299)
    assert not verify(["whsec_two"], header, body, now=stamp)
    assert not verify(["whsec_one"], header, b'{"a":2}', now=stamp)
    assert not verify(["whsec_one"], header, body, now=stamp + 301)  # too old: maybe a replayed request
    assert not verify(["whsec_one"], "garbage", body, now=stamp)
    assert not verify(["whsec_one"], f"t={stamp}", body, now=stamp)


def test_during_a_rotation_receivers_holding_either_secret_accept():
    body, stamp = b'{"a":1}', 1_700_000_000
    header = sign(["whsec_new", "whsec_old"], stamp, body)
    assert header.count("v1=") == 2 and header.startswith(f"t={stamp},v1=")
    assert verify(["whsec_old"], header, body, now=stamp)
    assert verify(["whsec_new"], header, body, now=stamp)
    assert not verify(["whsec_other"], header, body, now=stamp)
    with pytest.raises(ValueError, match="secret"):
        sign([], stamp, body)
