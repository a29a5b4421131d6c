"""ACM/IDM simulator: a small but real OpenID Connect provider on the paths of ACM/IDM.

It serves ``/op/.well-known/openid-configuration`` and ``/op/v1/{auth,token,userinfo,keys,
logout,introspect}`` for one registered client (Loket, from the settings) and the test personas of
:mod:`loket.integrations.acmidm.personas`. The issuer is ``<application URL>/op``: mounted
under ``/acmidm`` by :mod:`loket.integrations.simulators` it is ``<base>/acmidm/op``. The
signing key is made at start-up; codes and pending logins live in memory.

The token endpoint also gives the API clients of :data:`API_CLIENTS` (systems that call
Loket's API) access tokens with the client credentials grant: RS256 JWTs in the RFC 9068
profile, for the audience ``loket.api.audience``. An integrator registered for the login flow
(``login_redirect_uris``, e.g. the municipality's website) logs a citizen in with the same
persona page and gets, for the code, an access token for Loket's API whose ``sub`` is the
citizen (scope ``loket.aanvragen``) and an ID token of its own.

The persona page also asks for the means of authentication (``acr``): only those of the
request's ``acr_values`` when it names known ones, eID by default. The ID token (and the
integrator's access token) carry the chosen one; the ``acr`` switch forces another (a provider
that ignores ``acr_values``).

It behaves like a standard provider where Loket's login depends on it: a single-sign-on
session (a cookie; a second authorization request logs in without the persona page unless it
sends ``prompt=login`` or a ``max_age`` the session is older than; ``prompt=none`` without one
is ``login_required``), ``acr`` and ``auth_time`` in the ID token only when asked
(``acr_values``, ``max_age`` or the ``claims`` parameter), PKCE with S256 only, the RFC 9207
``iss`` in every authorization response, post-logout redirect URIs matched exactly, and token
introspection (RFC 7662).

Tests make it misbehave through ``POST /op/_control`` (JSON), for example
``{"id_token": "expired"}``, ``{"down": true}``, ``{"slow": 2}``, ``{"token_status": 500}``,
``{"rotate_key": true}``, ``{"access_token": "expired"}`` (client credentials tokens:
ACCESS_TOKEN_MODES), ``{"acr": "urn:be:vlaanderen:authmech:csamsms"}``,
``{"iss_param": "wrong"}`` (or ``"missing"``), ``{"id_token_claims": false}`` (profile claims
only from userinfo) or
``{"reset": true}``; ``GET /op/_control`` shows the switches and how
often each endpoint was called.
"""

import base64
import dataclasses
import functools
import hashlib
import hmac
import json
import secrets
import time
from collections import Counter
from urllib.parse import unquote_plus, urlencode, urlsplit

import jinja2
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey
from webob import Response

from loket.identity.tokens import api_audience as loket_api_audience
from loket.integrations.acmidm.personas import BY_KEY, PERSONAS, ROLE_CLAIM, TEAMS
from loket.integrations.simulation import (
    Simulator,
    boolean,
    one_of,
    refuse_production,
    seconds,
)
from loket.integrations.simulation import status as status_code

CODE_TTL = 60  # seconds an authorization code is valid
PENDING_TTL = 900  # seconds the persona page stays usable
ID_TOKEN_TTL = 300
ACCESS_TOKEN_TTL = 3600
GRANTED_SCOPES = frozenset({"openid", "profile", "rrn", "vo", "loket_rol"})
ID_TOKEN_MODES = ("normal", "expired", "bad_signature", "wrong_audience", "wrong_nonce",
                  "alg_none", "wrong_issuer", "hs256", "unknown_kid", "issued_in_future",
                  "long_lived")
ACCESS_TOKEN_MODES = ("normal", "expired", "bad_signature", "wrong_audience", "wrong_issuer",
                      "alg_none", "hs256", "unknown_kid", "not_yet_valid")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclasses.dataclass(frozen=True)
class ApiClient:
    """A system registered for the client credentials grant, with the scopes it may ask for."""

    client_id: str
    secret: str
    scopes: frozenset[str]
    description: str
    # Where a login of a citizen for this client may return to (besides loopback addresses);
    # empty: the client has no login flow.
    login_redirect_uris: tuple[str, ...] = ()


