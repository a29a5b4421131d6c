"""Claims, incoming payments and a dossier's fee as JSON (see openapi.yaml beside this module).

Finance (permission ``pay``) reads the lists, a claim and a payment; whoever may read a dossier
reads its fee (the citizen their own). The payer's account number stays out of the JSON.
"""

from pyramid.view import view_config

from loket.claims import services
from loket.claims.models import Claim, IncomingPayment
from loket.claims.reference import display
from loket.claims.resources import ClaimsContainer, DossierClaim, PaymentsContainer
from loket.i18n import local_now
from loket.municipality.models import Municipality
from loket.security import Permission
from loket.web.openapi import API_ROUTE, iso, link


def _money(value) -> str:
    return f"{value:.2f}"


def claim_json(request, claim: Claim) -> dict:
    return {"id": claim.id, "dossier": claim.dossier.reference, "amount": _money(claim.amount),
            "received": _money(claim.received), "due": claim.due.isoformat(),
            "reference": display(claim.reference), "status": claim.status,
            "paid_on": claim.paid_on.isoformat() if claim.paid_on else None,
            "reminded_on": claim.reminded_on.isoformat() if claim.reminded_on else None,
            "created": iso(claim.created),
            "links": {"self": link(request, "vorderingen", claim.id),
                      "dossier": link(request, "dossiers", claim.dossier.reference)}}


def payment_json(request, payment: IncomingPayment) -> dict:
    return {"id": payment.id, "booked": payment.booked.isoformat(),
            "amount": _money(payment.amount),
            "reference": display(payment.reference) if payment.reference else None,
            "communication": payment.communication, "payer_name": payment.payer_name,
            "match": payment.match, "claim": payment.claim_id, "resolved": payment.resolved,
            "note": payment.note,
            "statement": {"id": payment.statement.id, "format": payment.statement.format,
                          "identification": payment.statement.identification},
            "links": {"self": link(request, "vorderingen", "betalingen", payment.id)}}


@view_config(route_name=API_ROUTE, context=ClaimsContainer, permission=Permission.PAY,
             request_method="GET", renderer="json")
def list_claims(context, request):
    today = local_now().date()
    overdue = request.GET.get("lijst") == "te-laat"
    claims = services.open_claims(request.dbsession, today if overdue else None)
    return {"list": "te-laat" if overdue else "open",
            "counts": services.counts(request.dbsession, today),
            "items": [claim_json(request, c) for c in claims],
            "links": {"self": link(request, "vorderingen"),
                      "payments": link(request, "vorderingen", "betalingen")}}


@view_config(route_name=API_ROUTE, context=Claim, permission=Permission.PAY,
             request_method="GET", renderer="json")
def show_claim(context, request):
    from sqlalchemy import select

    payments = request.dbsession.scalars(select(IncomingPayment).where(
        IncomingPayment.claim_id == context.id).order_by(IncomingPayment.id))
    return {**claim_json(request, context),
            "payments": [payment_json(request, p) for p in payments]}


@view_config(route_name=API_ROUTE, context=PaymentsContainer, permission=Permission.PAY,
             request_method="GET", renderer="json")
def list_payments(context, request):
    return {"items": [payment_json(request, p)
                      for p in services.payments_to_resolve(request.dbsession)],
            "links": {"self": link(request, "vorderingen", "betalingen")}}


@view_config(route_name=API_ROUTE, context=IncomingPayment, permission=Permission.PAY,
             request_method="GET", renderer="json")
def show_payment(context, request):
    return payment_json(request, context)


@view_config(route_name=API_ROUTE, context=DossierClaim, permission=Permission.VIEW,
             request_method="GET", renderer="json")
def dossier_fee(context, request):
    dossier = context.dossier
    municipality = request.dbsession.get(Municipality, 1)
    claims = services.claims_of(request.dbsession, dossier)
    return {"dossier": dossier.reference,
            "beneficiary": {"name": municipality.name if municipality else "",
                            "iban": municipality.iban if municipality else "",
                            "bic": municipality.bic if municipality else ""},
            "claims": [{"amount": _money(c.amount), "received": _money(c.received),
                        "due": c.due.isoformat(), "reference": display(c.reference),
                        "status": c.status,
                        "paid_on": c.paid_on.isoformat() if c.paid_on else None}
                       for c in claims],
            "links": {"self": link(request, "dossiers", dossier.reference, "retributie"),
                      "dossier": link(request, "dossiers", dossier.reference)}}
