"""``/beheer/koppelingen``: every configured plug-in with its state, for the administrator.

Per plug-in: its kind and name, its options (secrets masked), whether it answers now (its
``check``, run in parallel with a short deadline) and how its deliveries went lately (the
``integration_status`` rows the worker writes through :func:`loket.plugins.status.
record_result`).
"""

import re
from concurrent.futures import ThreadPoolExecutor, wait
from urllib.parse import urlsplit, urlunsplit

from pyramid.view import view_config

from loket.health import timed
from loket.i18n import LOCAL_TIME, _
from loket.plugins.registry import Kind, configured
from loket.plugins.status import statuses
from loket.resources import Administration
from loket.security import Permission

CHECK_DEADLINE = 3.0  # seconds the page waits for all checks together
MASK = "••••••"
SECRET_NAMES = re.compile(r"secret|key|password", re.IGNORECASE)

KIND_TITLES = {
    Kind.IDENTITY: _("Login (ACM/IDM)"),
    Kind.PERSON_REGISTER: _("Person register"),
    Kind.INCOME: _("Income and social status"),
    Kind.STATUS_PUBLISHING: _("Status publishing"),
    Kind.NOTIFICATION: _("Notifications"),
    Kind.MINUTES: _("Minutes software"),
    Kind.SIGNING: _("Signing"),
    Kind.DELIVERY: _("Delivery of letters"),
    Kind.ACCOUNTING: _("Accounting"),
    Kind.BANK_STATEMENTS: _("Bank statements"),
    Kind.ADVICE: _("Advice from outside services"),
}


def shown_value(name: str, value) -> str:
    """An option as the page shows it: secrets masked, credentials in URLs too."""
    if SECRET_NAMES.search(name):
        return MASK if value not in (None, "") else ""
    text = "" if value is None else str(value)
    parts = urlsplit(text)
    if parts.scheme in ("http", "https") and (parts.username or parts.password):
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        return urlunsplit(parts._replace(netloc=f"{MASK}@{host}"))
    return text


def run_checks(states: dict) -> dict[str, dict]:
    """Each plug-in's check, side by side; one that is not done by the deadline is an error.

    The threads are not waited for: a check that hangs ends on its own timeout."""
    checked = {name: s for name, s in states.items() if s.plugin.check is not None}
    if not checked:
        return {}
    pool = ThreadPoolExecutor(max_workers=len(checked), thread_name_prefix="plugin-check")
    futures = {name: pool.submit(timed, s.plugin.check, s.options)
               for name, s in checked.items()}
    wait(futures.values(), timeout=CHECK_DEADLINE)
    pool.shutdown(wait=False, cancel_futures=True)
    return {name: future.result() if future.done() else {"status": "error", "error": "Timeout"}
            for name, future in futures.items()}


@view_config(context=Administration, name="koppelingen", permission=Permission.MANAGE_SETTINGS,
             renderer="loket:plugins/templates/koppelingen.jinja2", request_method="GET")
def integrations_page(context, request):
    states = configured(request.registry)
    recorded = statuses(request.dbsession)
    # Read-only page: nothing to commit, and the checks below go over the network.
    request.tm.doom()
    checks = run_checks(states)
    plugins = []
    for name, state in sorted(states.items(), key=lambda i: (i[1].plugin.kind.value, i[0])):
        row = recorded.get(name)
        plugins.append({
            "name": name, "title": state.plugin.title,
            "kind": KIND_TITLES.get(state.plugin.kind, state.plugin.kind.value),
            "options": sorted((k, shown_value(k, v)) for k, v in state.options.items()),
            "check": checks.get(name),
            "last_success": _local(row.last_success if row else None),
            "last_error": row.last_error if row else None,
            "last_error_at": _local(row.last_error_at if row else None),
        })
    return {"plugins": plugins}


def _local(moment):
    return moment.astimezone(LOCAL_TIME) if moment is not None else None


def includeme(config):
    config.scan("loket.plugins.views")
