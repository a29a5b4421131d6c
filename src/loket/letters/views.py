"""The letters panel on the staff dossier page, the override of the screening, and the
letters' timeline entries."""

from pyramid.httpexceptions import HTTPFound
from pyramid.renderers import render_to_response
from pyramid.view import view_config

from loket.dossiers import staff
from loket.dossiers.events import dossier_events
from loket.dossiers.panels import TimelineEntry
from loket.i18n import _
from loket.letters import services
from loket.letters.kinds import letter_kinds
from loket.letters.models import READY, SIGNED, TO_RENDER, TO_SIGN
from loket.letters.rendering import MAX_ATTEMPTS
from loket.letters.resources import DossierLetters, LetterResource, dossier_letters
from loket.security import Permission
from loket.web.views import error_response, not_found
from loket.workflow.engine import workflow_of

PANEL_TEMPLATE = "loket:letters/templates/panel.jinja2"
FORM_KEY = "loket.letters.form"

STATUS_LABELS = {
    "to_render": _("being prepared"), "to_sign": _("waiting for signatures"),
    "ready": _("ready to send"), "sending": _("being sent"), "delivered": _("delivered"),
    "returned": _("returned"), "declined": _("signature declined"),
    "cancelled": _("cancelled"),
}
SIGNATORY_LABELS = {"waiting": _("waiting"), "signed": _("signed"), "refused": _("refused")}
# What the timeline says of a letter's event (``letter.<status>`` and this package's own).
EVENT_TITLES = {
    "letter.created": _("Letter made: ${kind}"),
    "letter.to_sign": _("Letter rendered, waiting for signatures: ${kind}"),
    "letter.ready": _("Letter ready to send: ${kind}"),
    "letter.sending": _("Letter being sent: ${kind}"),
    "letter.delivered": _("Letter delivered: ${kind}"),
    "letter.returned": _("Letter returned: ${kind}"),
    "letter.declined": _("Signature of the letter declined: ${kind}"),
    "letter.cancelled": _("Letter cancelled: ${kind}"),
    "letter.to_render": _("Letter to be rendered again: ${kind}"),
    "letter.screening_overridden": _("Screening of the letter overridden: ${kind}"),
}


def may_override(request, dossier) -> bool:
    return request.user is not None and request.user.is_staff and bool(
        request.has_permission(Permission.ADD_DOCUMENT, dossier))


def _overridable(letter) -> bool:
    return letter.status in (TO_RENDER, TO_SIGN, READY) and not any(
        s.status == SIGNED for s in letter.signatories)


def panel(request, dossier) -> dict | None:
    letters = dossier_letters(request, dossier)
    kinds = letter_kinds(request.registry)
    translate = request.localizer.translate
    may = may_override(request, dossier)
    form = request.environ.get(FORM_KEY) or {}
    rows = []
    for letter in letters:
        kind = kinds.get(letter.kind)
        details = letter.details or {}
        rows.append({
            "letter": letter, "id": letter.id,
            "kind": translate(kind.title) if kind else letter.kind,
            "status": translate(STATUS_LABELS.get(letter.status, letter.status)),
            "problem": details.get("problem"),
            "stopped": int(details.get("attempts") or 0) >= MAX_ATTEMPTS,
            "document": dossier["documenten"].adopt(letter.document) if letter.document
            else None,
            "signatories": [(s, translate(SIGNATORY_LABELS.get(s.status, s.status)))
                            for s in letter.signatories],
            "may_override": may and _overridable(letter),
            "action": request.resource_path(dossier, "brieven", letter.id, "screening"),
            "error": form.get("error") if form.get("letter") == letter.id else None,
        })
    return {"letters": rows, "may_remind": may and awaits_completion(dossier),
            "remind": request.resource_path(dossier, "brieven", "herinnering")}


def timeline(request, dossier) -> list[TimelineEntry]:
    translate = request.localizer.translate
    kinds = letter_kinds(request.registry)
    entries = []
    for event in dossier_events(request, dossier):
        if not event.kind.startswith("letter."):
            continue
        details = event.details
        kind = kinds.get(details.get("letter_kind"))
        kind_title = translate(kind.title) if kind else details.get("letter_kind", "")
        title = EVENT_TITLES.get(event.kind)
        detail = details.get("reason", "") if event.kind == "letter.screening_overridden" \
            else ""
        entries.append(TimelineEntry(
            occurred=event.occurred, kind="letter",
            title=translate(title, mapping={"kind": kind_title}) if title
            else f"{event.kind}: {kind_title}",
            detail=detail,
            actor=event.actor or "Loket"))
    return entries


@view_config(context=LetterResource, name="screening", permission=Permission.ADD_DOCUMENT,
             request_method="POST")
def override(context, request):
    dossier = context.dossier
    if not request.user.is_staff:
        return not_found(request)
    choice = request.POST.get("needs_signature", "")
    try:
        if choice not in ("yes", "no"):
            raise services.OverrideRefused(_("Choose whether the letter needs a signature."))
        services.override(request, context.letter, choice == "yes",
                          request.POST.get("reason", ""))
    except services.OverrideRefused as refused:
        request.tm.doom()
        request.environ[FORM_KEY] = {"letter": context.letter.id, "error": refused.message}
        response = render_to_response(staff.TEMPLATE, staff.staff_page(request, dossier),
                                      request)
        response.status = 400
        return response
    request.session.flash(request.localizer.translate(_("The screening of the letter was "
                                                        "overridden.")))
    return HTTPFound(location=request.resource_path(dossier, anchor="brieven"))


@view_config(context=LetterResource, name="opnieuw", permission=Permission.ADD_DOCUMENT,
             request_method="POST")
def try_again(context, request):
    """A letter that could not be rendered, tried again (after the problem was fixed)."""
    if not request.user.is_staff:
        return not_found(request)
    letter = context.letter
    if letter.status != TO_RENDER:
        return error_response(request, 409, _("Letters"), _("This letter is already rendered."))
    letter.details = {k: v for k, v in (letter.details or {}).items()
                      if k not in ("problem", "attempts")}
    request.session.flash(request.localizer.translate(_("The letter will be rendered again.")))
    return HTTPFound(location=request.resource_path(context.dossier, anchor="brieven"))


@view_config(context=DossierLetters, name="herinnering", permission=Permission.ADD_DOCUMENT,
             request_method="POST")
def remind(context, request):
    """A reminder to complete the dossier, while it waits for the applicant's answer."""
    dossier = context.dossier
    if not request.user.is_staff:
        return not_found(request)
    if not awaits_completion(dossier):
        return error_response(request, 409, _("Letters"), _(
            "The dossier does not wait for the applicant to complete it."))
    services.create_letter(request.dbsession, dossier, "completion.reminder",
                           actor_id=request.user.id)
    request.session.flash(request.localizer.translate(_("The reminder is being prepared.")))
    return HTTPFound(location=request.resource_path(dossier, anchor="brieven"))


def awaits_completion(dossier) -> bool:
    return dossier.state in workflow_of(dossier).states_marked("awaiting_completion")
