"""Callbacks: outside systems report, as JSON, what happened on their side.

``POST /api/v1/dossiers/<reference>/callbacks/<kind>`` with an ACM/IDM access token that holds
the callback's scope (see :mod:`loket.api.tokens`). The first kind is ``besluit``: the minutes
software reports the decision of the college, the council or the vast bureau on a dossier on
its agenda, and Loket takes the workflow step ``goedkeuren`` or ``weigeren`` through the one
transition service, as the system (the client is named in the audit trail).

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
import re
from datetime import date

from openapi_schema_validator import OAS31Validator
from pyramid.view import notfound_view_config, view_config
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from loket import audit
from loket.api.models import InboundCallback
from loket.api.openapi import API_PREFIX, API_ROUTE, Problem, bad_request_response, spec_dict
from loket.api.tokens import record_after_rollback, refuse_machine
from loket.db import utcnow
from loket.dossiers.models import Dossier
from loket.i18n import _, local_now
from loket.security import SCOPED_PERMISSIONS, Permission
from loket.workflow.engine import Actor, TransitionConflict, TransitionRefused, perform

MAX_BODY = 64 * 1024
CALLBACK_PATH = re.compile(
    re.escape(API_PREFIX) + r"/dossiers/(?P<reference>[^/]+)/callbacks/(?P<kind>[^/]+)/?")
REFERENCE = re.compile(r"[0-9]{4}-[0-9]{6}")
# Callback kinds and the permission (so the scope) each needs.
KINDS = {"besluit": Permission.CALLBACK_BESLUIT}
# The decision's outcome → the workflow transition out of ``geagendeerd``.
BESLUIT_TRANSITIONS = {"approved": "goedkeuren", "refused": "weigeren"}
DECIDING_BODIES = ("college", "gemeenteraad", "vast_bureau")


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
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None, [Problem(location="body", message="is not valid JSON")], 400
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
    scope = SCOPED_PERMISSIONS.get(KINDS.get(kind))
    client = request.bearer.client
    if client is None or (scope is not None and scope not in client.scopes):
        return refuse_machine(request, scope, callback=kind if kind in KINDS else None)
    record_after_rollback(request, "callback.unknown_dossier" if kind in KINDS
                          else "callback.unknown_kind", "dossier",
                          reference if REFERENCE.fullmatch(reference) else "-",
                          client=client.client_id, callback=kind[:40])
    if kind not in KINDS:
        return error(request, 404, _("Unknown callback"),
                     _("Loket has no callback of this kind. Nothing was changed."))
    return error(request, 404, _("Dossier not found"),
                 _("No dossier has this reference. Nothing was changed."))


# ---------------------------------------------------------------------------------------------
# besluit: the decision of the college, the council or the vast bureau


@view_config(route_name=API_ROUTE, context=Dossier, name="callbacks", callback="besluit",
             request_method="POST", permission=Permission.CALLBACK_BESLUIT, renderer="json")
def besluit(context, request):
    dossier, kind = context, "besluit"
    reference = dossier.reference
    body, problems, status = json_body(request, "BesluitCallback")
    today = local_now().date()  # meetings are dated in Belgian time
    if body is not None and date.fromisoformat(body["decided_on"]) > today:
        problems = [Problem(location="body", name="decided_on", message="lies in the future")]
    if problems:
        audit_callback(request, "callback.rejected", reference, kind, reason="malformed",
                       status=status, fields=sorted({p.get("name", "") for p in problems}))
        if status != 400:
            title = {413: _("Request too large"), 415: _("Unsupported media type")}[status]
            return error(request, status, title, "; ".join(
                f"{p.get('name', p['location'])}: {p['message']}" for p in problems))
        response = bad_request_response(request, problems)
        response.cache_control = "no-store"
        return response

    key = body["callback_id"]
    claim_id, seen = claim_or_replay(request, kind, key, fingerprint(reference, body),
                                     dossier.id, reference)
    if seen is not None:
        return seen
    dbsession = request.dbsession

    def refuse(reason: str, message):
        release_claim(dbsession, claim_id)
        audit_callback(request, "callback.refused", reference, kind, callback_id=key,
                       reason=reason, state=dossier.state)
        return error(request, 409, _("Callback refused"), message)

    expected_body = (dossier.type_version.definition.get("decision") or {}).get("body")
    if expected_body in DECIDING_BODIES and body["body"] != expected_body:
        return refuse("wrong_body", _("This dossier is decided by: ${expected} (not ${body}). "
                                      "Nothing was changed.",
                                      mapping={"expected": expected_body, "body": body["body"]}))
    transition = BESLUIT_TRANSITIONS[body["outcome"]]
    state_before = dossier.state
    try:
        perform(request.registry, dbsession, dossier, transition, Actor.system(),
                expected_version=None, comment=body.get("motivation", ""))
    except TransitionRefused as refusal:
        if isinstance(refusal, TransitionConflict) or dossier.state != state_before:
            # A concurrent change, or a veto after the step was taken: the transaction is
            # void (the exception view answers); the sender retries later.
            raise
        state = request.localizer.translate(_("The dossier's state is ${state}.",
                                              mapping={"state": dossier.state}))
        return refuse("transition_refused",
                      f"{request.localizer.translate(refusal.message)} {state}")

    audit_callback(request, "callback.accepted", reference, kind, callback_id=key,
                   transition=transition, decided_on=body["decided_on"], body=body["body"],
                   decision_reference=body["reference"])
    return record_outcome(request, claim_id, {
        "callback_id": key, "dossier": reference, "result": "accepted",
        "transition": transition, "state": dossier.state, "received": utcnow().isoformat()})


def includeme(config):
    config.add_view_predicate("callback", CallbackPredicate)
    config.add_view_predicate("callback_path", CallbackPathPredicate)
    config.scan("loket.api.callbacks")
