"""A simulated MAGDA Documentendienst with the citizens' eBoxes and the print partner.

It speaks ``schema/documentendienst.yaml`` and checks every request against it: a bearer
token of its token endpoint (client credentials, scope ``msg_msg_v1_G``), an
``x-correlation-id`` of 3–20 characters, an ``Idempotency-Key``, the ``messageToPublish`` part
against the schema, at most 6 PDFs and 30 MB, eBox only with the citizen's consent. A reused
key with the same request answers the first answer again; with another request 409.

A message moves on by itself, one step every ``pace`` seconds: eBox ``ACCEPTED → DELIVERED →
READ``; paper ``ACCEPTED → PRINTED → HANDED_TO_BPOST → DELIVERED`` (or ``RETURNED``, the
``paper_outcome`` switch: ``address_unknown`` or ``refused``), with a bpost barcode from
``HANDED_TO_BPOST`` and a deposit proof PDF for registered mail.

``GET /`` shows the eBoxes and the printed letters. ``POST /_control`` (JSON) sets the
switches (``down``, ``slow``, ``pace``, ``paper_outcome``, ``publish_status``,
``consent_status``) or ``{"consent": {"<insz>": true}}``, ``{"clear": true}``, ``reset``.
"""

import base64
import hashlib
import html
import itertools
import json
import secrets
import threading
import time
from datetime import UTC, datetime, timedelta
from importlib.resources import files

import yaml
from openapi_schema_validator import OAS30Validator
from webob import Response

from loket.integrations.acmidm.personas import BY_KEY
from loket.integrations.documentendienst.client import MAX_BYTES, MAX_FILES, SCOPE
from loket.integrations.simulation import (
    Simulator,
    boolean,
    json_response,
    one_of,
    refuse_production,
    seconds,
    status,
)

PREFIX = "/api/v1/messages"
EBOX_STEPS = ("ACCEPTED", "DELIVERED", "READ")
PAPER_STEPS = ("ACCEPTED", "PRINTED", "HANDED_TO_BPOST", "DELIVERED")
RETURN_REASONS = {"address_unknown": "ADDRESS_UNKNOWN", "refused": "REFUSED"}
TOKEN_TTL = 600


def schema() -> dict:
    text = files("loket.integrations.documentendienst").joinpath(
        "schema/documentendienst.yaml").read_text()
    return yaml.safe_load(text)


def validator(name: str, document: dict) -> OAS30Validator:
    """A validator of one component schema, its ``$ref``s resolved inside the document."""
    return OAS30Validator({**document["components"]["schemas"][name],
                           "components": document["components"]})


