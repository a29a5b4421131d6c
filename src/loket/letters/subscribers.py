"""Letters made by themselves when a dossier takes a step (the workflow's
:class:`~loket.workflow.engine.AfterTransition`): the receipt at submission, the request for
completion, the refusal of admissibility, and the decision letter when the dossier reaches a
state marked ``decided`` (granted or refused by the state's ``outcome``). The worker renders
them; nothing here costs the request more than a row.

Steps are found by purpose and states by mark, never by name; no feature imports this
package.
"""

from pyramid.threadlocal import get_current_request

from loket.letters.services import create_letter, create_letters
from loket.workflow.engine import AfterTransition, AfterTransitions, workflow_of

# A step's purpose → the letter it makes.
BY_PURPOSE = {"application.submit": "receipt", "completion.request": "completion.request",
              "admissibility.refuse": "admissibility.refused"}
BY_OUTCOME = {"approved": "decision.granted", "refused": "decision.refused"}


def _language() -> str | None:
    """The receipt follows the language the citizen applied in."""
    request = get_current_request()
    return getattr(request, "locale_name", None) if request is not None else None


def kind_for(event: AfterTransition) -> str | None:
    transition = event.transition
    kind = BY_PURPOSE.get(transition.purpose or "")
    if kind is not None:
        return kind
    state = workflow_of(event.dossier).states.get(transition.target)
    if state is not None and "decided" in state.marks:
        return BY_OUTCOME.get(state.outcome or "")
    return None


def _wanted(event: AfterTransition):
    kind = kind_for(event)
    if kind is None:
        return None
    actor_id = None if event.actor.is_system else event.actor.user.id
    details = {"step": event.history.id} if event.history is not None else {}
    if kind == "receipt" and (language := _language()) in ("nl", "en"):
        details["language"] = language
    return event.dossier, kind, actor_id, details


def make_letters(event: AfterTransition) -> None:
    if event.batch is not None:  # one of many: make_many_letters makes them all at once
        return
    wanted = _wanted(event)
    if wanted is not None:
        dossier, kind, actor_id, details = wanted
        create_letter(event.dbsession, dossier, kind, actor_id=actor_id, **details)


def make_many_letters(batch: AfterTransitions) -> None:
    """A meeting's decisions: every letter in one flush."""
    create_letters(batch.dbsession, [w for event in batch.events
                                     if (w := _wanted(event)) is not None])


def includeme(config):
    config.add_subscriber(make_letters, AfterTransition)
    config.add_subscriber(make_many_letters, AfterTransitions)
