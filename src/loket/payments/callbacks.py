"""The accounting package reports a payment order paid or rejected (``POST …/callbacks/
betaling``, scope ``loket.callbacks.betaling``, the package's own ACM/IDM client).

Idempotency, authentication and the error answers are :mod:`loket.callbacks`'. A second
report of the same outcome (another ``callback_id``) changes nothing either.
"""

from datetime import date

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
from loket.dossiers.models import Dossier
from loket.i18n import _
from loket.payments import services
from loket.plugins.registry import Kind, implementations
from loket.security import Permission
from loket.web.openapi import API_ROUTE, bad_request_response, iso
from loket.workflow.engine import Actor

KIND = "betaling"


@view_config(route_name=API_ROUTE, context=Dossier, name="callbacks", callback=KIND,
             request_method="POST", permission=Permission.CALLBACK_BETALING, renderer="json")
def betaling(context, request):
    dossier, reference = context, context.reference
    body, problems, status = json_body(request, "PaymentSettlement")
    if problems:
        audit_callback(request, "callback.rejected", reference, KIND, reason="malformed",
                       status=status, fields=sorted({p.get("name", "") for p in problems}))
        if status != 400:
            title = {413: _("Request too large"), 415: _("Unsupported media type")}[status]
            return error(request, status, title, "; ".join(p["message"] for p in problems))
        response = bad_request_response(request, problems)
        response.cache_control = "no-store"
        return response
    client = request.bearer.client.client_id
    dbsession = request.dbsession
    order = services.order_by_end_to_end(dbsession, dossier, body["order_id"])
    reporters = {p.client_id for p in implementations(request.registry, Kind.ACCOUNTING)
                 if p.reports_back}
    if order is None or client not in reporters:
        audit_callback(request, "callback.refused", reference, KIND, reason="unknown_order")
        return error(request, 404, _("Payment order not found"),
                     _("This dossier has no such payment order. Nothing was changed."))

    key = body["callback_id"]
    claim_id, seen = claim_or_replay(request, KIND, key, fingerprint(reference, body),
                                     dossier.id, reference)
    if seen is not None:
        return seen
    paid_on = date.fromisoformat(body["paid_on"]) if body.get("paid_on") else None
    try:
        changed = services.settle(
            request.registry, dbsession, order, body["status"], actor=Actor.system(),
            paid_on=paid_on, reason_code=body.get("reason_code"),
            reason=body.get("reason", ""), external_id=body.get("external_id"))
    except services.PaymentRefused as refusal:
        release_claim(dbsession, claim_id)
        audit_callback(request, "callback.refused", reference, KIND, callback_id=key,
                       order=order.number, reason=order.status)
        return error(request, refusal.status, _("Callback refused"), refusal.message)
    audit_callback(request, "callback.accepted" if changed else "callback.repeated",
                   reference, KIND, callback_id=key, order=order.number, outcome=order.status)
    return record_outcome(request, claim_id, {
        "callback_id": key, "dossier": reference, "order_id": order.end_to_end_id,
        "result": "accepted", "status": order.status, "state": dossier.state,
        "received": iso(utcnow())})
