"""``/-/health``: can this instance serve requests, and which integrations answer?

The database and the blob store are essential: when either fails the answer is 503, so a load
balancer takes the instance out. An integration that is down only degrades the service (200,
``degraded``). Errors are reported by class, never by message: the endpoint is public and a
message can carry a host name, a URL or worse.

Integrations add their probe with :func:`add_integration_check`. Probes are cached for
``loket.health.cache_seconds`` (default 10) so that polling the public endpoint cannot be
turned into a flood of calls to a government service.
"""

import logging
import threading
import time

import requests
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import text

from loket.security import PUBLIC

log = logging.getLogger(__name__)

CHECKS_KEY = "loket.health.integration_checks"
SECTIONS_KEY = "loket.health.sections"
PROBE_TIMEOUT = 2  # seconds


def add_integration_check(config, name: str, check):
    """Register ``check(settings) -> dict`` (``{"status": "ok" | "error", …}``) as ``name``.

    A plain function rather than a directive, so a package included before loket.api can
    call it too.
    """
    config.registry.setdefault(CHECKS_KEY, {})[name] = check


def add_health_section(config, name: str, section):
    """Add ``section(request) -> dict`` to the document as ``name`` (e.g. the outbox's
    figures). Run only when the database answers; a failing section is left out."""
    config.registry.setdefault(SECTIONS_KEY, {})[name] = section


def sections(request) -> dict:
    found = {}
    for name, section in sorted(request.registry.get(SECTIONS_KEY, {}).items()):
        try:
            found[name] = section(request)
        except Exception as exc:  # the figures are extra; the checks above decide the status
            log.warning("health section %s failed: %s", name, type(exc).__name__)
    return found


def timed(check, *args) -> dict:
    """Run a check; an exception becomes ``{"status": "error", "error": <class name>}``."""
    start = time.perf_counter()
    try:
        result = check(*args)
    except Exception as exc:  # any failure is "down"; which one is in the class name and log
        log.warning("health check %s failed: %s", getattr(check, "__name__", check),
                    type(exc).__name__)
        result = {"status": "error", "error": type(exc).__name__}
    result["latency_ms"] = round((time.perf_counter() - start) * 1000, 2)
    return result


def check_acmidm(settings) -> dict:
    """ACM/IDM answers its OpenID discovery document, for the issuer we are configured with."""
    issuer = settings["loket.acmidm.issuer"]
    response = requests.get(issuer.rstrip("/") + "/.well-known/openid-configuration",
                            timeout=PROBE_TIMEOUT, allow_redirects=False)
    if response.status_code != 200:
        return {"status": "error", "error": "HTTPError", "http_status": response.status_code}
    if response.json().get("issuer") != issuer:
        # Logins would fail on the token's "iss": as good as down.
        return {"status": "error", "error": "IssuerMismatch"}
    return {"status": "ok"}


class IntegrationProbes:
    """The integration checks, run at most once per ``ttl`` seconds whatever the traffic."""

    def __init__(self, registry, ttl: float):
        self.registry = registry
        self.ttl = ttl
        self.lock = threading.Lock()
        self.result: dict | None = None
        self.checked_at = 0.0

    def __call__(self) -> dict:
        with self.lock:  # one prober at a time; the others then read its fresh result
            if self.result is None or time.monotonic() - self.checked_at >= self.ttl:
                checks = self.registry.get(CHECKS_KEY, {})
                settings = self.registry.settings
                self.result = {name: timed(check, settings)
                               for name, check in sorted(checks.items())}
                self.checked_at = time.monotonic()
            return {name: dict(result) for name, result in self.result.items()}


def check_database(request) -> dict:
    request.dbsession.execute(text("SELECT 1")).scalar_one()
    return {"status": "ok"}


def check_blobstore(request) -> dict:
    if not request.registry["loket.blobstore"].check():
        return {"status": "error", "error": "NotWritable"}
    return {"status": "ok"}


@view_config(route_name="health", permission=PUBLIC, request_method="GET")
def health(request):
    # Read-only whatever happens below; after a failed database call this also makes
    # pyramid_tm abort rather than try to commit a broken session.
    request.tm.doom()
    database = timed(check_database, request)
    blobstore = timed(check_blobstore, request)
    integrations = request.registry["loket.health.probes"]()
    if "error" in (database["status"], blobstore["status"]):
        status, http_status = "unavailable", 503
    elif any(r["status"] == "error" for r in integrations.values()):
        status, http_status = "degraded", 200
    else:
        status, http_status = "ok", 200
    response = Response(status=http_status, json_body={
        "status": status, "database": database, "blobstore": blobstore,
        "integrations": integrations,
        **(sections(request) if database["status"] == "ok" else {}),
    })
    response.cache_control = "no-store"
    return response


def includeme(config):
    settings = config.get_settings()
    ttl = float(settings.get("loket.health.cache_seconds", 10))
    config.registry["loket.health.probes"] = IntegrationProbes(config.registry, ttl)
    # Until ACM/IDM's own package registers a probe of its own, this one stands in.
    if settings.get("loket.acmidm.issuer"):
        config.registry.setdefault(CHECKS_KEY, {}).setdefault("acmidm", check_acmidm)
    config.add_route("health", "/-/health")
