"""Pages: the dossier's payment panel (staging), and finance's lists at ``/betalingen``."""

from datetime import date

from pyramid.httpexceptions import HTTPFound
from pyramid.renderers import render_to_response
from pyramid.view import view_config
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, lazyload, load_only, selectinload

from loket.dossiers.models import Dossier
from loket.dossiers.panels import has_rows
from loket.i18n import _
from loket.identity import iban as ibans
from loket.payments import services
from loket.payments.models import PAID, REJECTED, SENT, STAGED, PaymentOrder
from loket.payments.resources import DossierPayments, PaymentsContainer
from loket.plugins.registry import Kind, implementations
from loket.security import Permission
from loket.web.inputs import parse_id
from loket.web.views import error_response
from loket.workflow.engine import TransitionRefused, holds_role, workflow_of
from loket.workflow.features import applies
from loket.workflow.presentation import actor_for, ever_in, page_history

PANEL_TEMPLATE = "loket:payments/templates/panel.jinja2"
LIST_TEMPLATE = "loket:payments/templates/list.jinja2"
CITIZEN_TEMPLATE = "loket:payments/templates/citizen.jinja2"
# Finance's lists: code in the URL → (title, status).
LISTS = {"te-keuren": (_("To approve"), STAGED), "verzonden": (_("Sent"), SENT),
         "betaald": (_("Paid"), PAID), "geweigerd": (_("Rejected"), REJECTED)}
PAGE_SIZE = 50  # keyset pages: the next starts after the last order's id (``na``)


def step_through_the_payment_panel(request, dossier, comment, version):
    raise TransitionRefused(_("Stage the payment in the dossier's payment panel."))


# -- the dossier's panel ------------------------------------------------------------------


def may_stage(request, dossier) -> bool:
    step = workflow_of(dossier).transition_for(services.PREPARE)
    if step is None or dossier.state not in (*step.sources, step.target):
        return False
    if services.live_order(request.dbsession, dossier) is not None:
        return False
    return holds_role(actor_for(request), dossier, step.roles, request.registry)


def panel(request, dossier, values=None, error=None) -> dict | None:
    if dossier.outcome != "approved" or not applies(request.registry, "payments",
                                                    workflow_of(dossier)):
        return None  # only a granted premium is paid out: no query
    orders = services.orders_of(request.dbsession, dossier) \
        if has_rows(request, dossier, "payment_orders") else []
    staging = may_stage(request, dossier)
    if not orders and not staging:
        return None
    if staging and values is None:
        found = services.proposal(request.dbsession, dossier)
        values = {"amount": "" if found.amount is None else f"{found.amount:.2f}",
                  "creditor_name": found.creditor_name, "iban": ibans.formatted(found.iban)
                  if found.iban else "", "bic": ""}
    step = workflow_of(dossier).transition_for(services.PREPARE)
    return {"orders": orders, "staging": staging, "values": values or {}, "error": error,
            "action": request.resource_path(dossier["betalingen"]),
            "replaces_steps": [step.name] if step is not None else [],
            "masked": ibans.masked}


def citizen_panel(request, dossier) -> dict | None:
    """What the applicant sees: the order that pays (or paid) their premium, once approved.
    Orders are staged in the state the step payment.prepare leads to: nothing to ask before
    the dossier reached it (the history the page read tells), then whether there are any."""
    step = workflow_of(dossier).transition_for(services.PREPARE)
    if dossier.outcome != "approved" or step is None \
            or not applies(request.registry, "payments", workflow_of(dossier)) \
            or not ever_in(page_history(request, dossier), {step.target}) \
            or not has_rows(request, dossier, "payment_orders"):
        return None
    order = next((o for o in reversed(services.orders_of(request.dbsession, dossier))
                  if o.status in (SENT, PAID)), None)
    return {"order": order, "masked": ibans.masked} if order is not None else None


@view_config(context=DossierPayments, permission=Permission.VIEW, request_method="POST")
def stage(context, request):
    """The handler stages the payment (the service checks who may)."""
    dossier, post = context.dossier, request.POST
    values = {key: post.get(key, "") for key in ("amount", "creditor_name", "iban", "bic")}
    try:
        services.stage(request.registry, request.dbsession, dossier, actor_for(request),
                       version=parse_id(post.get("version", "")), **values)
    except services.PaymentRefused as refused:
        from loket.dossiers import staff

        request.tm.doom()  # nothing of a half-taken step is kept
        if not request.user.is_staff:  # the applicant never sees the staff's page
            return error_response(request, refused.status, _("This step is not possible"),
                                  refused.message)
        page = staff.staff_page(request, dossier)
        for item in page["panels"]:
            if item["name"] == "payments":
                item["panel"].update(panel(request, dossier, values, refused.message) or {})
        response = render_to_response(staff.TEMPLATE, page, request=request)
        response.status = refused.status
        return response
    request.session.flash(request.localizer.translate(_(
        "The payment was staged. Finance approves it.")))
    return HTTPFound(location=request.resource_path(dossier, anchor="betaling"))


# -- finance's lists ----------------------------------------------------------------------


def _list_code(request) -> str:
    code = request.GET.get("lijst", "te-keuren")
    return code if code in LISTS else "te-keuren"


