"""Machine clients and citizens through an integrator: OAuth2 bearer access tokens of ACM/IDM.

Integrators and outside systems (minutes software, signing platform, accounting …) get a token
from ACM/IDM's token endpoint (client credentials grant) and send it as
``Authorization: Bearer <token>`` to ``/api/…``. An integrator that logged a citizen in at
ACM/IDM (authorization code flow) sends the citizen's access token instead: its ``sub`` is the
citizen, ``client_id`` the integrator, and with the scope ``loket.aanvragen``
(:data:`SCOPE_APPLICATIONS`) the request acts as that citizen (``request.user``, the citizen's
principals plus the token's scope: :func:`bearer_principals`); without it, it may do nothing.
The token is a JWT in the RFC 9068 profile, checked here without calling the provider:

- ``typ`` ``at+jwt`` and ``alg`` RS256 only (never ``none`` or HMAC), signed by a key of the
  issuer's JWKS (the OIDC client's cached discovery and keys; an unknown ``kid`` refreshes the
  keys at most once per ``loket.api.jwks_refresh_interval`` seconds, so forged ``kid`` values
  cannot make us hammer the provider);
- ``iss`` is ``loket.acmidm.issuer``, ``aud`` holds ``loket.api.audience``, ``exp`` (and
  ``nbf``, ``iat`` when present) within a minute's leeway, a ``jti`` and a ``client_id``
  (equal to ``sub`` for a client acting in its own name; another ``sub`` is the person the
  token acts for, who never gets a machine's scoped permissions);
- its ``jti`` is not on the deny list (:class:`loket.identity.models.RevokedToken`). Using one
  token for many calls during its lifetime is normal for client credentials; only a revoked one is
  refused. Checking every call with the provider's introspection endpoint would add a network
  call to every request; the short deny list gives the one thing local checks cannot (taking a
  leaked token back) with one primary-key lookup.

A request under ``/api/`` that carries a bearer token is authenticated by that token alone,
never by a session cookie it may also carry (see :class:`loket.security.LoketSecurityPolicy`).
Refusals answer 401 (``WWW-Authenticate: Bearer …``) or 403 (``insufficient_scope``) and are
audited; the audit row is written after the request's transaction, which pyramid_tm rolls back
after an exception view (see :func:`record_after_rollback`).
"""

import logging
import re
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from joserfc import jws, jwt
from joserfc.errors import ClaimError, ExpiredTokenError, JoseError
from pyramid.authorization import Authenticated
from pyramid.exceptions import ConfigurationError
from pyramid.util import FIRST
from pyramid.view import forbidden_view_config

from loket import audit
from loket.db import utcnow
from loket.i18n import _
from loket.identity.models import RevokedToken
from loket.identity.oidc import ALGORITHMS, LEEWAY, ProviderUnavailable, safe_code
from loket.security import client_principal, client_principals, principals_for, scope_principal
from loket.web.openapi import API_PREFIX

log = logging.getLogger(__name__)

REALM = "loket"
ACCESS_TOKEN_TYPES = ("at+jwt", "application/at+jwt")  # RFC 9068 §2.1: not an ID token
MAX_TOKEN_LENGTH = 8192
TOKEN_SYNTAX = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")
CLIENT_ID_SYNTAX = re.compile(r"[A-Za-z0-9._:@-]{1,128}")
SCOPE_SYNTAX = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]{1,100}")  # RFC 6749 §3.3 scope-token
MAX_JTI_LENGTH = 255
# Paths only machines use: refusals there speak OAuth (401 with WWW-Authenticate: Bearer) even
# when the caller sent no token at all.
MACHINE_ONLY_PATHS = re.compile(re.escape(API_PREFIX) + r"/dossiers/[^/]+/callbacks(?:/|$)")
PENDING_AUDIT = "loket.audit_after_rollback"  # environ key


