"""Delivering a sales invoice to its customer by e-mail: the sealed PDF attached, the payment button when the
dossier's settings say so. Every attempt has the same Message-ID (the delivery id is its idempotency key)."""
import re
from collections.abc import Callable
from datetime import datetime
from types import ModuleType

from google.protobuf.json_format import ParseDict

from jefacture.api.v1 import identity_pb2
from jefacture.mail import MailUnavailable, MailUndeliverable

from ..domain.deliveries import Delivery, Outcome
from . import customer_mail
from .summary import summary_of
from .vault import NoSealedPdf, VaultError


def pdf_filename(summary) -> str:
    number = re.sub(r"[^A-Za-z0-9._-]+", "-", summary.invoice_number).strip("-")
    kind = "avoir" if summary.document_type == "credit_note" else "facture"
    return f"{kind}-{number}.pdf" if number else f"{kind}.pdf"


class CustomerEmailSender:
    def __init__(self, mailer, sealed_pdf: Callable[[str], bytes], public_url: str, payment_link_secret: str,
                 clock: Callable[[], datetime], messages: ModuleType = customer_mail):
        self.mailer = mailer
        self.sealed_pdf = sealed_pdf
        self.public_url = public_url
        self.payment_link_secret = payment_link_secret
        self.clock = clock
        self.messages = messages

    def send(self, delivery: Delivery, attempt: int) -> Outcome:
        summary = summary_of(delivery)
        settings = ParseDict(delivery.payload.get("settings", {}), identity_pb2.DossierSettings(),
                             ignore_unknown_fields=True)
        try:
            sealed = self.sealed_pdf(delivery.document_id)
        except NoSealedPdf as error:
            return Outcome.refused(str(error))
        except VaultError as error:
            return Outcome.retry(str(error))
        payment_url = self.messages.payment_url_for(summary, delivery.document_id, delivery.dossier_id, settings,
                                                    self.public_url, self.payment_link_secret, self.clock())
        message = self.messages.customer_message(summary, delivery.payload.get("dossier_name", ""), sealed,
                                                 pdf_filename(summary), payment_url)
        reply_to = delivery.payload.get("reply_to", "")
        try:
            message_id = self.mailer.send([delivery.target], message.subject, message.text, message.html,
                                          message.attachments, headers={"Reply-To": reply_to} if reply_to else None,
                                          idempotency_key=delivery.id)
        except MailUndeliverable as error:
            return Outcome.refused(str(error), error.code or 0)
        except MailUnavailable as error:
            return Outcome.retry(str(error), error.code or 0)
        except ValueError as error:  # not an e-mail address
            return Outcome.refused(f"cannot send to {delivery.target!r}: {error}")
        return Outcome.delivered(f"Message-ID {message_id}", 250)

    def follow(self, delivery: Delivery) -> Outcome:
        return Outcome.delivered("an e-mail has nothing to follow")

    def recover(self, delivery: Delivery, attempt: int) -> Outcome | None:
        """A mail server cannot be asked what it got: sent again with the same Message-ID."""
        return None
