"""Lists of dossiers: one query per list, keyset-paginated (page 500 costs what page 1 costs).

The handlers' worklists (:func:`worklist`, :func:`worklist_counts`) are "open" lists: a draft
(the workflow's initial state) or a closed dossier (a final state) never shows up in them.
Each page is one statement (flags and the people's names included), the counts of all lists
one more, whatever the number of rows. A page's rows are plain tuples (:class:`Row`), no ORM
objects: a list shows a dozen columns of fifty dossiers, and hydrating five objects per row
was a tenth of the page.
"""

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import (
    BindParameter,
    Date,
    Integer,
    and_,
    bindparam,
    false,
    func,
    literal,
    or_,
    select,
    tuple_,
    union,
    union_all,
)
from sqlalchemy.orm import aliased

from loket.catalogue.models import DossierType, DossierTypeVersion, definitions_of
from loket.dossiers.models import Dossier
from loket.i18n import end_of_local_day, start_of_local_day
from loket.identity.models import RoleAssignment, User
from loket.security import Role
from loket.worklists.models import closed_states
from loket.worklists.registry import flags, mine_sources, worklists

PAGE_SIZE = 50


DATE_FIELDS = {"ingediend": Dossier.submitted, "aangemaakt": Dossier.created}
WEEK = 7


@dataclass(frozen=True)
class Sort:
    column: object
    descending: bool
    nullable: bool
    kind: str  # how a cursor carries the value: date | datetime | text


SORTS = {
    "termijn": Sort(Dossier.due, False, True, "date"),  # most urgent first
    "gewijzigd": Sort(Dossier.modified, True, False, "datetime"),
    "ingediend": Sort(Dossier.submitted, True, True, "datetime"),
    "referentie": Sort(Dossier.reference, False, False, "text"),
}


class BadCursor(ValueError):
    """The cursor is not one this list handed out (or belongs to another sort order)."""


@dataclass
class Filters:
    """What the user asked for; the view checks the values (unknown list → 400 or default)."""

    list: str = "team"
    sort: str = "termijn"
    type_code: str | None = None
    state: str | None = None
    handler: int | str | None = None  # a user id, or "geen" for unassigned
    date_field: str = "ingediend"
    date_from: date | None = None
    date_to: date | None = None
    search: str = ""
    cursor: str | None = None
    limit: int = PAGE_SIZE


@dataclass
class Viewer:
    """Whose worklists: the user and the teams they handle dossiers for."""

    user_id: int
    team_ids: list[int]
    today: date = field(default_factory=lambda: datetime.now(UTC).date())

    @property
    def week_end(self) -> date:
        return self.today + timedelta(WEEK)


@dataclass(frozen=True, slots=True)
class TypeFacts:
    """What a list shows of a dossier's type version."""

    code: str
    title: dict  # {nl, en}
    workflow: str


@dataclass(frozen=True, slots=True)
class Row:
    """A dossier as the lists show it."""

    id: int
    reference: str
    version: int
    title: str
    state: str
    outcome: str | None
    due: date | None
    submitted: datetime | None
    modified: datetime
    team_id: int
    type: TypeFacts
    applicant_name: str
    handler_id: int | None
    handler_name: str | None
    flags: dict[str, bool]  # each registered flag (loket.worklists.registry)


@dataclass
class Page:
    rows: list[Row]
    next_cursor: str | None


def registry_of_session(dbsession):
    return dbsession.info["registry"]


def lists(registry) -> tuple[str, ...]:
    """The codes of the worklists, in their order."""
    return tuple(w.code for w in worklists(registry))


def mine(registry, viewer) -> list:
    """Dossiers assigned to the user, and the user's for another package's reason (a mention
    in a note not yet seen) that are not assigned to them: two arms of a ``UNION ALL``, so a
    page reads the first rows of each in order (the handler's own through the partial index)
    instead of every open dossier the handler has."""
    assigned = Dossier.handler_id == viewer.user_id
    others = [ids(viewer.user_id) for ids in mine_sources(registry)]
    if not others:
        return [assigned]
    return [assigned, and_(Dossier.id.in_(union(*others) if len(others) > 1 else others[0]),
                           or_(Dossier.handler_id.is_(None),
                               Dossier.handler_id != viewer.user_id))]


def team(viewer: Viewer):
    return Dossier.team_id.in_(viewer.team_ids) if viewer.team_ids else false()


