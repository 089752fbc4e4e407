"""routing's use cases in this process on FerretDB, against real destinations: the Chorus Pro simulator, the SMTP
sink and a webhook receiver on a socket. The clock is the test's, so that retries, leases and follow-ups are
stepped through without waiting; the vault's files come from a sample PDF (its reader is tested on its own)."""
import os
import threading
from datetime import datetime, timedelta, timezone

import pytest

from jefacture import mongo
from jefacture.api.v1 import identity_pb2
from jefacture.chorus_pro import ChorusProClient
from jefacture.dossier_profiles import IdentityUnavailable
from jefacture.envelope import new_envelope, payload_of
from jefacture.events.v1 import invoice_pb2 as ev
from jefacture.events.v1.envelope_pb2 import Envelope
from jefacture.mail import Mailer, SmtpConfig
from jefacture.onboarding import Mailbox
from jefacture.payment_links import DEV_SECRET, PAY_PATH
from jefacture.samples import invoice_pdf, sample_invoices
from jefacture.settings import PlatformSettings
from jefacture.simulators import chorus_pro, smtp_sink
from jefacture.simulators.kit import stats
from jefacture.testing import unique_name
from jefacture.webhook_sink import WebhookSink
from jefacture_routing import handlers
from jefacture_routing.adapters.chorus import ChorusSender, PublicBuyers
from jefacture_routing.adapters.email import CustomerEmailSender
from jefacture_routing.adapters.store import AttemptRecord, MongoStore
from jefacture_routing.adapters.webhook import WebhookSender
from jefacture_routing.domain.deliveries import DEAD, DELIVERED, FAILED, PENDING, SEND, SENDING
from jefacture_routing.domain.retry import RetryPolicy
from jefacture_routing.domain.rules import CHORUS_PRO, CUSTOMER_EMAIL, WEBHOOK

pytestmark = pytest.mark.service
START = datetime(2026, 11, 22, 9, tzinfo=timezone.utc)
LEASE = timedelta(minutes=2)
PDF = invoice_pdf(sample_invoices(1)[0])
COMMUNE_SIREN = "214401028"  # a public buyer of the Chorus Pro simulator
HOSPITAL_SIREN = "264400474"  # a public buyer that requires an engagement number
MONGO_URI = os.environ.get("MONGO_URI", "mongodb://127.0.0.1:27017/")


class Clock:
    def __init__(self):
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


class Profiles:
    """identity's GetDossierProfile, as this test wants it; `down` makes it unavailable."""

    def __init__(self):
        self.down = False

    def profile(self, dossier_id: str) -> identity_pb2.DossierProfile:
        if self.down:
            raise IdentityUnavailable("identity did not answer: UNAVAILABLE")
        return identity_pb2.DossierProfile(
            dossier_id=dossier_id, firm_id="firm-1", name="Studio Martin", email="contact@studio-martin.example",
            settings=identity_pb2.DossierSettings(payment_button=True, payment_link_days=45))


def summary(**changes) -> ev.InvoiceSummary:
    values = dict(invoice_number="F-2026-0042", document_type="invoice", issue_date="2026-03-02",
                  due_date="2026-04-01", currency="EUR", total_excl_tax="1000.00", total_tax="200.00",
                  total_incl_tax="1200.00", supplier_name="Studio Martin SARL", supplier_siren="552100554",
                  supplier_siret="55210055400021", supplier_vat="FR96552100554",
                  customer_name="Commune de Saint-Aubin-sur-Erdre", customer_siren=COMMUNE_SIREN,
                  iban="FR7630006000011234567890189", bic="AGRIFRPP", filename="F-2026-0042.pdf",
                  media_type="application/pdf", customer_email="compta@saint-aubin.example",
                  vat_breakdown=[ev.VatLine(rate="20.00", base="1000.00", tax="200.00")])
    return ev.InvoiceSummary(**(values | changes))


def validated(document_id: str, direction=ev.SALE, **changes) -> Envelope:
    reference = ev.InvoiceRef(document_id=document_id, dossier_id="dossier-1", direction=direction)
    return new_envelope(ev.InvoiceValidated(invoice=reference, summary=summary(**changes), accepted_by="system"),
                        correlation_id=document_id, producer="validation")


