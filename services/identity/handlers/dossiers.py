"""Client dossiers: SIRENE lookup, the form, the client list, activation by invitation e-mail."""
import uuid
from dataclasses import asdict, dataclass, replace

from jefacture.events.v1 import identity_pb2 as events
from jefacture.sirene import InvalidIdentifier, LegalUnit

from ..domain import emails
from ..domain.client_form import ClientForm, clean_client_form
from ..domain.dossier import (
    ACCOUNTING_ACTIVITY,
    ACTIVE,
    CREATED,
    INVITED,
    OWN_DOSSIER_FREE_INVOICES,
    CabinetNotAllowed,
    Dossier,
    DossierNotFound,
    InvalidDossier,
    clean_settings,
)
from ..domain.invitations import ACTIVATE_DOSSIER, new_invitation
from ..domain.permissions import (
    ASSIGNED,
    FIRM_ADMIN,
    FIRST_USER,
    Grant,
    NotVisible,
    Permission,
    check_dossier,
    check_firm,
    company_users_with,
    dossier_collaborators,
)
from ..domain.tokens import digest, new_secret
from ..domain.user import Firm, normal_email
from .context import Caller, Context, Principal, authenticate


@dataclass(frozen=True)
class CompanyFacts:
    """What SIRENE says of a company, to fill the form."""
    siren: str
    name: str | None
    legal_form_code: str | None
    naf_code: str | None
    active: bool
    street: str | None
    postal_code: str | None
    city: str | None


def company_facts(ctx: Context, siren: str) -> CompanyFacts | None:
    """None when SIRENE does not know the SIREN; InvalidDossier when it is not a valid one."""
    try:
        unit: LegalUnit | None = ctx.sirene.legal_unit(siren)
    except InvalidIdentifier as error:
        raise InvalidDossier(str(error)) from None
    if unit is None:
        return None
    office = ctx.sirene.head_office(unit.siren)
    address = office.address if office else None
    return CompanyFacts(unit.siren, unit.name, unit.legal_form_code, unit.naf_code, unit.active,
                        address.street if address else None, address.postal_code if address else None,
                        address.city if address else None)


def lookup_company(ctx: Context, access_token: str, siren: str) -> CompanyFacts:
    principal = authenticate(ctx, access_token)
    if not any(grant.scope == "firm" for grant in principal.grants):
        raise NotVisible("only an accounting firm's staff can look companies up")
    facts = company_facts(ctx, siren)
    if facts is None:
        raise DossierNotFound(f"SIREN {siren} is not in the SIRENE register")
    return facts


def fill_from_sirene(raw: dict, facts: CompanyFacts | None) -> dict:
    """The form's blanks filled with what SIRENE knows; what the person typed wins."""
    if facts is None:
        return raw
    known = {"name": facts.name, "address": facts.street, "postal_code": facts.postal_code, "city": facts.city,
             "country": "FR"}
    return {**raw, **{field: value for field, value in known.items() if value and not _given(raw.get(field))}}


def _given(value) -> bool:
    return value is not None and str(value).strip() != ""


def refuse_cabinet(facts: CompanyFacts | None) -> None:
    if facts and facts.naf_code == ACCOUNTING_ACTIVITY:
        raise CabinetNotAllowed(facts.siren, facts.name or "")


def new_dossier(ctx: Context, firm: Firm, form: ClientForm, facts: CompanyFacts | None, own: bool = False,
                dossier_id: str | None = None) -> Dossier:
    return Dossier(dossier_id=dossier_id or str(uuid.uuid4()), firm_id=firm.firm_id, details=form,
                   legal_form=facts.legal_form_code if facts else None, status=CREATED, created_at=ctx.now(),
                   own=own, free_invoices=OWN_DOSSIER_FREE_INVOICES if own else 0)


