"""Sending one SMS through the HTTP gateway, and the health probe (protocol: README.md).

HTTP outcomes: 2xx is delivered; 400, 404, 409, 413 and 422 are :class:`PermanentFailure` (this
message can never be accepted as it is: bad number, bad text, idempotency conflict); 401 and
403 (our API key), 408 and 429 (come back later), 3xx, 5xx, timeouts, refused connections and
unreadable replies are :class:`TemporaryFailure`. Retrying is safe: every attempt carries the
same ``Idempotency-Key``. Error texts hold the status and the gateway's error code, never the
number nor the gateway's prose.
"""

import re
from dataclasses import dataclass

import requests

from loket.outbox import PermanentFailure, TemporaryFailure

PROBE_TIMEOUT = 2.0
CONNECT_TIMEOUT = 5.0
PERMANENT_STATUSES = frozenset({400, 404, 409, 413, 422})
_ERROR_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class GatewayConfig:
    base_url: str
    api_key: str
    sender: str = ""
    timeout: float = 10.0

    def url(self, path: str) -> str:
        return f"{self.base_url.rstrip('/')}/{path.lstrip('/')}"

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.api_key}", "Accept": "application/json"}


def _error_code(response) -> str:
    """The gateway's machine-readable error code, if it is one (never free text)."""
    try:
        code = response.json().get("error")
    except (ValueError, AttributeError):
        return ""
    return code if isinstance(code, str) and _ERROR_CODE.match(code) else ""


def _retry_after(response) -> float | None:
    """Retry-After in seconds (429, 503), capped at an hour; HTTP dates are ignored."""
    value = response.headers.get("Retry-After", "")
    return min(float(value), 3600.0) if value.isascii() and value.isdigit() else None


def send(http, config: GatewayConfig, payload: dict, idempotency_key: str) -> dict:
    """POST the message; returns the gateway's reply ``{"id", "status"}``."""
    body = {"to": payload["to"], "text": payload["text"], "reference": idempotency_key}
    if config.sender:
        body["sender"] = config.sender
    try:
        response = http.post(config.url("messages"), json=body,
                             headers={**config.headers, "Idempotency-Key": idempotency_key},
                             timeout=(min(CONNECT_TIMEOUT, config.timeout), config.timeout),
                             allow_redirects=False)
    except requests.Timeout:
        raise TemporaryFailure("SMS gateway: no answer in time") from None
    except requests.RequestException as exc:
        raise TemporaryFailure(f"SMS gateway unreachable: {type(exc).__name__}") from None
    status = response.status_code
    if 200 <= status < 300:
        try:
            reply = response.json()
            if not isinstance(reply, dict) or not isinstance(reply.get("id"), str):
                raise ValueError("no message id")
        except ValueError:
            # Perhaps accepted, perhaps not: the retry's Idempotency-Key makes asking again safe.
            raise TemporaryFailure(f"SMS gateway HTTP {status}: unreadable reply") from None
        return reply
    code = _error_code(response)
    text = f"SMS gateway HTTP {status}" + (f" {code}" if code else "")
    if status in PERMANENT_STATUSES:
        raise PermanentFailure(text)
    failure = TemporaryFailure(text)
    failure.retry_after = _retry_after(response)  # the worker waits at least this long
    raise failure


def make_deliverer(config: GatewayConfig):
    def deliver(message, context):
        """Outbox deliverer of ``sms`` messages (payload: to, text)."""
        http = getattr(context, "http", None) or requests.Session()
        send(http, config, message.payload, message.idempotency_key)

    deliver.__name__ = "deliver_sms"
    return deliver


def probe(config: GatewayConfig) -> dict:
    """``GET {base_url}/health`` with our key: reachable, and the key is accepted."""
    response = requests.get(config.url("health"), headers=config.headers,
                            timeout=PROBE_TIMEOUT, allow_redirects=False)
    if response.status_code in (401, 403):
        return {"status": "error", "error": "Unauthorized", "http_status": response.status_code}
    if response.status_code != 200:
        return {"status": "error", "error": "HTTPError", "http_status": response.status_code}
    return {"status": "ok"}
