"""Payment orders as JSON (see openapi.yaml beside this module): finance's lists
(permission ``pay``) and a dossier's orders for staff who may read the dossier. The account
number shows masked: the full IBAN goes to the accounting package only."""

from pyramid.view import view_config

from loket.identity import iban as ibans
from loket.payments import services
from loket.payments.models import PaymentOrder
from loket.payments.resources import DossierPayments, PaymentsContainer
from loket.payments.views import LISTS, PAGE_SIZE, after_of, counts, orders_in
from loket.security import Permission
from loket.web.openapi import API_ROUTE, iso, link


def _when(moment):
    return iso(moment) if moment is not None else None


def order_json(request, order: PaymentOrder) -> dict:
    return {"id": order.end_to_end_id, "number": order.number,
            "dossier": order.dossier.reference, "status": order.status,
            "amount": f"{order.amount:.2f}", "creditor": {
                "name": order.creditor_name, "iban": ibans.masked(order.iban),
                "bic": order.bic},
            "remittance": order.remittance, "due_date": order.due_date.isoformat(),
            "budget_code": order.budget_code, "batch": order.batch,
            "staged": iso(order.staged), "approved": _when(order.approved),
            "settled": _when(order.settled),
            "paid_on": order.paid_on.isoformat() if order.paid_on else None,
            "reason_code": order.reason_code, "reason": order.reason or None,
            "links": {"dossier": link(request, "dossiers", order.dossier.reference)}}


@view_config(route_name=API_ROUTE, context=PaymentsContainer, permission=Permission.PAY,
             request_method="GET", renderer="json")
def list_orders(context, request):
    code = request.GET.get("lijst", "te-keuren")
    if code not in LISTS:
        code = "te-keuren"
    orders = orders_in(request.dbsession, LISTS[code][1], after_of(request))
    links = {"self": link(request, "betalingen", query={"lijst": code})}
    if len(orders) == PAGE_SIZE:
        links["next"] = link(request, "betalingen", query={"lijst": code, "na": orders[-1].id})
    return {"list": code, "counts": counts(request.dbsession),
            "orders": [order_json(request, o) for o in orders], "links": links}


@view_config(route_name=API_ROUTE, context=DossierPayments, permission=Permission.VIEW,
             caller_is_staff=True, request_method="GET", renderer="json")
def dossier_orders(context, request):
    dossier = context.dossier
    return {"dossier": dossier.reference,
            "orders": [order_json(request, o)
                       for o in services.orders_of(request.dbsession, dossier)],
            "links": {"self": link(request, "dossiers", dossier.reference, "betalingen"),
                      "dossier": link(request, "dossiers", dossier.reference)}}