def create_dossier(ctx: Context, access_token: str, firm_id: str, raw: dict, caller: Caller) -> Dossier:
    principal = authenticate(ctx, access_token)
    check_firm(principal.grants, firm_id, Permission.FIRM_MANAGE)
    firm = ctx.store.firm(firm_id)
    try:
        facts = company_facts(ctx, str(raw.get("siren") or ""))
    except InvalidDossier:
        facts = None  # the form's check reports the SIREN with every other problem
    form = clean_client_form(fill_from_sirene(raw, facts))
    refuse_cabinet(facts)
    dossier = new_dossier(ctx, firm, form, facts)
    ctx.store.add_dossier(dossier)
    ctx.audit("dossier_created", caller, principal.user, dossier_id=dossier.dossier_id, firm_id=firm_id)
    return dossier


def visible_dossier(ctx: Context, principal: Principal, dossier_id: str, permission: Permission) -> Dossier:
    """The dossier when the principal holds `permission` on it; NotVisible exactly as if it did not exist."""
    dossier = ctx.store.dossier(dossier_id) if dossier_id else None
    if dossier is None:
        raise NotVisible(f"no dossier has the id {dossier_id!r}")
    check_dossier(principal.grants, dossier.dossier_id, dossier.firm_id, dossier.active, permission)
    return dossier


def get_dossier(ctx: Context, access_token: str, dossier_id: str) -> Dossier:
    return visible_dossier(ctx, authenticate(ctx, access_token), dossier_id, Permission.DOSSIER_READ)


def firm_dossiers(ctx: Context, access_token: str, firm_id: str) -> list[Dossier]:
    """A firm admin sees every dossier of the firm; a collaborator only the ones assigned to them."""
    principal = authenticate(ctx, access_token)
    role = check_firm(principal.grants, firm_id, Permission.FIRM_READ)
    dossiers = ctx.store.dossiers_of_firm(firm_id)
    if role == FIRM_ADMIN:
        return dossiers
    assigned = {g.scope_id for g in principal.grants if g.scope == "dossier" and g.role == ASSIGNED}
    return [dossier for dossier in dossiers if dossier.dossier_id in assigned]


def activate(ctx: Context, access_token: str, dossier_id: str, caller: Caller) -> Dossier:
    principal = authenticate(ctx, access_token)
    dossier = visible_dossier(ctx, principal, dossier_id, Permission.DOSSIER_MANAGE)
    if dossier.active:
        raise InvalidDossier(f"the dossier {dossier.name} is already active")
    return send_activation(ctx, dossier, principal, caller)


def activate_all(ctx: Context, access_token: str, firm_id: str, caller: Caller) -> list[Dossier]:
    """Every dossier of the firm not yet invited: the legal representatives get their e-mails."""
    principal = authenticate(ctx, access_token)
    check_firm(principal.grants, firm_id, Permission.FIRM_MANAGE)
    return [send_activation(ctx, dossier, principal, caller)
            for dossier in ctx.store.dossiers_of_firm(firm_id) if dossier.status == CREATED]


def send_activation(ctx: Context, dossier: Dossier, principal: Principal, caller: Caller) -> Dossier:
    """Invite the legal representative; someone already registered gets the dossier at once, with a notice."""
    firm = ctx.store.firm(dossier.firm_id)
    details = dossier.details
    email = normal_email(details.representative_email)
    known = ctx.store.user_by_email(email)
    if known is not None and known.registered:
        ctx.store.put_grant(Grant(known.user_id, "dossier", dossier.dossier_id, FIRST_USER), principal.user.user_id,
                            ctx.now())
        activated = replace(dossier, status=ACTIVE, activated_at=ctx.now())
        ctx.store.save_dossier(activated)
        announce_activation(ctx, activated)
        subject, text = emails.new_dossier_opened(known.name or details.representative_name, dossier.name, firm.name,
                                                  ctx.public_url)
        ctx.mailer.send([email], subject, text, idempotency_key=f"dossier-opened:{dossier.dossier_id}")
        ctx.audit("dossier_opened_for_registered_user", caller, principal.user, dossier_id=dossier.dossier_id,
                  representative=email)
        return activated
    secret = new_secret()
    invitation = new_invitation(str(uuid.uuid4()), ACTIVATE_DOSSIER, email, dossier.dossier_id, ctx.now(),
                                principal.user.user_id)
    ctx.store.add_invitation(invitation, digest(secret))
    subject, text = emails.dossier_invitation(details.representative_name, dossier.name, firm.name,
                                              ctx.link("/invitations", secret),
                                              f"{invitation.expires_at:%d/%m/%Y}")
    ctx.mailer.send([email], subject, text, idempotency_key=invitation.invitation_id)
    invited = replace(dossier, status=INVITED)
    ctx.store.save_dossier(invited)
    ctx.audit("invitation_sent", caller, principal.user, dossier_id=dossier.dossier_id, invitee=email)
    return invited


