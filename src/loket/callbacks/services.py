"""Inbound callbacks: outside systems report, as JSON, what happened on their side.

``POST /api/v1/dossiers/<reference>/callbacks/<kind>`` with an ACM/IDM access token that holds
the kind's scope (see :mod:`loket.identity.tokens`). Features declare their kinds with
``config.add_callback_kind`` and register the view (``callback="<kind>"``): the decision
(:mod:`loket.decisions`) and the advice (:mod:`loket.advice`) callbacks.

Every callback is idempotent. It carries the sender's own ``callback_id``; the first delivery
claims (``<kind>/<client>``, ``callback_id``) in ``inbound_callbacks`` with ``INSERT … ON
CONFLICT DO NOTHING``. A second delivery — a retry, or one arriving at the same moment — finds
the claim (on PostgreSQL it waits for the first transaction to end) and is answered with the
stored outcome, without a second effect. ``ON CONFLICT`` rather than catching IntegrityError:
the transaction stays usable without a savepoint, which pysqlite's legacy transaction handling
(Python 3.11) makes unsafe. The same ``callback_id`` with other content is refused (422).

A callback that cannot be applied (malformed, unknown dossier, wrong state) is answered with a
JSON error and audited, and changes nothing else: it leaves no claim, so the sender may send it
again once the dossier is ready.
"""

import functools
import hashlib
import json
import math
import re

from openapi_schema_validator import OAS31Validator
from pyramid.view import notfound_view_config
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from loket import audit
from loket.callbacks.models import InboundCallback
from loket.db import utcnow
from loket.i18n import _
from loket.identity.tokens import record_after_rollback, refuse_machine
from loket.security import SCOPED_PERMISSIONS
from loket.web.forms import text_is_clean
from loket.web.openapi import API_PREFIX, API_ROUTE, Problem, spec_dict

MAX_BODY = 64 * 1024
CALLBACK_PATH = re.compile(
    re.escape(API_PREFIX) + r"/dossiers/(?P<reference>[^/]+)/callbacks/(?P<kind>[^/]+)/?")
REFERENCE = re.compile(r"[0-9]{4}-[0-9]{6}")
KINDS_KEY = "loket.callbacks.kinds"


def add_callback_kind(config, kind: str, permission):
    """Declare ``…/callbacks/<kind>``, allowed to callers holding ``permission`` (so the
    scope that grants it). Its view is the feature's own (``callback=<kind>``)."""
    def register():
        config.registry.setdefault(KINDS_KEY, {})[kind] = permission

    config.action(("loket.callback_kind", kind), register,
                  introspectables=(_introspectable(config, kind, permission),))


def _introspectable(config, kind, permission):
    item = config.introspectable("loket callback kinds", kind, kind, "loket callback kind")
    item["permission"] = permission
    return item


def kinds(registry) -> dict:
    return registry.get(KINDS_KEY, {})


class CallbackPredicate:
    """``callback="besluit"``: the request is for that kind (``…/callbacks/besluit``)."""

    def __init__(self, value, config):
        self.value = value

    def text(self):
        return f"callback = {self.value}"

    phash = text

    def __call__(self, context, request):
        return tuple(request.subpath) == (self.value,)


class CallbackPathPredicate:
    """``callback_path=True``: the path is a callback's, whether or not the dossier exists."""

    def __init__(self, value, config):
        self.value = bool(value)

    def text(self):
        return f"callback_path = {self.value}"

    phash = text

    def __call__(self, context, request):
        return bool(CALLBACK_PATH.fullmatch(request.path_info)) == self.value


# ---------------------------------------------------------------------------------------------
# Shared by every kind


@functools.cache
def _body_validator(schema_name: str) -> OAS31Validator:
    schema = spec_dict()["components"]["schemas"][schema_name]
    return OAS31Validator(schema, format_checker=OAS31Validator.FORMAT_CHECKER)


MAX_JSON_DEPTH = 32  # the deepest schema is four levels; a deeper body is an attack


def _refuse_constant(name):
    raise ValueError(f"{name} is not a number")  # NaN, Infinity, -Infinity


def _garbage(value, depth=0) -> str | None:
    """What is wrong with a parsed body that no schema says: too deep, or text with NUL,
    control characters or lone surrogates (newlines and tabs are allowed)."""
    if depth > MAX_JSON_DEPTH:
        return f"nests deeper than {MAX_JSON_DEPTH} levels"
    if isinstance(value, str):
        return None if text_is_clean(value, multiline=True) else \
            "contains control characters or invalid Unicode"
    if isinstance(value, float) and not math.isfinite(value):
        return "contains a number out of range"  # 1e999 parses as infinity
    children = value.items() if isinstance(value, dict) else \
        enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        problem = (_garbage(key, depth + 1) if isinstance(key, str) else None) or \
            _garbage(child, depth + 1)
        if problem:
            return problem
    return None


