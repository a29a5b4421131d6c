"""Pages: the objection form (``/dossiers/<ref>/bezwaar``), the link panels on both dossiers
and the team's worklist of objections."""

from datetime import date

from pyramid.httpexceptions import HTTPFound
from pyramid.renderers import render_to_response
from pyramid.view import view_config
from sqlalchemy import and_, false, select

from loket.dossiers.models import Dossier
from loket.dossiers.panels import has_rows
from loket.i18n import _
from loket.objections import services
from loket.objections.models import Objection
from loket.objections.resources import DossierObjection
from loket.security import Permission
from loket.web import flash
from loket.workflow.engine import TransitionRefused, holds_role
from loket.workflow.presentation import actor_for, page_history

TEMPLATES = "loket:objections/templates/"
WORKLIST_TITLE = _("Objections")
MAX_UPLOAD = 12 * 1024 * 1024


# -- panels ---------------------------------------------------------------------------------


def _links(request, dossier, sent) -> list[dict]:
    """Links are made when an objection is lodged, which needs the contested decision sent:
    no query for a dossier whose decision was not."""
    if (sent is None and not _is_objection(dossier)) or \
            not has_rows(request, dossier, "objections"):
        return []
    return [{"objection": o, "contested": o.contested_id == dossier.id,
             "other": o.dossier if o.contested_id == dossier.id else o.contested}
            for o in services.objections_of(request.dbsession, dossier)]


def _may_object(request, dossier, sent) -> bool:
    return dossier.outcome is not None and sent is not None and \
        not _is_objection(dossier) and \
        holds_role(actor_for(request), dossier, ["applicant", "handler"])


def _is_objection(dossier) -> bool:
    return dossier.type_version.workflow == services.TYPE_CODE


def panel(request, dossier) -> dict | None:
    sent = None
    if dossier.outcome is not None or _is_objection(dossier):
        # From the history the page read: no query of its own.
        sent = services.decision_sent_on(request.dbsession, dossier,
                                         page_history(request, dossier))
    links = _links(request, dossier, sent)
    may_object = _may_object(request, dossier, sent)
    if not links and not may_object:
        return None
    return {"links": links, "may_object": may_object,
            "term_ends": services.term_ends_after(sent, dossier),
            "action": request.resource_path(dossier["bezwaar"])}


# -- the team's worklist --------------------------------------------------------------------


def team_objections(viewer):
    if not viewer.team_ids:
        return false()
    return and_(Dossier.team_id.in_(viewer.team_ids),
                Dossier.id.in_(select(Objection.dossier_id)))


# -- the form -------------------------------------------------------------------------------


def _form_page(request, context, values=None, error=None, status=200):
    dossier = context.dossier
    problem = None
    try:
        ends = services.check_contestable(request.dbsession, dossier)
    except services.ObjectionRefused as refused:
        ends, problem = None, refused.message
    response = render_to_response(TEMPLATES + "form.jinja2", {
        "dossier": dossier, "values": values or {}, "error": error, "problem": problem,
        "term_ends": ends, "late": ends is not None and date.today() > ends,
        "counter": not holds_role(actor_for(request), dossier, ["applicant"]),
    }, request=request)
    response.status = status
    return response


@view_config(context=DossierObjection, permission=Permission.VIEW, request_method="GET")
def form(context, request):
    return _form_page(request, context)


def _uploads(request):
    found = []
    for field in request.POST.getall("documents"):
        if hasattr(field, "file"):
            data = field.file.read(MAX_UPLOAD + 1)
            if data:
                found.append((data, field.filename or "bijlage"))
    return found


@view_config(context=DossierObjection, permission=Permission.ACT, request_method="POST")
def lodge(context, request):
    values = {"reasons": request.POST.get("reasons", ""),
              "received_on": request.POST.get("received_on", "")}
    try:
        received_on = date.fromisoformat(values["received_on"]) if values["received_on"] \
            else None
    except ValueError:
        return _form_page(request, context, values, _("Give the day of receipt as a date."), 400)
    try:
        objection = services.lodge(request, context.dossier, actor_for(request),
                                   reasons=values["reasons"], files=_uploads(request),
                                   received_on=received_on)
    except (services.ObjectionRefused, TransitionRefused) as refused:
        return _form_page(request, context, values, refused.message, refused.status)
    if objection.late:
        flash(request, _("The objection was registered as ${reference}. It came in after the "
                         "term; whoever decides on it judges whether it is admissible.",
                         mapping={"reference": objection.dossier.reference}))
    else:
        flash(request, _("The objection was registered as ${reference}.",
                         mapping={"reference": objection.dossier.reference}))
    return HTTPFound(location=request.resource_path(objection.dossier))
