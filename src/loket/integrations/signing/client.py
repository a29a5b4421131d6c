"""A client of the Digitaal Ondertekenen API (v4, the SigningHub shape; see the fixture README
in tests/integrations/signing for where each endpoint and field name comes from).

Authentication is two steps: an ACM/IDM access token (client credentials), exchanged at
``POST /authenticate/single-sign-on`` for the platform's own bearer token, which is kept until
shortly before it expires. Every failure is :class:`SigningRefused` (4xx: retrying cannot
help) or :class:`SigningUnavailable` (down, slow, 5xx, an unreadable answer).
"""

import threading
import time

import requests

from loket.plugins.kinds import SourceUnavailable
from loket.signing.services import field_name

WORKFLOW_MODE = "ONLY_OTHERS"  # Loket prepares; only the signatories act
LEVEL_OF_ASSURANCE = "QUALIFIED_ELECTRONIC_SIGNATURE"  # the eID's signing certificate
# Where each signatory's visible field goes on the last page (points; A4 is 595 × 842).
FIELD_WIDTH, FIELD_HEIGHT, FIELD_LEFT, FIELD_BOTTOM, FIELD_GAP = 220, 60, 60, 60, 20


class SigningRefused(Exception):
    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


class SigningUnavailable(SourceUnavailable):
    pass


def field_for(order: int, page: int) -> dict:
    """The signature field of the ``order``-th signatory: side by side at the page's foot."""
    x = FIELD_LEFT + (order - 1) % 2 * (FIELD_WIDTH + FIELD_GAP)
    y = FIELD_BOTTOM + (order - 1) // 2 * (FIELD_HEIGHT + FIELD_GAP)
    return {"order": order, "page_no": page, "level_of_assurance": [LEVEL_OF_ASSURANCE],
            "dimensions": {"x": x, "y": y, "width": FIELD_WIDTH, "height": FIELD_HEIGHT},
            "display": "VISIBLE", "field_name": field_name(order)}


class DigitaalOndertekenen:
    def __init__(self, options: dict, http=None):
        self.base = options["base_url"].rstrip("/")
        self.options = options
        self.http = http or requests.Session()
        self.timeout = float(options.get("timeout", 10))
        self.lock = threading.Lock()
        self.token: str | None = None
        self.token_expires = 0.0

    # -- Authentication -----------------------------------------------------------------------

    def _acm_token(self) -> str:
        response = self._send("POST", self.options["token_url"], data={
            "grant_type": "client_credentials", "scope": self.options["scope"]},
            auth=(self.options["client_id"], self.options["client_secret"]), authorize=False)
        return self._json(response)["access_token"]

    def bearer(self) -> str:
        with self.lock:
            if self.token and time.monotonic() < self.token_expires:
                return self.token
        answer = self._json(self._send("POST", self.base + "/authenticate/single-sign-on", json={
            "token": self._acm_token(), "method": "OAUTH2",
            "profile_name": self.options["profile_name"],
            "client_id": self.options["client_id"],
            "client_secret": self.options["client_secret"]}, authorize=False))
        token = answer.get("access_token")
        if not isinstance(token, str) or not token:
            raise SigningUnavailable("the platform gave no access token")
        with self.lock:
            self.token = token
            self.token_expires = time.monotonic() + max(
                int(answer.get("expires_in") or 300) - 60, 30)
        return token

    # -- Packages -----------------------------------------------------------------------------

    def create_package(self, name: str) -> str:
        answer = self._json(self._send("POST", self.base + "/v4/packages", json={
            "workflow_mode": WORKFLOW_MODE, "package_name": name}))
        return str(self._id(answer, "package_id"))

    def upload(self, package: str, filename: str, data: bytes) -> str:
        answer = self._json(self._send(
            "POST", f"{self.base}/v4/packages/{package}/documents", data=data, headers={
                "Content-Type": "application/octet-stream", "x-file-name": filename,
                "x-convert-document": "false", "x-source": "API"}))
        return str(self._id(answer, "document_id"))

    def add_signatories(self, package: str, signatories: list[dict]) -> None:
        """``signatories``: ``{"email", "name", "order"}``, signing in ``order``."""
        self._send("POST", f"{self.base}/v4/packages/{package}/workflow/users", json=[
            {"user_email": s["email"], "user_name": s["name"], "email_notification": False,
             "role": "SIGNER", "delivery_method": "EMAIL", "signing_order": s["order"]}
            for s in signatories])

    def add_field(self, package: str, document: str, order: int, page: int) -> None:
        self._send("POST", f"{self.base}/v4/packages/{package}/documents/{document}"
                           "/fields/signature", json=field_for(order, page))

    def start(self, package: str) -> None:
        self._send("POST", f"{self.base}/v4/packages/{package}/workflow")

    def workflow(self, package: str) -> dict:
        return self._json(self._send("GET", f"{self.base}/v4/packages/{package}/workflow"))

    def download(self, package: str, document: str) -> bytes:
        response = self._send("GET", f"{self.base}/v4/packages/{package}/documents/{document}")
        if not response.content.startswith(b"%PDF-"):
            raise SigningUnavailable("the platform's download is not a PDF")
        return response.content

    def delete(self, package: str) -> None:
        try:
            self._send("DELETE", f"{self.base}/v4/packages/{package}")
        except SigningRefused as refused:
            if refused.status != 404:  # already gone: what we wanted
                raise

    # -- Transport ----------------------------------------------------------------------------

    def _send(self, method: str, url: str, *, authorize: bool = True, headers=None, **kw):
        headers = dict(headers or {})
        if authorize:
            headers["Authorization"] = f"Bearer {self.bearer()}"
        try:
            response = self.http.request(method, url, headers=headers, timeout=(
                min(5.0, self.timeout), self.timeout), allow_redirects=False, **kw)
        except requests.Timeout as exc:
            raise SigningUnavailable(f"no answer within {self.timeout:g} s") from exc
        except requests.RequestException as exc:  # class names only: messages repeat URLs
            raise SigningUnavailable(f"connection failed ({type(exc).__name__})") from exc
        status = response.status_code
        if status == 401 and authorize:
            with self.lock:
                self.token = None  # expired early: the next attempt authenticates again
        if 200 <= status < 300:
            return response
        if status in (401, 408, 429) or status >= 500:
            raise SigningUnavailable(f"HTTP {status}")
        raise SigningRefused(f"HTTP {status}: {_message(response)}", status)

    @staticmethod
    def _json(response) -> dict:
        try:
            return response.json()
        except ValueError as exc:
            raise SigningUnavailable("an answer that is not JSON") from exc

    @staticmethod
    def _id(answer, name: str):
        value = answer.get(name) if isinstance(answer, dict) else None
        if not isinstance(value, int) or isinstance(value, bool):
            raise SigningUnavailable(f"the answer has no {name}")
        return value


def _message(response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("Message") or body.get("message") or "")[:200] \
        if isinstance(body, dict) else ""
