"""identity's gRPC process: authentication, authorization, firms, dossiers, invitations."""
import functools
import json
import threading
from datetime import datetime

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from jefacture import grpc_kit, mongo
from jefacture.api.v1 import identity_pb2 as pb
from jefacture.api.v1 import identity_pb2_grpc
from jefacture.log import get_logger
from jefacture.mail import Mailer, MailError, SmtpConfig
from jefacture.messaging import Publisher, flush_outbox
from jefacture.registry_client import RegistryUnavailable
from jefacture.settings import load
from jefacture.sirene import SireneClient

from .adapters.oidc import OidcProvider, ProviderRefused, ProviderUnavailable
from .adapters.store import Store
from .domain.client_form import InvalidClientForm
from .domain.client_import import IMPORT_FIELDS, InvalidMapping, UnreadableSpreadsheet
from .domain.dossier import DossierAlreadyExists, DossierNotFound, DossierSettings, InvalidDossier, InvalidSettings
from .domain.invitations import InvitationInvalid
from .domain.passwords import WeakPassword
from .domain.permissions import Forbidden, NotVisible
from .domain.throttle import LoginLocked
from .domain.tokens import AccessTokens, InvalidToken, load_or_create_key
from .handlers import access, dossiers, firms, imports, sessions, users
from .handlers.context import Caller, Context, authenticate
from .settings import IdentitySettings

