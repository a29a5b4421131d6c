"""``http.post``: POST a JSON document to a URL, for receivers that need nothing more.

Payload: ``{"url": …, "json": …, "headers": {…}}``. The message's idempotency key goes along
as ``Idempotency-Key`` (draft-ietf-httpapi-idempotency-key-header), the same on every retry.
2xx is delivered; 408, 429, 5xx, connection errors and timeouts are temporary; any other
answer (4xx, an unexpected redirect) is permanent. The payload is stored in the database
as is: never put a secret in its headers; a plug-in that needs credentials reads them from
the settings in a deliverer of its own.
"""

from dataclasses import replace

import requests

from loket.outbox import PermanentFailure, TemporaryFailure

TEMPORARY_STATUSES = frozenset({408, 429})


def _retry_after(response) -> float | None:
    value = response.headers.get("Retry-After", "")
    # An HTTP date (or anything else): our own backoff.
    return float(value) if value.isascii() and value.isdigit() else None


def deliver(message, context) -> None:
    payload = message.payload
    url = payload.get("url")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise PermanentFailure("http.post: the payload has no http(s) url")
    headers = {**(payload.get("headers") or {}), "Idempotency-Key": message.idempotency_key}
    try:
        response = context.http.post(
            url, json=payload.get("json"), headers=headers, allow_redirects=False,
            timeout=(min(5.0, context.timeout), context.timeout))
    except requests.Timeout as exc:
        raise TemporaryFailure(f"no answer within {context.timeout:g} s") from exc
    except requests.ConnectionError as exc:
        # Class names only: requests' messages repeat the URL.
        raise TemporaryFailure(f"connection failed ({type(exc).__name__})") from exc
    except requests.RequestException as exc:  # an invalid URL or header: retrying cannot help
        raise PermanentFailure(f"request not sent ({type(exc).__name__})") from exc
    status = response.status_code  # never the body: it may echo personal data
    if 200 <= status < 300:
        return
    if status in TEMPORARY_STATUSES or status >= 500:
        raise TemporaryFailure(f"HTTP {status}", retry_after=_retry_after(response))
    raise PermanentFailure(f"HTTP {status}")


def keyed_deliverer(base_url: str, api_key: str, name: str):
    """A deliverer of messages whose payload is ``{"path", "json"}``: POSTed to
    ``base_url + path`` with ``Authorization: Bearer <api_key>``. The key comes from the
    settings, never from the stored payload."""
    base = base_url.rstrip("/")

    def deliver_keyed(message, context):
        payload = message.payload
        request = {"url": base + payload["path"], "json": payload["json"],
                   "headers": {"Authorization": f"Bearer {api_key}"}}
        deliver(replace(message, payload=request), context)

    deliver_keyed.__name__ = name
    return deliver_keyed