SCOPE_APPLICATIONS = "loket.aanvragen"  # act for the citizen whose token it is
SUBJECT_SYNTAX = re.compile(r"[A-Za-z0-9._:@-]{1,200}")


@dataclass(frozen=True)
class ApiClient:
    """A machine client, as its valid access token describes it; for a citizen's token also
    the person (``subject``, ACM/IDM's ``sub``) and their means of login (``acr``)."""

    client_id: str
    scopes: frozenset[str]
    jti: str
    expires: datetime
    subject: str | None = None
    acr: str | None = None

    @property
    def for_person(self) -> bool:
        return self.subject is not None

    @property
    def acts_for_citizen(self) -> bool:
        """A person's token that may act as that citizen (it holds the scope)."""
        return self.for_person and SCOPE_APPLICATIONS in self.scopes


class TokenRejected(Exception):
    """A bearer token we do not accept; ``reason`` is a short code for the audit trail."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class TokenCheckUnavailable(TokenRejected):
    """The provider's keys cannot be fetched, so no token can be checked right now."""


@dataclass(frozen=True)
class Bearer:
    """What the request's ``Authorization: Bearer`` header amounts to (``request.bearer``).

    ``present`` is true for a request to the API with a bearer header; then exactly one of
    ``client`` (a valid token) and ``error`` is set.
    """

    present: bool
    client: ApiClient | None = None
    error: TokenRejected | None = None


NO_BEARER = Bearer(present=False)


def api_audience(settings) -> str:
    """The audience our access tokens carry: ``loket.api.audience``, by default the public
    URL + ``/api``. Never Loket's own OIDC client id: ID tokens carry that one."""
    return settings.get("loket.api.audience") or (
        settings["loket.public_url"].rstrip("/") + "/api")


class BearerTokenValidator:
    """Checks access tokens against the ACM/IDM issuer; one per application, thread-safe."""

    def __init__(self, settings):
        self.issuer = settings["loket.acmidm.issuer"]
        self.audience = api_audience(settings)
        if self.audience == settings.get("loket.acmidm.client_id"):
            # ID tokens carry Loket's client id as audience: they must never pass as API tokens.
            raise ConfigurationError("loket.api.audience must differ from loket.acmidm.client_id")
        self.refresh_interval = float(settings.get("loket.api.jwks_refresh_interval", 60))
        self._lock = threading.Lock()
        self._last_refresh = float("-inf")

    def validate(self, token: str, oidc_client, dbsession) -> ApiClient:
        """The client of a valid token, or :class:`TokenRejected` with the reason."""
        if len(token) > MAX_TOKEN_LENGTH or not TOKEN_SYNTAX.fullmatch(token):
            raise TokenRejected("malformed")
        try:
            header = jws.extract_compact(token.encode()).headers()
        except (JoseError, ValueError, TypeError) as exc:
            raise TokenRejected("malformed") from exc
        if header.get("alg") not in ALGORITHMS:
            raise TokenRejected("algorithm")
        if str(header.get("typ", "")).lower() not in ACCESS_TOKEN_TYPES:
            raise TokenRejected("not_an_access_token")
        keys = self._keys(oidc_client, header.get("kid"))
        try:
            claims = jwt.decode(token, keys, algorithms=ALGORITHMS).claims
        except (JoseError, ValueError, TypeError) as exc:
            raise TokenRejected("signature") from exc
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.audience},
            exp={"essential": True},
            jti={"essential": True},
            sub={"essential": True},
            client_id={"essential": True},
        )
        try:
            registry.validate(claims)
        except ExpiredTokenError as exc:
            raise TokenRejected("expired") from exc
        except ClaimError as exc:
            raise TokenRejected(f"claim_{safe_code(exc.claim)}") from exc
        return self._client(claims, dbsession)

    def _client(self, claims: dict, dbsession) -> ApiClient:
        client_id, jti, scope = claims["client_id"], claims["jti"], claims.get("scope", "")
        if not isinstance(client_id, str) or not CLIENT_ID_SYNTAX.fullmatch(client_id):
            raise TokenRejected("claim_client_id")
        subject = claims["sub"]
        if subject == client_id:
            subject = None  # the client in its own name
        elif not isinstance(subject, str) or not SUBJECT_SYNTAX.fullmatch(subject):
            raise TokenRejected("claim_sub")
        means = claims.get("acr") if isinstance(claims.get("acr"), str) else None
        if not isinstance(jti, str) or not 0 < len(jti) <= MAX_JTI_LENGTH:
            raise TokenRejected("claim_jti")
        if not isinstance(scope, str):
            raise TokenRejected("claim_scope")
        scopes = frozenset(scope.split())
        if not all(SCOPE_SYNTAX.fullmatch(s) for s in scopes):
            raise TokenRejected("claim_scope")
        exp = claims["exp"]
        if not isinstance(exp, int | float) or isinstance(exp, bool):
            raise TokenRejected("claim_exp")
        if dbsession.get(RevokedToken, jti) is not None:
            raise TokenRejected("revoked")
        return ApiClient(client_id, scopes, jti, datetime.fromtimestamp(exp, UTC), subject,
                         means[:200] if means else None)

    def _keys(self, oidc_client, kid):
        try:
            keys = oidc_client.signing_keys()
            if kid is None or kid in {key.kid for key in keys}:
                return keys
            # The provider may have rotated its keys: fetch them again, but not for every
            # request with an unknown kid (anyone can send one).
            with self._lock:
                now = time.monotonic()
                if now - self._last_refresh < self.refresh_interval:
                    raise TokenRejected("unknown_key")
                self._last_refresh = now
            keys = oidc_client.signing_keys(refresh=True)
        except ProviderUnavailable as exc:
            log.warning("access tokens cannot be checked: %s", exc.reason)
            raise TokenCheckUnavailable("provider_unavailable") from exc
        if kid not in {key.kid for key in keys}:
            raise TokenRejected("unknown_key")
        return keys