def unassigned(viewer: Viewer):
    return and_(team(viewer), Dossier.handler_id.is_(None))


def overdue(viewer: Viewer):
    return and_(team(viewer), Dossier.due < viewer.today)


def due_this_week(viewer: Viewer):
    return and_(team(viewer), Dossier.due >= viewer.today, Dossier.due <= viewer.week_end)


def list_conditions(registry, viewer) -> dict[str, list]:
    """The WHERE clauses of each list, one per arm of a ``UNION ALL`` of disjoint sets (open
    dossiers are required on top of these)."""
    return {w.code: mine(registry, viewer) if w.code == MINE else [w.condition(viewer)]
            for w in worklists(registry)}


MINE = "mijn"


def is_open():
    """Neither a draft nor closed. The states are written into the SQL, not bound: PostgreSQL
    (with a prepared statement's generic plan) and SQLite use the partial indexes on open
    dossiers (:mod:`loket.worklists.models`) only for a condition that is literally theirs."""
    return Dossier.state.not_in(bindparam("closed_states", sorted(closed_states()),
                                          expanding=True, literal_execute=True))


def filter_conditions(dialect: str, filters: Filters) -> list:
    """The filters' WHERE clauses, their values bound at execution (:func:`_values`)."""
    from loket.worklists.search import matches

    conditions = [is_open()]
    if filters.type_code:
        conditions.append(Dossier.type_version_id.in_(
            select(DossierTypeVersion.id).join(DossierType)
            .where(DossierType.code == bindparam("type_code"))))
    if filters.state:
        conditions.append(Dossier.state == bindparam("state"))
    if filters.handler == "geen":
        conditions.append(Dossier.handler_id.is_(None))
    elif filters.handler is not None:
        conditions.append(Dossier.handler_id == bindparam("handler"))
    column = DATE_FIELDS[filters.date_field]
    if filters.date_from:
        conditions.append(column >= bindparam("date_from"))
    if filters.date_to:
        conditions.append(column < bindparam("date_to"))
    search = matches(dialect, filters.search)
    if search is not None:
        conditions.append(search)
    return conditions


# The statements are built once per process for each shape of request (which filters, which
# list, sort and cursor) and executed with each request's values: building and compiling them
# was a quarter of the page. The viewer's values are bound parameters too, so a list's
# condition (loket.worklists.registry) is built with this stand-in.


class _TeamIds(BindParameter):
    """The viewer's team ids, an expanding ``IN`` list. True, like a viewer with teams: a
    condition may return ``false()`` for a viewer without teams, and an empty list bound here
    matches nothing all the same."""

    inherit_cache = True

    def __bool__(self):
        return True


class _BoundViewer:
    user_id = bindparam("viewer_id")
    team_ids = _TeamIds("viewer_teams", expanding=True, type_=Integer)
    today = bindparam("today", type_=Date)
    week_end = bindparam("week_end", type_=Date)


def _values(viewer: Viewer, filters: Filters) -> dict:
    dates = {}
    if filters.date_from:  # Belgian days, as the page shows the dates
        dates["date_from"] = start_of_local_day(filters.date_from)
    if filters.date_to:
        dates["date_to"] = end_of_local_day(filters.date_to)
    return {"viewer_id": viewer.user_id, "viewer_teams": list(viewer.team_ids),
            "today": viewer.today, "week_end": viewer.week_end, "type_code": filters.type_code,
            "state": filters.state, "handler": filters.handler, **dates,
            "count_limit": COUNT_LIMIT + 1, "limit": filters.limit + 1}


def _filter_shape(filters: Filters) -> tuple:
    return (bool(filters.type_code), bool(filters.state),
            filters.handler if filters.handler == "geen" else filters.handler is not None,
            filters.date_field if filters.date_from or filters.date_to else None,
            bool(filters.date_from), bool(filters.date_to))


def _statement(dbsession, key: tuple, build):
    """The statement of this shape, built once; a search (its words are in the statement) is
    built for each request."""
    dialect = dbsession.get_bind().dialect.name
    if key[-1]:  # the search
        return build(dialect)
    cache = registry_of_session(dbsession).setdefault(STATEMENTS_KEY, {})
    statement = cache.get(key)
    if statement is None:
        statement = cache[key] = build(dialect)
    return statement


STATEMENTS_KEY = "loket.worklists.statements"

