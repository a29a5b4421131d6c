"""JSON views on the traversal tree, under /api/v1 (see openapi.yaml for the contract).

The contexts are those of the web pages; only the route differs, so the resource ACLs decide
who sees what exactly as they do for the pages.
"""

import base64
import binascii
import json
from datetime import datetime

from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import and_, select, tuple_
from sqlalchemy.orm import defer, lazyload

from loket.documents.models import Document
from loket.documents.resources import DossierDocuments
from loket.documents.views import attachment_response
from loket.dossiers.drafts import draft_states
from loket.dossiers.models import Dossier
from loket.dossiers.resources import DossierContainer
from loket.resources import Root
from loket.security import PUBLIC, Permission, Role
from loket.web.openapi import API_ROUTE, bad_request_response, iso, link, spec_json, spec_text

DEFAULT_LIMIT = 50  # openapi.yaml: components/parameters/Limit (a test keeps them equal)


# ---------------------------------------------------------------------------------------------
# Index and the document itself


@view_config(route_name=API_ROUTE, context=Root, permission=PUBLIC, request_method="GET",
             renderer="json")
def index(context, request):
    return {
        "name": "Loket API",
        "version": "v1",
        "links": {
            "self": link(request),
            "dossiers": link(request, "dossiers"),
            "openapi": link(request, "openapi.yaml"),
            "health": request.route_url("health"),
        },
    }


@view_config(route_name=API_ROUTE, context=Root, name="openapi.yaml", permission=PUBLIC,
             request_method="GET")
def openapi_yaml(context, request):
    return Response(body=spec_text(request.registry), content_type="application/yaml",
                    charset="utf-8")


@view_config(route_name=API_ROUTE, context=Root, name="openapi.json", permission=PUBLIC,
             request_method="GET")
def openapi_json(context, request):
    return Response(body=spec_json(request.registry), content_type="application/json",
                    charset="utf-8")


# ---------------------------------------------------------------------------------------------
# Dossiers