def bearer_token(request) -> str | None:
    """The token of an ``Authorization: Bearer`` header (RFC 6750 §2.1), ``""`` when the header
    names the scheme without a token, ``None`` without such a header."""
    header = request.headers.get("Authorization")
    if not header:
        return None
    scheme, _sep, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip()


def is_api_request(request) -> bool:
    return request.path_info.startswith(API_PREFIX + "/")


def authenticate(request) -> Bearer:
    """``request.bearer``: bearer tokens count on the API only; the web pages know sessions."""
    if not is_api_request(request):
        return NO_BEARER
    token = bearer_token(request)
    if token is None:
        return NO_BEARER
    validator: BearerTokenValidator = request.registry["loket.bearer_validator"]
    try:
        client = validator.validate(token, request.registry["loket.oidc_client"],
                                    request.dbsession)
    except TokenRejected as error:
        return Bearer(present=True, error=error)
    return Bearer(present=True, client=client)


def csrf_applies(request) -> bool:
    """Pyramid's CSRF callback: whether an unsafe request needs a CSRF token.

    CSRF protects credentials the browser adds by itself (the session cookie). A request
    authenticated by a valid bearer token has no such credential: the token is never sent by a
    browser on its own, a cross-site page cannot set the header without a CORS preflight that
    Loket never grants, and such a request is never authenticated by its cookie. Every other
    unsafe request — with a session, anonymous, or with an invalid token — is checked.
    """
    return request.bearer.client is None


# ---------------------------------------------------------------------------------------------
# Audit of refusals


def record_after_rollback(request, action: str, object_type: str, object_id, **details):
    """Audit a refusal answered by an exception view (401, 403, 404 …).

    pyramid_tm aborts the request's transaction after an exception view, which would take the
    audit row with it; so the row is kept on the request and written by
    :func:`audit_after_rollback_tween_factory` in a transaction of its own. The refusal changed
    nothing else. The actor is never a person: these requests are a machine's, or nobody's.
    """
    request.environ.setdefault(PENDING_AUDIT, []).append(
        {"action": action, "object_type": object_type, "object_id": str(object_id)[:64],
         "details": details, "occurred": utcnow()})