def after_of(request) -> int:
    """Where the page starts: after this order id (0: the first page)."""
    return parse_id(request.GET.get("na", "")) or 0


def orders_in(dbsession, status: str, after: int = 0) -> list[PaymentOrder]:
    """One page of a list, oldest first (the ``status, id`` index)."""
    return list(dbsession.scalars(
        select(PaymentOrder).where(PaymentOrder.status == status, PaymentOrder.id > after)
        # The dossier's reference only (not its applicant, team and type), and all stagers
        # at once: a fixed number of statements, little to load per row.
        .options(joinedload(PaymentOrder.dossier).options(load_only(Dossier.reference),
                                                          lazyload("*")),
                 selectinload(PaymentOrder.staged_by))
        .order_by(PaymentOrder.id).limit(PAGE_SIZE)))


def counts(dbsession) -> dict[str, int]:
    found = dict(dbsession.execute(select(PaymentOrder.status, func.count())
                                   .group_by(PaymentOrder.status)).all())
    return {code: found.get(status, 0) for code, (_title, status) in LISTS.items()}


def _list_page(request, code, error=None, status=200):
    title, state = LISTS[code]
    packages = implementations(request.registry, Kind.ACCOUNTING)
    orders = orders_in(request.dbsession, state, after_of(request) if status == 200 else 0)
    response = render_to_response(LIST_TEMPLATE, {
        "lists": LISTS, "code": code, "title": title, "orders": orders,
        "next": orders[-1].id if len(orders) == PAGE_SIZE else None,
        "counts": counts(request.dbsession),
        "error": error, "masked": ibans.masked, "reasons": services.REASON_CODES,
        # A package that imports files does not report back: finance records the outcome.
        "record_outcome": bool(packages) and not all(p.reports_back for p in packages),
    }, request=request)
    response.status = status
    return response


@view_config(context=PaymentsContainer, permission=Permission.PAY, request_method="GET")
def payment_lists(context, request):
    return _list_page(request, _list_code(request))


def _chosen(request) -> list[PaymentOrder]:
    ids = [n for n in (parse_id(v) for v in request.POST.getall("order")) if n is not None]
    if not ids:
        return []
    found = request.dbsession.scalars(select(PaymentOrder).where(PaymentOrder.id.in_(ids[
        :services.MAX_BATCH + 1])).order_by(PaymentOrder.id))
    return list(found)


@view_config(context=PaymentsContainer, permission=Permission.PAY, request_method="POST",
             name="goedkeuren")
def approve(context, request):
    orders = _chosen(request)
    try:
        services.approve(request.registry, request.dbsession, orders, request.user)
    except services.PaymentRefused as refused:
        request.tm.doom()
        return _list_page(request, "te-keuren", refused.message, refused.status)
    request.session.flash(request.localizer.translate(_(
        "${count} payment orders were approved and handed to the accounting package.",
        mapping={"count": len(orders)})))
    return HTTPFound(location=request.resource_path(context, query={"lijst": "verzonden"}))


@view_config(context=PaymentsContainer, permission=Permission.PAY, request_method="POST",
             name="terugsturen")
def send_back(context, request):
    """Finance sends staged orders back (a wrong account, amount or name): the dossier waits
    for the handler to stage a new one."""
    orders = _chosen(request)
    try:
        if not orders:
            raise services.PaymentRefused(_("Choose at least one payment order."))
        for order in orders:
            services.cancel(request.dbsession, order, request.user.id,
                            request.POST.get("reason", ""))
    except services.PaymentRefused as refused:
        request.tm.doom()
        return _list_page(request, "te-keuren", refused.message, refused.status)
    request.session.flash(request.localizer.translate(_(
        "The payment orders were sent back to the handler.")))
    return HTTPFound(location=request.resource_path(context))


@view_config(context=PaymentsContainer, permission=Permission.PAY, request_method="POST",
             name="afhandelen")
def record_outcome(context, request):
    """Finance records what the bank did with an order (a package that imports files)."""
    post = request.POST
    outcome = post.get("outcome", "")
    orders = _chosen(request)
    try:
        if len(orders) != 1:
            raise services.PaymentRefused(_("Choose one payment order."))
        paid_on = None
        if post.get("paid_on"):
            try:
                paid_on = date.fromisoformat(post["paid_on"])
            except ValueError:
                raise services.PaymentRefused(_("Not a valid date.")) from None
        code = post.get("reason_code") or None
        if code is not None and code not in services.REASON_CODES:
            raise services.PaymentRefused(_("Choose a reason from the list."))
        services.settle(request.registry, request.dbsession, orders[0],
                        {"betaald": PAID, "geweigerd": REJECTED}.get(outcome, ""),
                        actor=actor_for(request), paid_on=paid_on, reason_code=code,
                        reason=post.get("reason", ""))
    except services.PaymentRefused as refused:
        request.tm.doom()  # a refused step after the order changed: keep neither
        return _list_page(request, "verzonden", refused.message, refused.status)
    request.session.flash(request.localizer.translate(_("The payment order was recorded.")))
    return HTTPFound(location=request.resource_path(context, query={"lijst": "verzonden"}))
