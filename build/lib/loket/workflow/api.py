"""The workflow of a dossier as JSON: ``/api/v1/dossiers/<reference>/workflow``."""

from pyramid.view import view_config

from loket.api.views import iso, link
from loket.dossiers.models import Dossier
from loket.security import Permission
from loket.workflow.presentation import workflow_view


@view_config(context=Dossier, name="workflow", route_name="api_v1", renderer="json",
             permission=Permission.VIEW, request_method="GET")
def dossier_workflow(context, request):
    view = workflow_view(request, context)
    is_staff = request.user.is_staff
    return {
        "reference": context.reference,
        "version": context.version,
        "state": {"code": view["state"].name, "title": view["state_title"],
                  "phase": view["state"].phase, "citizen_text": view["citizen_text"]},
        "steps": [
            {"transition": step["transition"].name, "title": step["title"],
             "available": step["blocked"] is None,
             "blocked_reason": (request.localizer.translate(step["blocked"])
                                if step["blocked"] is not None else None),
             "comment_required": step["transition"].comment_required}
            for step in view["steps"]
        ],
        "history": [
            {"occurred": iso(item["entry"].occurred), "transition": item["entry"].transition,
             "from_state": item["entry"].from_state, "to_state": item["entry"].to_state,
             "title": item["title"], "comment": item["entry"].comment,
             # Staff see who took each step; citizens see what happened, not who did it.
             "actor": (item["entry"].actor.name if item["entry"].actor else None)
             if is_staff else None}
            for item in view["history"]
        ],
        "deadlines": [
            {"code": d["deadline"].code, "title": d["title"],
             "due": d["deadline"].due.isoformat() if d["deadline"].due else None,
             "met": d["deadline"].met, "suspended_days": d["deadline"].suspended_days,
             "suspended_now": d["deadline"].running_suspension}
            for d in view["deadlines"]
        ],
        "links": {"self": link(request, "dossiers", context.reference, "workflow"),
                  "dossier": link(request, "dossiers", context.reference)},
    }
