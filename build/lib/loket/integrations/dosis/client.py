"""The DOSIS client (INTEGRATIONS.md §4): OAuth client credentials with a signed client
assertion (private_key_jwt, RS256), the status push and result polling.

Errors come out as two classes: :class:`DosisUnavailable` (timeouts, connection errors, 5xx,
429, unreadable answers: try again later) and :class:`DosisRefused` (any other 4xx: retrying
the same request cannot help). Their messages never carry what we sent.
"""

import logging
import threading
import time
import uuid

import requests
from joserfc import jwt

from loket.integrations.dosis.keys import private_key
from loket.integrations.dosis.options import SCOPE
from loket.integrations.status import redact

log = logging.getLogger(__name__)

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_TTL = 120  # seconds, as the reference connector
REFRESH_MARGIN = 60  # renew a token this many seconds before DOSIS would refuse it
PROBE_TIMEOUT = 2.0
PUSH_PATH = "/api/v2/dosis/dossiers"
SOURCES_PATH = "/api/v2/dosis/bronnen/uris"
RESULTS_PATH = "/api/v1/dosis/resultaten"
FAILURES_PATH = "/api/v1/dosis/resultaten/fouten"
TRY_LATER = (408, 425, 429)  # 4xx statuses that mean "not now" rather than "never"


