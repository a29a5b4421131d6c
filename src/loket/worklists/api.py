"""The worklists as JSON: ``GET /api/v1/werkbank`` (a list page with the counts of every list)
and ``POST /api/v1/werkbank`` (assign dossiers). Staff with a session only: a worklist is
someone's ("mine", "my team"); machine clients read dossiers through ``/api/v1/dossiers``.
See openapi.yaml beside this module."""

import functools

from openapi_schema_validator import OAS31Validator
from pyramid.view import view_config
from sqlalchemy import select

from loket.identity.models import Team
from loket.resources import Root
from loket.security import Permission
from loket.web.openapi import API_ROUTE, bad_request_response, iso, link, spec_dict
from loket.workflow.presentation import localized
from loket.worklists.assignment import assign
from loket.worklists.presentation import describe, filters_from, query_of, viewer_of
from loket.worklists.queries import COUNT_LIMIT, BadCursor, lists, worklist, worklist_counts
from loket.worklists.views import chosen_handler, load_dossiers


def _person(user):
    return {"id": user.id, "name": user.name} if user is not None else None


def item(request, line, teams, today) -> dict:
    row = line.row
    return {
        "reference": row.reference,
        "type": row.type.code,
        "type_title": localized(row.type.title, request.locale_name),
        "title": row.title,
        "applicant": {"name": row.applicant_name},
        "state": row.state,
        "state_title": line.state_title,
        "team": teams[row.team_id],
        "handler": {"id": row.handler_id, "name": row.handler_name}
        if row.handler_id is not None else None,
        "due": row.due.isoformat() if row.due else None,
        "days_left": (row.due - today).days if row.due else None,
        "time_left": line.time_left,
        **row.flags,
        "submitted": iso(row.submitted) if row.submitted else None,
        "modified": iso(row.modified),
        "version": row.version,
        "links": {"self": link(request, "dossiers", row.reference)},
    }


def teams_of(dbsession, rows) -> dict[int, dict]:
    """The teams of these rows as the API shows them (a handful: one statement)."""
    ids = {row.team_id for row in rows}
    return {team.id: team.as_json()
            for team in dbsession.scalars(select(Team).where(Team.id.in_(ids)))}


@view_config(route_name=API_ROUTE, context=Root, name="werkbank", permission=Permission.WORK,
             request_method="GET", renderer="json")
def worklist_json(context, request):
    viewer = viewer_of(request)
    filters = filters_from(request.registry, request.GET)
    filters.limit = request.api_parameters.query.get("limit", filters.limit)
    try:
        page = worklist(request.dbsession, viewer, filters)
    except BadCursor as exc:
        return bad_request_response(
            request, [{"location": "query", "name": "na", "message": str(exc)}])
    counts = None if filters.search else worklist_counts(request.dbsession, viewer, filters)
    teams = teams_of(request.dbsession, page.rows)
    this = query_of(filters, na=filters.cursor, limit=filters.limit)
    return {
        "list": filters.list,
        "sort": filters.sort,
        "counts": {code: counts[code] for code in lists(request.registry)} if counts else None,
        "count_limit": COUNT_LIMIT,
        "items": [item(request, line, teams, viewer.today)
                  for line in describe(request, page.rows, viewer.today)],
        "links": {
            "self": link(request, "werkbank", query=this),
            "next": link(request, "werkbank", query={**this, "na": page.next_cursor})
            if page.next_cursor else None,
        },
    }


@functools.cache
def _assignment_validator():
    return OAS31Validator(spec_dict()["components"]["schemas"]["WorklistAssignment"])


@view_config(route_name=API_ROUTE, context=Root, name="werkbank", permission=Permission.WORK,
             request_method="POST", renderer="json")
def assign_json(context, request):
    try:
        body = request.json_body
    except ValueError:
        return bad_request_response(request, [{"location": "body",
                                               "message": "is not valid JSON"}])
    problems = [{"location": "body", "name": "/".join(map(str, e.absolute_path)) or "body",
                 "message": e.message[:200]}
                for e in _assignment_validator().iter_errors(body)]
    if problems:
        return bad_request_response(request, problems)
    wanted = {d["reference"]: d.get("version") for d in body["dossiers"]}
    dossiers = load_dossiers(request.dbsession, list(wanted))
    handler = body["handler"]
    handler = chosen_handler(request, "geen" if handler is None else str(handler))
    changed = assign(request, dossiers, handler,
                     {r: v for r, v in wanted.items() if v is not None})
    return {
        "assigned": changed,
        "dossiers": [{"reference": d.reference, "handler": _person(handler),
                      "version": d.version} for d in dossiers],
    }
