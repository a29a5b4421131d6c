"""The worklists as JSON: ``GET /api/v1/werkbank`` (a list page with the counts of every list)
and ``POST /api/v1/werkbank`` (assign dossiers). Staff with a session only: a worklist is
someone's ("mine", "my team"); machine clients read dossiers through ``/api/v1/dossiers``.
See openapi.yaml beside this module."""

import functools

from openapi_schema_validator import OAS31Validator
from pyramid.view import view_config

from loket.resources import Root
from loket.security import Permission
from loket.web.openapi import API_ROUTE, bad_request_response, iso, link, spec_dict
from loket.worklists.assignment import assign
from loket.worklists.presentation import describe, filters_from, query_of, viewer_of
from loket.worklists.queries import COUNT_LIMIT, BadCursor, lists, worklist, worklist_counts
from loket.worklists.views import chosen_handler, load_dossiers


def _person(user):
    return {"id": user.id, "name": user.name} if user is not None else None


def item(request, row, today) -> dict:
    described = describe(request.registry, row, request.locale_name, today)
    dossier = row.dossier
    time_left = described["time_left"]
    return {
        "reference": dossier.reference,
        "type": dossier.type_version.dossier_type.code,
        "type_title": described["type_title"],
        "title": dossier.title,
        "applicant": {"name": dossier.applicant.name},
        "state": dossier.state,
        "state_title": described["state_title"],
        "team": dossier.team.as_json(),
        "handler": _person(dossier.handler),
        "due": dossier.due.isoformat() if dossier.due else None,
        "days_left": (dossier.due - today).days if dossier.due else None,
        "time_left": request.localizer.translate(time_left) if time_left else None,
        **row.flags,
        "submitted": iso(dossier.submitted) if dossier.submitted else None,
        "modified": iso(dossier.modified),
        "version": dossier.version,
        "links": {"self": link(request, "dossiers", dossier.reference)},
    }


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
    this = query_of(filters, na=filters.cursor, limit=filters.limit)
    return {
        "list": filters.list,
        "sort": filters.sort,
        "counts": {code: counts[code] for code in lists(request.registry)} if counts else None,
        "count_limit": COUNT_LIMIT,
        "items": [item(request, row, viewer.today) for row in page.rows],
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
