"""The one service that moves dossiers through their workflow.

Views, the API, callbacks and the worker all call :func:`perform`. It checks, in order: the
caller's version counter (optimistic locking), that the transition leaves the current state,
that the actor holds one of its roles on this dossier, its guard conditions, and a comment
where one is required. Then it notifies :class:`BeforeTransition` (a subscriber may veto by
raising :class:`TransitionRefused`), changes the state, writes the history entry and the audit
event, and notifies :class:`AfterTransition` (the outbox subscribes here). The UPDATE carries
the version counter, so of two concurrent transitions exactly one succeeds.
"""

from dataclasses import dataclass

from sqlalchemy import bindparam, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from loket import audit
from loket.db import registry_of, utcnow
from loket.i18n import _
from loket.security import Role, role_principal
from loket.workflow.conditions import conditions
from loket.workflow.definition import SYSTEM, Transition, Workflow, workflows
from loket.workflow.models import HistoryEntry


class TransitionRefused(Exception):
    """Not allowed now; ``message`` is a translation string for the user. Nothing changed."""

    status = 400

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class TransitionForbidden(TransitionRefused):
    status = 403


class TransitionConflict(TransitionRefused):
    """Someone else changed the dossier first."""

    status = 409


@dataclass
class Actor:
    """Who performs a transition: a user with their principals, or the system."""

    user: object | None
    principals: frozenset[str]

    @classmethod
    def system(cls):
        return cls(None, frozenset({SYSTEM}))

    @property
    def is_system(self):
        return self.user is None


@dataclass
class BeforeTransition:
    dossier: object
    transition: Transition
    actor: Actor
    dbsession: object
    registry: object


@dataclass
class AfterTransition:
    dossier: object
    transition: Transition
    actor: Actor
    dbsession: object
    registry: object
    from_state: str
    history: HistoryEntry
    # Set when the step is one of many taken at once (:func:`perform_many`): a subscriber
    # that handles :class:`AfterTransitions` does its work there, for all of them at once.
    batch: "AfterTransitions | None" = None


@dataclass
class AfterTransitions:
    """Many steps taken at once (a meeting's decisions): notified after their
    :class:`AfterTransition` events, so a subscriber can do in a fixed number of statements
    what it would do per step."""

    events: list[AfterTransition]
    dbsession: object
    registry: object


def workflow_of(dossier) -> Workflow:
    return workflows()[dossier.type_version.workflow]


LOCAL_ROLES_KEY = "loket.workflow.local_roles"


def add_local_role(config, role: str, principals):
    """A role held on one dossier: ``principals(dossier) -> list[str]`` says who holds it
    (the applicant, the handling team …). Workflows name it in permission maps and steps."""
    principals = config.maybe_dotted(principals)

    def register():
        config.registry.setdefault(LOCAL_ROLES_KEY, {})[role] = principals

    item = config.introspectable("loket local roles", role, role, "loket local role")
    config.action(("loket.local_role", role), register, introspectables=(item,))


def role_principals(dossier, role: str, registry=None) -> list[str]:
    """The principals that hold ``role`` on this dossier: a local role's, the system, or
    the global role's."""
    if role == SYSTEM:
        return [SYSTEM]
    registry = registry if registry is not None else registry_of(dossier)
    local = registry.get(LOCAL_ROLES_KEY, {}).get(role)
    if local is not None:
        return list(local(dossier))
    return [role_principal(Role(role))]


def holds_role(actor: Actor, dossier, roles, registry=None) -> bool:
    return any(p in actor.principals for role in roles
               for p in role_principals(dossier, role, registry))


def refusal(dossier, transition: Transition, actor: Actor, registry=None):
    """Why ``actor`` cannot perform ``transition`` now (a translation string), or ``None``."""
    if dossier.state not in transition.sources:
        return TransitionRefused(_("This step is not possible in the dossier's current state."))
    if not holds_role(actor, dossier, transition.roles, registry):
        return TransitionForbidden(_("You may not take this step on this dossier."))
    registry = registry if registry is not None else registry_of(dossier)
    for name in transition.conditions:
        reason = conditions(registry)[name](dossier)
        if reason is not None:
            return TransitionRefused(reason)
    return None


def moved_on(dossier, actor: Actor, transition_name: str | None, version: int | None) -> bool:
    """Whether a step refused for want of the right to act was one ``actor`` could have taken
    before someone else moved the dossier on (a conflict, 409), rather than one they may not
    take at all (403): the step posted is theirs but no longer leaves the current state, or,
    for a page that names no step, the version it was shown at is no longer current."""
    if transition_name:
        transition = workflow_of(dossier).transitions.get(transition_name)
        return (transition is not None and dossier.state not in transition.sources
                and holds_role(actor, dossier, transition.roles))
    return version is not None and version != dossier.version


