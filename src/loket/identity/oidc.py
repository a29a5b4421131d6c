"""Login through ACM/IDM (OpenID Connect): the authorization code flow with PKCE.

State, nonce and PKCE verifier of a login in progress live in the server-side session, never
in a cookie or URL of ours. The provider's metadata and signing keys are cached on the
registry for ``loket.acmidm.cache_ttl`` seconds. Every refusal raises :class:`LoginError`,
whose ``reason`` is a short code for the audit trail (never personal data) and whose
``message`` is shown to the user.
"""

import logging
import re
import secrets
import time
from urllib.parse import quote, urlencode, urlsplit

import requests
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jws, jwt
from joserfc.errors import ClaimError, ExpiredTokenError, JoseError
from joserfc.jwk import KeySet

from loket.i18n import _

HEALTH_PROBE_TIMEOUT = 2  # seconds: /-/health answers fast even when ACM/IDM does not

log = logging.getLogger(__name__)

SCOPES = ("openid", "profile", "rrn", "vo", "loket_rol")
ALGORITHMS = ["RS256"]  # what ACM/IDM signs with; "none" and HMAC are never accepted
FLOWS_KEY = "oidc_flows"  # session key: pending logins by state
FLOW_TTL = 600  # seconds a person may spend at the provider
MAX_FLOWS = 5  # logins pending at once in one session (several tabs)
LEEWAY = 60  # clock skew between us and the provider, in seconds
ROLE_CLAIM = "loket_rol_3d"  # the application's role claim (``<scope>_rol_3d``)
# Claims Loket reads; the ones a provider leaves out of the ID token come from userinfo.
WANTED_CLAIMS = ("given_name", "family_name", "email", "rrn", ROLE_CLAIM)
# Asked through the claims parameter (where the provider supports it): a standard provider
# includes acr and auth_time only when asked.
REQUESTED_CLAIMS = '{"id_token":{"acr":null,"auth_time":null}}'


class LoginError(Exception):
    """A login refused; nothing was changed."""

    status = 400
    title = _("Login failed")
    message = _("The login could not be completed. Nothing was changed. Please try again.")

    def __init__(self, reason: str, message=None, title=None):
        super().__init__(reason)
        self.reason = reason
        if message is not None:
            self.message = message
        if title is not None:
            self.title = title


class ProviderUnavailable(LoginError):
    """ACM/IDM did not answer, or not sensibly."""

    status = 502
    title = _("Login service unavailable")
    message = _("The Flemish government's login service cannot be reached right now. Nothing "
                "was changed. Please try again in a few minutes.")


class TokenRejected(LoginError):
    message = _("The answer of the login service could not be trusted, so you were not logged "
                "in. Nothing was changed. Please try again.")