# Lists are counted up to this many dossiers; beyond it a count reads "more than COUNT_LIMIT".
# So the counts cost the same whatever the number of dossiers (exact counts of a team's tens
# of thousands of open dossiers would grow with them, on every page).
COUNT_LIMIT = 999


def worklist_counts(dbsession, viewer: Viewer, filters: Filters) -> dict[str, int]:
    """How many dossiers each list holds (with the same filters), at most ``COUNT_LIMIT + 1``
    (read: more than COUNT_LIMIT): one statement, each list counted through its own index."""
    registry = registry_of_session(dbsession)

    def build(dialect):
        conditions = filter_conditions(dialect, filters)

        def counted(arms):
            found = union_all(*(select(literal(1)).where(arm, *conditions) for arm in arms))
            return select(func.count()).select_from(
                found.limit(bindparam("count_limit")).subquery()).scalar_subquery()

        return select(*(counted(arms).label(name.replace("-", "_")) for name, arms
                        in list_conditions(registry, _BoundViewer).items()))

    statement = _statement(dbsession, ("counts", _filter_shape(filters), filters.search), build)
    row = dbsession.execute(statement, _values(viewer, filters)).one()
    return {name: getattr(row, name.replace("-", "_")) or 0 for name in lists(registry)}


# Cursors: the last row's sort value and id, opaque to the client.


