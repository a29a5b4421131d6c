"""Rate limits on login and on the API, per client address and per bearer token, and the
``/.well-known/security.txt`` (RFC 9116) that tells finders of a weakness whom to tell.

A sliding window in process memory: each worker process counts its own requests, so with N
processes a client gets at most N times the limit — enough to stop guessing and flooding,
without a database write per request. A limit is ``COUNT/SECONDS`` (``10/60``: ten a minute);
``0`` switches it off. Refused requests answer 429 with ``Retry-After``.

Settings (defaults): ``loket.ratelimit.enabled`` (on, off when ``loket.environment = test``),
``loket.ratelimit.login`` (``10/60`` per address), ``loket.ratelimit.api_address``
(``600/60``), ``loket.ratelimit.api_token`` (``300/60``); ``loket.security.contact`` (a
``mailto:`` or ``https:`` URI; without it there is no security.txt).
"""

import hashlib
import html
import math
import threading
import time
from collections import deque
from datetime import UTC, datetime, timedelta

from pyramid.exceptions import ConfigurationError
from pyramid.response import Response
from pyramid.settings import asbool
from pyramid.view import view_config

from loket.i18n import _
from loket.security import PUBLIC
from loket.web.openapi import COMMON_RESPONSES_KEY

LOGIN_PREFIXES = ("/aanmelden",)
API_PREFIX = "/api/"
MAX_KEYS = 100_000


class SlidingWindow:
    """At most ``limit`` hits per ``window`` seconds per key; thread-safe."""

    def __init__(self, limit: int, window: float, clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self.hits: dict[str, deque] = {}
        self.lock = threading.Lock()

    def hit(self, key: str) -> float:
        """Count a hit; 0 when allowed, else the seconds until one is allowed again."""
        now = self.clock()
        with self.lock:
            if len(self.hits) > MAX_KEYS:  # forget idle clients rather than grow without bound
                self.hits = {k: q for k, q in self.hits.items() if q and q[-1] > now - self.window}
            queue = self.hits.setdefault(key, deque())
            while queue and queue[0] <= now - self.window:
                queue.popleft()
            if len(queue) >= self.limit:
                return max(queue[0] + self.window - now, 0.001)
            queue.append(now)
            return 0.0


def parse_limit(name: str, value: str) -> SlidingWindow | None:
    try:
        count, seconds = (value.split("/") + [""])[:2]
        count, seconds = int(count), float(seconds or 60)
    except ValueError:
        raise ConfigurationError(f"{name}: expected COUNT/SECONDS, e.g. 10/60, not {value!r}") \
            from None
    if count < 0 or not 0 < seconds <= 86400:
        raise ConfigurationError(f"{name}: COUNT must be 0 or more and SECONDS 1 to 86400")
    return SlidingWindow(count, seconds) if count else None


def _token_key(request) -> str | None:
    authorization = request.headers.get("Authorization", "")
    if not authorization.lower().startswith("bearer "):
        return None
    # A digest, so the limiter's memory holds no usable token.
    return hashlib.sha256(authorization[7:].strip().encode()).hexdigest()


def ratelimit_tween_factory(handler, registry):
    settings = registry.settings
    enabled = asbool(settings.get("loket.ratelimit.enabled",
                                  settings.get("loket.environment") != "test"))
    if not enabled:
        return handler
    login = parse_limit("loket.ratelimit.login", settings.get("loket.ratelimit.login", "10/60"))
    api_address = parse_limit("loket.ratelimit.api_address",
                              settings.get("loket.ratelimit.api_address", "600/60"))
    api_token = parse_limit("loket.ratelimit.api_token",
                            settings.get("loket.ratelimit.api_token", "300/60"))

    def ratelimit_tween(request):
        # REMOTE_ADDR, not X-Forwarded-For (anyone can send that); behind a proxy, let the
        # WSGI server set REMOTE_ADDR from the proxy's header (e.g. waitress trusted_proxy).
        address = request.remote_addr or "-"
        path = request.path_info
        wait = 0.0
        if path.startswith(LOGIN_PREFIXES) and login is not None:
            wait = login.hit(address)
        elif path.startswith(API_PREFIX):
            token = _token_key(request)
            if token is not None and api_token is not None:
                wait = api_token.hit(token)
            if not wait and api_address is not None:
                wait = api_address.hit(address)
        if wait:
            return too_many(request, math.ceil(wait))
        return handler(request)

    return ratelimit_tween


def too_many(request, retry_after: int):
    """429 before traversal (no context, no layout): a JSON error or a plain small page."""
    from loket.web.views import wants_json

    localizer = request.localizer
    title = localizer.translate(_("Too many requests"))
    message = localizer.translate(_(
        "You sent too many requests in a short time. Wait ${seconds} seconds and try again.",
        mapping={"seconds": retry_after}))
    if wants_json(request):
        response = Response(status=429, json_body={"error": {
            "status": 429, "title": title, "message": message}})
    else:
        page = (f'<!DOCTYPE html><html lang="{html.escape(request.locale_name)}"><head>'
                f'<meta charset="utf-8"><title>{html.escape(title)}</title></head><body>'
                f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p></body></html>")
        response = Response(page, status=429, content_type="text/html", charset="utf-8")
    response.headers["Retry-After"] = str(retry_after)
    response.headers["Cache-Control"] = "no-store"
    return response


@view_config(route_name="security_txt", permission=PUBLIC, request_method="GET")
def security_txt(request):
    settings = request.registry.settings
    contact = settings.get("loket.security.contact")
    if not contact:
        from loket.web.views import not_found

        return not_found(request)
    expires = (datetime.now(UTC) + timedelta(days=180)).replace(microsecond=0)
    lines = [f"Contact: {contact}", f"Expires: {expires.isoformat().replace('+00:00', 'Z')}",
             "Preferred-Languages: nl, en"]
    public_url = settings.get("loket.public_url")
    if public_url:
        lines.append(f"Canonical: {public_url.rstrip('/')}/.well-known/security.txt")
    if settings.get("loket.security.policy"):
        lines.append(f"Policy: {settings['loket.security.policy']}")
    return Response("\n".join(lines) + "\n", content_type="text/plain", charset="utf-8")


def includeme(config):
    settings = config.get_settings()
    contact = settings.get("loket.security.contact")
    if contact and not contact.startswith(("mailto:", "https://", "tel:")):
        raise ConfigurationError("loket.security.contact: a mailto:, https:// or tel: URI")
    config.add_route("security_txt", "/.well-known/security.txt")
    # The API's contract says so: every operation may answer 429 (components in openapi.yaml).
    config.add_openapi_fragment("loket.ratelimit")
    config.registry.setdefault(COMMON_RESPONSES_KEY, {})["429"] = \
        "#/components/responses/TooManyRequests"
    config.add_tween("loket.ratelimit.ratelimit_tween_factory",
                     under="pyramid_tm.tm_tween_factory",
                     over="pyramid.tweens.excview_tween_factory")
    config.scan(".")
