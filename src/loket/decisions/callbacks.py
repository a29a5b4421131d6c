"""The decision callback: the minutes software reports the decision of the college, the
council or the vast bureau on a dossier on its agenda (``POST …/callbacks/besluit``, scope
``loket.callbacks.besluit``), and Loket takes the workflow step that records it, as the system.

Idempotency, authentication and the error answers are :mod:`loket.callbacks`'.
"""

from datetime import date, datetime

from pyramid.view import view_config

from loket.callbacks.services import (
    audit_callback,
    claim_or_replay,
    error,
    fingerprint,
    json_body,
    record_outcome,
    release_claim,
)
from loket.db import utcnow
from loket.decisions import services
from loket.decisions.models import AgendaItem
from loket.dossiers.models import Dossier
from loket.i18n import LOCAL_TIME, _
from loket.security import Permission
from loket.web.openapi import API_ROUTE, Problem, bad_request_response
from loket.workflow.engine import (
    Actor,
    TransitionConflict,
    TransitionRefused,
    workflow_of,
)

# The decision's outcome → the purpose of the workflow step that records it.
PURPOSES = {"approved": "decision.approve", "refused": "decision.refuse"}
DECIDING_BODIES = ("college", "gemeenteraad", "vast_bureau")



@view_config(route_name=API_ROUTE, context=Dossier, name="callbacks", callback="besluit",
             request_method="POST", permission=Permission.CALLBACK_BESLUIT, renderer="json")
def besluit(context, request):
    dossier, kind = context, "besluit"
    reference = dossier.reference
    body, problems, status = json_body(request, "BesluitCallback")
    today = datetime.now(LOCAL_TIME).date()
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
    item = _item(dbsession, dossier, body.get("agenda_item"))
    if item is None:
        return refuse("not_on_agenda", _("This dossier is on no meeting's agenda. Nothing was "
                                         "changed."))
    outcome = body["outcome"]
    if not item.open:
        if item.status != outcome:
            return refuse("already_decided", _(
                "This agenda item was already decided (${outcome}). Nothing was changed.",
                mapping={"outcome": item.status}))
        # The same decision again under another id: one decision, the first.
        audit_callback(request, "callback.repeated", reference, kind, callback_id=key,
                       item=item.id)
        return record_outcome(request, claim_id, _outcome(key, reference, dossier, "", item))
    entry = services.ItemOutcome(
        item_id=item.id, outcome=outcome, text="\n".join(body.get("articles") or []),
        amount=body.get("amount") or "", motivation=body.get("motivation", ""),
        **{f"votes_{k}": str(v) for k, v in (body.get("votes") or {}).items()})
    decided_on = date.fromisoformat(body["decided_on"])
    state_before = dossier.state
    try:
        services.check_item(request, item, entry, Actor.system())
        services.record_item(request, item, entry, Actor.system(), decided_on,
                             publication_uri=body.get("publication_uri"))
        services.touch_meeting(dbsession, item.meeting, decided_on)
    except TransitionRefused as refusal:
        if isinstance(refusal, TransitionConflict) or dossier.state != state_before:
            # A concurrent change, or a veto after the step was taken: the transaction is
            # void (the exception view answers); the sender retries later.
            raise
        return refuse("transition_refused", refusal.message)
    except services.DecisionRefused as refusal:
        if dossier.state != state_before:
            raise
        state = request.localizer.translate(_("The dossier's state is ${state}.",
                                              mapping={"state": dossier.state}))
        return refuse("transition_refused",
                      f"{request.localizer.translate(refusal.message)} {state}")
    purpose = services.PURPOSE_OF.get(outcome)
    step = workflow_of(dossier).transition_for(purpose) if purpose else None
    transition = step.name if step is not None else ""
    audit_callback(request, "callback.accepted", reference, kind, callback_id=key,
                   transition=transition, outcome=outcome, item=item.id,
                   decided_on=body["decided_on"], body=body["body"],
                   decision_reference=body["reference"])
    return record_outcome(request, claim_id, _outcome(key, reference, dossier, transition, item))


def _item(dbsession, dossier, item_id: int | None) -> AgendaItem | None:
    """The agenda item the callback decides: the one named, if it is this dossier's; else the
    dossier's open item."""
    if item_id is None:
        return services.open_item_of(dbsession, dossier)
    item = dbsession.get(AgendaItem, item_id)
    return item if item is not None and item.dossier_id == dossier.id else None


def _outcome(key, reference, dossier, transition, item) -> dict:
    return {"callback_id": key, "dossier": reference, "result": "accepted",
            "transition": transition, "state": dossier.state, "agenda_item": item.id,
            "outcome": item.status, "received": utcnow().isoformat()}