STATUS_OF = (
    (InvalidToken, grpc.StatusCode.UNAUTHENTICATED), (sessions.LoginFailed, grpc.StatusCode.UNAUTHENTICATED),
    (ProviderRefused, grpc.StatusCode.UNAUTHENTICATED), (LoginLocked, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (NotVisible, grpc.StatusCode.NOT_FOUND), (DossierNotFound, grpc.StatusCode.NOT_FOUND),
    (Forbidden, grpc.StatusCode.PERMISSION_DENIED), (DossierAlreadyExists, grpc.StatusCode.ALREADY_EXISTS),
    (InvitationInvalid, grpc.StatusCode.FAILED_PRECONDITION),
    (InvalidClientForm, grpc.StatusCode.INVALID_ARGUMENT), (InvalidDossier, grpc.StatusCode.INVALID_ARGUMENT),
    (WeakPassword, grpc.StatusCode.INVALID_ARGUMENT), (users.InvalidProfile, grpc.StatusCode.INVALID_ARGUMENT),
    (UnreadableSpreadsheet, grpc.StatusCode.INVALID_ARGUMENT), (InvalidMapping, grpc.StatusCode.INVALID_ARGUMENT),
    (access.UnknownPermission, grpc.StatusCode.INVALID_ARGUMENT),
    (access.AmbiguousQuestion, grpc.StatusCode.INVALID_ARGUMENT),
    (ProviderUnavailable, grpc.StatusCode.UNAVAILABLE), (RegistryUnavailable, grpc.StatusCode.UNAVAILABLE),
    (MailError, grpc.StatusCode.UNAVAILABLE),
)


def _ts(when: datetime | None) -> Timestamp | None:
    if when is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(when)
    return stamp


def user_reply(user) -> pb.User:
    return pb.User(user_id=user.user_id, email=user.email, name=user.name or "", kind=user.kind,
                   language=user.language or "", mobile=user.mobile or "")


def dossier_reply(dossier, permissions=()) -> pb.Dossier:
    details = {name: "" if value is None else str(value) for name, value in dossier.details.as_dict().items()}
    return pb.Dossier(dossier_id=dossier.dossier_id, name=dossier.name, siren=dossier.siren, firm_id=dossier.firm_id,
                      status=dossier.status, own=dossier.own, free_invoices=dossier.free_invoices,
                      legal_form=dossier.legal_form or "", auto_accept=dossier.settings.auto_accept, details=details,
                      created_at=_ts(dossier.created_at), activated_at=_ts(dossier.activated_at),
                      permissions=list(permissions))


def settings_reply(dossier_id: str, settings: DossierSettings) -> pb.DossierSettings:
    return pb.DossierSettings(dossier_id=dossier_id, auto_accept=settings.auto_accept,
                              payment_button=settings.payment_button, payment_link_days=settings.payment_link_days,
                              after_payment_url=settings.after_payment_url)


def profile_reply(profile: dossiers.DossierProfile) -> pb.DossierProfile:
    dossier = profile.dossier
    return pb.DossierProfile(dossier_id=dossier.dossier_id, firm_id=dossier.firm_id, siren=dossier.siren,
                             name=dossier.name, status=dossier.status,
                             settings=settings_reply(dossier.dossier_id, dossier.settings),
                             accepters=profile.accepters, collaborators=profile.collaborators, email=profile.email)


def firm_reply(firm, role: str = "") -> pb.Firm:
    return pb.Firm(firm_id=firm.firm_id, siren=firm.siren, name=firm.name, own_dossier_id=firm.own_dossier_id or "",
                   role=role)


def session_reply(session: sessions.Session) -> pb.Session:
    return pb.Session(user=user_reply(session.user), access_token=session.access_token,
                      access_expires_at=session.access_expires_at, refresh_token=session.refresh_token,
                      cabinets=[pb.Cabinet(siren=c.siren, name=c.name) for c in session.cabinets])


def me_reply(me: users.Me) -> pb.Me:
    return pb.Me(user=user_reply(me.user), firms=[firm_reply(firm, role) for firm, role in me.firms],
                 dossiers=[dossier_reply(d, me.permissions.get(d.dossier_id, ())) for d in me.dossiers])


def rpc(method):
    """Gives the handler the caller's token and origin, and turns domain refusals into gRPC statuses."""
    @functools.wraps(method)
    def call(self, request, context):
        metadata = dict(context.invocation_metadata())
        token = metadata.get("authorization", "").removeprefix("Bearer ").strip()
        caller = Caller(metadata.get("jefacture-client-address", context.peer()),
                        metadata.get("jefacture-client-agent", ""))
        try:
            return method(self, request, token, caller)
        except DossierAlreadyExists as error:
            context.set_trailing_metadata(((grpc_kit.EXISTING_DOSSIER_KEY, error.dossier_id),))
            context.abort(grpc.StatusCode.ALREADY_EXISTS, str(error))
        except InvalidClientForm as error:
            _abort_with_problems(context, str(error), {p.field: p.reason for p in error.problems})
        except InvalidSettings as error:
            _abort_with_problems(context, str(error), error.problems)
        except tuple(kind for kind, _ in STATUS_OF) as error:
            code = next(code for kind, code in STATUS_OF if isinstance(error, kind))
            if code == grpc.StatusCode.UNAVAILABLE:
                get_logger().warning("dependency_unavailable", rpc=method.__name__, error=str(error))
            context.abort(code, str(error))
    return call


def _abort_with_problems(context, message: str, problems: dict[str, str]) -> None:
    listed = json.dumps([{"field": field, "reason": reason} for field, reason in problems.items()])
    context.set_trailing_metadata(((grpc_kit.PROBLEMS_KEY, listed),))
    context.abort(grpc.StatusCode.INVALID_ARGUMENT, message)


class IdentityServicer(identity_pb2_grpc.IdentityServicer):
    def __init__(self, ctx: Context):
        self.ctx = ctx

    @rpc
    def Authorize(self, request, token, caller):
        """On a dossier (dossier_id) or, when only firm_id is given, on a firm."""
        access_token = request.access_token or token
        if request.firm_id and request.dossier_id:
            raise access.AmbiguousQuestion("ask about a dossier_id or a firm_id, not both")
        if request.firm_id:
            user = access.authorize_firm(self.ctx, access_token, request.firm_id, request.permission)
            return pb.AuthorizeReply(user_id=user.user_id, firm_id=request.firm_id)
        user, dossier = access.authorize(self.ctx, access_token, request.dossier_id, request.permission)
        return pb.AuthorizeReply(user_id=user.user_id, dossier_id=dossier.dossier_id, firm_id=dossier.firm_id)

    @rpc
    def BeginFirmLogin(self, request, token, caller):
        return pb.LoginRedirect(authorization_url=sessions.begin_firm_login(self.ctx))

    @rpc
    def CompleteFirmLogin(self, request, token, caller):
        return session_reply(sessions.complete_firm_login(self.ctx, request.state, request.code, caller))

    @rpc
    def Login(self, request, token, caller):
        return session_reply(sessions.login(self.ctx, request.email, request.password, caller))

    @rpc
    def Refresh(self, request, token, caller):
        return session_reply(sessions.refresh(self.ctx, request.refresh_token, caller))

    @rpc
    def Logout(self, request, token, caller):
        sessions.logout(self.ctx, token, caller)
        return pb.Empty()

    @rpc
    def RequestPasswordReset(self, request, token, caller):
        sessions.request_password_reset(self.ctx, request.email, caller)
        return pb.Empty()

    @rpc
    def ResetPassword(self, request, token, caller):
        sessions.reset_password(self.ctx, request.token, request.new_password, caller)
        return pb.Empty()

    @rpc
    def WhoAmI(self, request, token, caller):
        return me_reply(users.me(self.ctx, token))

    @rpc
    def SwitchDossier(self, request, token, caller):
        return me_reply(users.switch_dossier(self.ctx, token, request.dossier_id))

    @rpc
    def SecurityEvents(self, request, token, caller):
        principal = authenticate(self.ctx, token)
        return pb.SecurityEventList(events=[
            pb.SecurityEvent(at=_ts(e["at"]), kind=e["kind"], email=e["email"] or "", address=e["address"] or "",
                             user_agent=e["user_agent"] or "", detail=json.dumps(e["detail"], default=str))
            for e in self.ctx.store.security_events(principal.user.user_id)])

    @rpc
    def ListCabinets(self, request, token, caller):
        return pb.Cabinets(terms_version=self.ctx.terms_version, cabinets=[
            pb.Cabinet(siren=cabinet.siren, name=firm.name if firm else cabinet.name,
                       firm_id=firm.firm_id if firm else "", terms_accepted=accepted)
            for cabinet, firm, accepted in firms.cabinets(self.ctx, token)])

    @rpc
    def AcceptTerms(self, request, token, caller):
        return firm_reply(firms.accept_terms(self.ctx, token, request.siren, request.version, caller), "firm_admin")

    @rpc
    def AddCollaborator(self, request, token, caller):
        user = firms.add_collaborator(self.ctx, token, request.firm_id, request.email, request.name, request.admin,
                                      caller)
        return pb.Collaborator(user=user_reply(user), role="firm_admin" if request.admin else "collaborator")

    @rpc
    def ListCollaborators(self, request, token, caller):
        return pb.Collaborators(collaborators=[pb.Collaborator(user=user_reply(user), role=role)
                                               for user, role in firms.collaborators(self.ctx, token, request.firm_id)])

    @rpc
    def LookupCompany(self, request, token, caller):
        facts = dossiers.lookup_company(self.ctx, token, request.siren)
        return pb.Company(siren=facts.siren, name=facts.name or "", legal_form_code=facts.legal_form_code or "",
                          naf_code=facts.naf_code or "", active=facts.active, address=facts.street or "",
                          postal_code=facts.postal_code or "", city=facts.city or "")

    @rpc
    def CreateDossier(self, request, token, caller):
        return dossier_reply(dossiers.create_dossier(self.ctx, token, request.firm_id, dict(request.fields), caller))

    @rpc
    def GetDossier(self, request, token, caller):
        return dossier_reply(dossiers.get_dossier(self.ctx, token, request.dossier_id))

    @rpc
    def ListDossiers(self, request, token, caller):
        return pb.Dossiers(dossiers=[dossier_reply(d) for d in dossiers.firm_dossiers(self.ctx, token,
                                                                                       request.firm_id)])

    @rpc
    def ActivateDossier(self, request, token, caller):
        return dossier_reply(dossiers.activate(self.ctx, token, request.dossier_id, caller))

    @rpc
    def ActivateAll(self, request, token, caller):
        return pb.Dossiers(dossiers=[dossier_reply(d) for d in dossiers.activate_all(self.ctx, token,
                                                                                      request.firm_id, caller)])

    @rpc
    def SetAssignments(self, request, token, caller):
        return pb.Assignments(emails=dossiers.set_assignments(self.ctx, token, request.dossier_id,
                                                              list(request.emails), caller))

    @rpc
    def PreviewImport(self, request, token, caller):
        result = imports.preview(self.ctx, authenticate(self.ctx, token), request.firm_id, request.content,
                                 request.filename)
        return pb.ImportPreview(header=[str(cell) for cell in result.sheet.header], header_row=result.sheet.header_row,
                                suggested_mapping=result.suggested, rows=len(result.sheet.rows),
                                fields=list(IMPORT_FIELDS))

    @rpc
    def ImportClients(self, request, token, caller):
        outcome = imports.import_clients(self.ctx, authenticate(self.ctx, token), request.firm_id, request.content,
                                         request.filename, dict(request.mapping) or None, caller)
        return pb.ImportReport(
            rows=[pb.ImportedRow(row=row, outcome=verb, dossier_id=dossier_id, siren=siren)
                  for row, verb, dossier_id, siren in outcome.rows],
            problems=[pb.RowProblem(row=row, field=problem.field, reason=problem.reason)
                      for row, problem in outcome.problems],
            created=outcome.count("created"), updated=outcome.count("updated"), failed=outcome.count("failed"))

    @rpc
    def ShowInvitation(self, request, token, caller):
        view = users.show_invitation(self.ctx, request.token)
        return pb.Invitation(purpose=view.purpose, email=view.email, dossier_name=view.dossier_name or "",
                             registered=view.registered)

    @rpc
    def CompleteInvitation(self, request, token, caller):
        profile = users.Profile(password=request.password, name=request.name, mobile=request.mobile,
                                language=request.language, accept_terms=request.accept_terms,
                                accept_privacy_notice=request.accept_privacy_notice, photo=request.photo)
        return session_reply(users.complete_invitation(self.ctx, request.token, profile, caller))

    @rpc
    def InviteUser(self, request, token, caller):
        return pb.InviteUserReply(outcome=users.invite_user(self.ctx, token, request.dossier_id, request.email,
                                                            list(request.rights), caller))

    @rpc
    def ListDossierUsers(self, request, token, caller):
        return pb.DossierUsers(users=[pb.DossierUser(user=user_reply(user), role=grant.role, rights=list(grant.rights))
                                      for user, grant in users.dossier_users(self.ctx, token, request.dossier_id)])

    @rpc
    def GetDossierSettings(self, request, token, caller):
        dossier = dossiers.get_settings(self.ctx, token, request.dossier_id)
        return settings_reply(dossier.dossier_id, dossier.settings)

    @rpc
    def UpdateDossierSettings(self, request, token, caller):
        wanted = {"auto_accept": request.auto_accept, "payment_button": request.payment_button,
                  "payment_link_days": request.payment_link_days, "after_payment_url": request.after_payment_url}
        dossier = dossiers.update_settings(self.ctx, token, request.dossier_id, wanted, caller)
        return settings_reply(dossier.dossier_id, dossier.settings)

    @rpc
    def GetDossierProfile(self, request, token, caller):
        """Internal: asks for no token. identity's gRPC port must be reachable only inside the cluster (the
        gateway is the platform's only public entry), since this answers any caller that reaches it."""
        return profile_reply(dossiers.dossier_profile(self.ctx, request.dossier_id))


def build_context(settings: IdentitySettings) -> Context:
    store = Store()
    store.ensure_indexes()
    return Context(
        store=store,
        tokens=AccessTokens(load_or_create_key(settings.token_key_path), settings.access_token_seconds),
        mailer=Mailer(SmtpConfig.from_url(settings.smtp_url)),
        sirene=SireneClient(settings.sirene_url, settings.sirene_api_key),
        oidc=OidcProvider(settings.oidc_issuer, settings.oidc_client_id, settings.oidc_client_secret,
                          f"{settings.public_url.rstrip('/')}/auth/firm/callback", settings.oidc_cabinets_claim),
        public_url=settings.public_url, terms_version=settings.terms_version,
        refresh_token_days=settings.refresh_token_days)


def housekeeping(ctx: Context, publisher: Publisher, stop: threading.Event, interval: float = 1.0,
                 expiry_every: int = 3600) -> None:
    """Publishes what the handlers stored in the outbox (a broker outage only delays the events) and, hourly,
    forgets expired login traces."""
    passes = 0
    while not stop.wait(interval):
        try:
            if flush_outbox(ctx.store.outbox_collection(), publisher):
                ctx.store.forget_published_events()
            if passes % expiry_every == 0:
                ctx.store.forget_expired(ctx.now())
        except Exception as error:  # the next pass retries; the events stay stored
            get_logger().warning("housekeeping_failed", error=str(error))
        passes += 1


def main() -> None:
    settings = load(IdentitySettings)
    mongo.connect(settings, "identity")
    ctx = build_context(settings)
    stop = threading.Event()
    threading.Thread(target=housekeeping, args=(ctx, Publisher(settings.amqp_uri), stop), daemon=True,
                     name="housekeeping").start()
    servicer = IdentityServicer(ctx)
    grpc_kit.serve("identity-grpc", settings.identity_grpc, settings.identity_metrics_address,
                   lambda server: identity_pb2_grpc.add_IdentityServicer_to_server(servicer, server),
                   settings.log_level,
                   settings.grpc_listen_host)


if __name__ == "__main__":
    main()
