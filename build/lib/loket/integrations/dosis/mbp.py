"""A small Mijn Burgerprofiel: the citizen logs in through the ACM/IDM simulator (OpenID
Connect code flow with PKCE) and sees the dossiers that DOSIS holds for their national
register number, from every source, with a link back.

The ACM/IDM simulator is the one on the same simulators server (``<base>/acmidm/op``), or
``loket.simulators.mbp.issuer``. It registers one client, Loket's, which this page borrows
(``loket.simulators.mbp.client_id`` / ``.client_secret`` name another one). Sessions live in
memory, keyed by a random cookie.
"""

import secrets
import threading
import time
from datetime import datetime
from urllib.parse import quote, urlencode, urlsplit

import jinja2
import requests
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from webob import Response

from loket.integrations.dosis.validation import CODE_LABELS

COOKIE = "mbp_sessie"
SESSION_TTL = 3600
PENDING_TTL = 900
TIMEOUT = 5
SCOPES = "openid profile rrn"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; base-uri 'none'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class LoginFailed(Exception):
    """The login could not be completed; the message is shown to the citizen (Dutch)."""


def _redirect(location: str) -> Response:
    response = Response(status=302)
    response.location = location
    response.cache_control = "no-store"
    return response


class MijnBurgerprofiel:
    def __init__(self, dosis, settings):
        self.dosis = dosis  # the DOSIS simulator, whose statuses we show
        self.client_id = settings.get("loket.simulators.mbp.client_id") or settings.get(
            "loket.acmidm.client_id")
        self.client_secret = settings.get("loket.simulators.mbp.client_secret") or settings.get(
            "loket.acmidm.client_secret")
        self.configured_issuer = settings.get("loket.simulators.mbp.issuer")
        self.lock = threading.Lock()
        self.sessions: dict[str, dict] = {}
        self.pending: dict[str, dict] = {}  # OIDC state → nonce, PKCE verifier, issuer
        self.templates = jinja2.Environment(
            loader=jinja2.PackageLoader("loket.integrations.dosis", "templates"),
            autoescape=True,
        )
        self.routes = {"/mbp": self.home, "/mbp/": self.home, "/mbp/aanmelden": self.login,
                       "/mbp/terug": self.callback, "/mbp/afmelden": self.logout,
                       "/mbp/static/mbp.css": self.stylesheet}

    def __call__(self, request) -> Response:
        handler = self.routes.get(request.path_info)
        if handler is None:
            return self.page(request, "message.jinja2", status=404, title="Pagina niet gevonden",
                             message="Deze pagina bestaat niet.")
        return handler(request)

    # --- pages ---------------------------------------------------------------------------

    def page(self, request, template: str, status: int = 200, **values) -> Response:
        base = request.script_name + "/mbp"
        html = self.templates.get_template(template).render(
            stylesheet=base + "/static/mbp.css", home_url=base, login_url=base + "/aanmelden",
            logout_url=base + "/afmelden", **values)
        response = Response(html, status=status, content_type="text/html", charset="utf-8")
        response.headers.update(PAGE_HEADERS)
        return response

    def stylesheet(self, request) -> Response:
        css = self.templates.loader.get_source(self.templates, "mbp.css")[0]
        response = Response(css, content_type="text/css", charset="utf-8")
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    def home(self, request) -> Response:
        session = self.session(request)
        if session is None:
            return self.page(request, "welcome.jinja2")
        dossiers = [self.view(p) for p in self.dosis.dossiers_of(session["rrn"])]
        return self.page(request, "dossiers.jinja2", name=session["name"], dossiers=dossiers)

    @staticmethod
    def view(payload: dict) -> dict:
        status = payload["Status"]
        action = status.get("Actie") or {}
        manager = payload.get("DossierBeheerder") or {}
        link = payload.get("Doorverwijzing") or ""
        changed = datetime.fromisoformat(payload["WijzigingsDatum"])
        return {
            "name": payload["Naam"], "number": payload["Identificatie"]["DossierNummer"],
            "status": CODE_LABELS.get(status["VlaamsCode"], status["VlaamsCode"]),
            "phase": status["VlaamsFase"], "detail": status.get("Detail1") or "",
            "action_needed": bool(action.get("ActieNodig")), "action": action.get("Actie") or "",
            "manager_name": manager.get("Naam", ""),
            "manager": ", ".join(p for p in (manager.get("Naam"), manager.get("Dienst")) if p),
            "changed": changed.strftime("%d/%m/%Y %H:%M"), "changed_iso": changed.isoformat(),
            # Only web addresses become links: never a javascript: or data: URL.
            "link": link if urlsplit(link).scheme in ("http", "https") else "",
        }

    # --- session ---------------------------------------------------------------------------

    def session(self, request) -> dict | None:
        token = request.cookies.get(COOKIE)
        with self.lock:
            found = self.sessions.get(token) if token else None
            if found is not None and found["expires"] < time.time():
                self.sessions.pop(token, None)
                found = None
        return found

    def logout(self, request) -> Response:
        if request.method != "POST":
            return self.page(request, "message.jinja2", status=405, title="Afmelden",
                             message="Afmelden gaat met de knop op de pagina.")
        token = request.cookies.get(COOKIE)
        with self.lock:
            self.sessions.pop(token, None)
        response = _redirect(request.script_name + "/mbp")
        response.delete_cookie(COOKIE, path=request.script_name + "/mbp")
        return response

    # --- login: OpenID Connect against the ACM/IDM simulator -------------------------------

    def issuer(self, request) -> str:
        if self.configured_issuer:
            return self.configured_issuer
        # The ACM/IDM simulator next to us. Only on loopback addresses, so a forged Host header
        # cannot make this server fetch from elsewhere.
        if urlsplit(request.host_url).hostname not in LOOPBACK_HOSTS:
            raise LoginFailed("Aanmelden kan enkel op dit toestel (set "
                              "loket.simulators.mbp.issuer).")
        return request.host_url + request.script_name.rsplit("/", 1)[0] + "/acmidm/op"

    @staticmethod
    def discover(issuer: str) -> dict:
        try:
            response = requests.get(issuer + "/.well-known/openid-configuration",
                                    timeout=TIMEOUT)
            response.raise_for_status()
            config = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise LoginFailed("Het aanmeldplatform is niet bereikbaar.") from exc
        if config.get("issuer") != issuer:
            raise LoginFailed("Het aanmeldplatform gaf een onverwacht antwoord.")
        return config

    def login(self, request) -> Response:
        try:
            issuer = self.issuer(request)
            config = self.discover(issuer)
        except LoginFailed as failed:
            return self.failed(request, failed)
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        verifier = secrets.token_urlsafe(48)
        with self.lock:
            now = time.time()
            self.pending = {k: v for k, v in self.pending.items() if v["expires"] > now}
            self.pending[state] = {"nonce": nonce, "verifier": verifier, "issuer": issuer,
                                   "expires": now + PENDING_TTL}
        query = urlencode({
            "response_type": "code", "client_id": self.client_id, "scope": SCOPES,
            "redirect_uri": self.redirect_uri(request), "state": state, "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        })
        return _redirect(f"{config['authorization_endpoint']}?{query}")

    @staticmethod
    def redirect_uri(request) -> str:
        return request.application_url + "/mbp/terug"

    def callback(self, request) -> Response:
        with self.lock:
            pending = self.pending.pop(request.GET.get("state", ""), None)
        try:
            if pending is None or pending["expires"] < time.time():
                raise LoginFailed("Deze aanmelding is verlopen of onbekend. Meld opnieuw aan.")
            if request.GET.get("error"):
                raise LoginFailed("Het aanmelden werd geannuleerd of is mislukt.")
            claims = self.redeem(request, pending)
        except LoginFailed as failed:
            return self.failed(request, failed)
        if not claims.get("rrn"):
            return self.failed(request, LoginFailed(
                "U kunt Mijn Burgerprofiel enkel gebruiken met een rijksregisternummer."))
        token = secrets.token_urlsafe(32)
        name = " ".join(p for p in (claims.get("given_name"), claims.get("family_name")) if p)
        with self.lock:
            self.sessions[token] = {"rrn": claims["rrn"], "name": name or "burger",
                                    "expires": time.time() + SESSION_TTL}
        response = _redirect(request.script_name + "/mbp")
        response.set_cookie(COOKIE, token, path=request.script_name + "/mbp", httponly=True,
                            samesite="Lax", secure=request.scheme == "https",
                            max_age=SESSION_TTL)
        return response

    def redeem(self, request, pending: dict) -> dict:
        """The code for tokens; the ID token's checked claims."""
        issuer = pending["issuer"]
        config = self.discover(issuer)
        try:
            response = requests.post(config["token_endpoint"], timeout=TIMEOUT, data={
                "grant_type": "authorization_code", "code": request.GET.get("code", ""),
                "redirect_uri": self.redirect_uri(request), "code_verifier": pending["verifier"],
            }, auth=(quote(self.client_id, safe=""), quote(self.client_secret, safe="")))
            response.raise_for_status()
            id_token = response.json()["id_token"]
            keys = requests.get(config["jwks_uri"], timeout=TIMEOUT)
            keys.raise_for_status()
            token = jwt.decode(id_token, KeySet.import_key_set(keys.json()), algorithms=["RS256"])
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": issuer},
                aud={"essential": True, "value": self.client_id},
                exp={"essential": True}, nonce={"essential": True, "value": pending["nonce"]},
            ).validate(token.claims)
        except (requests.RequestException, ValueError, KeyError, JoseError) as exc:
            raise LoginFailed("Het aanmelden is mislukt. Probeer het opnieuw.") from exc
        return token.claims

    def failed(self, request, failed: LoginFailed) -> Response:
        return self.page(request, "message.jinja2", status=400, title="Aanmelden mislukt",
                         message=str(failed), retry=True)
