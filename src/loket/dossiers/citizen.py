"""The citizen's dossier page: where the application stands, what happens next, what was sent
and received, and what the citizen must do.

Only what concerns the citizen: no screening, checks, notes or advice; the steps of the
handler's people are told in the words of each state's ``citizen_text``, without who took
them. Steps the citizen takes themselves get their own place: the draft form (``indienen``),
the completion panel (``vervolledigen``) and a confirmation page (``stopzetten``).
"""

from loket.catalogue.answers import application_sections
from loket.dossiers.drafts import draft_states, in_draft, kept_until
from loket.dossiers.panels import panels_for
from loket.dossiers.presentation import sent_by_applicant
from loket.security import Permission
from loket.workflow.engine import workflow_of
from loket.workflow.presentation import localized, page_history, workflow_view

TEMPLATE = "loket:dossiers/templates/dossier_citizen.jinja2"
WITHDRAW = "application.withdraw"
# Steps (by purpose) with a place of their own on the page; any other step of the citizen (an
# objection …) is offered as a plain form.
OWN_PLACE = frozenset({WITHDRAW, "application.submit", "completion.answer"})
# Steps whose comment is meant for the citizen: the question asked, and their own words.
COMMENTS_FOR_CITIZEN = frozenset({"completion.request"})


def timeline(request, dossier, workflow) -> list[dict]:
    """Newest first: when, the state's title and what it means for the citizen."""
    transitions = workflow_of(dossier).transitions
    for_citizen = {name for name, t in transitions.items() if t.purpose in COMMENTS_FOR_CITIZEN}
    items = []
    for item in workflow["history"]:
        entry = item["entry"]
        own = entry.actor_id == dossier.applicant_id
        items.append({
            "occurred": entry.occurred,
            "title": item["title"],
            "text": item["citizen_text"],
            "comment": entry.comment if own or entry.transition in for_citizen
            else "",
            "own": own,
        })
    return list(reversed(items))


def running_deadlines(workflow) -> list[dict]:
    """The municipality's legal deadlines that still run, as information for the citizen."""
    return [d for d in workflow["deadlines"]
            if d["deadline"].due is not None and d["deadline"].stopped is None]


def citizen_page(request, dossier) -> dict:
    # The history as rows (no actors: the citizen does not see who took a step), shared with
    # the panels, which tell from it whether there can be anything to show.
    workflow = workflow_view(request, dossier, page_history(request, dossier))
    _with_citizen_texts(request, workflow)
    steps = {s["transition"].purpose or s["transition"].name: s for s in workflow["steps"]}
    withdraw = steps.get(WITHDRAW)
    draft = in_draft(dossier)
    documents = dossier["documenten"].listing(request)
    path = request.resource_path(dossier)
    return {
        "dossier": dossier,
        # Links are built on the dossier's own path: resource_path once, not per link.
        "dossier_path": path,
        "documents_path": f"{path}documenten/",
        "workflow": workflow,
        "waits_for_me": workflow["state"].waits_for == "applicant",
        "is_draft": draft,
        "submitted": dossier.submitted or _first_submission(workflow),
        "draft_kept_until": kept_until(request, dossier) if draft else None,
        "timeline": timeline(request, dossier, workflow),
        "deadlines": running_deadlines(workflow),
        "handler": dossier.handler if dossier.handler_id is not None else None,
        "sent": [d for d in documents if sent_by_applicant(dossier, d)],
        "received": [d for d in documents if not sent_by_applicant(dossier, d)],
        "may_add_document": request.has_permission(Permission.ADD_DOCUMENT, dossier),
        "may_withdraw": withdraw is not None and withdraw["blocked"] is None,
        "other_steps": [s for key, s in steps.items() if key not in OWN_PLACE],
        "panels": panels_for(request, dossier, "citizen"),
        "application": application_sections(request, dossier),
    }


def _first_submission(workflow):
    """When the dossier left its draft state (for dossiers without ``submitted``)."""
    drafts = draft_states()
    return next((item["entry"].occurred for item in workflow["history"]
                 if item["entry"].from_state in drafts), None)


def _with_citizen_texts(request, workflow) -> None:
    """Add each history entry's state text for the citizen (the shared view has titles)."""
    for item in workflow["history"]:
        item["citizen_text"] = localized(item["shown"].citizen_text, request.locale_name)