def json_body(request, schema_name: str) -> tuple[dict | None, list[Problem], int]:
    """The request's JSON body checked against a schema of openapi.yaml:
    ``(body, problems, status)``; ``body`` is None when there are problems."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        return None, [Problem(location="body", message=f"is larger than {MAX_BODY} bytes")], 413
    if request.content_type != "application/json":
        return None, [Problem(location="header", name="Content-Type",
                              message="must be application/json")], 415
    raw = request.body
    if len(raw) > MAX_BODY:  # a chunked body says no length up front
        return None, [Problem(location="body", message=f"is larger than {MAX_BODY} bytes")], 413
    try:
        body = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None, [Problem(location="body", message="is not valid JSON")], 400
    garbage = _garbage(body)
    if garbage:
        return None, [Problem(location="body", message=garbage)], 400
    problems = []
    errors = sorted(_body_validator(schema_name).iter_errors(body),
                    key=lambda e: [str(p) for p in e.absolute_path])
    for error in errors:
        path = "/".join(str(p) for p in error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            # One error per missing property, each naming all the required ones.
            for name in error.validator_value:
                if name not in error.instance:
                    problems.append(Problem(location="body", name="/".join(
                        filter(None, (path, name))), message="is required"))
            continue
        problem = Problem(location="body", message=error.message[:300])
        if path:
            problem["name"] = path
        problems.append(problem)
    unique = list({json.dumps(p, sort_keys=True): p for p in problems}.values())
    return (None if unique else body), unique, 400


def fingerprint(reference: str, body: dict) -> str:
    canonical = json.dumps([reference, body], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def find_claim(dbsession, source: str, key: str) -> InboundCallback | None:
    return dbsession.scalar(select(InboundCallback).where(
        InboundCallback.source == source, InboundCallback.key == key))


def claim(dbsession, source: str, key: str, digest: str, dossier_id: int) -> int | None:
    """Claim a callback: its row id, or None when another delivery holds the claim.

    On PostgreSQL a concurrent claim of the same key waits here until that transaction ends:
    committed, this one gets None and answers with its outcome; rolled back, this one wins.
    """
    dialect = dbsession.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    statement = (
        insert(InboundCallback)
        .values(source=source, key=key, fingerprint=digest, dossier_id=dossier_id,
                received=utcnow(), outcome={})
        .on_conflict_do_nothing(index_elements=["source", "key"])
        .returning(InboundCallback.id)
    )
    return dbsession.execute(statement).scalar_one_or_none()


def claim_or_replay(request, kind: str, key: str, digest: str, dossier_id: int, reference: str):
    """Claim the caller's callback ``key``: ``(claim_id, None)``; or, when it was seen before
    (or a concurrent delivery of it won), ``(None, response)`` with the stored outcome (422
    for a reused id with another body)."""
    source = f"{kind}/{request.bearer.client.client_id}"
    dbsession = request.dbsession
    stored = find_claim(dbsession, source, key)
    if stored is None:
        claim_id = claim(dbsession, source, key, digest, dossier_id)
        if claim_id is not None:
            return claim_id, None
        stored = find_claim(dbsession, source, key)  # a concurrent delivery won
    return None, replay(request, stored, digest, reference, kind)


def release_claim(dbsession, claim_id: int) -> None:
    """A refused callback leaves no claim: the sender may send the id again, corrected."""
    dbsession.execute(delete(InboundCallback).where(InboundCallback.id == claim_id))


def record_outcome(request, claim_id: int, outcome: dict) -> dict:
    """Keep the answer for replays of the same callback; the answer itself."""
    request.dbsession.execute(update(InboundCallback).where(InboundCallback.id == claim_id)
                              .values(outcome=outcome))
    request.response.cache_control = "no-store"
    return outcome


def audit_callback(request, action: str, reference: str, kind: str, **details):
    """Audit a callback that was answered normally (the request's transaction commits)."""
    event = audit.record(request, action, "dossier", reference,
                         client=request.bearer.client.client_id, callback=kind, **details)
    event.actor_id = None  # a machine, even when a session cookie came along
    return event


def error(request, status: int, title, message):
    from loket.web.views import error_response

    response = error_response(request, status, title, message)
    response.cache_control = "no-store"
    return response


def replay(request, stored: InboundCallback, digest: str, reference: str, kind: str):
    """The answer to a callback that was already processed: its first outcome, again."""
    if stored.fingerprint != digest:
        audit_callback(request, "callback.rejected", reference, kind, callback_id=stored.key,
                       reason="callback_id_reused")
        return error(request, 422, _("Callback id already used"),
                     _("This callback_id was used before for a different callback. Nothing "
                       "was changed."))
    audit_callback(request, "callback.duplicate", reference, kind, callback_id=stored.key)
    response = request.response
    response.status = 200
    response.content_type = "application/json"
    response.json_body = stored.outcome
    response.headers["Idempotent-Replayed"] = "true"
    response.cache_control = "no-store"
    return response


@notfound_view_config(route_name=API_ROUTE, request_method="POST", callback_path=True)
def callback_target_unknown(exc, request):
    """A callback for a dossier that does not exist (or of a kind that does not): the token
    and scope are checked first, so only a client allowed to send it learns it is unknown."""
    match = CALLBACK_PATH.fullmatch(request.path_info)
    reference, kind = match["reference"], match["kind"]
    known = kinds(request.registry)
    scope = SCOPED_PERMISSIONS.get(known.get(kind))
    client = request.bearer.client
    if client is None or (scope is not None and scope not in client.scopes):
        return refuse_machine(request, scope, callback=kind if kind in known else None)
    record_after_rollback(request, "callback.unknown_dossier" if kind in known
                          else "callback.unknown_kind", "dossier",
                          reference if REFERENCE.fullmatch(reference) else "-",
                          client=client.client_id, callback=kind[:40])
    if kind not in known:
        return error(request, 404, _("Unknown callback"),
                     _("Loket has no callback of this kind. Nothing was changed."))
    return error(request, 404, _("Dossier not found"),
                 _("No dossier has this reference. Nothing was changed."))
