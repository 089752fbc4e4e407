"""identity's data in MongoDB, read and written as domain objects."""
import uuid
from dataclasses import asdict
from datetime import datetime, timedelta

import mongoengine as me
from pymongo.errors import DuplicateKeyError

from jefacture.mongo import create_once

from ..domain.client_form import ClientForm
from ..domain.dossier import Dossier, DossierAlreadyExists, DossierSettings
from ..domain.invitations import Invitation
from ..domain.permissions import Grant
from ..domain.user import Cabinet, Firm, User
from . import records as r

ALL_RECORDS = (r.FirmRecord, r.TermsAcceptanceRecord, r.DossierRecord, r.UserRecord, r.GrantRecord,
               r.InvitationRecord, r.OnceRecord, r.RefreshTokenRecord, r.LoginFailureRecord, r.LoginStateRecord,
               r.SecurityEventRecord, r.OutboxRecord)


class AlreadyTaken(Exception):
    """An insert met an existing unique key."""


def _firm(record: r.FirmRecord) -> Firm:
    return Firm(record.firm_id, record.siren, record.name, record.created_at, record.own_dossier_id)


def _dossier(record: r.DossierRecord) -> Dossier:
    return Dossier(dossier_id=record.dossier_id, firm_id=record.firm_id, details=ClientForm(**record.details),
                   legal_form=record.legal_form, status=record.status, created_at=record.created_at,
                   own=record.own, free_invoices=record.free_invoices, settings=_settings(record),
                   activated_at=record.activated_at)


def _settings(record: r.DossierRecord) -> DossierSettings:
    return DossierSettings(auto_accept=record.auto_accept, payment_button=record.payment_button,
                           payment_link_days=record.payment_link_days,
                           after_payment_url=record.after_payment_url or "")


def _user(record: r.UserRecord) -> User:
    return User(user_id=record.user_id, email=record.email, kind=record.kind, created_at=record.created_at,
                name=record.name, oidc_subject=record.oidc_subject, password_hash=record.password_hash,
                mobile=record.mobile, language=record.language, last_dossier_id=record.last_dossier_id,
                cabinets=tuple(Cabinet(c["siren"], c["name"]) for c in record.cabinets or ()))


def _grant(record: r.GrantRecord) -> Grant:
    return Grant(record.user_id, record.scope, record.scope_id, record.role, tuple(record.rights or ()))


def _invitation(record: r.InvitationRecord) -> Invitation:
    return Invitation(record.invitation_id, record.purpose, record.email, record.dossier_id, record.created_at,
                      record.expires_at, record.invited_by, tuple(record.rights or ()))


def _insert(record: me.Document) -> None:
    try:
        record.save(force_insert=True)
    except (me.NotUniqueError, DuplicateKeyError):
        raise AlreadyTaken(str(record.pk)) from None