class OIDCClient:
    """Our side of the conversation with ACM/IDM; one per application, shared by threads."""

    def __init__(self, settings):
        self.issuer = settings["loket.acmidm.issuer"]
        self.client_id = settings["loket.acmidm.client_id"]
        self.client_secret = settings["loket.acmidm.client_secret"]
        self.settings = settings
        self.timeout = float(settings.get("loket.acmidm.timeout", 5))
        self.cache_ttl = float(settings.get("loket.acmidm.cache_ttl", 3600))
        # (expiry on the monotonic clock, value). Two threads refreshing at once is harmless.
        self._metadata: tuple[float, dict] | None = None
        self._keys: tuple[float, KeySet] | None = None

    # From the settings, never from the Host header: the provider matches them exactly. Read
    # late, so a test server may set the public URL once it knows its port.
    @property
    def redirect_uri(self) -> str:
        return self.settings["loket.public_url"].rstrip("/") + "/aanmelden-terug"

    @property
    def post_logout_redirect_uri(self) -> str:
        return self.settings["loket.public_url"].rstrip("/") + "/"

    # --- provider metadata and keys ---------------------------------------------------

    def metadata(self) -> dict:
        cached = self._metadata
        if cached and cached[0] > time.monotonic():
            return cached[1]
        data = self._get_json(self.issuer.rstrip("/") + "/.well-known/openid-configuration")
        if data.get("issuer") != self.issuer:
            raise ProviderUnavailable("discovery_issuer_mismatch")
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not self._is_provider_url(data.get(key)):
                raise ProviderUnavailable(f"discovery_{key}")
        self._metadata = (time.monotonic() + self.cache_ttl, data)
        return data

    def signing_keys(self, refresh: bool = False) -> KeySet:
        cached = self._keys
        if not refresh and cached and cached[0] > time.monotonic():
            return cached[1]
        data = self._get_json(self.metadata()["jwks_uri"])
        keys = [k for k in data.get("keys", ()) if isinstance(k, dict)
                and k.get("kty") == "RSA" and k.get("use", "sig") == "sig"]
        try:
            key_set = KeySet.import_key_set({"keys": keys})
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise ProviderUnavailable("jwks_invalid") from exc
        self._keys = (time.monotonic() + self.cache_ttl, key_set)
        return key_set

    def _is_provider_url(self, url) -> bool:
        # Endpoints use the issuer's scheme: an https issuer never sends us to plain http.
        return isinstance(url, str) and urlsplit(url).scheme == urlsplit(self.issuer).scheme

    def _get_json(self, url: str) -> dict:
        try:
            response = requests.get(url, timeout=self.timeout, allow_redirects=False,
                                    headers={"Accept": "application/json"})
        except requests.RequestException as exc:
            raise ProviderUnavailable("provider_unreachable") from exc
        if response.status_code != 200:
            raise ProviderUnavailable(f"provider_http_{response.status_code}")
        return _json_object(response, ProviderUnavailable("provider_invalid_json"))

    # --- the flow ------------------------------------------------------------------------

    def authorization_url(self, state: str, nonce: str, code_challenge: str,
                          acr_values: list[str] = (), step_up: bool = False) -> str:
        metadata = self.metadata()
        endpoint = metadata["authorization_endpoint"]
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": " ".join(SCOPES),
            "state": state,
            "nonce": nonce,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
        if acr_values:  # the login level asked for, most preferred first (OIDC Core §3.1.2.1)
            params["acr_values"] = " ".join(acr_values)
        if metadata.get("claims_parameter_supported"):
            params["claims"] = REQUESTED_CLAIMS
        if step_up:
            # A provider with a single-sign-on session would otherwise hand back the earlier,
            # weaker login at once, and the person would loop on "logged in too weakly".
            params["prompt"] = "login"
            params["max_age"] = "0"
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"

    def exchange_code(self, code: str, code_verifier: str) -> dict:
        """The token endpoint's answer (client_secret_basic), with an ``id_token``."""
        endpoint = self.metadata()["token_endpoint"]
        # RFC 6749 §2.3.1: id and secret are form-encoded before the Basic encoding.
        auth = (quote(self.client_id, safe=""), quote(self.client_secret, safe=""))
        try:
            response = requests.post(endpoint, auth=auth, timeout=self.timeout,
                                     allow_redirects=False,
                                     headers={"Accept": "application/json"}, data={
                                         "grant_type": "authorization_code",
                                         "code": code,
                                         "redirect_uri": self.redirect_uri,
                                         "code_verifier": code_verifier,
                                     })
        except requests.RequestException as exc:
            raise ProviderUnavailable("provider_unreachable") from exc
        if response.status_code >= 500:
            raise ProviderUnavailable(f"token_endpoint_http_{response.status_code}")
        if response.status_code != 200:
            error = _json_object(response, None) or {}
            raise LoginError(f"token_refused_{safe_code(error.get('error'))}")
        tokens = _json_object(response, ProviderUnavailable("token_endpoint_invalid_json"))
        if not isinstance(tokens.get("id_token"), str):
            raise TokenRejected("id_token_missing")
        return tokens

    def validate_id_token(self, id_token: str, nonce: str) -> dict:
        """The claims of a signed, current ID token meant for us, or :class:`TokenRejected`."""
        try:
            header = jws.extract_compact(id_token.encode()).headers()
        except (JoseError, ValueError, TypeError) as exc:
            raise TokenRejected("id_token_malformed") from exc
        if header.get("alg") not in ALGORITHMS:
            raise TokenRejected("id_token_algorithm")
        keys = self.signing_keys()
        kid = header.get("kid")
        if kid is not None and kid not in {key.kid for key in keys}:
            keys = self.signing_keys(refresh=True)  # the provider rotated its keys: once
        try:
            claims = jwt.decode(id_token, keys, algorithms=ALGORITHMS).claims
        except (JoseError, ValueError) as exc:
            raise TokenRejected("id_token_signature") from exc
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(claims)
        except ExpiredTokenError as exc:
            raise TokenRejected("id_token_expired") from exc
        except ClaimError as exc:
            raise TokenRejected(f"id_token_{safe_code(exc.claim)}") from exc
        # iat judged with exp (a provider chooses its tokens' lifetime), not a fixed age.
        iat, exp = claims["iat"], claims["exp"]
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (iat, exp)) \
                or iat > time.time() + LEEWAY or iat > exp:
            raise TokenRejected("id_token_iat")
        audience = claims["aud"]
        if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != self.client_id:
            raise TokenRejected("id_token_azp")
        return claims

    def check_issuer_parameter(self, params) -> None:
        """RFC 9207: the ``iss`` of the authorization response is the issuer; required when
        the provider says it sends one (a mix-up attack would otherwise go unseen)."""
        sent = params.get("iss")
        if sent is None:
            if self.metadata().get("authorization_response_iss_parameter_supported") is True:
                raise TokenRejected("iss_parameter_missing")
        elif sent != self.issuer:
            raise TokenRejected("iss_parameter_mismatch")

    def complete_claims(self, claims: dict, tokens: dict) -> dict:
        """The ID token's claims, with those Loket reads but the provider left out of it
        taken from userinfo (OIDC Core §5.4: scope claims may come from either)."""
        complete = ("given_name" in claims and "family_name" in claims
                    and ("rrn" in claims or ROLE_CLAIM in claims))  # a citizen or staff
        if complete:
            return claims
        access_token = tokens.get("access_token")
        if not isinstance(access_token, str) or not access_token:
            return claims
        info = self.userinfo(access_token)
        if info.get("sub") != claims["sub"]:  # OIDC Core §5.3.4: another person's answer
            raise TokenRejected("userinfo_sub_mismatch")
        return {**{k: v for k, v in info.items() if k in WANTED_CLAIMS}, **claims}

    def userinfo(self, access_token: str) -> dict:
        """The claims of the person an access token is for (the userinfo endpoint)."""
        endpoint = self.metadata().get("userinfo_endpoint")
        if not self._is_provider_url(endpoint):
            raise ProviderUnavailable("discovery_userinfo_endpoint")
        try:
            response = requests.get(endpoint, timeout=self.timeout, allow_redirects=False,
                                    headers={"Accept": "application/json",
                                             "Authorization": f"Bearer {access_token}"})
        except requests.RequestException as exc:
            raise ProviderUnavailable("provider_unreachable") from exc
        if response.status_code != 200:
            raise ProviderUnavailable(f"userinfo_http_{response.status_code}")
        return _json_object(response, ProviderUnavailable("userinfo_invalid_json"))

    def end_session_url(self) -> str | None:
        """Where to send the browser to end the ACM/IDM session too, if the provider says."""
        try:
            endpoint = self.metadata().get("end_session_endpoint")
        except ProviderUnavailable:
            return None
        if not self._is_provider_url(endpoint):
            return None
        # No id_token_hint: the ID token of a citizen holds their national register number,
        # which never goes into a URL.
        query = urlencode({"post_logout_redirect_uri": self.post_logout_redirect_uri,
                           "client_id": self.client_id})
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def _json_object(response, error: Exception | None) -> dict | None:
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        if error is not None:
            raise error
        return None
    return data


