"""Drafts: dossiers in a state marked ``draft``, and how long an untouched one is kept
(``loket.applications.draft_days``)."""

from datetime import date, timedelta

from loket.workflow.definition import workflows
from loket.workflow.engine import workflow_of

DEFAULT_DRAFT_DAYS = 30
DRAFT = "draft"  # the mark of a workflow's state before submission


def draft_states() -> frozenset[str]:
    """Every workflow's draft states (for queries over all dossiers)."""
    return frozenset(s for w in workflows().values() for s in w.states_marked(DRAFT))


def in_draft(dossier) -> bool:
    return workflow_of(dossier).is_marked(dossier.state, DRAFT)


def draft_days(settings) -> int:
    return int(settings.get("loket.applications.draft_days", DEFAULT_DRAFT_DAYS))


def kept_until(request, dossier) -> date:
    """The day the worker purges this draft if nobody touches it."""
    return (dossier.modified + timedelta(days=draft_days(request.registry.settings))).date()