class Store:
    def ensure_indexes(self) -> None:
        for record in ALL_RECORDS:
            record.ensure_indexes()

    # firms and their terms of use
    def firm(self, firm_id: str) -> Firm | None:
        record = r.FirmRecord.objects(firm_id=firm_id).first()
        return _firm(record) if record else None

    def firm_by_siren(self, siren: str) -> Firm | None:
        record = r.FirmRecord.objects(siren=siren).first()
        return _firm(record) if record else None

    def add_firm(self, firm: Firm) -> Firm:
        """The firm stored, or the one already stored with its SIREN (two first logins at once)."""
        if create_once(r.FirmRecord(firm_id=firm.firm_id, siren=firm.siren, name=firm.name,
                                    created_at=firm.created_at)):
            return firm
        return self.firm_by_siren(firm.siren)

    def set_own_dossier(self, firm_id: str, dossier_id: str) -> None:
        r.FirmRecord.objects(firm_id=firm_id).update_one(set__own_dossier_id=dossier_id)

    def record_terms(self, firm_id: str, version: str, user_id: str, at: datetime, address: str) -> bool:
        return create_once(r.TermsAcceptanceRecord(acceptance_id=f"{firm_id}:{version}", firm_id=firm_id,
                                                   version=version, user_id=user_id, accepted_at=at,
                                                   address=address))

    def terms_accepted(self, firm_id: str, version: str) -> dict | None:
        record = r.TermsAcceptanceRecord.objects(acceptance_id=f"{firm_id}:{version}").first()
        return None if record is None else {"user_id": record.user_id, "accepted_at": record.accepted_at,
                                            "version": record.version}

    # dossiers
    def dossier(self, dossier_id: str) -> Dossier | None:
        record = r.DossierRecord.objects(dossier_id=dossier_id).first()
        return _dossier(record) if record else None

    def dossier_by_siren(self, firm_id: str, siren: str) -> Dossier | None:
        record = r.DossierRecord.objects(firm_siren=f"{firm_id}:{siren}").first()
        return _dossier(record) if record else None

    def dossiers_of_firm(self, firm_id: str) -> list[Dossier]:
        return [_dossier(record) for record in r.DossierRecord.objects(firm_id=firm_id).order_by("created_at")]

    def add_dossier(self, dossier: Dossier) -> None:
        try:
            _insert(r.DossierRecord(dossier_id=dossier.dossier_id, firm_id=dossier.firm_id,
                                    firm_siren=f"{dossier.firm_id}:{dossier.siren}",
                                    details=dossier.details.as_dict(), legal_form=dossier.legal_form,
                                    status=dossier.status, own=dossier.own, free_invoices=dossier.free_invoices,
                                    created_at=dossier.created_at, **asdict(dossier.settings)))
        except AlreadyTaken:
            existing = self.dossier_by_siren(dossier.firm_id, dossier.siren)
            raise DossierAlreadyExists(dossier.siren, existing.dossier_id if existing else "") from None

    def save_dossier(self, dossier: Dossier) -> None:
        r.DossierRecord.objects(dossier_id=dossier.dossier_id).update_one(
            set__details=dossier.details.as_dict(), set__legal_form=dossier.legal_form, set__status=dossier.status,
            set__activated_at=dossier.activated_at)

    def save_settings(self, dossier_id: str, settings: DossierSettings) -> None:
        r.DossierRecord.objects(dossier_id=dossier_id).update_one(
            **{f"set__{name}": value for name, value in asdict(settings).items()})

    # users
    def user(self, user_id: str) -> User | None:
        record = r.UserRecord.objects(user_id=user_id).first()
        return _user(record) if record else None

    def user_by_email(self, email: str) -> User | None:
        record = r.UserRecord.objects(email=email).first()
        return _user(record) if record else None

    def user_by_subject(self, subject: str) -> User | None:
        record = r.UserRecord.objects(oidc_subject=subject).first()
        return _user(record) if record else None

    def add_user(self, user: User) -> User:
        """The user stored, or the one already stored with the e-mail."""
        record = r.UserRecord(user_id=user.user_id, email=user.email, kind=user.kind, name=user.name,
                              oidc_subject=user.oidc_subject, created_at=user.created_at)
        return user if create_once(record) else self.user_by_email(user.email)

    def update_user(self, user_id: str, **fields) -> None:
        r.UserRecord.objects(user_id=user_id).update_one(**{f"set__{name}": value for name, value in fields.items()})

    # grants
    def grants_of(self, user_id: str) -> list[Grant]:
        return [_grant(record) for record in r.GrantRecord.objects(user_id=user_id)]

    def grants_on(self, scope_id: str) -> list[Grant]:
        return [_grant(record) for record in r.GrantRecord.objects(scope_id=scope_id)]

    def put_grant(self, grant: Grant, granted_by: str | None, at: datetime) -> None:
        grant_id = f"{grant.scope}:{grant.scope_id}:{grant.user_id}"
        record = r.GrantRecord(grant_id=grant_id, user_id=grant.user_id, scope=grant.scope, scope_id=grant.scope_id,
                               role=grant.role, rights=list(grant.rights), granted_by=granted_by, granted_at=at)
        if not create_once(record):
            r.GrantRecord.objects(grant_id=grant_id).update_one(set__role=grant.role, set__rights=list(grant.rights),
                                                                set__granted_by=granted_by, set__granted_at=at)

    def remove_grant(self, scope: str, scope_id: str, user_id: str) -> None:
        r.GrantRecord.objects(grant_id=f"{scope}:{scope_id}:{user_id}").delete()

    # invitations and single-use things
    def add_invitation(self, invitation: Invitation, token_digest: str) -> None:
        _insert(r.InvitationRecord(invitation_id=invitation.invitation_id, token_digest=token_digest,
                                   purpose=invitation.purpose, email=invitation.email,
                                   dossier_id=invitation.dossier_id, rights=list(invitation.rights),
                                   invited_by=invitation.invited_by, created_at=invitation.created_at,
                                   expires_at=invitation.expires_at))

    def invitation_by_digest(self, token_digest: str) -> Invitation | None:
        record = r.InvitationRecord.objects(token_digest=token_digest).first()
        return _invitation(record) if record else None

    def happen_once(self, key: str, at: datetime) -> bool:
        """True the first time `key` is given, False ever after, even for concurrent callers."""
        return create_once(r.OnceRecord(key=key, at=at))

    def happened(self, key: str) -> bool:
        return r.OnceRecord.objects(key=key).first() is not None

    # sessions
    def add_refresh_token(self, token_digest: str, session_id: str, user_id: str, expires_at: datetime) -> None:
        _insert(r.RefreshTokenRecord(token_digest=token_digest, session_id=session_id, user_id=user_id,
                                     expires_at=expires_at))

    def refresh_token(self, token_digest: str) -> r.RefreshTokenRecord | None:
        return r.RefreshTokenRecord.objects(token_digest=token_digest).first()

    def add_login_failure(self, email: str, address: str, at: datetime) -> None:
        r.LoginFailureRecord(email=email, address=address, at=at).save(force_insert=True)

    def login_failures_since(self, email: str, address: str, since: datetime) -> tuple[list, list]:
        by_email = [f.at for f in r.LoginFailureRecord.objects(email=email, at__gte=since)]
        by_address = [f.at for f in r.LoginFailureRecord.objects(address=address, at__gte=since)] if address else []
        return by_email, by_address

    def forget_login_failures(self, email: str) -> None:
        r.LoginFailureRecord.objects(email=email).delete()

    def add_login_state(self, state: str, nonce: str, code_verifier: str, at: datetime) -> None:
        _insert(r.LoginStateRecord(state=state, nonce=nonce, code_verifier=code_verifier, created_at=at))

    def login_state(self, state: str) -> r.LoginStateRecord | None:
        return r.LoginStateRecord.objects(state=state).first()

    def forget_expired(self, now: datetime, keep_failures: timedelta = timedelta(days=1)) -> None:
        """Expiry by query (no TTL indexes on FerretDB): old login failures and states, expired refresh tokens."""
        r.LoginFailureRecord.objects(at__lt=now - keep_failures).delete()
        r.LoginStateRecord.objects(created_at__lt=now - timedelta(hours=1)).delete()
        r.RefreshTokenRecord.objects(expires_at__lt=now).delete()

    # events, published by the relay (jefacture.messaging.flush_outbox) once stored
    def add_event(self, wire: dict, at: datetime) -> None:
        r.OutboxRecord(event_id=wire["event_id"], outbox=[wire], created_at=at).save(force_insert=True)

    def outbox_collection(self):
        return r.OutboxRecord._get_collection()

    def forget_published_events(self) -> None:
        self.outbox_collection().delete_many({"outbox.0": {"$exists": False}})

    # the audit log
    def audit(self, kind: str, at: datetime, user_id: str | None = None, email: str | None = None,
              address: str | None = None, user_agent: str | None = None, **detail) -> None:
        r.SecurityEventRecord(event_id=str(uuid.uuid4()), at=at, kind=kind, user_id=user_id, email=email,
                              address=address, user_agent=user_agent, detail=detail).save(force_insert=True)

    def security_events(self, user_id: str | None = None, limit: int = 200) -> list[dict]:
        query = r.SecurityEventRecord.objects(user_id=user_id) if user_id else r.SecurityEventRecord.objects
        return [{"at": e.at, "kind": e.kind, "user_id": e.user_id, "email": e.email, "address": e.address,
                 "user_agent": e.user_agent, "detail": dict(e.detail or {})}
                for e in query.order_by("-at").limit(limit)]