def safe_code(value) -> str:
    """A provider-chosen error code, cut down to something safe for the audit trail."""
    text = re.sub(r"[^a-z0-9_]", "", str(value or "unknown").lower().replace(",", "_"))[:40]
    return text or "unknown"


# --- a login in progress, in the session ---------------------------------------------------


def get_client(request) -> OIDCClient:
    return request.registry["loket.oidc_client"]


def _pending(session) -> dict:
    now = time.time()
    flows = session.get(FLOWS_KEY) or {}
    return {state: flow for state, flow in flows.items() if now - flow["started"] < FLOW_TTL}


def begin(request, target: str, acr_values: list[str] = ()) -> str:
    """Remember a new login in the session; the provider's URL to send the browser to.
    With ``acr_values`` the login must be made with one of those means (acr URNs): a step up,
    which asks the provider for a fresh login (``prompt=login``, ``max_age=0``)."""
    client = get_client(request)
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)  # 86 characters, within PKCE's 43-128
    url = client.authorization_url(state, nonce, create_s256_code_challenge(verifier),
                                   acr_values, step_up=bool(acr_values))
    flows = _pending(request.session)
    flows[state] = {"nonce": nonce, "verifier": verifier, "target": target,
                    "acr_values": list(acr_values), "started": time.time()}
    newest = sorted(flows.items(), key=lambda item: item[1]["started"])[-MAX_FLOWS:]
    request.session[FLOWS_KEY] = dict(newest)
    return url


