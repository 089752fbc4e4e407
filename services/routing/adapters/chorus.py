"""Delivering to Chorus Pro: the original document as Factur-X, deposited as a flow named after the delivery and the
attempt, then followed until Chorus Pro integrates or rejects it.

Chorus Pro cannot be searched by file name, only integrated invoices by number: an interrupted deposit is looked up
by the invoice number, and deposited again when not found. Chorus Pro rejects a second invoice with the same number
from the same supplier, so a deposit made twice ends as one invoice: when the flow being followed is rejected while an
earlier deposit of this delivery was made, the invoice already integrated under that number is the delivery's.
"""
import mimetypes
from collections.abc import Callable

from jefacture.chorus_pro import (
    ChorusProAuthError,
    ChorusProClient,
    ChorusProRefused,
    ChorusProUnavailable,
    InvalidIdentifier,
)
from jefacture.log import get_logger

from ..domain.deliveries import Delivery, Outcome
from .facturx import NotConvertible, as_facturx
from .summary import summary_of
from .vault import VaultError


def file_name(delivery: Delivery, attempt: int) -> str:
    return f"{delivery.id}-{attempt}.pdf"


class PublicBuyers:
    """Whether Chorus Pro knows a customer as a public buyer: the structure's SIRET (where invoices to it are routed),
    or None. Raises ChorusProError when Chorus Pro cannot answer now."""

    def __init__(self, client: ChorusProClient):
        self.client = client

    def __call__(self, siren: str) -> str | None:
        try:
            structure = self.client.find_public_structure(siren)
        except InvalidIdentifier as error:
            get_logger().warning("routing_customer_siren_invalid", siren=siren, error=str(error))
            return None
        return structure.identifier if structure else None


class ChorusSender:
    def __init__(self, client: ChorusProClient, original: Callable[[str], tuple[bytes, str]]):
        self.client = client
        self.original = original  # the document's bytes and file name, from the vault

    def send(self, delivery: Delivery, attempt: int) -> Outcome:
        name, summary = file_name(delivery, attempt), summary_of(delivery)
        try:
            content, original_name = self.original(delivery.document_id)
        except VaultError as error:
            return Outcome.retry(str(error))
        media_type = summary.media_type or mimetypes.guess_type(original_name)[0] or ""
        try:
            pdf = as_facturx(content, media_type, summary, buyer_siret=delivery.payload["buyer_siret"])
            deposit = self.client.deposit_facturx(pdf, name)
        except (NotConvertible, ChorusProRefused) as error:
            return Outcome.refused(str(error))
        except (ChorusProUnavailable, ChorusProAuthError) as error:
            return Outcome.retry(str(error))
        return Outcome.processing(deposit.flow_number, f"flow {deposit.flow_number} deposited as {name}")

    def follow(self, delivery: Delivery) -> Outcome:
        flow = delivery.progress.reference
        try:
            report = self.client.flow_report(flow)
        except ChorusProRefused as error:
            return Outcome.refused(str(error), detail=flow)
        except (ChorusProUnavailable, ChorusProAuthError) as error:
            return Outcome.processing(flow, f"flow {flow}: Chorus Pro did not answer ({error})")
        if report.status == "integrated":
            return Outcome.delivered(flow)
        if report.status == "rejected":
            earlier = self._earlier_deposit(delivery, flow) if delivery.attempts > 1 else None
            if earlier:
                return Outcome.delivered(earlier)
            return Outcome.refused("Chorus Pro rejected the invoice: " + "; ".join(report.errors), detail=flow)
        return Outcome.processing(flow, f"flow {flow}: {report.state or 'pending'}")

    def recover(self, delivery: Delivery, attempt: int) -> Outcome | None:
        """The interrupted deposit's flow, when Chorus Pro lists the invoice already; None: deposit it again."""
        flow = self._integrated_flow(delivery)
        return Outcome.processing(flow, f"flow {flow} found: the interrupted attempt {attempt} deposited it") \
            if flow else None

    def _earlier_deposit(self, delivery: Delivery, rejected_flow: str) -> str | None:
        flow = self._integrated_flow(delivery)
        return flow if flow and flow != rejected_flow else None

    def _integrated_flow(self, delivery: Delivery) -> str | None:
        number = summary_of(delivery).invoice_number
        found = self.client.find_invoices(number) if number else []
        return found[0].flow_number if found else None
