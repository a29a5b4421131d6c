"""What the page and the API share: reading a worklist request and describing its rows."""

from dataclasses import dataclass
from datetime import date

from loket.i18n import _
from loket.web.inputs import parse_id
from loket.workflow.definition import workflows
from loket.workflow.presentation import localized
from loket.worklists.queries import (
    DATE_FIELDS,
    SORTS,
    Filters,
    Row,
    Viewer,
    handler_team_ids,
    lists,
)
from loket.worklists.registry import flags

# The worklists of this package (others add theirs: advice's "advies").
LIST_TITLES = {
    "mijn": _("My dossiers"),
    "team": _("My team"),
    "vrij": _("Unassigned"),
    "te-laat": _("Overdue"),
    "deze-week": _("Due this week"),
}
SORT_TITLES = {
    "termijn": _("Deadline"),
    "gewijzigd": _("Last changed"),
    "ingediend": _("Submitted"),
    "referentie": _("Reference"),
}
NO_HANDLER = "geen"


def viewer_of(request) -> Viewer:
    return Viewer(request.user.id, handler_team_ids(request.user))


def _date(value):
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _handler(value):
    if value == NO_HANDLER:
        return NO_HANDLER
    return parse_id(value)  # bounded: a 5,000-digit id never reaches SQL


def filters_from(registry, params, default_list: str = "team") -> Filters:
    """The filters of a query string; a value that makes no sense is left out (the page) —
    the API's document refuses such values before this runs."""
    chosen = params.get("lijst")
    sort = params.get("sorteer")
    date_field = params.get("datum")
    return Filters(
        list=chosen if chosen in lists(registry) else default_list,
        sort=sort if sort in SORTS else "termijn",
        type_code=params.get("type") or None,
        state=params.get("status") or None,
        handler=_handler(params.get("behandelaar")),
        date_field=date_field if date_field in DATE_FIELDS else "ingediend",
        date_from=_date(params.get("van")),
        date_to=_date(params.get("tot")),
        search=(params.get("zoek") or "").strip()[:200],
        cursor=params.get("na") or None,
    )


def query_of(filters: Filters, **changes) -> dict:
    """The query string for these filters (links to other lists, sorts and the next page)."""
    values = {
        "lijst": filters.list, "sorteer": filters.sort, "type": filters.type_code,
        "status": filters.state, "behandelaar": filters.handler,
        "datum": filters.date_field if (filters.date_from or filters.date_to) else None,
        "van": filters.date_from.isoformat() if filters.date_from else None,
        "tot": filters.date_to.isoformat() if filters.date_to else None,
        "zoek": filters.search or None, **changes,
    }
    return {k: v for k, v in values.items() if v not in (None, "")}


def time_left(due: date | None, today: date):
    """"nog 5 dagen", "vandaag", "3 dagen te laat" (a translation string), or None."""
    if due is None:
        return None
    days = (due - today).days
    if days == 0:
        return _("due today")
    if days == 1:
        return _("1 day left")
    if days > 1:
        return _("${count} days left", mapping={"count": days})
    if days == -1:
        return _("1 day overdue")
    return _("${count} days overdue", mapping={"count": -days})


def state_title(row, locale: str) -> str:
    """The state in the words the dossier's outcome allows (as on the dossier's page)."""
    state = workflows()[row.type.workflow].states[row.state].for_outcome(row.outcome)
    return localized(state.title, locale)


@dataclass(frozen=True, slots=True)
class Line:
    """A row as the page and the API show it, in the request's language."""

    row: Row
    title: str  # the type's title, else the dossier's own
    state_title: str
    time_left: str | None
    overdue: bool
    flags: list[str]  # titles of the flags raised


def describe(request, rows, today: date) -> list[Line]:
    locale, translate = request.locale_name, request.localizer.translate
    flag_titles = [(flag.name, translate(flag.title)) for flag in flags(request.registry)]
    lines = []
    for row in rows:
        left = time_left(row.due, today)
        lines.append(Line(
            row, localized(row.type.title, locale) or row.title, state_title(row, locale),
            translate(left) if left else None, row.due is not None and row.due < today,
            [title for name, title in flag_titles if row.flags[name]]))
    return lines