def available_transitions(dossier, actor: Actor) -> list[tuple[Transition, object]]:
    """Transitions out of the current state that the actor holds a role for, each with the
    reason it is blocked (``None`` when it can be taken now)."""
    workflow = workflow_of(dossier)
    result = []
    for transition in workflow.transitions_from(dossier.state):
        if holds_role(actor, dossier, transition.roles):
            problem = refusal(dossier, transition, actor)
            result.append((transition, problem.message if problem else None))
    return result


def perform(registry, dbsession, dossier, transition_name: str, actor: Actor,
            expected_version: int | None, comment: str = ""):
    """Perform a transition, or raise a :class:`TransitionRefused` and change nothing."""
    if expected_version is not None and expected_version != dossier.version:
        raise TransitionConflict(_("This dossier was changed by someone else in the meantime. "
                                   "Reload the page and try again."))
    entry, event = _take(registry, dbsession, dossier, transition_name, actor, comment)
    _flush(dbsession)
    registry.notify(event)
    return entry


def perform_many(registry, dbsession, steps, actor: Actor) -> list[HistoryEntry]:
    """Perform ``steps`` — ``(dossier, transition_name, comment)`` each — at once, in one
    flush: the statements do not grow with their number (but for what subscribers of
    :class:`AfterTransition` that do not handle :class:`AfterTransitions` do per step).
    Every step is checked before any is taken; the first refusal is raised."""
    if not steps:
        return []
    for dossier, name, comment in steps:
        _take(registry, dbsession, dossier, name, actor, comment, check_only=True)
    with dbsession.no_autoflush:  # one flush for all: the inserts go in batches
        taken = [_take(registry, dbsession, dossier, name, actor, comment)
                 for dossier, name, comment in steps]
        _store_states(dbsession, [dossier for dossier, _name, _comment in steps])
    _flush(dbsession)
    batch = AfterTransitions([event for _entry, event in taken], dbsession, registry)
    for _entry, event in taken:
        event.batch = batch
        registry.notify(event)
    registry.notify(batch)
    return [entry for entry, _event in taken]


def _store_states(dbsession, dossiers) -> None:
    """The dossiers' new states in one executemany UPDATE, each row with its version check
    (the ORM updates versioned rows one statement each)."""
    if not dossiers:
        return
    table, now = type(dossiers[0]).__table__, utcnow()
    rows = [{"b_id": d.id, "b_version": d.version, "state": d.state, "outcome": d.outcome,
             "modified": now, "version": d.version + 1} for d in dossiers]
    result = dbsession.connection().execute(
        update(table).where(table.c.id == bindparam("b_id"),
                            table.c.version == bindparam("b_version"))
        .values(state=bindparam("state"), outcome=bindparam("outcome"),
                modified=bindparam("modified"), version=bindparam("version")), rows)
    if result.rowcount != len(rows):
        raise TransitionConflict(_("This dossier was changed by someone else in the meantime. "
                                   "Reload the page and try again."))
    for dossier, row in zip(dossiers, rows, strict=True):
        for name in ("state", "outcome", "modified", "version"):
            set_committed_value(dossier, name, row[name])


def _flush(dbsession) -> None:
    try:
        dbsession.flush()
    except StaleDataError as exc:
        raise TransitionConflict(_("This dossier was changed by someone else in the meantime. "
                                   "Reload the page and try again.")) from exc


def _take(registry, dbsession, dossier, transition_name: str, actor: Actor, comment: str,
          check_only: bool = False):
    """Check one step and, unless ``check_only``, take it (not yet flushed): the history
    entry and the event to notify once it is."""
    workflow = workflow_of(dossier)
    transition = workflow.transitions.get(transition_name)
    if transition is None:
        raise TransitionRefused(_("This step does not exist."))
    problem = refusal(dossier, transition, actor)
    if problem is not None:
        raise problem
    comment = (comment or "").strip()
    if transition.comment_required and not comment:
        raise TransitionRefused(_("Give a reason for this step."))
    if check_only:
        return None

    registry.notify(BeforeTransition(dossier, transition, actor, dbsession, registry))
    from_state = dossier.state
    target = workflow.states[transition.target]
    dossier.state = target.name
    if target.outcome:
        dossier.outcome = target.outcome
    entry = HistoryEntry(dossier_id=dossier.id, transition=transition.name,
                         from_state=from_state, to_state=target.name, comment=comment,
                         actor_id=None if actor.is_system else actor.user.id)
    dbsession.add(entry)
    audit.write(dbsession, "dossier.transition", "dossier", dossier.reference, entry.actor_id,
                transition=transition.name, **{"from": from_state, "to": target.name})
    return entry, AfterTransition(dossier, transition, actor, dbsession, registry, from_state,
                                  entry)