@pytest.fixture
def store():
    settings = PlatformSettings(mongo_uri=MONGO_URI, mongo_db_prefix=unique_name("t") + "_")
    database = mongo.connect(settings, "routing")
    yield MongoStore()
    database.client.drop_database(database.name)


@pytest.fixture(scope="module")
def chorus():
    with chorus_pro.running(integration_seconds=60) as url:
        client = ChorusProClient(url, url + chorus_pro.TOKEN_PATH, "simulator-client", "simulator-secret",
                                 "TECH_1_simulateur@cpro.fr", "simulator-password")
        client.url = url
        yield client
        client.close()


@pytest.fixture(scope="module")
def smtp(tmp_path_factory):
    with smtp_sink.running(tmp_path_factory.mktemp("mail")) as addresses:
        yield addresses


@pytest.fixture
def sink():
    instance = WebhookSink()
    yield instance
    instance.close()


@pytest.fixture
def ctx(store, chorus, smtp):
    clock = Clock()
    senders = {WEBHOOK: WebhookSender(store.subscription, lambda *args: handlers.disable_subscription(store, *args,
                                                                                                     clock()),
                                      timeout=5, clock=clock, this_machine_allowed=True),
               CHORUS_PRO: ChorusSender(chorus, lambda document_id: (PDF, f"{document_id}.pdf")),
               CUSTOMER_EMAIL: CustomerEmailSender(Mailer(SmtpConfig.from_url(smtp.smtp)), lambda document_id: PDF,
                                                   "http://127.0.0.1:8000", DEV_SECRET, clock)}
    return handlers.Context(store=store, profiles=Profiles(), senders=senders, public_buyer=PublicBuyers(chorus),
                            policy=RetryPolicy(base=timedelta(seconds=10)), lease=LEASE, clock=clock,
                            webhooks_to_this_machine=True)


def subscribe(ctx, sink: WebhookSink, events=()) -> str:
    subscription, secret = handlers.create_subscription("firm-1", sink.url, list(events), ctx=ctx)
    sink.add_secret(secret)
    return subscription.id


def route(ctx, *envelopes: Envelope) -> None:
    for envelope in envelopes:
        handlers.record_event(envelope, ctx=ctx)
    handlers.plan_due(ctx=ctx)
    handlers.deliver_due(ctx=ctx)


def later(ctx, delta: timedelta) -> None:
    ctx.clock.advance(delta)
    handlers.deliver_due(ctx=ctx)


def deliveries(ctx) -> dict[str, object]:
    """The firm's deliveries by destination kind."""
    return {delivery.kind: delivery for delivery in ctx.store.deliveries("firm-1")}


def published(delivery_id: str) -> list:
    """The events the delivery's attempts put in the outbox, as messages."""
    from jefacture.envelope import from_wire

    return [payload_of(from_wire(wire)) for record in AttemptRecord.objects(delivery_id=delivery_id)
            for wire in record.outbox]


def test_a_public_sector_sale_goes_to_the_firm_chorus_pro_and_the_customer(ctx, sink, chorus, smtp):
    subscribe(ctx, sink)
    route(ctx, validated("doc-1"), validated("doc-1"))

    planned = deliveries(ctx)
    assert sorted(planned) == [CHORUS_PRO, CUSTOMER_EMAIL, WEBHOOK]
    assert planned[WEBHOOK].status == DELIVERED and sink.counts()["received"] == [planned[WEBHOOK].id]
    assert planned[CUSTOMER_EMAIL].status == DELIVERED
    deposit = planned[CHORUS_PRO]
    assert deposit.status == SENDING and deposit.progress.reference.startswith("CPP")
    flow = deposit.progress.reference

    later(ctx, timedelta(minutes=1))  # Chorus Pro is still processing the flow
    assert deliveries(ctx)[CHORUS_PRO].status == SENDING
    chorus_pro.advance(chorus.url, 120)
    later(ctx, timedelta(hours=1))
    done = deliveries(ctx)[CHORUS_PRO]
    assert (done.status, done.detail) == (DELIVERED, flow)
    assert stats(chorus.url)["deposits"] == 1
    routed = published(done.id)
    assert [(event.destination, event.delivery_id, event.detail) for event in routed] == [(CHORUS_PRO, done.id, flow)]

    mail = Mailbox(smtp.http.removeprefix("http://")).wait_for("compta@saint-aubin.example", "F-2026-0042")
    assert mail["subject"] == "Facture F-2026-0042 de Studio Martin"
    assert [(a["filename"], a["content_type"]) for a in mail["attachments"]] == [
        ("facture-F-2026-0042.pdf", "application/pdf")]
    assert f"http://127.0.0.1:8000{PAY_PATH}/" in mail["text"]
    headers = dict(mail["headers"])
    assert headers["Reply-To"] == "contact@studio-martin.example"