# Test API clients (in ACM/IDM they are registered through the beheerportaal).
API_CLIENTS = {c.client_id: c for c in (
    ApiClient("notulen", "notulen-secret", frozenset({"loket.callbacks.besluit"}),  # noqa: S106
              "Minutes software: reports the decisions of the college and the council."),
    ApiClient("integrator", "integrator-secret", frozenset({"loket.api.read"}),  # noqa: S106
              "An integrator that reads dossiers."),
    ApiClient("zonder-scope", "zonder-scope-secret", frozenset(),  # noqa: S106
              "A registered client that may call nothing of Loket."),
    ApiClient("gemeentesite", "gemeentesite-secret",  # noqa: S106
              frozenset({"loket.aanvragen"}),
              "The municipality's website: applies on behalf of a logged-in citizen.",
              login_redirect_uris=("http://localhost:8080/aanmelden-terug",)),
    ApiClient("andere-site", "andere-site-secret", frozenset(),  # noqa: S106
              "A website that logs citizens in but may not apply for them.",
              login_redirect_uris=("http://localhost:8081/aanmelden-terug",)),
    ApiClient("fod-advies", "fod-advies-secret", frozenset({"loket.callbacks.advies"}),  # noqa: S106
              "FOD Sociale Zekerheid: answers advice requests (the advies simulator)."),
    ApiClient("boekhouding", "boekhouding-secret",  # noqa: S106
              frozenset({"loket.callbacks.betaling"}),
              "The accounting package: reports payment orders paid or rejected."),
    ApiClient("loket-ondertekenen", "loket-ondertekenen-secret",  # noqa: S106
              frozenset({"digitaalondertekenen"}),
              "Loket itself, calling Digitaal Ondertekenen (first step of its two-step login)."),
)}
API_SCOPES = frozenset().union(*(c.scopes for c in API_CLIENTS.values()))


def api_audience(settings) -> str:
    """The ``aud`` of access tokens for Loket's API: Loket's own rule, with the development
    address when the settings name none."""
    return loket_api_audience({"loket.public_url": "http://localhost:6543", **settings})

DEFAULT_ACR = "urn:be:vlaanderen:authmech:eid"
ACR_LABELS = {
    "urn:be:vlaanderen:authmech:eid": "eID-kaart met kaartlezer",
    "urn:be:vlaanderen:authmech:eidashigh": "Europese eID (eIDAS hoog)",
    "urn:be:vlaanderen:authmech:itsme": "itsme",
    "urn:be:vlaanderen:authmech:csamtotp": "beveiligingscode via app",
    "urn:be:vlaanderen:authmech:csamsms": "beveiligingscode via sms",
}
ROLE_LABELS = {
    "handler": "Dossierbehandelaar", "adviser": "Adviseur", "secretariat": "Secretariaat",
    "signatory": "Ondertekenaar", "finance": "Financiën", "admin": "Functioneel beheerder",
}
ROUTES = {
    "/op/.well-known/openid-configuration": "discovery",
    "/op/v1/auth": "authorize",
    "/op/v1/token": "token",
    "/op/v1/userinfo": "userinfo",
    "/op/v1/keys": "jwks",
    "/op/v1/logout": "logout",
    "/op/v1/introspect": "introspect",
    "/op/static/simulator.css": "stylesheet",
}
PERSONA_BY_SUB = {p.sub: p for p in PERSONAS}
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; base-uri 'none'; "
                               "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


SSO_COOKIE = "acmidm_sso"
SSO_TTL = 8 * 3600
ISS_MODES = ("normal", "missing", "wrong")


def _new_key() -> RSAKey:
    key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"})
    key.ensure_kid()
    return key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _json(data, status: int = 200, **headers) -> Response:
    response = Response(body=json.dumps(data).encode(), status=status,
                        content_type="application/json")
    response.headers.update(headers)
    return response


def _oauth_error(error: str, description: str, status: int = 400, **headers) -> Response:
    return _json({"error": error, "error_description": description}, status,
                 **{"Cache-Control": "no-store", **headers})


def _redirect(uri: str, **params) -> Response:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    location = f"{uri}{'&' if '?' in uri else '?'}{query}" if query else uri
    response = Response(status=302)
    response.location = location
    response.cache_control = "no-store"
    return response


def _acr(value) -> str:
    if value and value not in ACR_LABELS:
        raise ValueError(f"acr must be one of {', '.join(ACR_LABELS)}")
    return value or ""


