"""``/beheer/magda-log``: staff search in the legal MAGDA log (Permission.VIEW_AUDIT).

Search by dossier reference, service, date range and national register number. The form is
POSTed, so the number never appears in a URL (nor in access logs or browser history). The
results show who asked what, when and why — never the answer's content — and the subject's
number masked.
"""


import colander
import deform
from pyramid.view import view_config
from sqlalchemy import select

from loket import audit
from loket.i18n import LOCAL_TIME, _, end_of_local_day, start_of_local_day
from loket.identity import insz as insz_check
from loket.identity.models import User
from loket.integrations.magda.models import MagdaConsultation
from loket.integrations.magda.soap import SERVICES
from loket.resources import Administration
from loket.security import Permission
from loket.web.forms import CSRFSchema, render_failure, render_form

LIMIT = 200
DATE = deform.widget.TextInputWidget(attributes={"type": "date"})  # the browser's date picker
OUTCOME_TITLES = {"ok": _("answered"), "no_data": _("no data"), "error": _("error")}


def _insz(node, value):
    if not insz_check.is_valid(value):
        raise colander.Invalid(node, _("This is not a valid national register number."))


class SearchSchema(CSRFSchema):
    insz = colander.SchemaNode(
        colander.String(), title=_("National register number"), missing=None,
        preparer=lambda v: insz_check.normalise(v) if isinstance(v, str) else v,
        validator=_insz, widget=deform.widget.TextInputWidget(
            attributes={"autocomplete": "off", "inputmode": "numeric"}))
    dossier_reference = colander.SchemaNode(
        colander.String(), title=_("Dossier reference"), missing=None,
        validator=colander.Length(max=32))
    service = colander.SchemaNode(
        colander.String(), title=_("Service"), missing=None,
        validator=colander.OneOf(list(SERVICES)),
        widget=deform.widget.SelectWidget(
            values=[("", _("All services"))] + [(n, n) for n in SERVICES]))
    date_from = colander.SchemaNode(colander.Date(), title=_("From"), missing=None,
                                    widget=DATE)
    date_to = colander.SchemaNode(colander.Date(), title=_("Until"), missing=None,
                                  widget=DATE)


def _form(request):
    return deform.Form(SearchSchema().bind(request=request), formid="magda-log",
                       action=request.resource_path(request.context, "magda-log"),
                       buttons=(deform.Button("search", _("Search")),))


def search(dbsession, *, insz=None, dossier_reference=None, service=None, date_from=None,
           date_to=None, limit=LIMIT) -> list[MagdaConsultation]:
    query = select(MagdaConsultation)
    if insz:
        query = query.where(MagdaConsultation.subject_insz == insz)
    if dossier_reference:
        query = query.where(MagdaConsultation.dossier_reference == dossier_reference.strip())
    if service:
        query = query.where(MagdaConsultation.service == service)
    if date_from:
        query = query.where(MagdaConsultation.occurred >= start_of_local_day(date_from))
    if date_to:
        query = query.where(MagdaConsultation.occurred < end_of_local_day(date_to))
    query = query.order_by(MagdaConsultation.occurred.desc(), MagdaConsultation.id.desc())
    return list(dbsession.scalars(query.limit(limit)))


def _rows(dbsession, consultations):
    ids = {int(c.actor.split(":", 1)[1]) for c in consultations if c.actor.startswith("user:")}
    names = {}
    if ids:
        names = {f"user:{u.id}": f"{u.given_name} {u.family_name}".strip()
                 for u in dbsession.scalars(select(User).where(User.id.in_(ids)))}
    return [{
        "occurred": c.occurred.astimezone(LOCAL_TIME),
        "actor": names.get(c.actor) or c.actor,
        "subject": insz_check.masked(c.subject_insz),
        "service": c.service, "version": c.version,
        "dossier_reference": c.dossier_reference, "purpose": c.purpose,
        "reference": c.reference, "outcome": OUTCOME_TITLES.get(c.outcome, c.outcome),
        "error_code": c.error_code,
    } for c in consultations]


@view_config(context=Administration, name="magda-log", permission=Permission.VIEW_AUDIT,
             renderer="loket:integrations/magda/templates/magda_log.jinja2",
             request_method="GET")
def magda_log(context, request):
    request.tm.doom()  # read-only
    form = _form(request)
    return {"form": render_form(request, form), "rows": _rows(
        request.dbsession, search(request.dbsession, limit=50)), "searched": False}


@view_config(context=Administration, name="magda-log", permission=Permission.VIEW_AUDIT,
             renderer="loket:integrations/magda/templates/magda_log.jinja2",
             request_method="POST")
def magda_log_search(context, request):
    form = _form(request)
    try:
        appstruct = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        request.response.status = 400
        return {"form": render_failure(request, failure), "rows": [], "searched": False}
    appstruct.pop("csrf_token", None)
    found = search(request.dbsession, **appstruct)
    # Searching the log is itself a view of personal data: leave a trace (never the number).
    audit.record(request, "magda_log.searched", "magda_log", "-",
                 by_insz=bool(appstruct["insz"]), service=appstruct["service"],
                 dossier_reference=appstruct["dossier_reference"], results=len(found))
    return {"form": render_form(request, form, appstruct={
                k: v for k, v in appstruct.items() if v is not None}),
            "rows": _rows(request.dbsession, found), "searched": True}
