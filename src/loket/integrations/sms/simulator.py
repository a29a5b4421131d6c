"""SMS gateway simulator: the protocol of README.md, with messages kept in memory.

Mounted under ``/sms`` by ``loket simulators``. It checks the bearer key against
``loket.integrations.sms.api_key`` (default ``sms-dev-key``), validates like a real gateway
(E.164 only, Belgian landlines refused as ``not_mobile``, text at most 1,600 characters) and
honours ``Idempotency-Key``. ``GET /`` lists the messages for a developer; ``GET /_messages``
gives them as JSON.

Tests make it misbehave through ``POST /_control`` (JSON): ``{"down": true}`` (every endpoint
503), ``{"status": 500}`` (sending answers that status; 0 to stop), ``{"slow": 2}`` (seconds
before answering), ``{"reset": true}``; ``GET /_control`` shows the switches.
"""

import hashlib
import hmac
import html
import itertools
import json
from datetime import UTC, datetime

from webob import Response

from loket.integrations.simulation import (
    Simulator,
    boolean,
    json_response,
    refuse_production,
    seconds,
)
from loket.integrations.simulation import status as status_code
from loket.notifications.phones import is_e164, parse_phone

MAX_TEXT = 1600
DEFAULT_KEY = "sms-dev-key"  # noqa: S105 - the simulator's development key, not a secret


_json = json_response


def _error(error: str, status: int, message: str) -> Response:
    return _json({"error": error, "message": message}, status)


class SmsGatewaySimulator(Simulator):
    SWITCHES = {
        "down": (False, boolean),  # every endpoint answers 503
        "status": (0, status_code),  # POST /messages answers this HTTP status
        "slow": (0.0, seconds),  # seconds to wait before answering
    }

    def __init__(self, settings):
        super().__init__(settings)
        self.api_key = settings.get("loket.integrations.sms.api_key") or DEFAULT_KEY
        self.messages: dict[str, dict] = {}
        self.idempotency: dict[str, tuple[str, dict]] = {}
        self.ids = itertools.count(1)

    def unavailable(self, request) -> Response:
        return _error("unavailable", 503, "The gateway is down (simulated).")

    def forget(self) -> None:
        self.messages.clear()
        self.idempotency.clear()

    def state(self) -> dict:
        return {"messages": len(self.messages)}

    # --- the protocol -----------------------------------------------------------------

    def route(self, request) -> Response:
        path, method = request.path_info, request.method
        if path in ("", "/") and method == "GET":
            return self.page()
        if path == "/_messages" and method == "GET":
            return _json(self.stored())
        if not self.authorised(request):
            return _error("unauthorized", 401, "Missing or wrong API key.")
        if path == "/health" and method == "GET":
            return _json({"status": "ok"})
        if path == "/messages" and method == "POST":
            return self.send(request)
        if path.startswith("/messages/") and method == "GET":
            found = self.messages.get(path.removeprefix("/messages/"))
            if found is None:
                return _error("not_found", 404, "No such message.")
            return _json({k: found[k] for k in ("id", "status", "reference")})
        return _error("not_found", 404, "No such endpoint.")

    def authorised(self, request) -> bool:
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(key.encode(),
                                                                  self.api_key.encode())

    def send(self, request) -> Response:
        if self.switches["status"]:
            return _error("simulated", self.switches["status"], "Switched on through _control.")
        try:
            body = json.loads(request.body)
        except ValueError:
            return _error("invalid_request", 400, "The body is not JSON.")
        if not isinstance(body, dict):
            return _error("invalid_request", 400, "The body is not a JSON object.")
        to, text = body.get("to"), body.get("text")
        reference, sender = body.get("reference", ""), body.get("sender", "")
        key = request.headers.get("Idempotency-Key", "")
        if not isinstance(text, str) or not text.strip() or not isinstance(reference, str) \
                or not isinstance(sender, str) or len(reference) > 64 or len(key) > 64:
            return _error("invalid_request", 400, "text, reference or sender is wrong.")
        if len(text) > MAX_TEXT:
            return _error("text_too_long", 400, f"At most {MAX_TEXT} characters.")
        if not is_e164(to):
            return _error("invalid_number", 400, "'to' is not a valid E.164 number.")
        if not parse_phone(to).can_receive_sms:
            return _error("not_mobile", 400, "'to' cannot receive text messages.")
        fingerprint = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        with self.lock:
            if key and key in self.idempotency:
                seen, reply = self.idempotency[key]
                if seen != fingerprint:
                    return _error("idempotency_conflict", 409,
                                  "This Idempotency-Key came with another message.")
                return _json(reply, 200)
            message_id = f"sim-{next(self.ids):06d}"
            self.messages[message_id] = {
                "id": message_id, "to": to, "text": text, "reference": reference,
                "sender": sender, "idempotency_key": key, "status": "delivered",
                "received": datetime.now(UTC).isoformat(),
            }
            reply = {"id": message_id, "status": "accepted"}
            if key:
                self.idempotency[key] = (fingerprint, reply)
        return _json(reply, 201)

    # --- for developers and tests -------------------------------------------------------

    def stored(self) -> list[dict]:
        with self.lock:
            return [dict(m) for m in self.messages.values()]

    def page(self) -> Response:
        rows = "".join(
            f"<tr><td>{html.escape(m['received'][11:19])}</td><td>{html.escape(m['to'])}</td>"
            f"<td>{html.escape(m['text'])}</td></tr>" for m in reversed(self.stored()))
        document = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
                    "<title>SMS gateway</title><style>body{font-family:sans-serif;margin:2em}"
                    "td,th{padding:.3em .8em;text-align:left;vertical-align:top}</style></head>"
                    "<body><h1>SMS gateway (simulator)</h1><table><tr><th>Time</th><th>To</th>"
                    f"<th>Text</th></tr>{rows}</table></body></html>")
        response = Response(document, content_type="text/html", charset="utf-8")
        response.headers.update({
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                                       "frame-ancestors 'none'",
            "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})
        return response


def make_app(settings) -> SmsGatewaySimulator:
    refuse_production(settings, "SMS gateway simulator")
    return SmsGatewaySimulator(settings)
