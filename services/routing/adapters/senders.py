"""The senders of each kind of destination, built from the settings once per process."""
from collections.abc import Callable
from datetime import datetime
from functools import partial

from jefacture.chorus_pro import ChorusProClient
from jefacture.log import get_logger
from jefacture.mail import Mailer, SmtpConfig

from .. import handlers
from ..domain.rules import CHORUS_PRO, CUSTOMER_EMAIL, WEBHOOK
from ..settings import CHORUS_SETTINGS, RoutingSettings
from .chorus import ChorusSender, PublicBuyers
from .email import CustomerEmailSender
from .vault import VaultReader
from .webhook import WebhookSender

VAULT_TIMEOUT_SECONDS = 30


def chorus_client(settings: RoutingSettings) -> ChorusProClient | None:
    """None, with a warning, when Chorus Pro is not configured: no invoice is then planned for it."""
    if not settings.chorus_configured:
        missing = [name.upper() for name in CHORUS_SETTINGS if not getattr(settings, name)]
        get_logger().warning("routing_chorus_pro_not_configured", missing=missing,
                             consequence="no invoice is sent to Chorus Pro")
        return None
    return ChorusProClient(settings.chorus_api_url, settings.chorus_token_url, settings.chorus_client_id,
                           settings.chorus_client_secret, settings.chorus_login, settings.chorus_password)


def public_buyers(chorus: ChorusProClient | None) -> PublicBuyers | None:
    return PublicBuyers(chorus) if chorus else None


def senders_for(settings: RoutingSettings, store, chorus: ChorusProClient | None,
                clock: Callable[[], datetime]) -> dict[str, handlers.Sender]:
    vault = VaultReader(settings.seal_vault_grpc, VAULT_TIMEOUT_SECONDS)
    disable = partial(_disable, store, clock)
    senders = {
        WEBHOOK: WebhookSender(store.subscription, disable, settings.webhook_timeout_seconds, clock,
                                settings.webhooks_to_this_machine),
        CUSTOMER_EMAIL: CustomerEmailSender(Mailer(SmtpConfig.from_url(settings.smtp_url)), vault.sealed_pdf,
                                            settings.public_url, settings.payment_link_secret, clock),
    }
    if chorus:
        senders[CHORUS_PRO] = ChorusSender(chorus, vault.original)
    return senders


def _disable(store, clock: Callable[[], datetime], subscription_id: str, reason: str) -> None:
    handlers.disable_subscription(store, subscription_id, reason, clock())
