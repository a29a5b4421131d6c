"""Legal deadlines, computed from a dossier's history and its type's declaration.

A deadline declared as ``{code, title, days, start_state, stop_states}`` starts when the
dossier first enters ``start_state`` and is met when it enters one of ``stop_states``. Time
spent in a state that ``suspends_deadlines`` (waiting for the citizen) is added to it: the
clock stops while the ball is in the citizen's court.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta


@dataclass(frozen=True)
class Deadline:
    code: str
    title: dict
    start: datetime | None
    due: date | None  # None: not started yet
    stopped: datetime | None
    suspended_days: int
    running_suspension: bool

    def days_left(self, today: date) -> int | None:
        if self.due is None or self.stopped is not None:
            return None
        return (self.due - today).days

    @property
    def met(self) -> bool | None:
        if self.stopped is None or self.due is None:
            return None
        return self.stopped.date() <= self.due


def compute_deadline(declaration: dict, history, suspending_states, now: datetime) -> Deadline:
    """``history``: (time, to_state) pairs in time order."""
    start = stopped = suspended_since = None
    suspended = timedelta()
    for occurred, to_state in history:
        if start is None:
            if to_state == declaration["start_state"]:
                start = occurred
            continue
        if stopped is not None:
            break
        if suspended_since is not None and to_state not in suspending_states:
            suspended += occurred - suspended_since
            suspended_since = None
        if to_state in suspending_states and suspended_since is None:
            suspended_since = occurred
        if to_state in declaration.get("stop_states", ()):
            stopped = occurred
    running = suspended_since is not None and stopped is None
    if running:
        suspended += now - suspended_since
    if start is None:
        return Deadline(declaration["code"], declaration.get("title", {}), None, None, None, 0,
                        False)
    suspended_days = suspended.days + (1 if suspended.seconds or suspended.microseconds else 0)
    due = start.date() + timedelta(days=int(declaration["days"]) + suspended_days)
    return Deadline(declaration["code"], declaration.get("title", {}), start, due, stopped,
                    suspended_days, running)


def dossier_deadlines(dossier, history_entries, workflow, now: datetime) -> list[Deadline]:
    suspending = {s.name for s in workflow.states.values() if s.suspends_deadlines}
    pairs = [(h.occurred, h.to_state) for h in sorted(history_entries, key=lambda h: h.occurred)]
    return [compute_deadline(d, pairs, suspending, now)
            for d in dossier.type_version.definition.get("deadlines", [])]
