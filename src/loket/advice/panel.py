"""The advice panel on the handler's dossier page, and the advice entries of its timeline."""

from loket.advice.external import external_services
from loket.advice.forms import OPINION_TITLES, request_form
from loket.advice.models import ANSWERED
from loket.advice.services import default_due, requestable
from loket.db import utcnow
from loket.dossiers.panels import TimelineEntry, has_rows, once
from loket.dossiers.timeline import names_of
from loket.i18n import _
from loket.security import Permission
from loket.web.forms import render_form

TEMPLATE = "loket:advice/templates/panel.jinja2"


def _requests(request, dossier) -> list:
    """The dossier's advice requests, read once for the panel and the timeline."""
    if not has_rows(request, dossier, "advice"):
        return []
    return once(request, "advice", dossier, dossier["adviezen"].all)


def compute(request, dossier) -> dict | None:
    container = dossier["adviezen"]
    requests = _requests(request, dossier)
    may_request = requestable(dossier) and \
        request.has_permission(Permission.EDIT, dossier)
    if not requests and not may_request:
        return None
    form = None
    if may_request:
        form = render_form(request, request_form(
            request, dossier, request.resource_path(container, "aanvragen")),
            appstruct={"due": default_due(request.registry.settings, utcnow().date())})
    return {"requests": requests, "form": form, "today": utcnow().date(),
            "opinions": OPINION_TITLES,
            "services": {s.code: s.title for s in external_services(request.registry).values()}}


def asked_of(request, advice) -> str:
    """Who gives the advice, by name: a team, an outside service's title, or an address."""
    if advice.team:
        return advice.team.title_in(request.locale_name)
    if advice.service:
        service = external_services(request.registry).get(advice.service)
        return service.title if service else advice.service
    return advice.email or ""


def timeline(request, dossier) -> list[TimelineEntry]:
    translate = request.localizer.translate
    requests = _requests(request, dossier)
    # Who asked, answered or waived, by name: one query at most, not one per person.
    names = names_of(request, {i for a in requests for i in (
        a.requested_by_id, a.answered_by_id, a.waived_by_id)} - {None})
    entries = []
    for advice in requests:
        link = request.resource_path(advice)
        number = {"number": advice.number, "who": asked_of(request, advice)}
        entries.append(TimelineEntry(
            advice.requested, "advice",
            translate(_("Advice ${number} requested from ${who}", mapping=number)),
            actor=names.get(advice.requested_by_id, ""), link=link))
        if advice.last_reminder:
            entries.append(TimelineEntry(
                advice.last_reminder, "advice",
                translate(_("Reminder sent for advice ${number}", mapping=number)),
                actor="Loket", link=link))
        if advice.status == ANSWERED and advice.answered:
            entries.append(TimelineEntry(
                advice.answered, "advice",
                translate(_("Advice ${number} received from ${who}", mapping=number)),
                detail=translate(OPINION_TITLES[advice.opinion]),
                actor=names.get(advice.answered_by_id, ""),
                link=link))
        if advice.waived:
            entries.append(TimelineEntry(
                advice.waived, "advice",
                translate(_("Advice ${number} waived", mapping=number)),
                detail=advice.waive_reason or "",
                actor=names.get(advice.waived_by_id, ""), link=link))
    return entries
