"""Accounting firms: first login of an expert-comptable, terms of use once per cabinet, the cabinet's own dossier,
collaborators and delegated administration."""
import uuid

from ..domain import emails
from ..domain.client_form import clean_client_form
from ..domain.dossier import Dossier, InvalidDossier
from ..domain.permissions import COLLABORATOR, FIRM_ADMIN, Grant, NotVisible, Permission, check_firm
from ..domain.user import FIRM_STAFF, Cabinet, Firm, User, normal_email
from .context import Caller, Context, authenticate
from .dossiers import company_facts, fill_from_sirene, new_dossier, send_activation


def cabinets(ctx: Context, access_token: str) -> list[tuple[Cabinet, Firm | None, bool]]:
    """The cabinets the provider links the person to: each with its firm once created, and whether the terms
    in force were accepted for it."""
    principal = authenticate(ctx, access_token)
    result = []
    for cabinet in principal.user.cabinets:
        firm = ctx.store.firm_by_siren(cabinet.siren)
        accepted = firm is not None and ctx.store.terms_accepted(firm.firm_id, ctx.terms_version) is not None
        result.append((cabinet, firm, accepted))
    return result


def accept_terms(ctx: Context, access_token: str, siren: str, version: str, caller: Caller) -> Firm:
    """Recorded once per cabinet and version (who, when, from where); the first acceptance opens the firm, makes
    the signer its admin, creates the cabinet's own dossier (500 invoices free) and invites the signer to it."""
    principal = authenticate(ctx, access_token)
    cabinet = next((c for c in principal.user.cabinets if c.siren == siren), None)
    if cabinet is None:
        raise NotVisible(f"the professional register does not list you as an expert-comptable of SIREN {siren}")
    if version != ctx.terms_version:
        raise InvalidDossier(f"the terms of use in force are version {ctx.terms_version}, not {version!r}")
    facts = company_facts(ctx, siren)
    firm = ctx.store.firm_by_siren(siren) or ctx.store.add_firm(
        Firm(str(uuid.uuid4()), siren, (facts.name if facts else None) or cabinet.name, ctx.now()))
    ctx.store.put_grant(Grant(principal.user.user_id, "firm", firm.firm_id, FIRM_ADMIN), None, ctx.now())
    if ctx.store.record_terms(firm.firm_id, version, principal.user.user_id, ctx.now(), caller.address):
        ctx.audit("terms_accepted", caller, principal.user, firm_id=firm.firm_id, version=version)
    if firm.own_dossier_id is None:
        own = _own_dossier(ctx, firm, principal.user, facts)
        send_activation(ctx, own, principal, caller)
        firm = ctx.store.firm(firm.firm_id)
    return firm


def _own_dossier(ctx: Context, firm: Firm, signer: User, facts) -> Dossier:
    form = clean_client_form(fill_from_sirene({
        "siren": firm.siren, "name": firm.name, "country": "FR", "language": "fr", "closing_month": 12,
        "representative_name": signer.name or signer.email, "representative_language": "fr",
        "representative_email": signer.email}, facts))
    dossier = new_dossier(ctx, firm, form, facts, own=True,
                          dossier_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"jefacture:own-dossier:{firm.firm_id}")))
    existing = ctx.store.dossier(dossier.dossier_id)
    if existing is None:
        ctx.store.add_dossier(dossier)
    ctx.store.set_own_dossier(firm.firm_id, dossier.dossier_id)
    return existing or dossier


def add_collaborator(ctx: Context, access_token: str, firm_id: str, email: str, name: str, admin: bool,
                     caller: Caller) -> User:
    """Adds firm staff, who will log in through the provider with this e-mail; admin=True delegates the firm's
    administration to them."""
    principal = authenticate(ctx, access_token)
    check_firm(principal.grants, firm_id, Permission.FIRM_MANAGE)
    email = normal_email(email)
    if "@" not in email:
        raise InvalidDossier(f"{email!r} is not an e-mail address")
    user = ctx.store.user_by_email(email) or ctx.store.add_user(
        User(str(uuid.uuid4()), email, FIRM_STAFF, ctx.now(), name=name.strip()))
    ctx.store.put_grant(Grant(user.user_id, "firm", firm_id, FIRM_ADMIN if admin else COLLABORATOR),
                        principal.user.user_id, ctx.now())
    firm = ctx.store.firm(firm_id)
    subject, text = emails.collaborator_added(firm.name, admin, f"{ctx.public_url.rstrip('/')}/auth/firm/login")
    ctx.mailer.send([email], subject, text)
    ctx.audit("collaborator_added", caller, principal.user, firm_id=firm_id, collaborator=email, admin=admin)
    return user


def collaborators(ctx: Context, access_token: str, firm_id: str) -> list[tuple[User, str]]:
    principal = authenticate(ctx, access_token)
    check_firm(principal.grants, firm_id, Permission.FIRM_READ)
    staff = [(ctx.store.user(g.user_id), g.role) for g in ctx.store.grants_on(firm_id) if g.scope == "firm"]
    return sorted(((user, role) for user, role in staff if user), key=lambda pair: pair[0].email)
