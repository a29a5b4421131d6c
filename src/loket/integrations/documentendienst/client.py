"""The MAGDA Documentendienst's REST API, as ``schema/documentendienst.yaml`` describes it.

Every call carries a bearer token of the client-credentials grant with the scope
``msg_msg_v1_G`` (kept until shortly before it expires) and an ``x-correlation-id``; a
message carries the outbox message's ``Idempotency-Key`` (the same on every retry). Failures
are the plug-in kinds' errors: a 4xx is :class:`InvalidInput` (refused for good: the
reason is the service's own description), 5xx, 429, timeouts and unreadable answers are
:class:`SourceUnavailable` (try again later).
"""

import json
import logging
import threading
import time
import uuid
from datetime import UTC, datetime

import requests

from loket.plugins.kinds import InvalidInput, SourceUnavailable
from loket.sending import outgoing as out

log = logging.getLogger(__name__)

SCOPE = "msg_msg_v1_G"
MAX_FILES = 6
MAX_BYTES = 30 * 1024 * 1024
CONSENT_BATCH = 500
REFRESH_MARGIN = 30.0
STATUSES = {"ACCEPTED": out.ACCEPTED, "PRINTED": out.PRINTED,
            "HANDED_TO_BPOST": out.AT_BPOST, "DELIVERED": out.DELIVERED, "READ": out.READ,
            "RETURNED": out.RETURNED}
RETURN_REASONS = {"ADDRESS_UNKNOWN": "address_unknown", "REFUSED": "refused",
                  "NOT_COLLECTED": "not_collected"}


class Unavailable(SourceUnavailable):
    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


def correlation_id() -> str:
    """3–20 characters, as the definition demands."""
    return "loket-" + uuid.uuid4().hex[:14]


