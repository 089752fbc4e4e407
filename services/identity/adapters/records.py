"""identity's MongoDB documents. Anything two requests could race on is an insert with a deterministic id
(FerretDB v1 can lose concurrent updates of one document; duplicate inserts fail on every store)."""
import mongoengine as me


class FirmRecord(me.Document):
    meta = {"collection": "firms", "indexes": [{"fields": ["siren"], "unique": True}]}
    firm_id = me.StringField(primary_key=True)
    siren = me.StringField(required=True)
    name = me.StringField(required=True)
    own_dossier_id = me.StringField()
    created_at = me.DateTimeField(required=True)


class TermsAcceptanceRecord(me.Document):
    """_id = firm id + terms version: the terms are accepted once per cabinet and version."""
    meta = {"collection": "terms_acceptances"}
    acceptance_id = me.StringField(primary_key=True)
    firm_id = me.StringField(required=True)
    version = me.StringField(required=True)
    user_id = me.StringField(required=True)
    accepted_at = me.DateTimeField(required=True)
    address = me.StringField()


class DossierRecord(me.Document):
    meta = {"collection": "dossiers", "indexes": [{"fields": ["firm_siren"], "unique": True}, "firm_id"]}
    dossier_id = me.StringField(primary_key=True)
    firm_id = me.StringField(required=True)
    firm_siren = me.StringField(required=True)  # one dossier per company within a firm
    details = me.DictField(required=True)
    legal_form = me.StringField()
    status = me.StringField(required=True)
    own = me.BooleanField(default=False)
    free_invoices = me.IntField(default=0)
    # the settings (see domain.dossier.DossierSettings), written only by Store.save_settings
    auto_accept = me.BooleanField(default=True)
    payment_button = me.BooleanField(default=True)
    payment_link_days = me.IntField(default=30)
    after_payment_url = me.StringField(default="")
    created_at = me.DateTimeField(required=True)
    activated_at = me.DateTimeField()


class UserRecord(me.Document):
    meta = {"collection": "users", "indexes": [{"fields": ["email"], "unique": True}]}
    user_id = me.StringField(primary_key=True)
    email = me.StringField(required=True)
    kind = me.StringField(required=True)  # "firm" (logs in by OIDC) or "company" (password)
    name = me.StringField(default="")
    oidc_subject = me.StringField()
    password_hash = me.StringField()
    mobile = me.StringField()
    language = me.StringField()
    photo = me.BinaryField()
    photo_type = me.StringField()
    terms_accepted_at = me.DateTimeField()
    privacy_notice_accepted_at = me.DateTimeField()
    last_dossier_id = me.StringField()
    cabinets = me.ListField(me.DictField())  # from the OpenID provider's claim, at the last login
    created_at = me.DateTimeField(required=True)


class GrantRecord(me.Document):
    """_id = scope:scope_id:user_id — one role per user and firm or dossier."""
    meta = {"collection": "grants", "indexes": ["user_id", "scope_id"]}
    grant_id = me.StringField(primary_key=True)
    user_id = me.StringField(required=True)
    scope = me.StringField(required=True)
    scope_id = me.StringField(required=True)
    role = me.StringField(required=True)
    rights = me.ListField(me.StringField())
    granted_by = me.StringField()
    granted_at = me.DateTimeField(required=True)


class InvitationRecord(me.Document):
    meta = {"collection": "invitations", "indexes": [{"fields": ["token_digest"], "unique": True}]}
    invitation_id = me.StringField(primary_key=True)
    token_digest = me.StringField(required=True)
    purpose = me.StringField(required=True)
    email = me.StringField(required=True)
    dossier_id = me.StringField()
    rights = me.ListField(me.StringField())
    invited_by = me.StringField()
    created_at = me.DateTimeField(required=True)
    expires_at = me.DateTimeField(required=True)


class OnceRecord(me.Document):
    """Something that may happen only once (a link used, a refresh token rotated): _id names it."""
    meta = {"collection": "once"}
    key = me.StringField(primary_key=True)
    at = me.DateTimeField(required=True)


class RefreshTokenRecord(me.Document):
    meta = {"collection": "refresh_tokens", "indexes": ["session_id"]}
    token_digest = me.StringField(primary_key=True)
    session_id = me.StringField(required=True)
    user_id = me.StringField(required=True)
    expires_at = me.DateTimeField(required=True)


class LoginFailureRecord(me.Document):
    meta = {"collection": "login_failures", "indexes": ["email", "address"]}
    email = me.StringField(required=True)
    address = me.StringField()
    at = me.DateTimeField(required=True)


class LoginStateRecord(me.Document):
    """A firm login started at the OIDC provider: state → nonce and PKCE verifier."""
    meta = {"collection": "login_states"}
    state = me.StringField(primary_key=True)
    nonce = me.StringField(required=True)
    code_verifier = me.StringField(required=True)
    created_at = me.DateTimeField(required=True)


class SecurityEventRecord(me.Document):
    """The audit log of security events: insert-only."""
    meta = {"collection": "security_events", "indexes": ["user_id", "at"]}
    event_id = me.StringField(primary_key=True)
    at = me.DateTimeField(required=True)
    kind = me.StringField(required=True)
    user_id = me.StringField()
    email = me.StringField()
    address = me.StringField()
    user_agent = me.StringField()
    detail = me.DictField()


class OutboxRecord(me.Document):
    """Events waiting to be published, each with the change that made it (see jefacture.messaging.flush_outbox)."""
    meta = {"collection": "outbox"}
    event_id = me.StringField(primary_key=True)
    outbox = me.ListField(me.DictField())
    created_at = me.DateTimeField(required=True)
