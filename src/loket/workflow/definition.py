"""Workflows as data: states with a permission map, transitions with guards.

A workflow is one YAML file in ``definitions/`` (one reviewable place per workflow). Roles in a
permission map or a transition are either *local* — ``applicant`` (the dossier's applicant) and
``handler`` (the handlers of the dossier's team) — or global roles (``secretariat``,
``signatory``, ``finance``, ``adviser``, ``admin``, ``integrator``), or ``system`` for
transitions the worker and callbacks perform.
"""

import functools
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from loket.security import Permission, Role

LOCAL_ROLES = ("applicant", "handler")
SYSTEM = "system"
KNOWN_ROLES = frozenset(LOCAL_ROLES) | {r.value for r in Role if r != Role.CITIZEN} | {SYSTEM}
KNOWN_PERMISSIONS = frozenset(p.value for p in Permission)
DOSIS_PHASES = ("Samenstelling", "Behandeling", "Afgerond")


class WorkflowError(ValueError):
    """A workflow file is wrong; ``problems`` lists every problem with its location."""

    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class State:
    name: str
    title: dict  # {"nl": ..., "en": ...}
    citizen_text: dict  # what it means for the citizen, and what happens next
    phase: str  # DOSIS phase
    permissions: dict[str, frozenset[str]]  # role → permissions
    waits_for: str | None = None  # whose move it is (worklists)
    suspends_deadlines: bool = False
    final: bool = False
    outcome: str | None = None  # "approved" | "refused" for decision states
    # How the state reads once the dossier's outcome is told (``by_outcome``: the decision
    # letter was delivered): per outcome, the title and citizen text that replace its own.
    told: dict = field(default_factory=dict)
    # What the state means to the features (``submitted``, ``admissible``,
    # ``ready_for_decision`` …): features find states by mark, never by name.
    marks: frozenset[str] = frozenset()

    def for_outcome(self, outcome: str | None) -> "State":
        """The state as the citizen, DOSIS and the notifications show it for a dossier with
        this outcome."""
        words = self.told.get(outcome)
        return replace(self, **words) if words else self


@dataclass(frozen=True)
class Transition:
    name: str
    title: dict
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    conditions: tuple[str, ...] = ()
    comment_required: bool = False
    # What the step is for (``admissibility.accept``, ``completion.request`` …): the feature
    # that owns the purpose takes the step through its own service.
    purpose: str | None = None


@dataclass(frozen=True)
class Workflow:
    name: str
    title: dict
    initial: str
    states: dict[str, State]
    transitions: dict[str, Transition]
    conditions_used: frozenset[str] = field(default_factory=frozenset)

    def transitions_from(self, state: str) -> list[Transition]:
        return [t for t in self.transitions.values() if state in t.sources]

    def transition_for(self, purpose: str) -> Transition | None:
        """The step with this purpose, or ``None`` when the workflow has none."""
        return next((t for t in self.transitions.values() if t.purpose == purpose), None)

    def states_marked(self, mark: str) -> frozenset[str]:
        return frozenset(s.name for s in self.states.values() if mark in s.marks)

    def is_marked(self, state: str, mark: str) -> bool:
        return mark in self.states[state].marks

    @property
    def purposes(self) -> frozenset[str]:
        return frozenset(t.purpose for t in self.transitions.values() if t.purpose)

    @property
    def marks(self) -> frozenset[str]:
        return frozenset(m for s in self.states.values() for m in s.marks)


def _texts(value, where, problems, required=True) -> dict:
    if value is None and not required:
        return {}
    if not isinstance(value, dict) or not value.get("nl") or not value.get("en"):
        problems.append(f"{where}: needs a Dutch (nl) and an English (en) text")
        return {}
    return {"nl": str(value["nl"]), "en": str(value["en"])}


MARKER = re.compile(r"[a-z][a-z_]*(\.[a-z][a-z_]*)?")


def _names(value, where, problems) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(v, str) and MARKER.fullmatch(v)
                                               for v in value):
        problems.append(f"{where}: a list of lower-case names")
        return frozenset()
    return frozenset(value)


def _purpose(value, where, problems) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not MARKER.fullmatch(value):
        problems.append(f"{where}: a lower-case name such as admissibility.accept")
        return None
    return value


