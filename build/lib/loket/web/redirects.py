"""Redirect targets taken from user input are local paths only (open-redirect defence)."""

from urllib.parse import urlsplit


def safe_local_path(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path on this site, else ``default``.

    Refuses ``//host``, ``/\\host``, ``https:host``, leading blanks or control characters and
    anything with a scheme or host: browsers read all of those as another site.
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ord(c) < 0x21 or c == "\\" for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
