"""Pages: the dossier's fee (panel for staff and citizen, the handler's form to charge it) and
finance's lists at ``/vorderingen`` (open, overdue, payments to resolve; statement import)."""

from datetime import timedelta

from pyramid.httpexceptions import HTTPFound
from pyramid.renderers import render_to_response
from pyramid.view import view_config

from loket.claims import letters, services
from loket.claims.models import IncomingPayment
from loket.claims.resources import ClaimsContainer, DossierClaim
from loket.dossiers.panels import has_rows
from loket.i18n import _, local_now
from loket.security import Permission
from loket.web import flash
from loket.workflow.engine import TransitionRefused, holds_role, workflow_of
from loket.workflow.presentation import actor_for, ever_in, page_history

TEMPLATES = "loket:claims/templates/"
MAX_UPLOAD = 5 * 1024 * 1024


def _version(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# -- the dossier's fee ----------------------------------------------------------------------


def _issue_step(dossier):
    transition = workflow_of(dossier).transition_for(services.ISSUE)
    return transition if transition is not None and dossier.state in transition.sources \
        else None


def may_issue(request, dossier) -> bool:
    transition = _issue_step(dossier)
    return transition is not None and holds_role(actor_for(request), dossier, transition.roles)


def _details(request, dossier) -> list[dict]:
    if workflow_of(dossier).transition_for(services.ISSUE) is None:
        return []  # no fee in this workflow: not even a query
    claims = services.claims_of(request.dbsession, dossier)
    return [{"claim": c, **letters.payment_details(request.dbsession, c, request.locale_name)}
            for c in claims]


def staff_panel(request, dossier) -> dict | None:
    transition = _issue_step(dossier)
    claims = _details(request, dossier) if has_rows(request, dossier, "claims") else []
    if not claims and transition is None:
        return None
    return {"claims": claims, "may_issue": may_issue(request, dossier),
            "action": request.resource_path(dossier["retributie"]),
            # Charging goes through this panel's page: it asks for the amount and the date.
            "replaces_steps": [transition.name] if transition is not None else []}


def citizen_panel(request, dossier) -> dict | None:
    """A fee is charged with its step: nothing to ask before the dossier took it (the history
    the page read tells), then whether there are any."""
    transition = workflow_of(dossier).transition_for(services.ISSUE)
    if transition is None or not ever_in(page_history(request, dossier), {transition.target}) \
            or not has_rows(request, dossier, "claims"):
        return None
    claims = _details(request, dossier)
    return {"claims": claims} if claims else None


def _issue_page(request, context, values=None, error=None, status=200):
    dossier = context.dossier
    if values is None:
        proposed = services.proposed_amount(request.dbsession, dossier)
        due = local_now().date() + timedelta(days=services.term_days(dossier))
        values = {"amount": "" if proposed is None else f"{proposed:.2f}".replace(".", ","),
                  "due": due.isoformat()}
    response = render_to_response(TEMPLATES + "issue.jinja2", {
        "dossier": dossier, "values": values, "error": error,
        "may_issue": may_issue(request, dossier), "claims": _details(request, dossier),
    }, request=request)
    response.status = status
    return response


@view_config(context=DossierClaim, permission=Permission.VIEW, request_method="GET")
def claim_page(context, request):
    return _issue_page(request, context)


@view_config(context=DossierClaim, permission=Permission.ACT, request_method="POST")
def issue(context, request):
    values = {"amount": request.POST.get("amount", ""), "due": request.POST.get("due", "")}
    try:
        services.issue(request, context.dossier, actor_for(request), amount=values["amount"],
                       due=values["due"], version=_version(request.POST.get("version")))
    except (services.ClaimRefused, TransitionRefused) as refused:
        return _issue_page(request, context, values, refused.message, refused.status)
    flash(request, _("The fee was charged; the payment request goes to the applicant."))
    return HTTPFound(location=request.resource_path(context.dossier, anchor="retributie"))


# -- finance's lists ------------------------------------------------------------------------


def _lists_page(request, context, error=None, status=200, chosen=None):
    chosen = chosen or request.GET.get("lijst", "open")
    chosen = chosen if chosen in services.LISTS else "open"
    dbsession, today = request.dbsession, local_now().date()
    if chosen == "betalingen":
        rows = services.payments_to_resolve(dbsession)
    else:
        rows = services.open_claims(dbsession, today if chosen == "te-laat" else None)
    response = render_to_response(TEMPLATES + "lists.jinja2", {
        "chosen": chosen, "rows": rows, "counts": services.counts(dbsession, today),
        "today": today, "error": error, "container": context,
        # The dossiers' path once, a reference a row (a traversal path a row was a tenth).
        "dossiers": request.resource_path(request.root, "dossiers"),
    }, request=request)
    response.status = status
    response.cache_control = "no-store"
    return response


@view_config(context=ClaimsContainer, permission=Permission.PAY, request_method="GET")
def lists(context, request):
    return _lists_page(request, context)


@view_config(context=ClaimsContainer, name="importeren", permission=Permission.PAY,
             request_method="POST")
def import_statement(context, request):
    upload = request.POST.get("statement")
    data = b""
    if hasattr(upload, "file"):
        data = upload.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        return _lists_page(request, context, _("The file is too large for a statement."), 413)
    if not data:
        return _lists_page(request, context, _("Choose a statement file to import."), 400)
    try:
        statement = services.import_statement(request, data, getattr(upload, "filename", ""))
    except services.ClaimRefused as refused:
        return _lists_page(request, context, refused.message, refused.status)
    flash(request, _("Statement imported: ${lines} payments booked, ${skipped} booked before.",
                     mapping={"lines": statement.lines, "skipped": statement.skipped}))
    return HTTPFound(location=request.resource_path(context, query={"lijst": "betalingen"}))


@view_config(context=IncomingPayment, permission=Permission.PAY, request_method="POST")
def settle(context, request):
    try:
        if request.POST.get("action") == "assign":
            services.assign(request, context, request.POST.get("reference", ""))
            message = _("The payment was booked on the claim.")
        else:
            services.resolve(request, context, request.POST.get("note", ""))
            message = _("The payment was marked as settled.")
    except services.ClaimRefused as refused:
        return _lists_page(request, context.__parent__.__parent__, refused.message,
                           refused.status, chosen="betalingen")
    flash(request, message)
    return HTTPFound(location=request.resource_path(context.__parent__.__parent__,
                                                    query={"lijst": "betalingen"}))
