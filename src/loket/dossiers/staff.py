"""The staff's dossier page: the application (:mod:`loket.catalogue.answers`), the screening
and checks, documents, the full timeline, deadlines and the steps the handler may take now."""

from loket.catalogue.answers import application_sections
from loket.dossiers.panels import panels_for, timeline_for
from loket.security import Permission, Role, team_role_principal
from loket.workflow.presentation import workflow_view

TEMPLATE = "loket:dossiers/templates/dossier_staff.jinja2"
# Documents a browser shows by itself (the preview view serves them inline).
PREVIEWABLE = {"application/pdf": "pdf", "image/png": "image", "image/jpeg": "image"}


def staff_page(request, dossier) -> dict:
    # The documents first: the workflow's guard conditions and the letters' panels find them
    # in the session.
    documents = dossier["documenten"].all()
    # The history it reads is the panels' and the timeline's too (page_history: no second
    # query).
    workflow = workflow_view(request, dossier)
    panels = panels_for(request, dossier, "staff")
    # A panel that takes a decision itself (admissibility) replaces the plain step forms of
    # the transitions it performs, so those steps are never taken without it.
    replaced = {name for item in panels for name in item["panel"].get("replaces_steps", ())}
    return {
        "dossier": dossier,
        "documents": documents,
        "previewable": PREVIEWABLE,
        "may_add_document": request.has_permission(Permission.ADD_DOCUMENT, dossier),
        "workflow": workflow,
        "steps": [s for s in workflow["steps"] if s["transition"].name not in replaced],
        "panels": panels,
        "application": application_sections(request, dossier),
        "prefill_failed": (dossier.prefill or {}).get("status") == "failed",
        "may_take": may_take(request, dossier),
        "timeline": timeline_for(request, dossier),
    }


def may_take(request, dossier) -> bool:
    """A handler of the dossier's team who is not its handler yet may take it (the
    worklists' assignment, :mod:`loket.worklists.assignment`, checks it again)."""
    user = request.user
    return user.id != dossier.handler_id and \
        team_role_principal(Role.HANDLER, dossier.team.code) in request.principals