def announce_activation(ctx: Context, dossier: Dossier) -> None:
    payload = events.DossierActivated(dossier_id=dossier.dossier_id, firm_id=dossier.firm_id, siren=dossier.siren,
                                      name=dossier.name, own=dossier.own, free_invoices=dossier.free_invoices)
    payload.activated_at.FromDatetime(dossier.activated_at or ctx.now())
    ctx.emit(payload, dossier.dossier_id)


def set_assignments(ctx: Context, access_token: str, dossier_id: str, emails_: list[str], caller: Caller) -> list[str]:
    """The collaborators assigned to the dossier become exactly these firm staff; returns their e-mails."""
    principal = authenticate(ctx, access_token)
    dossier = visible_dossier(ctx, principal, dossier_id, Permission.DOSSIER_MANAGE)
    wanted = {}
    for email in {normal_email(e) for e in emails_ if e.strip()}:
        user = ctx.store.user_by_email(email)
        staff = {g.scope_id for g in ctx.store.grants_of(user.user_id)} if user else set()
        if dossier.firm_id not in staff:
            raise InvalidDossier(f"{email} is not a collaborator of this firm: add them to the firm first")
        wanted[user.user_id] = email
    current = {g.user_id for g in ctx.store.grants_on(dossier_id) if g.role == ASSIGNED}
    for user_id in current - wanted.keys():
        ctx.store.remove_grant("dossier", dossier_id, user_id)
    for user_id in wanted.keys() - current:
        ctx.store.put_grant(Grant(user_id, "dossier", dossier_id, ASSIGNED), principal.user.user_id, ctx.now())
    ctx.audit("assignments_changed", caller, principal.user, dossier_id=dossier_id,
              collaborators=sorted(wanted.values()))
    return sorted(wanted.values())


def get_settings(ctx: Context, access_token: str, dossier_id: str) -> Dossier:
    return visible_dossier(ctx, authenticate(ctx, access_token), dossier_id, Permission.DOSSIER_READ)


def update_settings(ctx: Context, access_token: str, dossier_id: str, wanted: dict, caller: Caller) -> Dossier:
    """Replaces every setting at once; InvalidSettings names each wrong field and nothing is saved."""
    principal = authenticate(ctx, access_token)
    dossier = visible_dossier(ctx, principal, dossier_id, Permission.DOSSIER_MANAGE)
    settings = clean_settings(**wanted)
    ctx.store.save_settings(dossier_id, settings)
    ctx.audit("dossier_settings_changed", caller, principal.user, dossier_id=dossier_id, **asdict(settings))
    return replace(dossier, settings=settings)


@dataclass(frozen=True)
class DossierProfile:
    """What the platform's services need to know of a dossier, and who must hear of its anomalies."""
    dossier: Dossier
    accepters: list[str]  # user ids of the company's users with the right to accept invoices
    collaborators: list[str]  # user ids of the assigned collaborators, or the firm's admins when none is
    email: str  # the first user's e-mail; the legal representative's from the form until the dossier is active


def dossier_profile(ctx: Context, dossier_id: str) -> DossierProfile:
    """For the platform's services, without a caller: answered only inside the cluster."""
    dossier = ctx.store.dossier(dossier_id) if dossier_id else None
    if dossier is None:
        raise DossierNotFound(dossier_id)
    grants = ctx.store.grants_on(dossier_id)
    first_user = next((ctx.store.user(g.user_id) for g in grants if g.role == FIRST_USER), None)
    return DossierProfile(
        dossier=dossier,
        accepters=company_users_with(grants, dossier_id, Permission.INVOICES_ACCEPT),
        collaborators=dossier_collaborators(grants, ctx.store.grants_on(dossier.firm_id)),
        email=first_user.email if first_user else normal_email(dossier.details.representative_email))
