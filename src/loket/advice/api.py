"""Advice as JSON (see openapi.yaml beside this module): list, request, waive, and the callback
by which an external service answers.

The callback reuses the besluit callback's machinery (:mod:`loket.callbacks.services`): the claim
on (``advies/<client>``, ``callback_id``) makes it idempotent, a replay gets the first
outcome, a reused id with other content 422. A service answers only its own requests: another
client (or a request of another channel) gets 404, as if the request did not exist.
"""

from datetime import date

from pyramid.view import view_config
from sqlalchemy import select

from loket.advice import services
from loket.advice.external import external_services
from loket.advice.models import EXTERNAL_API, AdviceRequest
from loket.advice.resources import DossierAdvice
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
from loket.i18n import _
from loket.identity.models import Team
from loket.security import Permission
from loket.web.openapi import API_ROUTE, bad_request_response, iso, link

KIND = "advies"
TITLES = {413: _("Request too large"), 415: _("Unsupported media type")}


def advice_json(request, advice: AdviceRequest) -> dict:
    reference = advice.dossier.reference
    return {
        "number": advice.number,
        "channel": advice.channel,
        "team": advice.team.as_json() if advice.team else None,
        "service": advice.service,
        "question": advice.question,
        "due": advice.due.isoformat(),
        "overdue": advice.overdue(utcnow().date()),
        "status": advice.status,
        "opinion": advice.opinion,
        "answer": advice.answer,
        "waive_reason": advice.waive_reason,
        "shared": {"fields": list((advice.shared or {}).get("fields") or []),
                   "documents": list((advice.shared or {}).get("documents") or [])},
        "requested": iso(advice.requested),
        "answered": iso(advice.answered) if advice.answered else None,
        "reminded": iso(advice.last_reminder) if advice.last_reminder else None,
        "links": {"self": link(request, "dossiers", reference, "adviezen", advice.number),
                  "dossier": link(request, "dossiers", reference)},
    }


def malformed(request, problems, status):
    """The answer to a body that does not match its schema (400, 413 or 415)."""
    if status != 400:
        return error(request, status, TITLES[status], "; ".join(
            f"{p.get('name', p['location'])}: {p['message']}" for p in problems))
    response = bad_request_response(request, problems)
    response.cache_control = "no-store"
    return response


def refused(request, refusal: services.AdviceRefused):
    title = _("Conflict") if refusal.status == 409 else _("Bad request")
    return error(request, refusal.status, title, refusal.message)


@view_config(route_name=API_ROUTE, context=DossierAdvice, permission=Permission.VIEW,
             request_method="GET", renderer="json")
def list_advice(context, request):
    reference = context.dossier.reference
    return {"dossier": reference,
            "items": [advice_json(request, a) for a in context.all()],
            "links": {"self": link(request, "dossiers", reference, "adviezen"),
                      "dossier": link(request, "dossiers", reference)}}


@view_config(route_name=API_ROUTE, context=DossierAdvice, permission=Permission.EDIT,
             request_method="POST", renderer="json")
def create_advice(context, request):
    body, problems, status = json_body(request, "AdviceRequestCreate")
    if problems:
        return malformed(request, problems, status)
    team = None
    if body.get("team"):
        team = request.dbsession.scalar(select(Team).where(Team.code == body["team"]))
    target = services.Target(body["channel"], team=team, service=body.get("service"),
                             email=body.get("email"))
    shared = body.get("shared") or {}
    due = body.get("due")
    try:
        advice, _token = services.request_advice(
            request, context.dossier, target, body["question"],
            date.fromisoformat(due) if due else None,
            services.Shared(fields=shared.get("fields", []),
                            documents=shared.get("documents", [])))
    except services.AdviceRefused as refusal:
        return refused(request, refusal)
    request.response.status = 201
    request.response.location = link(request, "dossiers", context.dossier.reference,
                                     "adviezen", advice.number)
    return advice_json(request, advice)


@view_config(route_name=API_ROUTE, context=AdviceRequest, permission=Permission.VIEW,
             request_method="GET", renderer="json")
def get_advice(context, request):
    return advice_json(request, context)


@view_config(route_name=API_ROUTE, context=AdviceRequest, name="afzien",
             permission=Permission.EDIT, request_method="POST", renderer="json")
def waive_advice(context, request):
    body, problems, status = json_body(request, "AdviceWaive")
    if problems:
        return malformed(request, problems, status)
    try:
        services.waive(request.dbsession, context, body["reason"], request.user.id)
    except services.AdviceRefused as refusal:
        return refused(request, refusal)
    return advice_json(request, context)


@view_config(route_name=API_ROUTE, context=AdviceRequest, name="antwoord",
             permission=Permission.CALLBACK_ADVIES, request_method="POST", renderer="json")
def answer_callback(context, request):
    advice, reference = context, context.dossier.reference
    body, problems, status = json_body(request, "AdviceAnswerCallback")
    if problems:
        audit_callback(request, "callback.rejected", reference, KIND, reason="malformed",
                       status=status, fields=sorted({p.get("name", "") for p in problems}))
        return malformed(request, problems, status)
    client = request.bearer.client
    service = external_services(request.registry).get(advice.service)
    if advice.channel != EXTERNAL_API or service is None or service.client_id != \
            client.client_id:
        audit_callback(request, "callback.refused", reference, KIND, advice=advice.number,
                       reason="not_this_clients_request")
        return error(request, 404, _("Advice request not found"),
                     _("You have no advice request with this number. Nothing was changed."))

    key = body["callback_id"]
    claim_id, seen = claim_or_replay(request, KIND, key,
                                     fingerprint(f"{reference}/{advice.number}", body),
                                     advice.dossier_id, reference)
    if seen is not None:
        return seen
    dbsession = request.dbsession
    try:
        services.answer(dbsession, advice, body["opinion"], body.get("text", ""),
                        actor_id=None, external_id=body.get("external_id"), via="callback")
    except services.AdviceRefused as refusal:
        release_claim(dbsession, claim_id)
        audit_callback(request, "callback.refused", reference, KIND, callback_id=key,
                       advice=advice.number, reason=advice.status)
        return refused(request, refusal)
    audit_callback(request, "callback.accepted", reference, KIND, callback_id=key,
                   advice=advice.number, opinion=advice.opinion)
    return record_outcome(request, claim_id, {
        "callback_id": key, "dossier": reference, "advice": advice.number,
        "result": "accepted", "status": advice.status, "received": iso(utcnow())})
