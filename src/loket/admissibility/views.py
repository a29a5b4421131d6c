"""The admissibility form on the handler's dossier page, and its POST."""

from datetime import date

from pyramid.httpexceptions import HTTPFound
from pyramid.renderers import render_to_response
from pyramid.view import view_config

from loket.admissibility import services
from loket.catalogue.definition import text
from loket.dossiers import staff
from loket.dossiers.models import Dossier
from loket.i18n import _
from loket.security import Permission
from loket.web.forms import posted_version
from loket.web.views import error_response, not_found

FORM_KEY = "loket.admissibility.form"  # a refused POST's values and error, for the panel
SCREENING_LABELS = {
    "pass": _("The automatic screening found the dossier admissible."),
    "fail": _("The automatic screening found the dossier not admissible."),
    "unknown": _("The automatic screening could not check everything: check it yourself."),
}
RESULT_LABELS = {"pass": _("met"), "fail": _("not met"), "unknown": _("not checked")}


def panel(request, dossier) -> dict | None:
    """The form's variables, on a submitted dossier for its team's handlers only."""
    if not services.may_decide(request, dossier):
        return None
    from loket.completion.services import document_types

    locale = request.locale_name
    screening = dossier.screening or {}
    posted = request.environ.get(FORM_KEY) or {}
    return {
        "replaces_steps": services.steps(dossier),
        "screening": screening,
        "screening_label": SCREENING_LABELS.get(screening.get("outcome")),
        "results": [{"outcome": r.get("outcome"), "label": RESULT_LABELS.get(r.get("outcome")),
                     "text": text(r.get("text"), locale)}
                    for r in screening.get("results") or []],
        "suggested": services.SCREENING_SUGGESTS.get(screening.get("outcome")),
        "reasons": [(r.code, text(r.text, locale)) for r in services.reasons(dossier)],
        "documents": [(code, text(spec.title, locale))
                      for code, spec in document_types(dossier).items()],
        "values": posted.get("values") or {},
        "error": posted.get("error"),
    }


def _due(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise services.AdmissibilityRefused(
            _("The date to answer by is not a valid date.")) from None



@view_config(context=Dossier, name="ontvankelijkheid", permission=Permission.ACT,
             request_method="POST")
def decide(context, request):
    if not request.user.is_staff:  # the applicant may act on the dossier, but not here
        return not_found(request)
    post = request.POST
    values = {"decision": post.get("decision", ""), "reason_code": post.get("reason_code", ""),
              "text": post.get("text", ""), "document_codes": post.getall("document_codes"),
              "due": post.get("due", "")}
    try:
        services.decide(request, context, values["decision"],
                        reason_code=values["reason_code"], text_=values["text"],
                        document_codes=values["document_codes"], due=_due(values["due"]),
                        expected_version=posted_version(post.get("version")))
    except services.AdmissibilityRefused as refused:
        return _redisplay(request, context, values, refused.message)
    except services.TransitionRefused as refused:  # the engine's or the completion's refusal
        request.tm.doom()  # nothing of a half-taken decision is kept
        return _redisplay(request, context, values, refused.message, refused.status)
    request.session.flash(request.localizer.translate(_("The admissibility decision was "
                                                        "recorded.")))
    return HTTPFound(location=request.resource_path(context))


def _redisplay(request, dossier, values, message, status=400):
    """The dossier page again, with the form as sent and what is wrong with it (or, where the
    dossier has no admissibility form, an error page that says why)."""
    if not services.awaits_decision(request.registry, dossier):
        return error_response(request, status, _("Admissibility"), message)
    request.environ[FORM_KEY] = {"values": values, "error": message}
    response = render_to_response(staff.TEMPLATE, staff.staff_page(request, dossier), request)
    response.status = status
    return response