def encode_cursor(dossier: Dossier) -> str:
    raw = json.dumps([iso(dossier.created), dossier.id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The (created, id) of the last dossier of the previous page; ValueError if not ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created, dossier_id = json.loads(raw)
        moment = datetime.fromisoformat(created)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise ValueError("not a cursor of this API") from exc
    if moment.tzinfo is None or not isinstance(dossier_id, int) or isinstance(dossier_id, bool):
        raise ValueError("not a cursor of this API")
    return moment, dossier_id


def dossier_summary(request, dossier: Dossier) -> dict:
    return {
        "reference": dossier.reference,
        "type": dossier.type_version.dossier_type.code,
        "title": dossier.title,
        "state": dossier.state,
        "team": dossier.team.as_json(),
        "created": iso(dossier.created),
        "modified": iso(dossier.modified),
        "links": {"self": link(request, "dossiers", dossier.reference)},
    }


# What a list item and its access decision read: the team, the type version and the dossier's
# own columns; not the applicant (her id is a column) nor the answers, prefill and screening
# (JSON parsed for every row, a third of the list).
_LIST_LOADING = (lazyload(Dossier.applicant),
                 defer(Dossier.data), defer(Dossier.prefill), defer(Dossier.screening))


def dossier_page(request, visible, permission=Permission.VIEW):
    """One page of the dossiers matching ``visible`` (a WHERE clause), newest first; each
    item also passes ``permission``, the permission of the list's item view.

    Keyset on (created, id): both never change, so a dossier edited while a client pages
    through the list neither disappears nor shows up twice (ordering by ``modified`` would).
    """
    query = request.api_parameters.query
    limit = query.get("limit", DEFAULT_LIMIT)
    statement = select(Dossier).where(visible).options(*_LIST_LOADING)
    if "cursor" in query:
        try:
            created, dossier_id = decode_cursor(query["cursor"])
        except ValueError as exc:
            return bad_request_response(
                request, [{"location": "query", "name": "cursor", "message": str(exc)}])
        # A row-value comparison: PostgreSQL narrows the index scan with it (the OR form made
        # a deep page read every newer row of the team: 181 ms against 0.2 ms at 1 M dossiers).
        statement = statement.where(
            tuple_(Dossier.created, Dossier.id) < tuple_(created, dossier_id))
    # One row more than asked says whether there is a next page.
    rows = request.dbsession.scalars(
        statement.order_by(Dossier.created.desc(), Dossier.id.desc()).limit(limit + 1)
    ).all()
    page, more = rows[:limit], len(rows) > limit
    # A list is an access decision too: never an item its own permission would refuse.
    visible_page = [d for d in page if request.has_permission(permission, d)]
    this_query = {k: v for k, v in request.GET.items() if k in ("limit", "cursor")}
    return {
        "items": [dossier_summary(request, d) for d in visible_page],
        "links": {
            "self": link(request, "dossiers", query=this_query),
            "next": link(request, "dossiers", query={
                "limit": limit, "cursor": encode_cursor(page[-1])}) if more else None,
        },
    }


class StaffPredicate:
    """``caller_is_staff=True`` matches staff members, ``False`` everyone else (citizens and
    anonymous callers, who then meet the view's permission)."""

    def __init__(self, value, config):
        self.value = bool(value)

    def text(self):
        return f"caller_is_staff = {self.value}"

    phash = text

    def __call__(self, context, request):
        user = request.user
        return (user is not None and user.is_staff) == self.value


# The list is one URL with two meanings, like "Mijn dossiers" and the workbench: the permission
# that grants it differs per kind of user, so there are two views chosen by the caller's kind.
@view_config(route_name=API_ROUTE, context=DossierContainer, caller_is_staff=False,
             permission=Permission.OWN_DOSSIERS, request_method="GET", renderer="json")
def citizen_dossiers(context, request):
    return dossier_page(request, Dossier.applicant_id == request.user.id)


@view_config(route_name=API_ROUTE, context=DossierContainer, caller_is_staff=True,
             permission=Permission.WORK, request_method="GET", renderer="json")
def team_dossiers(context, request):
    # The teams she handles for (an adviser's team gives no dossier), and no drafts: the list
    # holds what the dossiers' own ACLs let her view, which dossier_page checks once more.
    team_ids = sorted({a.team_id for a in request.user.roles
                       if a.role == Role.HANDLER and a.team_id is not None})
    return dossier_page(request, and_(Dossier.team_id.in_(team_ids),
                                      Dossier.state.not_in(sorted(draft_states()))))


@view_config(route_name=API_ROUTE, context=Dossier, permission=Permission.VIEW,
             request_method="GET", renderer="json")
def dossier(context, request):
    summary = dossier_summary(request, context)
    here = summary["links"]["self"]  # and its children below it: one route_url, not three
    return {
        **summary,
        # By name only: the national register number never leaves through the API.
        "applicant": {"name": context.applicant.name},
        "version": context.version,
        "data": context.data or {},
        "links": {"self": here, "documents": f"{here}/documenten"},
    }


# ---------------------------------------------------------------------------------------------
# Documents


def _document_segments(document: Document) -> tuple:
    return ("dossiers", document.__parent__.dossier.reference, "documenten", document.number)


def document_summary(request, document: Document) -> dict:
    segments = _document_segments(document)
    return {
        "number": document.number,
        "title": document.title,
        "type": document.document_type,
        "direction": document.direction,
        "created": iso(document.created),
        "current_version": document.current.version,
        "links": {
            "self": link(request, *segments),
            "content": link(request, *segments, "inhoud"),
        },
    }


@view_config(route_name=API_ROUTE, context=DossierDocuments, permission=Permission.VIEW,
             request_method="GET", renderer="json")
def documents(context, request):
    reference = context.dossier.reference
    return {
        "dossier": reference,
        "items": [document_summary(request, d) for d in context.shown_to(request)],
        "links": {
            "self": link(request, "dossiers", reference, "documenten"),
            "dossier": link(request, "dossiers", reference),
        },
    }


@view_config(route_name=API_ROUTE, context=Document, permission=Permission.VIEW,
             request_method="GET", renderer="json")
def document(context, request):
    segments = _document_segments(context)
    return {
        **document_summary(request, context),
        "versions": [
            {
                "version": v.version,
                "filename": v.filename,
                "media_type": v.media_type,
                "size": v.size,
                "sha256": v.sha256,
                "created": iso(v.created),
                "links": {"content": link(request, *segments, "inhoud",
                                          query={"versie": v.version})},
            }
            for v in context.versions
        ],
        "links": {
            "self": link(request, *segments),
            "dossier": link(request, *segments[:2]),
            "content": link(request, *segments, "inhoud"),
        },
    }


@view_config(route_name=API_ROUTE, context=Document, name="inhoud", permission=Permission.VIEW,
             request_method="GET")
def document_content(context, request):
    number = request.api_parameters.query.get("versie")
    if number is None:
        return attachment_response(request, context.current)
    for version in context.versions:
        if version.version == number:
            return attachment_response(request, version)
    raise HTTPNotFound()