def audit_after_rollback_tween_factory(handler, registry):
    def audit_after_rollback_tween(request):
        # Tests (and anything else that runs its own transaction around the app) set
        # tm.active: then the rows go into that transaction, like any other audit row.
        outer_transaction = "tm.active" in request.environ
        try:
            return handler(request)
        finally:
            pending = request.environ.pop(PENDING_AUDIT, None)
            if pending:
                _write(request, pending, outer_transaction)

    return audit_after_rollback_tween


def _write(request, pending: list[dict], outer_transaction: bool):
    def write_all():
        for row in pending:  # through audit.write, so the rows join the hash chain
            audit.write(request.dbsession, row["action"], row["object_type"], row["object_id"],
                        occurred=row["occurred"], **row["details"])

    if outer_transaction:
        write_all()
        return
    try:
        with request.tm:  # pyramid_tm has committed or aborted the request's by now
            write_all()
    except Exception:
        # The refusal stands whether or not its audit row could be written; say so loudly.
        log.exception("could not write %d audit row(s) of a refused API request", len(pending))


# ---------------------------------------------------------------------------------------------
# Refusals


class MachineRequestPredicate:
    """``machine_request=True``: an API request with a bearer token, or to a machine-only path
    (where a missing token is answered the OAuth way)."""

    def __init__(self, value, config):
        self.value = bool(value)

    def text(self):
        return f"machine_request = {self.value}"

    phash = text

    def __call__(self, context, request):
        client = request.bearer.client
        if client is not None and client.acts_for_citizen:
            # A citizen through an integrator is refused like the citizen: someone else's
            # dossier is not found (hide_when_forbidden), not forbidden.
            return not self.value
        machine = request.bearer.present or bool(MACHINE_ONLY_PATHS.match(request.path_info))
        return machine == self.value


class BearerPredicate:
    """``bearer=True``: the API request carries a machine's bearer token (valid or not). A
    citizen's token through an integrator does not match: it goes to the citizens' views."""

    def __init__(self, value, config):
        self.value = bool(value)

    def text(self):
        return f"bearer = {self.value}"

    phash = text

    def __call__(self, context, request):
        bearer = request.bearer
        machine = bearer.present and not (bearer.client is not None and bearer.client.for_person)
        return machine == self.value


def bearer_principals(request) -> list[str]:
    """The principals of a request with a valid bearer token (without ``Everyone``).

    A machine's token: the client, ``role:integrator`` and its scopes. A citizen's token with
    :data:`SCOPE_APPLICATIONS`: the citizen's own principals and that scope, nothing of a
    machine (so no scoped permission such as ``loket.api.read``). A person's token without it
    (or for someone who is no citizen here): the client alone, which may do nothing.
    """
    client = request.bearer.client
    if client is None:
        return []
    if not client.for_person:
        return client_principals(client)
    user = request.user
    if user is None or not client.acts_for_citizen:
        return [Authenticated, client_principal(client.client_id)]
    return [*principals_for(user), client_principal(client.client_id),
            scope_principal(SCOPE_APPLICATIONS)]


def _challenge(**params) -> str:
    # Values are our own codes and texts: no quotes or backslashes to escape.
    return "Bearer " + ", ".join(f'{k}="{v}"' for k, v in {"realm": REALM, **params}.items())


REASON_TEXTS = {
    "expired": _("The access token has expired. Get a new one from ACM/IDM."),
    "revoked": _("The access token was revoked. Get a new one from ACM/IDM."),
}


