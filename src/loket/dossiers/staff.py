"""The staff's dossier page: the application, the screening and checks, documents, the full
timeline, deadlines and the steps the handler may take now."""

from loket.dossiers.panels import panels_for
from loket.security import Permission
from loket.workflow.presentation import workflow_view

TEMPLATE = "loket:dossiers/templates/dossier_staff.jinja2"


def staff_page(request, dossier) -> dict:
    return {
        "dossier": dossier,
        "documents": dossier["documenten"].all(),
        "may_add_document": request.has_permission(Permission.ADD_DOCUMENT, dossier),
        "workflow": workflow_view(request, dossier),
        "panels": panels_for(request, dossier, "staff"),
    }