def test_a_deposit_chorus_pro_rejects_fails_with_its_reasons(ctx, chorus):
    route(ctx, validated("doc-2", invoice_number="F-2026-0077", customer_siren=HOSPITAL_SIREN, customer_email=""))
    assert sorted(deliveries(ctx)) == [CHORUS_PRO]

    chorus_pro.advance(chorus.url, 120)
    later(ctx, timedelta(minutes=1))
    rejected = deliveries(ctx)[CHORUS_PRO]
    assert rejected.status == FAILED
    [failure] = published(rejected.id)
    assert isinstance(failure, ev.DeliveryFailed) and failure.destination == CHORUS_PRO
    assert failure.reason.startswith("Chorus Pro rejected the invoice: ") and "engagement" in failure.reason.lower()


def test_a_sale_to_a_private_customer_goes_by_email_only_and_a_purchase_to_the_firm_only(ctx, sink):
    subscribe(ctx, sink, events=["invoice.accepted"])
    route(ctx, validated("sale-1", customer_siren="732829320"), validated("purchase-1", direction=ev.PURCHASE))
    planned = sorted((d.document_id, d.kind) for d in ctx.store.deliveries("firm-1"))
    assert planned == [("purchase-1", WEBHOOK), ("sale-1", CUSTOMER_EMAIL), ("sale-1", WEBHOOK)]


def test_an_event_waits_while_identity_is_down_then_is_planned(ctx, sink):
    subscribe(ctx, sink)
    ctx.profiles.down = True
    route(ctx, validated("doc-3", direction=ev.PURCHASE))
    assert ctx.store.deliveries("firm-1") == []
    assert ctx.store.event("doc-3:invoice.accepted").plan_error.startswith("IdentityUnavailable")

    ctx.profiles.down = False
    ctx.clock.advance(timedelta(minutes=1))
    handlers.plan_due(ctx=ctx)
    handlers.deliver_due(ctx=ctx)
    assert [d.status for d in ctx.store.deliveries("firm-1")] == [DELIVERED]


def test_a_failing_receiver_is_retried_with_backoff_then_the_delivery_is_dead(ctx, sink):
    subscribe(ctx, sink)
    sink.state.fail_first = 1000
    route(ctx, validated("doc-4", direction=ev.PURCHASE))
    first = ctx.store.deliveries("firm-1")[0]
    assert first.status == PENDING and first.attempts == 1
    for _ in range(200):
        if ctx.store.delivery(first.id).status == DEAD:
            break
        later(ctx, ctx.store.delivery(first.id).next_attempt_at - ctx.clock())
    dead = ctx.store.delivery(first.id)
    assert dead.status == DEAD and ctx.clock() - START >= timedelta(hours=24)
    log = ctx.store.logs([dead.id])[dead.id]
    assert len(log) == dead.attempts and {entry.response_code for entry in log} == {503}
    [failure] = published(dead.id)
    assert failure.reason.startswith(f"given up after {dead.attempts} tries over 24.0 h")

    sink.state.fail_first = 0
    replayed = handlers.replay_delivery("firm-1", dead.id, "user-7", ctx=ctx)
    assert replayed.status == PENDING
    handlers.deliver_due(ctx=ctx)
    assert ctx.store.delivery(dead.id).status == DELIVERED
    log = ctx.store.logs([dead.id])[dead.id]
    assert [entry.kind for entry in log[-2:]] == ["replay", SEND]
    assert log[-2].detail == "replay requested by user-7" and log[-1].response_code == 204
    assert sink.counts()["received"] == [dead.id]