def tiny_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with ``lines`` of ASCII text: the deposit proof."""
    text = "".join(f"({line.encode('ascii', 'replace').decode()}) Tj T* " for line in lines)
    stream = f"BT /F1 12 Tf 14 TL 72 760 Td {text}ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, start)
    return bytes(out)


def error(code: str, description: str, status_code: int) -> Response:
    return json_response({"code": code, "description": description}, status_code)


class DocumentendienstSimulator(Simulator):
    SWITCHES = {
        **Simulator.SWITCHES,
        "pace": (2.0, seconds),  # seconds per step of a message's life; 0: at once
        "paper_outcome": ("delivered", one_of("delivered", "address_unknown", "refused")),
        "publish_status": (0, status),  # answer POST /messages with this error
        "consent_status": (0, status),  # answer the consent search with this error
        "strict_tokens": (True, boolean),
    }
    COMMANDS = {"consent": "set_consent", "clear": "clear"}

    def __init__(self, settings):
        super().__init__(settings)
        self.client_id = settings.get("loket.integrations.documentendienst.client_id",
                                      "loket")
        self.client_secret = settings.get(
            "loket.integrations.documentendienst.client_secret", "documentendienst-secret")
        self.document = schema()
        self.message_schema = validator("MessageToPublish", self.document)
        self.consent_schema = validator("ConsentSearch", self.document)
        self.numbers = itertools.count(1)
        self.messages: dict[str, dict] = {}
        self.keys: dict[str, tuple[str, str]] = {}  # Idempotency-Key → (fingerprint, id)
        self.tokens: dict[str, float] = {}
        self.consent = {BY_KEY["jan"].rrn: True}
        self.counters = {"published": 0, "consent_lookups": 0, "refused": 0}
        self.state_lock = threading.Lock()

    # -- control ------------------------------------------------------------------------------

    def set_consent(self, value):
        if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, bool) for k, v in value.items()):
            raise ValueError("an object of national register numbers to true or false")
        return lambda: self.consent.update(value)

    def clear(self, value):
        boolean(value)
        return self.forget if value else None

    def forget(self) -> None:
        with self.state_lock:
            self.messages.clear()
            self.keys.clear()
            self.consent = {BY_KEY["jan"].rrn: True}
            self.counters = dict.fromkeys(self.counters, 0)

    def state(self) -> dict:
        with self.state_lock:
            return {"counters": dict(self.counters),
                    "messages": [self.view(m) for m in self.messages.values()]}

    # -- routing ------------------------------------------------------------------------------

    def route(self, request) -> Response:
        path, method = request.path_info.rstrip("/") or "/", request.method
        if path == "/" and method == "GET":
            return self.page()
        if path == "/token" and method == "POST":
            return self.token(request)
        if path == "/api/v1/status" and method == "GET":
            return json_response({"status": "ok"})
        if not path.startswith(PREFIX + "/"):
            return error("NOT_FOUND", "no such resource", 404)
        refusal = self.authorised(request)
        if refusal is not None:
            return refusal
        parts = path[len(PREFIX) + 1:].split("/")
        if parts == ["messages"] and method == "POST":
            return self.publish(request)
        if parts == ["citizenEboxConsents", "search"] and method == "POST":
            return self.consents(request)
        if len(parts) in (2, 3) and parts[0] == "messages" and method == "GET":
            message = self.messages.get(parts[1])
            if message is None:
                return error("NOT_FOUND", "no such message", 404)
            if len(parts) == 2:
                return json_response(self.view(message))
            if parts[2] == "bpost-status":
                return self.bpost_status(message)
            if parts[2] == "bpost-attestation":
                return self.attestation(message)
        return error("NOT_FOUND", "no such resource", 404)

    def token(self, request) -> Response:
        header = request.headers.get("Authorization", "")
        try:
            client, _sep, secret = base64.b64decode(header.removeprefix("Basic ")).decode() \
                .partition(":")
        except ValueError:
            client = secret = ""
        if not header.startswith("Basic ") or (client, secret) != (self.client_id,
                                                                    self.client_secret):
            return json_response({"error": "invalid_client"}, 401)
        if request.POST.get("grant_type") != "client_credentials":
            return json_response({"error": "unsupported_grant_type"}, 400)
        if SCOPE not in (request.POST.get("scope") or "").split():
            return json_response({"error": "invalid_scope"}, 400)
        token = secrets.token_urlsafe(24)
        with self.state_lock:
            self.tokens[token] = time.monotonic() + TOKEN_TTL
        return json_response({"access_token": token, "token_type": "Bearer",
                              "expires_in": TOKEN_TTL, "scope": SCOPE})

    def authorised(self, request) -> Response | None:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if self.switches.strict_tokens and self.tokens.get(token, 0) < time.monotonic():
            return error("INVALID_AUTHORIZATION", "a bearer token with scope "
                         f"{SCOPE} is required", 401)
        correlation = request.headers.get("x-correlation-id", "")
        if not 3 <= len(correlation) <= 20:
            return error("INVALID_CORRELATION_ID", "x-correlation-id: 3 to 20 characters",
                         400)
        return None

    # -- POST /messages -----------------------------------------------------------------------

    def publish(self, request) -> Response:
        if self.switches.publish_status:
            code = self.switches.publish_status
            return error("SIMULATED", f"answered {code} by the switch", code)
        key = request.headers.get("Idempotency-Key", "")
        if not 1 <= len(key) <= 64:
            return error("MISSING_IDEMPOTENCY_KEY", "Idempotency-Key is required", 400)
        if not request.content_type.startswith("multipart/form-data"):
            return error("BAD_REQUEST", "send multipart/form-data", 400)
        if request.content_length and request.content_length > MAX_BYTES + 1024 * 1024:
            return self.refuse("TOO_LARGE", f"at most {MAX_BYTES // (1024 * 1024)} MB")
        problem = self.problems(request)
        if problem is not None:
            return self.refuse(*problem)
        body = json.loads(request.POST["messageToPublish"])
        # The request's meaning, not its bytes (a retry has another multipart boundary).
        fingerprint = hashlib.sha256(json.dumps(body, sort_keys=True).encode() + b"".join(
            hashlib.sha256(p.value).digest() for n, p in sorted(request.POST.items())
            if n.startswith("upfile"))).hexdigest()
        with self.state_lock:  # check and claim the key at once
            known = self.keys.get(key)
            if known is not None:
                if known[0] != fingerprint:
                    return error("IDEMPOTENCY_CONFLICT", "this Idempotency-Key was used with "
                                 "another request", 409)
                return json_response({"messageId": known[1]}, 201)
            message_id = f"MSG-{next(self.numbers):06d}"
            self.keys[key] = (fingerprint, message_id)
            self.messages[message_id] = {
                "id": message_id, "channel": body["deliveryChannel"],
                "registered": bool(body.get("registeredMail")),
                "ear": bool(body.get("acknowledgementOfReceipt")),
                "recipient": body["recipient"]["eboxIdValue"],
                "name": (body.get("paperAddress") or {}).get("name", ""),
                "address": body.get("paperAddress"),
                "subject": next(iter(body["subject"].values())),
                "files": [p.filename for n, p in request.POST.items() if n.startswith("upfile")],
                "accepted": datetime.now(UTC),
                "outcome": self.switches.paper_outcome,
                "barcode": "JJBEA" + f"{secrets.randbelow(10 ** 18):018d}",
            }
            self.counters["published"] += 1
        return json_response({"messageId": message_id}, 201)

    def refuse(self, code: str, description: str) -> Response:
        with self.state_lock:
            self.counters["refused"] += 1
        return error(code, description, 400)

    def problems(self, request) -> tuple[str, str] | None:
        raw = request.POST.get("messageToPublish")
        if raw is None:
            return "BAD_REQUEST", "the part messageToPublish is missing"
        try:
            body = json.loads(raw if isinstance(raw, str) else raw.value)
        except (ValueError, AttributeError):
            return "BAD_REQUEST", "messageToPublish is not JSON"
        errors = sorted(self.message_schema.iter_errors(body), key=lambda e: list(e.path))
        if errors:
            where = "/".join(str(p) for p in errors[0].path) or "messageToPublish"
            return "INVALID_MESSAGE", f"{where}: {errors[0].message[:200]}"
        uploads = {n: p for n, p in request.POST.items() if n.startswith("upfile")}
        named = [a["httpPartName"] for a in body["attachments"]]
        if len(uploads) > MAX_FILES:
            return "TOO_MANY_FILES", f"at most {MAX_FILES} PDFs"
        if sorted(named) != sorted(uploads):
            return "BAD_REQUEST", "attachments and file parts do not match"
        total = 0
        for part in uploads.values():
            data = getattr(part, "value", b"")
            if not isinstance(data, bytes) or not data.startswith(b"%PDF-"):
                return "NOT_A_PDF", "every file must be a PDF"
            total += len(data)
        if total > MAX_BYTES:
            return "TOO_LARGE", f"at most {MAX_BYTES // (1024 * 1024)} MB"
        if body["deliveryChannel"] == "EBOX":
            if not self.consent.get(body["recipient"]["eboxIdValue"]):
                return "NO_EBOX_CONSENT", "the recipient did not consent to the eBox"
        elif "paperAddress" not in body:
            return "MISSING_ADDRESS", "a paper message needs paperAddress"
        return None

    # -- the life of a message ----------------------------------------------------------------

    def history(self, message) -> list[dict]:
        steps = EBOX_STEPS if message["channel"] == "EBOX" else PAPER_STEPS
        if message["channel"] == "PAPER" and message["outcome"] != "delivered":
            steps = (*steps[:-1], "RETURNED")
        pace = self.switches.pace
        elapsed = (datetime.now(UTC) - message["accepted"]).total_seconds()
        reached = len(steps) if pace == 0 else min(len(steps), int(elapsed // pace) + 1)
        return [{"status": step, "timestamp": (message["accepted"] + timedelta(
            seconds=n * pace)).isoformat()} for n, step in enumerate(steps[:reached])]

    def view(self, message) -> dict:
        history = self.history(message)
        return {"messageId": message["id"], "deliveryChannel": message["channel"],
                "status": history[-1]["status"], "registeredMail": message["registered"],
                "statusHistory": history}

    def at_bpost(self, message) -> bool:
        return message["channel"] == "PAPER" and any(
            e["status"] in ("HANDED_TO_BPOST", "DELIVERED", "RETURNED")
            for e in self.history(message))

    def bpost_status(self, message) -> Response:
        if not self.at_bpost(message):
            return error("NOT_FOUND", "not (yet) at bpost", 404)
        history = self.history(message)
        body = {"barcode": message["barcode"], "isEar": message["ear"],
                "events": [{"code": e["status"], "timestamp": e["timestamp"]}
                           for e in history[2:]]}
        if history[-1]["status"] == "RETURNED":
            body["returnReason"] = RETURN_REASONS[message["outcome"]]
        return json_response(body)

    def attestation(self, message) -> Response:
        if not (message["registered"] and self.at_bpost(message)):
            return error("NOT_FOUND", "no deposit proof for this message", 404)
        pdf = tiny_pdf(["Afgiftebewijs van een aangetekende zending",
                        f"Zending {message['barcode']}",
                        f"Afgegeven {message['accepted'].date().isoformat()}"])
        return Response(body=pdf, content_type="application/pdf")

    # -- the consent lookup -------------------------------------------------------------------

    def consents(self, request) -> Response:
        if self.switches.consent_status:
            code = self.switches.consent_status
            return error("SIMULATED", f"answered {code} by the switch", code)
        try:
            body = json.loads(request.body)
        except ValueError:
            return error("BAD_REQUEST", "not JSON", 400)
        errors = list(self.consent_schema.iter_errors(body))
        if errors:
            return error("INVALID_REQUEST", errors[0].message[:200], 400)
        with self.state_lock:
            self.counters["consent_lookups"] += 1
        return json_response({"items": [{"ssin": s, "consent": bool(self.consent.get(s))}
                                        for s in body["ssins"]]})

    # -- the page -----------------------------------------------------------------------------

    def page(self) -> Response:
        rows = []
        with self.state_lock:
            messages = list(self.messages.values())
        for message in messages:
            view = self.view(message)
            where = ("eBox " + message["recipient"] if message["channel"] == "EBOX"
                     else "papier: " + message["name"])
            barcode = message["barcode"] if self.at_bpost(message) else ""
            rows.append("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in (
                message["id"], where, message["subject"], view["status"],
                "aangetekend" if message["registered"] else "gewoon", barcode)) + "</tr>")
        body = ("<!doctype html><html lang='nl'><head><meta charset='utf-8'>"
                "<title>Documentendienst (simulator)</title></head><body>"
                "<h1>Documentendienst (simulator)</h1><table><caption>Berichten</caption>"
                "<thead><tr><th>Bericht</th><th>Ontvanger</th><th>Onderwerp</th>"
                "<th>Status</th><th>Soort</th><th>Barcode</th></tr></thead><tbody>"
                + "".join(rows) + "</tbody></table></body></html>")
        return Response(body=body, content_type="text/html", charset="utf-8")


def make_app(settings) -> DocumentendienstSimulator:
    refuse_production(settings, "Documentendienst simulator")
    return DocumentendienstSimulator(settings)