class AcmIdmSimulator(Simulator):
    """The WSGI application; thread-safe, state in memory."""

    CONTROL_PATH = "/op/_control"
    SWITCHES = {
        "id_token": ("normal", one_of(*ID_TOKEN_MODES)),  # how ID tokens go wrong
        "down": (False, boolean),  # every endpoint answers 503
        "slow": (0.0, seconds),  # seconds to wait before answering
        "token_status": (0, status_code),  # the token endpoint fails with this HTTP status
        "access_token": ("normal", one_of(*ACCESS_TOKEN_MODES)),  # client credentials tokens
        "acr": ("", _acr),  # when set, tokens carry this acr whatever was asked and chosen
        "iss_param": ("normal", one_of(*ISS_MODES)),  # the authorization response's iss
        "id_token_claims": (True, boolean),  # False: profile claims only from userinfo
    }
    COMMANDS = {"rotate_key": "rotate_key"}

    def __init__(self, settings):
        super().__init__(settings)
        self.client_id = settings["loket.acmidm.client_id"]
        self.client_secret = settings["loket.acmidm.client_secret"]
        self.public_url = settings.get("loket.public_url", "http://localhost:6543").rstrip("/")
        self.kbo = settings.get("loket.municipality.kbo", "0207123407")
        self.organisation = settings.get("loket.municipality.name", "Gemeente Heidebeek")
        self.api_audience = api_audience(settings)
        self.api_clients = dict(API_CLIENTS)
        self.keys = [_new_key()]  # newest first; the previous key stays published
        self.pending: dict[str, dict] = {}  # persona page id → authorization request
        self.codes: dict[str, dict] = {}  # authorization code → grant
        self.sessions: dict[str, dict] = {}  # single-sign-on cookie → persona, acr, auth_time
        self.counters: Counter = Counter()
        self.templates = jinja2.Environment(
            loader=jinja2.PackageLoader("loket.integrations.acmidm", "templates"),
            autoescape=True,
        )

    def misbehave(self, request):
        return None  # an unknown address is a 404 even when "down" (see route)

    def route(self, request) -> Response:
        name = ROUTES.get(request.path_info)
        if name is None:
            return _json({"error": "not_found"}, 404)
        switches = self.switches
        if switches.slow:
            time.sleep(switches.slow)
        if switches.down:
            return _json({"error": "temporarily_unavailable"}, 503)
        with self.lock:
            self.counters[name] += 1
        return getattr(self, name)(request)

    @staticmethod
    def issuer(request) -> str:
        return request.application_url + "/op"

    # --- discovery and keys ---------------------------------------------------------

    def discovery(self, request) -> Response:
        issuer = self.issuer(request)
        return _json({
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/v1/auth",
            "token_endpoint": f"{issuer}/v1/token",
            "userinfo_endpoint": f"{issuer}/v1/userinfo",
            "jwks_uri": f"{issuer}/v1/keys",
            "end_session_endpoint": f"{issuer}/v1/logout",
            "introspection_endpoint": f"{issuer}/v1/introspect",
            "authorization_response_iss_parameter_supported": True,
            "claims_parameter_supported": True,
            "prompt_values_supported": ["none", "login"],
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "client_credentials"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                      "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": sorted(GRANTED_SCOPES | API_SCOPES),
            "acr_values_supported": sorted(ACR_LABELS),
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr",
                                 "given_name", "family_name", "email", "rrn", "vo_id",
                                 "vo_doelgroepcode", "vo_doelgroepnaam", "vo_orgcode",
                                 "vo_orgnaam", ROLE_CLAIM],
        })

    def jwks(self, request) -> Response:
        return _json({"keys": [key.as_dict(private=False) for key in self.keys]})

    # --- authorization: the persona page -------------------------------------------------

    def redirect_allowed(self, uri, prefix_match: bool = False, client_id=None) -> bool:
        """A redirect URI registered for the client (Loket's when ``client_id`` is None), or
        any loopback address (for tests)."""
        if not isinstance(uri, str):
            return False
        if client_id is not None and client_id != self.client_id:
            client = self.api_clients.get(client_id)
            if client is None or not client.login_redirect_uris:
                return False
            registered = client.login_redirect_uris
        else:
            registered = (self.public_url + "/" if prefix_match
                          else self.public_url + "/aanmelden-terug",)
        if uri in registered or (prefix_match and uri.startswith(registered)):
            return True
        parts = urlsplit(uri)
        return (parts.scheme in ("http", "https") and parts.hostname in LOOPBACK_HOSTS
                and not parts.fragment)

    def authorize(self, request) -> Response:
        if request.method == "POST":
            return self.decide(request)
        params = request.GET
        redirect_uri = params.get("redirect_uri")
        client_id = params.get("client_id")
        # Never redirect to an address we do not know: show the problem here instead.
        if not self.redirect_allowed(redirect_uri, client_id=client_id):
            return self.page(request, "message.jinja2", status=400,
                             title="Aanmelden niet mogelijk",
                             message="Deze toepassing of haar terugkeeradres is niet gekend "
                                     "bij ACM/IDM.")
        state = params.get("state")
        problem = self.check_authorization_request(params, self.scopes_for(client_id))
        if problem:
            return self.answer(request, redirect_uri, error=problem[0],
                               error_description=problem[1], state=state)
        asked = asked_claims(params)
        pending = {
            "client_id": client_id, "acr_values": offered_means(params.get("acr_values")),
            "redirect_uri": redirect_uri, "state": state, "nonce": params.get("nonce"),
            "scopes": params["scope"].split(),
            "code_challenge": params["code_challenge"],
            "code_challenge_method": params.get("code_challenge_method"),
            "expires": time.time() + PENDING_TTL,
            "give_acr": "acr" in asked or bool(params.get("acr_values")),
            "give_auth_time": "auth_time" in asked or params.get("max_age") is not None,
        }
        prompts = set(params.get("prompt", "").split())
        session = self.sso_session(request)
        if session is not None and "login" not in prompts \
                and fresh_enough(session, params.get("max_age")):
            return self.issue_code(request, pending, session)  # single sign-on: no page
        if "none" in prompts:
            return self.answer(request, redirect_uri, error="login_required",
                               error_description="no single-sign-on session", state=state)
        tx = secrets.token_urlsafe(24)
        with self.lock:
            self._purge()
            self.pending[tx] = pending
        return self.login_page(request, tx)

    def sso_session(self, request) -> dict | None:
        with self.lock:
            session = self.sessions.get(request.cookies.get(SSO_COOKIE, ""))
        if session is None or session["expires"] < time.time():
            return None
        return session

    def issue_code(self, request, pending: dict, session: dict, cookie: str | None = None):
        code = secrets.token_urlsafe(32)
        with self.lock:
            self._purge()
            self.codes[code] = {**pending, "persona": session["persona"], "acr": session["acr"],
                                "auth_time": session["auth_time"],
                                "expires": time.time() + CODE_TTL, "used": False}
        response = self.answer(request, pending["redirect_uri"], code=code,
                               state=pending["state"])
        if cookie is not None:
            response.set_cookie(SSO_COOKIE, cookie, path=request.script_name + "/op",
                                httponly=True, samesite="lax", max_age=SSO_TTL)
        return response

    def answer(self, request, redirect_uri: str, **params) -> Response:
        """An authorization response, with the issuer (RFC 9207) as the switch says."""
        mode = self.switches.iss_param
        if mode != "missing":
            params["iss"] = ("https://authenticatie.example/op" if mode == "wrong"
                             else self.issuer(request))
        return _redirect(redirect_uri, **params)

    def scopes_for(self, client_id: str) -> frozenset[str]:
        """What a client may ask for at the login: Loket the login scopes, an integrator also
        its API scopes."""
        client = self.api_clients.get(client_id)
        return GRANTED_SCOPES | (client.scopes if client is not None else frozenset())

    @staticmethod
    def check_authorization_request(params, granted) -> tuple[str, str] | None:
        if params.get("response_type") != "code":
            return "unsupported_response_type", "only response_type=code is supported"
        scopes = set(params.get("scope", "").split())
        if "openid" not in scopes:
            return "invalid_scope", "the openid scope is required"
        if scopes - granted:  # like ACM/IDM: an un-granted scope fails at once
            ungranted = " ".join(sorted(scopes - granted))
            return "invalid_scope", f"scope not granted: {ungranted}"
        if not params.get("code_challenge") or params.get("code_challenge_method") != "S256":
            return "invalid_request", "PKCE with code_challenge_method=S256 is required"
        return None

    def decide(self, request) -> Response:
        """The persona page was sent: a code for the chosen persona, or access_denied."""
        tx = request.POST.get("tx", "")
        with self.lock:
            pending = self.pending.get(tx)
            if pending is not None and pending["expires"] < time.time():
                pending = None
        if pending is None:
            return self.page(request, "message.jinja2", status=400,
                             title="Aanmelding verlopen",
                             message="Deze aanmeldpoging is verlopen of onbekend. Begin "
                                     "opnieuw bij de toepassing.")
        if request.POST.get("actie") == "annuleren":
            with self.lock:
                self.pending.pop(tx, None)
            return self.answer(request, pending["redirect_uri"], error="access_denied",
                               error_description="De gebruiker heeft het aanmelden "
                                                 "geannuleerd.", state=pending["state"])
        persona = BY_KEY.get(request.POST.get("persona", ""))
        if persona is None:
            return self.login_page(request, tx, status=400,
                                   error="Kies een persona om mee aan te melden.")
        means = self.chosen_means(request.POST.get("aanmeldmiddel"), pending, persona)
        if means is None:
            return self.login_page(request, tx, status=400,
                                   error="Kies een aanmeldmiddel dat de toepassing aanvaardt.")
        cookie = secrets.token_urlsafe(32)
        session = {"persona": persona.key, "acr": means, "auth_time": int(time.time()),
                   "expires": time.time() + SSO_TTL}
        with self.lock:
            if self.pending.pop(tx, None) is None:  # sent twice at once: one wins
                return self.page(request, "message.jinja2", status=400,
                                 title="Aanmelding verlopen",
                                 message="Deze aanmeldpoging werd al gebruikt.")
            self.sessions.pop(request.cookies.get(SSO_COOKIE, ""), None)  # a new login
            self.sessions[cookie] = session
        return self.issue_code(request, pending, session, cookie)

    @staticmethod
    def chosen_means(chosen, pending: dict, persona) -> str | None:
        """The acr of the login: the means chosen on the page (one of those offered), else
        the one the page preselects (eID when asked for), else the persona's usual one."""
        offered = pending["acr_values"] or list(ACR_LABELS)
        if chosen:
            return chosen if chosen in offered else None
        if not pending["acr_values"]:
            return persona.acr
        return DEFAULT_ACR if DEFAULT_ACR in offered else offered[0]

    def login_page(self, request, tx: str, status: int = 200, error: str | None = None):
        def view(persona):
            roles = [f"{ROLE_LABELS.get(role, role)} — {TEAMS.get(team, team)}" if team
                     else ROLE_LABELS.get(role, role) for role, team in persona.roles]
            return {"key": persona.key, "name": persona.name, "description": persona.description,
                    "acr": persona.acr, "acr_label": ACR_LABELS.get(persona.acr, persona.acr),
                    "roles": roles}

        with self.lock:
            pending = self.pending.get(tx) or {}
        offered = pending.get("acr_values") or list(ACR_LABELS)
        return self.page(
            request, "login.jinja2", status=status, tx=tx, error=error,
            client_id=pending.get("client_id", self.client_id),
            means_restricted=bool(pending.get("acr_values")),
            means=[{"acr": urn, "label": ACR_LABELS[urn],
                    "checked": urn == (DEFAULT_ACR if DEFAULT_ACR in offered else offered[0])}
                   for urn in offered],
            action=request.script_name + "/op/v1/auth",
            citizens=[view(p) for p in PERSONAS if p.kind == "citizen"],
            staff=[view(p) for p in PERSONAS if p.kind == "staff"],
        )

    def page(self, request, template: str, status: int = 200, **values) -> Response:
        stylesheet = request.script_name + "/op/static/simulator.css"
        html = self.templates.get_template(template).render(stylesheet=stylesheet, **values)
        response = Response(html, status=status, content_type="text/html", charset="utf-8")
        response.headers.update(PAGE_HEADERS)
        return response

    def stylesheet(self, request) -> Response:
        css = self.templates.loader.get_source(self.templates, "simulator.css")[0]
        response = Response(css, content_type="text/css", charset="utf-8")
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    # --- token endpoint --------------------------------------------------------------

    def authenticated_client(self, request) -> str | None:
        """client_secret_basic (form-encoded id and secret, RFC 6749 §2.3.1) or _post."""
        header = request.headers.get("Authorization", "")
        if header[:6].lower() == "basic ":
            try:
                decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
            except (ValueError, UnicodeDecodeError):
                return None
            client_id, sep, secret = decoded.partition(":")
            if not sep:
                return None
            client_id, secret = unquote_plus(client_id), unquote_plus(secret)
        else:
            client_id = request.POST.get("client_id")
            secret = request.POST.get("client_secret")
        if not isinstance(client_id, str) or not secret:
            return None
        expected = (self.client_secret if client_id == self.client_id
                    else getattr(self.api_clients.get(client_id), "secret", None))
        if expected is not None and hmac.compare_digest(secret.encode(), expected.encode()):
            return client_id
        return None

    def token(self, request) -> Response:
        if request.method != "POST":
            return _oauth_error("invalid_request", "use POST", 405, Allow="POST")
        client_id = self.authenticated_client(request)
        if client_id is None:
            return _oauth_error("invalid_client", "client authentication failed", 401,
                                **{"WWW-Authenticate": 'Basic realm="acmidm"'})
        grant_type = request.POST.get("grant_type")
        if grant_type == "client_credentials":
            return self.client_credentials(request, client_id)
        if grant_type != "authorization_code":
            return _oauth_error("unsupported_grant_type",
                                "only authorization_code and client_credentials")
        client = self.api_clients.get(client_id)
        if client_id != self.client_id and not (client and client.login_redirect_uris):
            return _oauth_error("unauthorized_client", "an API client has no login flow")
        grant, problem = self.redeem(request.POST, client_id)
        if problem:
            return _oauth_error("invalid_grant", problem)
        if self.switches.token_status:
            return _oauth_error("server_error", "switched on through _control",
                                self.switches.token_status)
        issuer = self.issuer(request)
        persona = BY_KEY[grant["persona"]]
        if self.switches.acr:
            grant = {**grant, "acr": self.switches.acr}
        access_token = (self.access_token(issuer, persona, grant) if client is None
                        else self.citizen_access_token(issuer, persona, grant, client))
        return _json({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": ACCESS_TOKEN_TTL,
            "id_token": self.id_token(issuer, persona, grant, self.switches.id_token),
            "scope": " ".join(grant["scopes"]),
        }, **{"Cache-Control": "no-store", "Pragma": "no-cache"})

    def client_credentials(self, request, client_id: str) -> Response:
        """An access token for an API client, with the scopes asked for (all of its scopes when
        it asks for none); like ACM/IDM, a scope not granted to the client fails at once."""
        client = self.api_clients.get(client_id)
        if client is None:  # Loket itself logs people in; it calls no API with its own name
            return _oauth_error("unauthorized_client",
                                "this client may not use the client credentials grant")
        asked = set(request.POST.get("scope", "").split())
        if asked - client.scopes:
            ungranted = " ".join(sorted(asked - client.scopes))
            return _oauth_error("invalid_scope", f"scope not granted: {ungranted}")
        if self.switches.token_status:
            return _oauth_error("server_error", "switched on through _control",
                                self.switches.token_status)
        scopes = sorted(asked or client.scopes)
        token = self.client_access_token(self.issuer(request), client, scopes,
                                         self.switches.access_token)
        return _json({"access_token": token, "token_type": "Bearer",
                      "expires_in": ACCESS_TOKEN_TTL, "scope": " ".join(scopes)},
                     **{"Cache-Control": "no-store", "Pragma": "no-cache"})

    def client_access_token(self, issuer: str, client: ApiClient, scopes, mode: str) -> str:
        """An RFC 9068 access token: the client is its own subject (no person involved)."""
        now = int(time.time())
        claims = {"iss": issuer, "sub": client.client_id, "aud": self.api_audience,
                  "client_id": client.client_id, "scope": " ".join(scopes), "iat": now,
                  "exp": now + ACCESS_TOKEN_TTL, "jti": secrets.token_urlsafe(16)}
        return self.sign_access_token(claims, mode)

    def sign_access_token(self, claims: dict, mode: str) -> str:
        now = claims["iat"]
        if mode == "expired":
            claims.update(iat=now - 2 * ACCESS_TOKEN_TTL, exp=now - ACCESS_TOKEN_TTL)
        elif mode == "not_yet_valid":
            claims.update(nbf=now + ACCESS_TOKEN_TTL)
        elif mode == "wrong_audience":
            claims["aud"] = "een-andere-api"
        elif mode == "wrong_issuer":
            claims["iss"] = "https://authenticatie.example/op"
        return self.sign(claims, mode, typ="at+jwt")

    def redeem(self, form, client_id: str) -> tuple[dict | None, str | None]:
        """The grant of a code, which is used up even when a later check fails."""
        with self.lock:
            grant = self.codes.get(form.get("code", ""))
            if grant is None:
                return None, "unknown authorization code"
            if grant["used"]:
                return None, "authorization code already used"
            grant["used"] = True
        if grant["client_id"] != client_id:
            return None, "the code was issued to another client"
        if grant["expires"] < time.time():
            return None, "authorization code expired"
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return None, "redirect_uri does not match the authorization request"
        verifier = form.get("code_verifier", "")
        if not 43 <= len(verifier) <= 128 or not verifier.isascii():
            return None, "code_verifier missing or malformed"
        expected = create_s256_code_challenge(verifier)
        if not hmac.compare_digest(expected.encode(), grant["code_challenge"].encode()):
            return None, "PKCE verification failed"
        return grant, None

    def persona_claims(self, persona, scopes) -> dict:
        claims = {}
        if "profile" in scopes:
            claims.update(given_name=persona.given_name, family_name=persona.family_name,
                          email=persona.email)
        if "rrn" in scopes and persona.rrn:
            claims["rrn"] = persona.rrn
        if "vo" in scopes:
            if persona.kind == "staff":  # LB = local government, keyed by KBO number
                claims.update(vo_id=persona.sub, vo_doelgroepcode="LB",
                              vo_doelgroepnaam="Lokaal Bestuur", vo_orgcode=self.kbo,
                              vo_orgnaam=self.organisation)
            else:
                claims.update(vo_doelgroepcode="BUR", vo_doelgroepnaam="Burger")
        if "loket_rol" in scopes and persona.roles:
            claims[ROLE_CLAIM] = persona.role_claims(self.kbo)
        return claims

    def id_token(self, issuer: str, persona, grant: dict, mode: str) -> str:
        now = int(time.time())
        claims = {"iss": issuer, "sub": persona.sub, "aud": grant["client_id"], "iat": now,
                  "exp": now + ID_TOKEN_TTL}
        if grant.get("give_acr") or self.switches.acr:
            claims["acr"] = grant["acr"]
        if grant.get("give_auth_time"):
            claims["auth_time"] = grant["auth_time"]
        if self.switches.id_token_claims:
            claims.update(self.persona_claims(persona, grant["scopes"]))
        if grant["nonce"] is not None:
            claims["nonce"] = grant["nonce"]
        if mode == "expired":
            claims.update(iat=now - 2 * ID_TOKEN_TTL, exp=now - ID_TOKEN_TTL)
        elif mode == "wrong_audience":
            claims["aud"] = "een-andere-toepassing"
        elif mode == "wrong_nonce":
            claims["nonce"] = secrets.token_urlsafe(16)
        elif mode == "wrong_issuer":
            claims["iss"] = "https://authenticatie.example/op"
        elif mode == "issued_in_future":
            claims.update(iat=now + 600, exp=now + 600 + ID_TOKEN_TTL)
        elif mode == "long_lived":  # issued 20 minutes ago, valid for an hour: still good
            claims.update(iat=now - 1200, exp=now + 2400)
        return self.sign(claims, mode)

    def access_token(self, issuer: str, persona, grant: dict) -> str:
        now = int(time.time())
        claims = {"iss": issuer, "sub": persona.sub, "aud": self.client_id,
                  "client_id": self.client_id, "scope": " ".join(grant["scopes"]),
                  "iat": now, "exp": now + ACCESS_TOKEN_TTL, "jti": secrets.token_urlsafe(16)}
        key = self.keys[0]
        return jwt.encode({"alg": "RS256", "typ": "at+jwt", "kid": key.kid}, claims, key)

    def citizen_access_token(self, issuer: str, persona, grant: dict, client: ApiClient) -> str:
        """An RFC 9068 access token for Loket's API on behalf of the citizen who logged in at
        the integrator: ``sub`` is the citizen, ``client_id`` the integrator."""
        now = int(time.time())
        claims = {"iss": issuer, "sub": persona.sub, "aud": self.api_audience,
                  "client_id": client.client_id, "scope": " ".join(grant["scopes"]),
                  "acr": grant["acr"], "auth_time": grant["auth_time"], "iat": now,
                  "exp": now + ACCESS_TOKEN_TTL, "jti": secrets.token_urlsafe(16)}
        return self.sign_access_token(claims, self.switches.access_token)

    @functools.cached_property
    def rogue_key(self) -> RSAKey:
        """Never published: signs the tokens of the bad_signature and unknown_kid modes."""
        return _new_key()

    def sign(self, claims: dict, mode: str = "normal", typ: str = "JWT") -> str:
        key = self.keys[0]
        if mode == "alg_none":
            return self._handmade({"alg": "none", "typ": typ}, claims, lambda _: b"")
        if mode == "hs256":  # the classic confusion: HMAC keyed with something public-ish
            secret = self.client_secret.encode()
            return self._handmade({"alg": "HS256", "typ": typ, "kid": key.kid}, claims,
                                  lambda data: hmac.new(secret, data, hashlib.sha256).digest())
        if mode == "bad_signature":
            return jwt.encode({"alg": "RS256", "typ": typ, "kid": key.kid}, claims,
                              self.rogue_key)
        if mode == "unknown_kid":
            return jwt.encode({"alg": "RS256", "typ": typ, "kid": "onbekende-sleutel"}, claims,
                              self.rogue_key)
        return jwt.encode({"alg": "RS256", "typ": typ, "kid": key.kid}, claims, key)

    @staticmethod
    def _handmade(header: dict, claims: dict, signer) -> str:
        # joserfc rightly refuses to make these tokens, so the simulator builds them itself.
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        return f"{signing_input}.{_b64(signer(signing_input.encode()))}"

    # --- userinfo and logout ---------------------------------------------------------

    def userinfo(self, request) -> Response:
        header = request.headers.get("Authorization", "")
        unauthorized = _oauth_error("invalid_token", "a valid bearer access token is required",
                                    401, **{"WWW-Authenticate": 'Bearer error="invalid_token"'})
        if header[:7].lower() != "bearer ":
            return unauthorized
        try:
            token = jwt.decode(header[7:].strip(), KeySet(list(self.keys)), algorithms=["RS256"])
            jwt.JWTClaimsRegistry(iss={"essential": True, "value": self.issuer(request)},
                                  exp={"essential": True}).validate(token.claims)
        except (JoseError, ValueError):
            return unauthorized
        persona = PERSONA_BY_SUB.get(token.claims.get("sub"))
        if token.header.get("typ") != "at+jwt" or persona is None:  # not an ID token
            return unauthorized
        scopes = str(token.claims.get("scope", "")).split()
        return _json({"sub": persona.sub, **self.persona_claims(persona, scopes)},
                     **{"Cache-Control": "no-store"})

    def logout(self, request) -> Response:
        """End the single-sign-on session; back only to a registered address, exactly."""
        with self.lock:
            self.sessions.pop(request.cookies.get(SSO_COOKIE, ""), None)
        uri = request.params.get("post_logout_redirect_uri")
        if uri and self.post_logout_allowed(uri):
            response = _redirect(uri, state=request.params.get("state"))
        elif uri:
            response = self.page(request, "message.jinja2", status=400,
                                 title="Afmelden", message="U bent afgemeld, maar dit "
                                 "terugkeeradres is niet geregistreerd.")
        else:
            response = self.page(request, "message.jinja2", title="Afgemeld",
                                 message="U bent afgemeld bij de ACM/IDM-simulator.")
        response.delete_cookie(SSO_COOKIE, path=request.script_name + "/op")
        return response

    def post_logout_allowed(self, uri: str) -> bool:
        """Loket's home page exactly, or a loopback server's (tests run on free ports)."""
        if uri == self.public_url + "/":
            return True
        parts = urlsplit(uri)
        return (parts.scheme in ("http", "https") and parts.hostname in LOOPBACK_HOSTS
                and parts.path == "/" and not parts.query and not parts.fragment)

    def introspect(self, request) -> Response:
        """RFC 7662: is an access token we issued still good, and whose is it."""
        if request.method != "POST":
            return _oauth_error("invalid_request", "use POST", 405, Allow="POST")
        if self.authenticated_client(request) is None:
            return _oauth_error("invalid_client", "client authentication failed", 401,
                                **{"WWW-Authenticate": 'Basic realm="acmidm"'})
        try:
            token = jwt.decode(request.POST.get("token", ""), KeySet(list(self.keys)),
                               algorithms=["RS256"])
            jwt.JWTClaimsRegistry(iss={"essential": True, "value": self.issuer(request)},
                                  exp={"essential": True}).validate(token.claims)
        except (JoseError, ValueError):
            return _json({"active": False}, **{"Cache-Control": "no-store"})
        if token.header.get("typ") != "at+jwt":
            return _json({"active": False}, **{"Cache-Control": "no-store"})
        claims = token.claims
        return _json({"active": True, "token_type": "Bearer",
                      **{k: claims[k] for k in ("iss", "sub", "aud", "client_id", "scope",
                                                "exp", "iat", "acr", "auth_time")
                         if k in claims}}, **{"Cache-Control": "no-store"})

    # --- test control ------------------------------------------------------------------

    def rotate_key(self, value):
        def rotate():
            with self.lock:
                self.keys = [_new_key(), self.keys[0]]

        return rotate if boolean(value) else None

    def state(self) -> dict:
        with self.lock:
            return {"counters": dict(self.counters), "kids": [key.kid for key in self.keys]}

    def _purge(self):
        """Forget pending logins and codes long past their time (called under the lock)."""
        now = time.time()
        self.pending = {k: v for k, v in self.pending.items() if v["expires"] > now}
        self.codes = {k: v for k, v in self.codes.items() if v["expires"] + CODE_TTL > now}
        self.sessions = {k: v for k, v in self.sessions.items() if v["expires"] > now}


def offered_means(acr_values) -> list[str]:
    """The known means of a request's ``acr_values`` (space separated), in order."""
    return [v for v in dict.fromkeys(str(acr_values or "").split()) if v in ACR_LABELS]


def asked_claims(params) -> set[str]:
    """The ID token claims a ``claims`` request parameter names (OIDC Core §5.5)."""
    try:
        requested = json.loads(params.get("claims") or "{}").get("id_token") or {}
    except (ValueError, AttributeError):
        return set()
    return set(requested) if isinstance(requested, dict) else set()


def fresh_enough(session: dict, max_age) -> bool:
    """Whether the session's login is recent enough for ``max_age`` (seconds)."""
    if max_age is None:
        return True
    try:
        return time.time() - session["auth_time"] <= int(max_age)
    except ValueError:
        return False


def make_app(settings) -> AcmIdmSimulator:
    refuse_production(settings, "ACM/IDM simulator")
    return AcmIdmSimulator(settings)
