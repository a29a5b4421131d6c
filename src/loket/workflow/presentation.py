"""What the pages and the API show of a dossier's workflow: state, steps, history, deadlines."""

from pyramid.authorization import Everyone
from sqlalchemy import bindparam, select

from loket.db import utcnow
from loket.security import principals_for
from loket.workflow.deadlines import dossier_deadlines
from loket.workflow.engine import Actor, available_transitions, workflow_of
from loket.workflow.models import HistoryEntry


def actor_for(request) -> Actor:
    user = request.user
    if user is None:
        return Actor(None, frozenset())
    bearer = getattr(request, "bearer", None)
    if bearer is not None and not bearer.present:
        # A person's own principals, as the security policy keeps them (no roles query).
        return Actor(user, frozenset(request.principals) - {Everyone})
    return Actor(user, frozenset(principals_for(user)))


def localized(texts: dict, locale: str) -> str:
    return texts.get(locale) or texts.get("nl") or ""


def shown_state(dossier, name: str | None = None):
    """The state (the current one, or ``name``) in the words the dossier's outcome allows:
    a decided state does not tell the outcome, the state after the decision letter does."""
    return workflow_of(dossier).states[name or dossier.state].for_outcome(dossier.outcome)


def badge_of(dossier) -> str:
    """The badge's style for the citizen: a decided state does not show its outcome even in
    a class name (``decided``); the state that tells it shows it (``approved``, ``refused``)."""
    state = workflow_of(dossier).states[dossier.state]
    if state.outcome:
        return "decided"
    return dossier.outcome if dossier.outcome in state.told else dossier.state


def state_title(dossier, locale: str) -> str:
    return localized(shown_state(dossier).title, locale)


_HISTORY = (select(HistoryEntry).where(HistoryEntry.dossier_id == bindparam("dossier"))
            .order_by(HistoryEntry.occurred, HistoryEntry.id))  # built once
_ROWS = (select(*(HistoryEntry.__table__.c[name] for name in (
    "id", "occurred", "actor_id", "transition", "from_state", "to_state", "comment")))
    .where(HistoryEntry.dossier_id == bindparam("dossier"))
    .order_by(HistoryEntry.occurred, HistoryEntry.id))
HISTORY_KEY = "loket.workflow.history"


def history_of(dbsession, dossier) -> list[HistoryEntry]:
    return list(dbsession.scalars(_HISTORY, {"dossier": dossier.id}))


def history_rows(dbsession, dossier) -> list:
    """The history as plain rows with the entries' columns (no actor): for readers that need
    neither the actors' names nor objects to change, at a fraction of the ORM's cost."""
    return list(dbsession.execute(_ROWS, {"dossier": dossier.id}))


def page_history(request, dossier) -> list:
    """The dossier's history as this request read it (:func:`workflow_view`, or rows read
    here once): the page's panels ask whether a step was ever taken without a query of their
    own. Kept per dossier version — every step bumps it — so a step taken since reads again."""
    key = (dossier.id, dossier.version)
    known = request.environ.setdefault(HISTORY_KEY, {})
    if key not in known:
        known[key] = history_rows(request.dbsession, dossier)
    return known[key]


def ever_in(history, states) -> bool:
    """Whether the dossier ever entered one of ``states`` (names)."""
    return any(entry.to_state in states for entry in history)


def workflow_view(request, dossier, history=None) -> dict:
    """Everything the dossier pages need about the workflow, in the request's language; from
    ``history`` (entries or :func:`history_rows`) when the caller read it already."""
    locale = request.locale_name
    workflow = workflow_of(dossier)
    state = shown_state(dossier)
    if history is None:
        history = history_of(request.dbsession, dossier)
    request.environ.setdefault(HISTORY_KEY, {})[(dossier.id, dossier.version)] = history
    shown = {}  # each state the history names, as the dossier's outcome shows it: once

    def shown_as(name):
        if name not in shown:
            shown[name] = workflow.states[name].for_outcome(dossier.outcome)
        return shown[name]

    return {
        "state": state,
        "state_title": localized(state.title, locale),
        "badge": badge_of(dossier),
        "citizen_text": localized(state.citizen_text, locale),
        "steps": [
            {"transition": t, "title": localized(t.title, locale), "blocked": blocked}
            for t, blocked in available_transitions(dossier, actor_for(request))
        ],
        "history": [
            {"entry": h, "shown": shown_as(h.to_state),
             "title": localized(shown_as(h.to_state).title, locale),
             "step": localized(workflow.transitions[h.transition].title, locale)
             if h.transition in workflow.transitions else h.transition}
            for h in history
        ],
        "deadlines": [
            {"deadline": d, "title": localized(d.title, locale)}
            for d in dossier_deadlines(dossier, history, workflow, utcnow())
        ],
        "today": utcnow().date(),
    }