def finish(request) -> tuple[dict, dict]:
    """Check the provider's answer on the callback: the validated ID token's claims and the
    flow (``target``: the local path the person wanted to reach, "" for none;
    ``acr_values``: the means asked for). The flow is used up either way."""
    params = request.GET
    state = params.get("state")
    session = request.session
    flows = _pending(session)
    flow = flows.pop(state, None) if state else None
    if flows != session.get(FLOWS_KEY, {}):  # write only on change: no session for a stray hit
        if flows:
            session[FLOWS_KEY] = flows
        else:
            del session[FLOWS_KEY]
    if flow is None:
        raise LoginError("state", _("This login attempt is unknown or has expired. Nothing was "
                                    "changed. Please log in again."))
    client = get_client(request)
    client.check_issuer_parameter(params)  # error answers carry it too (RFC 9207 §2)
    if "error" in params:
        error = safe_code(params.get("error"))
        if error == "access_denied":
            raise LoginError("provider_access_denied",
                             _("You cancelled the login, so you were not logged in."),
                             title=_("Login cancelled"))
        raise LoginError(f"provider_{error}")
    code = params.get("code")
    if not code:
        raise LoginError("code_missing")
    tokens = client.exchange_code(code, flow["verifier"])
    claims = client.validate_id_token(tokens["id_token"], flow["nonce"])
    if flow.get("acr_values"):  # asked with max_age=0: the login must be a new one
        auth_time = claims.get("auth_time")
        if not isinstance(auth_time, int | float) or isinstance(auth_time, bool) \
                or auth_time < flow["started"] - LEEWAY:
            raise TokenRejected("id_token_auth_time")
    return client.complete_claims(claims, tokens), flow




def check_acmidm(settings) -> dict:
    """ACM/IDM answers its OpenID discovery document, for the issuer we are configured with."""
    issuer = settings["loket.acmidm.issuer"]
    response = requests.get(issuer.rstrip("/") + "/.well-known/openid-configuration",
                            timeout=HEALTH_PROBE_TIMEOUT, allow_redirects=False)
    if response.status_code != 200:
        return {"status": "error", "error": "HTTPError", "http_status": response.status_code}
    if response.json().get("issuer") != issuer:
        # Logins would fail on the token's "iss": as good as down.
        return {"status": "error", "error": "IssuerMismatch"}
    return {"status": "ok"}


def includeme(config):
    settings = config.get_settings()
    config.registry["loket.oidc_client"] = OIDCClient(settings)
    if settings.get("loket.acmidm.issuer"):
        config.add_integration_check("acmidm", check_acmidm)
