"""The citizen's dossier page: where the application stands, what happens next, what was sent
and received, and what the citizen must do."""

from loket.dossiers.panels import panels_for
from loket.security import Permission
from loket.workflow.presentation import workflow_view

TEMPLATE = "loket:dossiers/templates/dossier_citizen.jinja2"


def citizen_page(request, dossier) -> dict:
    return {
        "dossier": dossier,
        "documents": dossier["documenten"].all(),
        "may_add_document": request.has_permission(Permission.ADD_DOCUMENT, dossier),
        "workflow": workflow_view(request, dossier),
        "panels": panels_for(request, dossier, "citizen"),
    }