def refuse_machine(request, required_scope: str | None = None, callback: str | None = None):
    """The answer to a machine request that may not go on, audited: 401 without a valid token,
    403 when the token lacks ``required_scope`` (or, without one, the right)."""
    from loket.web.views import error_response

    bearer = request.bearer
    where = {"method": request.method, "path": request.path_info[:200]}
    if callback is not None:
        where["callback"] = callback
    if isinstance(bearer.error, TokenCheckUnavailable):
        response = error_response(
            request, 503, _("Token check unavailable"),
            _("Access tokens cannot be checked right now. Nothing was changed. Try again in a "
              "few minutes."))
        response.headers["Retry-After"] = "30"
        return response
    if bearer.client is None:
        reason = bearer.error.reason if bearer.error else "token_missing"
        record_after_rollback(request, "api.token_rejected", "api", "-", reason=reason, **where)
        if bearer.error is None:
            challenge = _challenge()
            message = _("Send an access token of ACM/IDM as Authorization: Bearer.")
        else:
            challenge = _challenge(error="invalid_token")
            message = REASON_TEXTS.get(reason, _("The access token is not valid for this API."))
        response = error_response(request, 401, _("Access token required"), message)
        response.headers["WWW-Authenticate"] = challenge
        return response
    record_after_rollback(request, "api.forbidden", "api", "-", client=bearer.client.client_id,
                          scope=required_scope, **where)
    if required_scope is None:
        response = error_response(request, 403, _("Not allowed"),
                                  _("This API client may not do this."))
        response.headers["WWW-Authenticate"] = _challenge(error="insufficient_scope")
        return response
    response = error_response(
        request, 403, _("Not allowed"),
        _("The access token lacks the scope ${scope}.", mapping={"scope": required_scope}))
    response.headers["WWW-Authenticate"] = _challenge(error="insufficient_scope",
                                                      scope=required_scope)
    return response


# No route_name: this is included with the security policy, before the API's route exists;
# the predicate looks at API paths only.
@forbidden_view_config(machine_request=True)
def machine_forbidden(exc, request):
    """Pyramid refused a machine request (or a request to a machine-only path)."""
    scope = getattr(exc.result, "scope", None)
    client = request.bearer.client
    if scope is None and client is not None and client.for_person:
        scope = SCOPE_APPLICATIONS  # a person's token may only ever act with this scope
    return refuse_machine(request, scope)


# ---------------------------------------------------------------------------------------------
# Revocation


def revoke(dbsession, client: ApiClient | None = None, *, jti: str | None = None,
           expires: datetime | None = None, client_id: str = "", reason: str = "") -> RevokedToken:
    """Put a token on the deny list until it expires (by its client object, or by jti)."""
    if client is not None:
        jti, expires, client_id = client.jti, client.expires, client.client_id
    if not jti or expires is None:
        raise ValueError("a jti and its expiry are needed")
    row = dbsession.get(RevokedToken, jti) or RevokedToken(jti=jti)
    row.expires, row.client_id, row.reason = expires, client_id, reason[:200]
    dbsession.add(row)
    dbsession.flush()
    return row


def purge_revoked(dbsession) -> int:
    """Forget revocations of tokens that have expired anyway (for the worker)."""
    return dbsession.query(RevokedToken).filter(RevokedToken.expires < utcnow()).delete()


def includeme(config):
    config.registry["loket.bearer_validator"] = BearerTokenValidator(config.get_settings())
    config.add_request_method(authenticate, "bearer", reify=True)
    config.add_view_predicate("machine_request", MachineRequestPredicate)
    # Weighed over the API's caller_is_staff: where the same URL has a view for citizens, one
    # for staff and one for machines, the machines' view is tried first (a bearer request has
    # no person, and the token alone decides what it may do).
    config.add_view_predicate("bearer", BearerPredicate,
                              weighs_more_than=(FIRST, "caller_is_staff"))
    config.add_tween("loket.identity.tokens.audit_after_rollback_tween_factory",
                     over="pyramid_tm.tm_tween_factory")
    config.scan("loket.identity.tokens")