def encode_cursor(sort: str, row) -> str:
    """The cursor after ``row`` (anything with the sort column's attribute and ``id``)."""
    value = getattr(row, SORTS[sort].column.key)
    value = value.isoformat() if isinstance(value, date | datetime) else value
    raw = json.dumps([sort, value, row.id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(sort: str, cursor: str):
    """``(value, id)``; raises :class:`BadCursor`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_sort, value, dossier_id = json.loads(raw)
        spec = SORTS[sort]
        if cursor_sort != sort or not isinstance(dossier_id, int):
            raise BadCursor("the cursor belongs to another list order")
        if value is not None or not spec.nullable:
            if spec.kind == "date":
                value = date.fromisoformat(value)
            elif spec.kind == "datetime":
                value = datetime.fromisoformat(value)
                if value.tzinfo is None:
                    raise BadCursor("not a cursor of this list")
            elif not isinstance(value, str):
                raise BadCursor("not a cursor of this list")
    except (binascii.Error, ValueError, TypeError, KeyError) as exc:
        raise BadCursor("not a cursor of this list") from exc
    return value, dossier_id


def _after(spec: Sort, value, dossier_id: int):
    """Rows after the cursor. Ascending puts NULLs last, descending first (each as a B-tree
    index is read in that direction), so the NULL rows form one block at an end."""
    column, ident = spec.column, Dossier.id
    if not spec.descending:
        if value is None:
            return and_(column.is_(None), ident > dossier_id)
        later = tuple_(column, ident) > tuple_(value, dossier_id)
        return or_(later, column.is_(None)) if spec.nullable else later
    if value is None:
        return or_(column.is_not(None), and_(column.is_(None), ident < dossier_id))
    return tuple_(column, ident) < tuple_(value, dossier_id)


def _order(spec: Sort, column=None, ident=Dossier.id) -> list:
    column = spec.column if column is None else column
    if spec.descending:
        first = column.desc().nulls_first() if spec.nullable else column.desc()
        return [first, ident.desc()]
    return [column.asc().nulls_last() if spec.nullable else column.asc(), ident.asc()]


_APPLICANT, _HANDLER = aliased(User), aliased(User)
# By position: the first ten are Row's own fields; 15–19 the type (code, version id, status,
# creation, publication); the flags follow from 20.
_COLUMNS = (
    Dossier.id, Dossier.reference, Dossier.version, Dossier.title, Dossier.state,
    Dossier.outcome, Dossier.due, Dossier.submitted, Dossier.modified, Dossier.team_id,
    _APPLICANT.given_name, _APPLICANT.family_name, Dossier.handler_id, _HANDLER.given_name,
    _HANDLER.family_name, DossierType.code, DossierTypeVersion.id, DossierTypeVersion.status,
    DossierTypeVersion.created, DossierTypeVersion.published,
)

def _type_facts(dbsession, result) -> dict[int, TypeFacts]:
    """The facts of the rows' type versions, by id (published definitions from the
    catalogue's cache of them)."""
    codes = {r[16]: r[15] for r in result}
    definitions = definitions_of(dbsession, {(r[16], r[17], r[18], r[19]) for r in result})
    return {id_: TypeFacts(codes[id_], definition.get("title") or {}, definition["workflow"])
            for id_, definition in definitions.items()}


def _name(given: str | None, family: str | None) -> str:
    return f"{given} {family}".strip()


def worklist(dbsession, viewer: Viewer, filters: Filters) -> Page:
    """One page of a list; raises :class:`BadCursor` for a cursor that is not ours."""
    spec = SORTS[filters.sort]
    registry = registry_of_session(dbsession)
    flagged = flags(registry)
    after = decode_cursor(filters.sort, filters.cursor) if filters.cursor else None

    def build(dialect):
        # The page's ids first, through the lists' indexes (each arm in order, then merged);
        # then only those fifty rows are joined with the people, types and flags.
        conditions = filter_conditions(dialect, filters)
        if after is not None:
            value = None if after[0] is None else bindparam("after_value", type_=spec.column.type)
            conditions.append(_after(spec, value, bindparam("after_id", type_=Integer)))
        arms = list_conditions(registry, _BoundViewer)[filters.list]
        ids = union_all(*(select(Dossier.id, spec.column.label("sort")).where(arm, *conditions)
                          for arm in arms)).subquery()
        page = (select(ids.c.id).order_by(*_order(spec, ids.c.sort, ids.c.id))
                .limit(bindparam("limit")).subquery())
        return (
            select(*_COLUMNS, *(flag.clause() for flag in flagged))
            .select_from(page).join(Dossier, Dossier.id == page.c.id)
            .join(_APPLICANT, _APPLICANT.id == Dossier.applicant_id)
            .outerjoin(_HANDLER, _HANDLER.id == Dossier.handler_id)
            .join(DossierTypeVersion, DossierTypeVersion.id == Dossier.type_version_id)
            .join(DossierType, DossierType.id == DossierTypeVersion.type_id)
            .order_by(*_order(spec))
        )

    key = ("page", filters.list, filters.sort, after is not None and after[0] is None,
           after is not None, _filter_shape(filters), filters.search)
    values = _values(viewer, filters)
    if after is not None:
        values.update(after_value=after[0], after_id=after[1])
    result = dbsession.execute(_statement(dbsession, key, build), values).all()
    facts = _type_facts(dbsession, result)
    names = [flag.name for flag in flagged]
    rows = [Row(*r[:10], facts[r[16]], _name(r[10], r[11]), r[12],
                _name(r[13], r[14]) if r[12] is not None else None,
                dict(zip(names, map(bool, r[20:]), strict=True)))
            for r in result[:filters.limit]]
    more = len(result) > filters.limit
    return Page(rows, encode_cursor(filters.sort, rows[-1]) if more else None)


def handler_team_ids(user) -> list[int]:
    return sorted({a.team_id for a in user.roles if a.role == Role.HANDLER and a.team_id})


@dataclass(frozen=True)
class Colleague:
    id: int
    name: str


def colleagues(dbsession, team_ids) -> list[Colleague]:
    """The handlers of these teams (who a dossier may be assigned to), by name."""
    if not team_ids:
        return []
    rows = dbsession.execute(_COLLEAGUES, {"teams": list(team_ids)}).all()
    return [Colleague(i, f"{given} {family}".strip()) for i, given, family in rows]


def dossier_types(dbsession) -> list[tuple[str, dict]]:
    """``(code, title)`` of every dossier type, the title of its newest version."""
    titles = {code: title or {} for code, title in dbsession.execute(_TYPE_TITLES)}
    return sorted(titles.items())


# Built once (like the lists' statements).
_COLLEAGUES = (
    select(User.id, User.given_name, User.family_name).where(User.id.in_(
        select(RoleAssignment.user_id).where(
            RoleAssignment.role == Role.HANDLER,
            RoleAssignment.team_id.in_(bindparam("teams", expanding=True)))))
    .order_by(User.given_name, User.family_name, User.id))
# Only the titles leave the database: a definition holds the whole form (kilobytes).
_TYPE_TITLES = (select(DossierType.code, DossierTypeVersion.stored_definition["title"])
                .join(DossierTypeVersion).order_by(DossierType.code, DossierTypeVersion.number))


__all__ = ["SORTS", "lists", "Filters", "Viewer", "Row", "Page", "BadCursor", "worklist",
           "worklist_counts", "colleagues", "dossier_types", "handler_team_ids"]