def parse_workflow(data: dict, source: str = "workflow") -> Workflow:
    """Build a :class:`Workflow` from its YAML data; raise :class:`WorkflowError` listing every
    problem."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise WorkflowError([f"{source}: not a mapping"])
    name = data.get("name") or ""
    if not name:
        problems.append(f"{source}: name is missing")
    raw_states = data.get("states") or {}
    raw_transitions = data.get("transitions") or {}
    if not isinstance(raw_states, dict) or not raw_states:
        problems.append(f"{source}.states: at least one state is needed")
        raw_states = {}
    if not isinstance(raw_transitions, dict):
        problems.append(f"{source}.transitions: must be a mapping")
        raw_transitions = {}

    states = {}
    for state_name, raw in raw_states.items():
        where = f"{source}.states.{state_name}"
        raw = raw or {}
        permissions = {}
        for role, perms in (raw.get("permissions") or {}).items():
            if role not in KNOWN_ROLES - {SYSTEM}:
                problems.append(f"{where}.permissions: unknown role {role!r}")
            unknown = set(perms or ()) - KNOWN_PERMISSIONS
            if unknown:
                problems.append(f"{where}.permissions.{role}: unknown permission(s) "
                                f"{', '.join(sorted(unknown))}")
            permissions[role] = frozenset(perms or ())
        phase = raw.get("phase")
        if phase not in DOSIS_PHASES:
            problems.append(f"{where}.phase: must be one of {', '.join(DOSIS_PHASES)}")
        waits_for = raw.get("waits_for")
        if waits_for is not None and waits_for not in KNOWN_ROLES:
            problems.append(f"{where}.waits_for: unknown role {waits_for!r}")
        outcome = raw.get("outcome")
        if outcome not in (None, "approved", "refused"):
            problems.append(f"{where}.outcome: must be approved or refused")
        told = {}
        for told_outcome, words in (raw.get("by_outcome") or {}).items():
            if told_outcome not in ("approved", "refused") or not isinstance(words, dict):
                problems.append(f"{where}.by_outcome: approved or refused, each with a title")
                continue
            told[told_outcome] = {
                "title": _texts(words.get("title"), f"{where}.by_outcome.{told_outcome}.title",
                                problems),
                "citizen_text": _texts(words.get("citizen_text"),
                                       f"{where}.by_outcome.{told_outcome}.citizen_text",
                                       problems, required=False)}
        states[state_name] = State(
            name=state_name, told=told, title=_texts(raw.get("title"), f"{where}.title", problems),
            citizen_text=_texts(raw.get("citizen_text"), f"{where}.citizen_text", problems,
                                required=False),
            phase=phase or "", permissions=permissions, waits_for=waits_for,
            suspends_deadlines=bool(raw.get("suspends_deadlines")), final=bool(raw.get("final")),
            outcome=outcome, marks=_names(raw.get("marks"), f"{where}.marks", problems),
        )

    initial = data.get("initial")
    if initial not in states:
        problems.append(f"{source}.initial: {initial!r} is not a state")

    transitions = {}
    for transition_name, raw in raw_transitions.items():
        where = f"{source}.transitions.{transition_name}"
        raw = raw or {}
        sources = raw.get("from") or []
        sources = [sources] if isinstance(sources, str) else list(sources)
        if not sources:
            problems.append(f"{where}.from: no source state")
        for state_name in sources:
            if state_name not in states:
                problems.append(f"{where}.from: {state_name!r} is not a state")
        target = raw.get("to")
        if target not in states:
            problems.append(f"{where}.to: {target!r} is not a state")
        roles = frozenset(raw.get("roles") or ())
        if not roles:
            problems.append(f"{where}.roles: nobody may perform it")
        for role in roles - KNOWN_ROLES:
            problems.append(f"{where}.roles: unknown role {role!r}")
        transitions[transition_name] = Transition(
            name=transition_name, title=_texts(raw.get("title"), f"{where}.title", problems),
            sources=tuple(sources), target=target, roles=roles,
            conditions=tuple(raw.get("conditions") or ()),
            comment_required=bool(raw.get("comment_required")),
            purpose=_purpose(raw.get("purpose"), f"{where}.purpose", problems),
        )
    purposes = [t.purpose for t in transitions.values() if t.purpose]
    for purpose in sorted({p for p in purposes if purposes.count(p) > 1}):
        problems.append(f"{source}.transitions: purpose {purpose!r} is given to several steps")

    for state in states.values():
        if state.final and any(state.name in t.sources for t in transitions.values()):
            problems.append(f"{source}.states.{state.name}: a final state has transitions out")
    reachable = {initial}
    changed = True
    while changed:
        changed = False
        for t in transitions.values():
            if reachable & set(t.sources) and t.target not in reachable:
                reachable.add(t.target)
                changed = True
    for state_name in states:
        if state_name not in reachable:
            problems.append(f"{source}.states.{state_name}: cannot be reached from {initial!r}")

    if problems:
        raise WorkflowError(problems)
    return Workflow(
        name=name, title=_texts(data.get("title"), f"{source}.title", problems), initial=initial,
        states=states, transitions=transitions,
        conditions_used=frozenset(c for t in transitions.values() for c in t.conditions),
    )


def load_workflows(directory: Path | None = None) -> dict[str, Workflow]:
    directory = directory or Path(__file__).parent / "definitions"
    workflows = {}
    for path in sorted(directory.glob("*.yaml")):
        workflow = parse_workflow(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
        workflows[workflow.name] = workflow
    return workflows


@functools.cache
def workflows() -> dict[str, Workflow]:
    """The shipped workflows, loaded once per process."""
    return load_workflows()
