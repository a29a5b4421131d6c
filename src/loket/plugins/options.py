"""Building blocks of plug-ins' option schemas (``loket.integrations.<name>.*``)."""

from urllib.parse import urlsplit

import colander


def http_url(node, value):
    """A plain http(s) URL: no credentials (they belong in their own secret option), query or
    fragment."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise colander.Invalid(node, "must be an http(s) URL")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise colander.Invalid(node, "must be a plain URL (no credentials, query or fragment)")


def status_probe(base_url: str, timeout: float = 2.0, path: str = "/api/v1/status") -> dict:
    """A plug-in's ``check``: the service's status URL answers 200 (errors by class or status
    only: the health pages are public and a message could carry a host name)."""
    import requests

    try:
        response = requests.get(base_url.rstrip("/") + path, timeout=timeout)
    except requests.RequestException as exc:
        return {"status": "error", "error": type(exc).__name__}
    if response.status_code != 200:
        return {"status": "error", "error": f"HTTP {response.status_code}"}
    return {"status": "ok"}