def _time(value) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise Unavailable("a status with an unreadable timestamp") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class DocumentendienstClient:
    """Thread-safe; one per configured plug-in."""

    def __init__(self, options: dict, http=None):
        self.base = options["base_url"].rstrip("/") + "/api/v1/messages"
        self.token_url = options["token_url"]
        self.client_id = options["client_id"]
        self.client_secret = options["client_secret"]
        self.scope = options.get("scope") or SCOPE
        self.timeout = options.get("timeout") or 10.0
        self.sender = {"senderOrganizationId": options["sender_organization_id"],
                       "senderApplicationId": options["sender_application_id"],
                       "messageTypeId": options["message_type_id"]}
        self.http = http or requests.Session()
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires = 0.0

    # -- token ------------------------------------------------------------------------------

    def token(self) -> str:
        with self._lock:
            if self._token and time.monotonic() < self._expires:
                return self._token
        response = self._send("POST", self.token_url, data={
            "grant_type": "client_credentials", "scope": self.scope},
            auth=(self.client_id, self.client_secret))
        if response.status_code >= 400:
            raise InvalidInput(f"token endpoint refused the client (HTTP {response.status_code})")
        body = self._json(response)
        token = body.get("access_token") if isinstance(body, dict) else None
        lifetime = body.get("expires_in", 300) if isinstance(body, dict) else 300
        if not isinstance(token, str) or not token or not isinstance(lifetime, int | float):
            raise Unavailable("token endpoint: an answer without access_token")
        with self._lock:
            self._token = token
            self._expires = time.monotonic() + lifetime - min(REFRESH_MARGIN, lifetime / 2)
        return token

    # -- calls --------------------------------------------------------------------------------

    def publish(self, message: out.Outgoing, idempotency_key: str) -> str:
        """``POST /messages``: the message id the service gives."""
        files = message.attachments
        if not 1 <= len(files) <= MAX_FILES:
            raise InvalidInput(f"a message has 1 to {MAX_FILES} PDFs")
        if sum(len(f.data) for f in files) > MAX_BYTES:
            raise InvalidInput(f"the PDFs together exceed {MAX_BYTES // (1024 * 1024)} MB")
        parts = [("messageToPublish", (None, json.dumps(self.message_to_publish(message)),
                                       "application/json"))]
        parts += [(f"upfile{n}", (f.filename, f.data, f.media_type))
                  for n, f in enumerate(files, start=1)]
        response = self._call("POST", "/messages", files=parts,
                              headers={"Idempotency-Key": idempotency_key})
        body = self._json(response)
        message_id = body.get("messageId") if isinstance(body, dict) else None
        if not isinstance(message_id, str) or not message_id:
            raise Unavailable("an answer without messageId")
        return message_id

    def message_to_publish(self, message: out.Outgoing) -> dict:
        body = {
            "recipient": {"eboxType": "citizen", "eboxIdValue": message.insz or ""},
            "subject": {message.language if message.language in ("nl", "fr", "de") else "nl":
                        message.subject[:300] or message.reference},
            **self.sender,
            "attachments": [{"httpPartName": f"upfile{n}", "mainContent": n == 1,
                             "attachmentSigned": False}
                            for n in range(1, len(message.attachments) + 1)],
            "bodyMainContent": False, "replyAuthorized": False,
            "deliveryChannel": "EBOX" if message.channel == "ebox" else "PAPER",
            "senderReference": message.reference[:50],
        }
        if message.channel != "ebox":
            address = message.address
            if address is None:
                raise InvalidInput("a paper letter needs an address")
            body["registeredMail"] = message.registered
            body["acknowledgementOfReceipt"] = False
            body["paperAddress"] = {
                "name": message.name[:50] or "-", "street": address.street[:50],
                "houseNumber": address.house_number[:12] or "-", "box": address.box[:12],
                "postalCode": address.postcode, "municipality": address.municipality[:50],
                "countryCode": address.country or "BE"}
        return body

    def status(self, message_id: str, channel: str) -> out.DeliveryReport:
        body = self._json(self._call("GET", f"/messages/{message_id}"))
        if not isinstance(body, dict) or body.get("status") not in STATUSES:
            raise Unavailable("a message status Loket cannot read")
        events = tuple(out.Event(STATUSES[e["status"]], _time(e.get("timestamp")),
                                 str(e.get("detail") or "")[:200])
                       for e in body.get("statusHistory") or []
                       if isinstance(e, dict) and e.get("status") in STATUSES)
        status = STATUSES[body["status"]]
        barcode, reason, proof = None, "", False
        at_bpost = any(e.status in (out.AT_BPOST, out.DELIVERED, out.RETURNED) for e in events)
        if body.get("deliveryChannel") == "PAPER" and at_bpost:
            bpost = self._json(self._call("GET", f"/messages/{message_id}/bpost-status"))
            if not isinstance(bpost, dict) or not isinstance(bpost.get("barcode"), str):
                raise Unavailable("a bpost status Loket cannot read")
            barcode = bpost["barcode"]
            reason = RETURN_REASONS.get(bpost.get("returnReason"), "")
            proof = bool(body.get("registeredMail"))
        return out.DeliveryReport(status=status, events=events, barcode=barcode,
                                  return_reason=reason, proof_available=proof)

    def attestation(self, message_id: str) -> bytes:
        response = self._call("GET", f"/messages/{message_id}/bpost-attestation",
                              headers={"Accept": "application/pdf"})
        if not response.content.startswith(b"%PDF-"):
            raise Unavailable("the deposit proof is not a PDF")
        return response.content

    def consents(self, inszs: list[str]) -> dict[str, bool]:
        found = {}
        for start in range(0, len(inszs), CONSENT_BATCH):
            chunk = inszs[start:start + CONSENT_BATCH]
            body = self._json(self._call("POST", "/citizenEboxConsents/search",
                                         json={"ssins": chunk}))
            items = body.get("items") if isinstance(body, dict) else None
            if not isinstance(items, list):
                raise Unavailable("a consent answer Loket cannot read")
            for item in items:
                if isinstance(item, dict) and item.get("ssin") in chunk:
                    found[item["ssin"]] = item.get("consent") is True
        return found

    def check(self) -> dict:
        try:
            self.token()
        except InvalidInput:
            return {"status": "error", "error": "Refused"}
        except SourceUnavailable as down:
            return {"status": "error", "error": type(down).__name__}
        return {"status": "ok"}

    # -- plumbing -----------------------------------------------------------------------------

    def _call(self, method, path, headers=None, **kwargs):
        """With our token (a new one once on 401) and a fresh correlation id."""
        for attempt in (1, 2):
            token = self.token()
            response = self._send(method, self.base + path, headers={
                "Authorization": f"Bearer {token}", "x-correlation-id": correlation_id(),
                "Accept": "application/json", **(headers or {})}, **kwargs)
            if response.status_code == 401 and attempt == 1:
                with self._lock:
                    self._token = None
                continue
            if response.status_code >= 400:
                raise InvalidInput(self._problem(response))
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, method, url, **kwargs):
        try:
            response = self.http.request(method, url, timeout=(min(5.0, self.timeout),
                                                               self.timeout),
                                         allow_redirects=False, **kwargs)
        except requests.Timeout:
            raise Unavailable(f"no answer within {self.timeout:g} s") from None
        except requests.RequestException as exc:
            raise Unavailable(f"unreachable ({type(exc).__name__})") from None
        status = response.status_code
        if status >= 500 or status in (408, 429):
            value = response.headers.get("Retry-After", "")
            raise Unavailable(f"HTTP {status}", float(value) if value.isascii()
                              and value.isdigit() else None)
        return response

    @staticmethod
    def _json(response):
        try:
            return response.json()
        except ValueError:
            raise Unavailable("an answer that is not JSON") from None

    @staticmethod
    def _problem(response) -> str:
        """The service's code and description (never our request: it has personal data)."""
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("description"), str):
            return f"HTTP {response.status_code} {body.get('code', '')}: " \
                   f"{body['description'][:300]}"
        return f"HTTP {response.status_code}"
