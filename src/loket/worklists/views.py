"""The workbench: the handler's worklists (``/werkbank``), and assigning dossiers from them."""

from dataclasses import replace
from urllib.parse import parse_qsl, urlencode

from pyramid.encode import urlencode as url_query
from pyramid.httpexceptions import HTTPFound
from pyramid.view import exception_view_config, view_config
from sqlalchemy import select

from loket.dossiers.models import Dossier
from loket.i18n import _
from loket.identity.models import User
from loket.resources import Root
from loket.security import Permission
from loket.web.inputs import parse_id
from loket.web.views import error_response
from loket.workflow.definition import workflows
from loket.workflow.presentation import localized
from loket.worklists.assignment import AssignmentRefused, assign
from loket.worklists.models import closed_states
from loket.worklists.presentation import (
    NO_HANDLER,
    SORT_TITLES,
    describe,
    filters_from,
    query_of,
    viewer_of,
)
from loket.worklists.queries import (
    COUNT_LIMIT,
    SORTS,
    BadCursor,
    colleagues,
    dossier_types,
    worklist,
    worklist_counts,
)
from loket.worklists.registry import worklists

ME = "ik"


def page_of(request, viewer, filters):
    """A page of the list; a cursor that is not ours starts at the top."""
    try:
        return worklist(request.dbsession, viewer, filters)
    except BadCursor:
        return worklist(request.dbsession, viewer, replace(filters, cursor=None))


def open_states(locale: str) -> list[tuple[str, str]]:
    closed = closed_states()
    titles = {}
    for workflow in workflows().values():
        for state in workflow.states.values():
            if state.name not in closed:
                titles.setdefault(state.name, localized(state.title, locale))
    return sorted(titles.items(), key=lambda item: item[1])


def _count_text(count: int) -> str:
    return f"{COUNT_LIMIT}+" if count > COUNT_LIMIT else str(count)


@view_config(context=Root, name="werkbank", permission=Permission.WORK,
             renderer="loket:worklists/templates/workbench.jinja2", request_method="GET")
def workbench(context, request):
    viewer = viewer_of(request)
    filters = filters_from(request.registry, request.GET)
    # A search looks for one dossier: its lists are not counted (a common name would match
    # thousands of dossiers in every list).
    counts = None if filters.search else worklist_counts(request.dbsession, viewer, filters)
    if "lijst" not in request.GET and counts and counts["mijn"]:
        filters.list = "mijn"  # one's own dossiers first, when there are any
    page = page_of(request, viewer, filters)
    locale = request.locale_name
    werkbank = request.resource_path(request.root, "werkbank")

    def href(query) -> str:  # as resource_path makes it, without traversing for each link
        return f"{werkbank}?{url_query(query, doseq=True)}"

    return {
        "werkbank": werkbank,
        "teams": request.user.teams,
        "has_teams": bool(viewer.team_ids),
        "filters": filters,
        "lists": [{"code": w.code, "title": w.title,
                   "count": counts[w.code] if counts else None,
                   "count_text": _count_text(counts[w.code]) if counts else "",
                   "href": href(query_of(filters, lijst=w.code))}
                  for w in worklists(request.registry)],
        "list_title": next(w.title for w in worklists(request.registry)
                           if w.code == filters.list),
        "sorts": [(code, SORT_TITLES[code]) for code in SORTS],
        "rows": describe(request, page.rows, viewer.today),
        "dossiers_path": request.resource_path(request.root, "dossiers"),
        # Translated once; each row's checkbox puts its reference in.
        "select_label": request.localizer.translate(
            _("Select ${reference}", mapping={"reference": "${reference}"})),
        "next_href": href(query_of(filters, na=page.next_cursor)) if page.next_cursor else None,
        "first_href": href(query_of(filters)) if filters.cursor else None,
        "back_query": urlencode(query_of(filters)),
        "colleagues": colleagues(request.dbsession, viewer.team_ids),
        "types": [(code, localized(title, locale)) for code, title
                  in dossier_types(request.dbsession)],
        "states": open_states(locale),
        "me": ME,
        "no_handler": NO_HANDLER,
    }


def parse_selection(values) -> dict[str, int | None]:
    """``reference:version`` pairs (the version the user saw) from the form."""
    selection = {}
    for value in values:
        reference, _sep, version = value.partition(":")
        selection[reference.strip()] = parse_id(version)
    return selection


def load_dossiers(dbsession, references) -> list[Dossier]:
    """The dossiers, in the order asked; an unknown reference is refused like a foreign one."""
    found = {d.reference: d for d in dbsession.scalars(
        select(Dossier).where(Dossier.reference.in_(list(references))))}
    for reference in references:
        if reference not in found:
            raise AssignmentRefused(
                _("Dossier ${reference} is not one of your team's dossiers.",
                  mapping={"reference": reference[:20]}), None, status=404)
    return [found[r] for r in references]


def chosen_handler(request, value):
    """``ik`` (me), ``geen`` (nobody) or a user id; AssignmentRefused otherwise."""
    if value == ME:
        return request.user
    if value == NO_HANDLER:
        return None
    user_id = parse_id(value)  # bounded before it reaches SQL
    user = request.dbsession.get(User, user_id) if user_id is not None else None
    if user is None:
        raise AssignmentRefused(_("Choose a colleague to assign the dossiers to."))
    return user


@view_config(context=Root, name="werkbank", permission=Permission.WORK, request_method="POST")
def assign_from_workbench(context, request):
    """The bulk form (checkboxes ``dossier`` + ``behandelaar``) or one row's "take" button
    (``neem``)."""
    if request.POST.get("neem"):
        selection, handler = parse_selection([request.POST["neem"]]), request.user
    else:
        selection = parse_selection(request.POST.getall("dossier"))
        handler = chosen_handler(request, request.POST.get("behandelaar"))
    dossiers = load_dossiers(request.dbsession, list(selection)) if selection else []
    changed = assign(request, dossiers, handler,
                     {r: v for r, v in selection.items() if v is not None})
    request.session.flash(request.localizer.translate(
        _("${count} dossier(s) assigned.", mapping={"count": changed})))
    # Back to the same list: rebuilt from known parameters only, never a URL from the form.
    back = query_of(filters_from(request.registry,
                                 dict(parse_qsl(request.POST.get("terug", "")))))
    return HTTPFound(location=request.resource_path(context, "werkbank", query=back))


@exception_view_config(AssignmentRefused)
def assignment_refused(exc, request):
    """Refused: say why. The transaction is rolled back, so nothing changed."""
    return error_response(request, exc.status, _("The dossiers were not assigned"), exc.message)