def test_a_receiver_answering_410_disables_its_subscription(ctx, sink):
    subscription_id = subscribe(ctx, sink)
    sink.state.fail_first, sink.state.fail_status = 1000, 410
    route(ctx, validated("doc-5", direction=ev.PURCHASE))
    delivery = ctx.store.deliveries("firm-1")[0]
    assert delivery.status == FAILED
    subscription = ctx.store.subscription(subscription_id)
    assert not subscription.enabled and "410" in subscription.disabled_reason
    route(ctx, validated("doc-6", direction=ev.PURCHASE))
    assert [d.document_id for d in ctx.store.deliveries("firm-1")] == ["doc-5"]  # no more planned for it


def test_a_webhook_host_that_comes_to_point_to_a_private_network_is_not_posted_to(ctx, sink):
    subscribe(ctx, sink)
    webhook = ctx.senders[WEBHOOK]
    ctx.senders[WEBHOOK] = WebhookSender(webhook.subscription_of, webhook.disable, timeout=5, clock=ctx.clock,
                                         this_machine_allowed=True, resolve=lambda host: ["10.0.0.7"])
    route(ctx, validated("doc-8", direction=ev.PURCHASE))
    [delivery] = ctx.store.deliveries("firm-1")
    assert delivery.status == FAILED and sink.counts()["received"] == []
    [entry] = ctx.store.logs([delivery.id])[delivery.id]
    assert "10.0.0.7, not a public address" in entry.error


def test_an_interrupted_webhook_attempt_is_sent_again_with_the_same_id_once_its_lease_expires(ctx, sink):
    subscribe(ctx, sink)
    handlers.record_event(validated("doc-7", direction=ev.PURCHASE), ctx=ctx)
    [delivery] = handlers.plan_event(ctx.store.events_to_plan(ctx.clock())[0], ctx)
    assert ctx.store.begin(delivery, 1, SEND, ctx.clock(), ctx.clock() + LEASE)  # then the process died

    later(ctx, LEASE / 2)
    assert sink.counts()["received"] == []  # the lease still holds
    later(ctx, LEASE)
    assert sink.counts()["received"] == [delivery.id]
    recovered = ctx.store.delivery(delivery.id)
    assert (recovered.status, recovered.attempts) == (DELIVERED, 2)
    log = ctx.store.logs([delivery.id])[delivery.id]
    assert [(entry.kind, entry.result) for entry in log] == [(SEND, "interrupted"), ("recover", "delivered")]


def test_an_interrupted_deposit_found_in_chorus_pro_is_not_deposited_again(ctx, chorus):
    handlers.record_event(validated("doc-8", invoice_number="F-2026-0108", customer_email=""), ctx=ctx)
    [delivery] = handlers.plan_event(ctx.store.events_to_plan(ctx.clock())[0], ctx)
    assert ctx.store.begin(delivery, 1, SEND, ctx.clock(), ctx.clock() + LEASE)
    outcome = ctx.senders[CHORUS_PRO].send(delivery, 1)  # it deposited; the process died before recording it
    deposits = stats(chorus.url)["deposits"]
    chorus_pro.advance(chorus.url, 120)

    later(ctx, LEASE * 2)
    later(ctx, timedelta(hours=1))
    done = ctx.store.delivery(delivery.id)
    assert (done.status, done.detail) == (DELIVERED, outcome.reference)
    assert stats(chorus.url)["deposits"] == deposits
    log = ctx.store.logs([delivery.id])[delivery.id]
    assert [(entry.kind, entry.result) for entry in log] == [(SEND, "interrupted"), ("recover", "processing"),
                                                             ("follow", "delivered")]


def test_two_workers_at_once_make_one_attempt(ctx, sink):
    subscribe(ctx, sink)
    handlers.record_event(validated("doc-9", direction=ev.PURCHASE), ctx=ctx)
    [delivery] = handlers.plan_event(ctx.store.events_to_plan(ctx.clock())[0], ctx)
    sink.state.delay = 0.3
    results = []
    workers = [threading.Thread(target=lambda: results.append(handlers.deliver(delivery, ctx))) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(results) == [False, False, False, True]
    assert sink.counts()["received"] == [delivery.id] and sink.counts()["duplicates"] == []
