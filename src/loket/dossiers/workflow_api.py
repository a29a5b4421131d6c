"""The workflow of a dossier as JSON: ``/api/v1/dossiers/<reference>/workflow``."""

from pyramid.view import view_config

from loket.dossiers.citizen import COMMENTS_FOR_CITIZEN
from loket.dossiers.models import Dossier
from loket.security import Permission
from loket.web.openapi import iso, link
from loket.workflow.engine import workflow_of
from loket.workflow.presentation import page_history, workflow_view

DECIDED = "beslist"  # a decided state (or the step into it), as the citizen sees it


@view_config(context=Dossier, name="workflow", route_name="api_v1", renderer="json",
             permission=Permission.VIEW, request_method="GET")
def dossier_workflow(context, request):
    is_staff = request.user.is_staff
    # Staff see who took each step (the entries with their actors); citizens do not, so
    # their history is read as plain rows.
    view = workflow_view(request, context, None if is_staff else page_history(request, context))
    workflow = workflow_of(context)
    # The citizen hears the outcome with the decision letter: until then not even a state's
    # or a step's name tells it, nor a comment meant for staff (the page tells the same).
    told = COMMENTS_FOR_CITIZEN if not is_staff else None

    def state(name):
        found = workflow.states.get(name)
        return DECIDED if not is_staff and found is not None and found.outcome else name

    def step(name):
        transition = workflow.transitions.get(name)
        return name if transition is None else (
            name if is_staff or not workflow.states[transition.target].outcome else DECIDED)

    def comment(entry):
        transition = workflow.transitions.get(entry.transition)
        return entry.comment if told is None or entry.actor_id == context.applicant_id or (
            transition is not None and transition.purpose in told) else ""

    return {
        "reference": context.reference,
        "version": context.version,
        "state": {"code": state(view["state"].name), "title": view["state_title"],
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
            {"occurred": iso(item["entry"].occurred), "transition": step(item["entry"].transition),
             "from_state": state(item["entry"].from_state),
             "to_state": state(item["entry"].to_state),
             "title": item["title"], "comment": comment(item["entry"]),
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
