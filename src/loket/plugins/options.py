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
