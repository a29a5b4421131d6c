"""The catalogue as JSON under /api/v1/catalogus (openapi.yaml: tag ``catalogue``).

Public, like the catalogue pages: only versions in force are shown, never a concept."""

from pyramid.view import view_config

from loket.api.openapi import API_ROUTE
from loket.api.views import link
from loket.catalogue import services
from loket.catalogue.models import DossierType
from loket.catalogue.resources import CatalogueContainer
from loket.security import PUBLIC
from loket.web.views import not_found


def _summary(request, dossier_type, version) -> dict:
    d = version.definition
    return {
        "code": dossier_type.code,
        "title": d["title"],
        "summary": d["summary"],
        "version": version.number,
        "valid_from": version.valid_from.isoformat(),
        "valid_until": version.valid_until.isoformat() if version.valid_until else None,
        "links": {
            "self": link(request, "catalogus", dossier_type.code),
            "page": request.resource_url(request.root, "catalogus", dossier_type.code),
        },
    }


@view_config(route_name=API_ROUTE, context=CatalogueContainer, permission=PUBLIC,
             request_method="GET", renderer="json")
def catalogue(context, request):
    return {
        "items": [_summary(request, t, v) for t, v in services.types_in_force(request.dbsession)],
        "links": {"self": link(request, "catalogus")},
    }


@view_config(route_name=API_ROUTE, context=DossierType, permission=PUBLIC,
             request_method="GET", renderer="json")
def dossier_type(context, request):
    version = services.current_version(context)
    if version is None:
        return not_found(request)
    d = version.definition
    return {
        **_summary(request, context, version),
        "who_can_apply": d["who_can_apply"],
        "what_to_bring": d["what_to_bring"],
        "workflow": d["workflow"],
        "team": d["team"],
        "authentication": d["authentication"],
        "form": d["form"],
        "documents": d["documents"],
        "amount": d["amount"],
        "decision_body": d["decision"]["body"],
        "deadlines": [{"code": x["code"], "title": x["title"], "days": x["days"]}
                      for x in d["deadlines"]],
    }