class DosisUnavailable(Exception):
    """DOSIS is down, slow, overloaded or answered something unreadable."""

    def __init__(self, message: str, status: int | None = None, kind: str = "Unavailable",
                 retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.kind = kind
        self.retry_after = retry_after  # seconds DOSIS asked us to wait (Retry-After)


class DosisRefused(Exception):
    """DOSIS refused the request (4xx); ``message`` is its explanation."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def error_message(response) -> str:
    """DOSIS's explanation of an error answer: ``{code, message, description, errors[]}``
    (either case), without personal numbers."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return f"HTTP {response.status_code}"

    def field(name):
        return body.get(name) or body.get(name.capitalize()) or ""

    parts = [str(p) for p in (field("code") or field("error"), field("message"),
                              field("description") or field("error_description")) if p]
    details = body.get("errors") or body.get("Errors") or []
    if isinstance(details, list) and not (field("description") or field("error_description")):
        parts += [" ".join(str(v) for v in d.values()) if isinstance(d, dict) else str(d)
                  for d in details[:10]]
    return redact(": ".join(parts) or f"HTTP {response.status_code}")


def retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (the HTTP-date form is rare enough to ignore)."""
    try:
        return max(float(value), 0.0) if value else None
    except ValueError:
        return None


def upload_id(idempotency_key: str) -> str:
    """The UploadId (a UUID) for an outbox message: the same for every retry of it."""
    try:
        return str(uuid.UUID(hex=idempotency_key))
    except ValueError:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "loket:" + idempotency_key))


class DosisClient:
    """Thread-safe; keeps its access token until shortly before it expires."""

    def __init__(self, *, token_url: str, base_url: str, client_id: str, key, scope: str = SCOPE,
                 timeout: float = 10.0):
        self.token_url = token_url
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.key = key
        self.scope = scope
        self.timeout = timeout
        self._lock = threading.Lock()
        self._token: str | None = None
        self._token_expires = 0.0

    @classmethod
    def from_options(cls, options: dict, production: bool = False) -> "DosisClient":
        return cls(token_url=options["token_url"], base_url=options["base_url"],
                   client_id=options["client_id"], key=private_key(options, production),
                   scope=options.get("scope") or SCOPE, timeout=options.get("timeout", 10.0))

    # --- token ---------------------------------------------------------------------------

    def assertion(self) -> str:
        now = int(time.time())
        claims = {"iss": self.client_id, "sub": self.client_id, "aud": self.token_url,
                  "jti": str(uuid.uuid4()), "iat": now, "exp": now + ASSERTION_TTL}
        return jwt.encode({"alg": "RS256", "typ": "JWT", "kid": self.key.kid}, claims, self.key)

    def token(self, http=None, timeout: float | None = None) -> str:
        """An access token: the cached one while it lasts, else a new one."""
        with self._lock:
            if self._token and time.monotonic() < self._token_expires:
                return self._token
        data = {"grant_type": "client_credentials", "scope": self.scope,
                "client_assertion_type": JWT_BEARER, "client_assertion": self.assertion()}
        response = self._send(http, "POST", self.token_url, timeout, data=data)
        if response.status_code >= 400:
            raise DosisRefused("DOSIS token endpoint refused the client: "
                               + error_message(response), response.status_code)
        body = self._json(response)
        if not isinstance(body, dict):
            body = {}
        token, lifetime = body.get("access_token"), body.get("expires_in", 300)
        if not isinstance(token, str) or not token or not isinstance(lifetime, int | float):
            raise DosisUnavailable("DOSIS token endpoint: answer without access_token",
                                   response.status_code, "MalformedReply")
        with self._lock:
            self._token = token
            # Renew early, but never keep a short-lived token for less than half its life.
            margin = min(REFRESH_MARGIN, lifetime / 2)
            self._token_expires = time.monotonic() + lifetime - margin
        return token

    def forget_token(self, token: str) -> None:
        with self._lock:
            if self._token == token:
                self._token = None

    # --- API calls -----------------------------------------------------------------------

    def push(self, payload: dict, http=None) -> dict:
        """Hand one dossier status to DOSIS; its ``{Status, UploadId}`` answer.

        A repeated UploadId is the same upload: a 409 for it means DOSIS already has it."""
        response = self._call(http, "POST", PUSH_PATH, json=payload)
        if response.status_code == 409:
            log.info("DOSIS already had upload %s", payload.get("UploadId"))
            return {"Status": "AlGekend", "UploadId": payload.get("UploadId")}
        body = self._json(response)
        if not isinstance(body, dict) or body.get("UploadId") != payload.get("UploadId"):
            raise DosisUnavailable("DOSIS: unexpected answer to the upload", 200,
                                   "MalformedReply")
        return body

    def sources(self, http=None, timeout: float | None = None) -> list:
        """The sources (bron URIs) this client may push for."""
        return self._list(self._call(http, "GET", SOURCES_PATH, timeout=timeout))

    def results(self, bron: str, dossier_number: str, http=None) -> list:
        """DOSIS's processing results of the uploads of one dossier."""
        return self._list(self._call(http, "GET", RESULTS_PATH,
                                     params={"bron": bron, "dossierNummer": dossier_number}))

    def failures(self, bron: str, http=None) -> list:
        """Uploads of ``bron`` that DOSIS could not process."""
        return self._list(self._call(http, "GET", FAILURES_PATH, params={"bron": bron}))

    def check(self, bron: str, http=None, timeout: float = PROBE_TIMEOUT) -> dict:
        """For the health pages: a token and a cheap GET, and our bron is registered."""
        try:
            sources = self.sources(http, timeout)
        except DosisRefused as refused:
            return {"status": "error", "error": "Refused", "http_status": refused.status}
        except DosisUnavailable as down:
            result = {"status": "error", "error": down.kind}
            if down.status:
                result["http_status"] = down.status
            return result
        if bron not in sources:
            return {"status": "error", "error": "UnknownBron"}
        return {"status": "ok"}

    # --- plumbing --------------------------------------------------------------------------

    def _call(self, http, method, path, timeout=None, **kwargs):
        """A call with our bearer token; on 401 one new token and one more try."""
        for attempt in (1, 2):
            token = self.token(http, timeout)
            response = self._send(http, method, self.base_url + path, timeout,
                                  headers={"Authorization": f"Bearer {token}",
                                           "Accept": "application/json"}, **kwargs)
            if response.status_code == 401 and attempt == 1:
                log.info("DOSIS refused our access token; asking a new one")
                self.forget_token(token)
                continue
            conflict_is_answer = method == "POST" and response.status_code == 409
            if response.status_code >= 400 and not conflict_is_answer:
                raise DosisRefused(error_message(response), response.status_code)
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, http, method, url, timeout, **kwargs):
        try:
            response = (http or requests).request(method, url, timeout=timeout or self.timeout,
                                                  allow_redirects=False, **kwargs)
        except requests.Timeout as exc:
            raise DosisUnavailable("DOSIS did not answer in time", kind=type(exc).__name__) \
                from None
        except requests.RequestException as exc:
            raise DosisUnavailable(f"DOSIS unreachable ({type(exc).__name__})",
                                   kind=type(exc).__name__) from None
        if response.status_code >= 500 or response.status_code in TRY_LATER:
            raise DosisUnavailable(f"DOSIS answered HTTP {response.status_code}",
                                   response.status_code, "HTTPError",
                                   retry_after(response.headers.get("Retry-After")))
        return response

    @staticmethod
    def _json(response):
        try:
            return response.json()
        except ValueError:
            raise DosisUnavailable("DOSIS: unreadable answer", response.status_code,
                                   "MalformedReply") from None

    def _list(self, response) -> list:
        body = self._json(response)
        if not isinstance(body, list):
            raise DosisUnavailable("DOSIS: expected a list", response.status_code,
                                   "MalformedReply")
        return body

