"""``Dossier.due``, the worklists' deadline, and the daily reminder to handlers.

``due`` is the due date of the earliest legal deadline still running (suspensions included:
:func:`loket.workflow.deadlines.dossier_deadlines`), None when none runs. It is recomputed
after every transition and, for dossiers whose clock is stopped (a suspending state moves the
due date a day further each day), by the worker's daily job. The job also e-mails each
handler once a day what reaches its deadline today or tomorrow: their own dossiers, and their
team's unassigned ones.
"""

import logging
from collections import defaultdict
from datetime import date, timedelta

from markupsafe import escape
from pyramid.i18n import make_localizer
from pyramid.interfaces import ITranslationDirectories
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from loket.db import utcnow
from loket.dossiers.models import Dossier
from loket.i18n import _
from loket.identity.models import RoleAssignment, User
from loket.outbox import enqueue
from loket.security import Role
from loket.workflow.deadlines import dossier_deadlines
from loket.workflow.definition import workflows
from loket.workflow.engine import AfterTransition, AfterTransitions, workflow_of
from loket.workflow.models import HistoryEntry
from loket.worklists.models import DeadlineReminder, closed_states

log = logging.getLogger(__name__)

JOB_INTERVAL = 3600  # seconds: runs hourly, acts once a day (idempotent)
EMAIL = "email"


def next_due(dossier, history, now) -> date | None:
    if workflow_of(dossier).states[dossier.state].final:
        return None  # closed (withdrawn, not admissible …): no deadline runs any more
    running = [d.due for d in dossier_deadlines(dossier, history, workflow_of(dossier), now)
               if d.due is not None and d.stopped is None]
    return min(running, default=None)


def store_due(dbsession, dossier, due: date | None) -> bool:
    """Write ``due`` without bumping the version counter: a deadline moving is no edit (a
    handler's form stays valid). Returns whether it changed."""
    if dossier.due == due:
        return False
    dbsession.execute(update(Dossier.__table__).where(Dossier.__table__.c.id == dossier.id)
                      .values(due=due))
    set_committed_value(dossier, "due", due)
    return True


def recompute_due(dbsession, dossier, now=None) -> bool:
    history = dbsession.scalars(select(HistoryEntry).where(HistoryEntry.dossier_id == dossier.id))
    return store_due(dbsession, dossier, next_due(dossier, list(history), now or utcnow()))


def after_transition(event: AfterTransition):
    if event.batch is None:  # one of many: after_transitions does them all at once
        recompute_due(event.dbsession, event.dossier)


def after_transitions(batch: AfterTransitions):
    """Many steps at once: every history in one query, one UPDATE per new due date."""
    dossiers = {event.dossier.id: event.dossier for event in batch.events}
    histories = {number: [] for number in dossiers}
    for entry in batch.dbsession.scalars(select(HistoryEntry).where(
            HistoryEntry.dossier_id.in_(dossiers))):
        histories[entry.dossier_id].append(entry)
    now, changed = utcnow(), {}
    for number, dossier in dossiers.items():
        due = next_due(dossier, histories[number], now)
        if due != dossier.due:
            changed.setdefault(due, []).append(dossier)
    for due, group in changed.items():
        batch.dbsession.execute(update(Dossier.__table__).where(
            Dossier.__table__.c.id.in_([d.id for d in group])).values(due=due))
        for dossier in group:
            set_committed_value(dossier, "due", due)


def suspending_states() -> list[str]:
    return sorted({s.name for w in workflows().values() for s in w.states.values()
                   if s.suspends_deadlines})


def recompute_suspended(dbsession, now=None) -> int:
    """Dossiers in a suspending state: their due date moves while the clock stands still."""
    changed = 0
    for dossier in dbsession.scalars(select(Dossier).where(
            Dossier.state.in_(suspending_states()))):
        changed += recompute_due(dbsession, dossier, now)
    return changed


# ---------------------------------------------------------------------------------------------
# Reminders


def due_soon(dbsession, today: date) -> list[Dossier]:
    """Open dossiers whose deadline is today or tomorrow."""
    return dbsession.scalars(
        select(Dossier).where(Dossier.due >= today, Dossier.due <= today + timedelta(1),
                              Dossier.state.not_in(sorted(closed_states())))
        .order_by(Dossier.due, Dossier.reference)).all()


def recipients(dbsession, dossiers) -> dict[int, list[Dossier]]:
    """Who hears of which dossier: its handler, or every handler of its team."""
    team_ids = {d.team_id for d in dossiers if d.handler_id is None}
    handlers = defaultdict(list)
    if team_ids:
        for user_id, team_id in dbsession.execute(
                select(RoleAssignment.user_id, RoleAssignment.team_id).where(
                    RoleAssignment.role == Role.HANDLER, RoleAssignment.team_id.in_(team_ids))):
            handlers[team_id].append(user_id)
    result = defaultdict(list)
    for dossier in dossiers:
        for user_id in ([dossier.handler_id] if dossier.handler_id else handlers[dossier.team_id]):
            result[user_id].append(dossier)
    return result


def reminder_email(localizer, user: User, dossiers, today: date, public_url: str) -> dict:
    base = public_url.rstrip("/")
    t = localizer.translate

    def when(dossier):
        return t(_("today")) if dossier.due == today else t(_("tomorrow"))

    lines = [(d.reference, d.title, when(d), f"{base}/dossiers/{d.reference}") for d in dossiers]
    intro = t(_("These dossiers reach their deadline today or tomorrow:"))
    greeting = t(_("Hello ${name},", mapping={"name": user.given_name}))
    text = "\n".join([greeting, "", intro, "",
                      *(f"- {r} {title} ({w}): {url}" for r, title, w, url in lines),
                      "", f"{base}/werkbank?lijst=deze-week", ""])
    html = (f"<p>{escape(greeting)}</p><p>{escape(intro)}</p><ul>"
            + "".join(f'<li><a href="{escape(url)}">{escape(r)}</a> {escape(title)} '
                      f"({escape(w)})</li>" for r, title, w, url in lines)
            + f'</ul><p><a href="{escape(base)}/werkbank?lijst=deze-week">'
              f"{escape(t(_('Workbench')))}</a></p>")
    subject = t(_("Deadlines: ${count} dossier(s) due today or tomorrow",
                  mapping={"count": len(dossiers)}))
    return {"to": user.email, "subject": subject, "text": text, "html": html, "language": "nl"}


def send_reminders(dbsession, registry, today: date) -> int:
    """One e-mail per handler per day (a second run the same day sends nothing)."""
    from loket.outbox import deliverers

    if EMAIL not in deliverers(registry):
        return 0
    per_user = recipients(dbsession, due_soon(dbsession, today))
    if not per_user:
        return 0
    done = set(dbsession.scalars(select(DeadlineReminder.user_id).where(
        DeadlineReminder.day == today, DeadlineReminder.user_id.in_(per_user))))
    users = {u.id: u for u in dbsession.scalars(select(User).where(User.id.in_(per_user)))}
    localizer = make_localizer("nl", registry.queryUtility(ITranslationDirectories, default=[]))
    public_url = registry.settings.get("loket.public_url", "")
    sent = 0
    for user_id, dossiers in sorted(per_user.items()):
        user = users.get(user_id)
        if user_id in done or user is None or not user.email:
            continue
        dbsession.add(DeadlineReminder(user_id=user_id, day=today, dossiers=len(dossiers)))
        enqueue(dbsession, EMAIL, reminder_email(localizer, user, dossiers, today, public_url),
                ordering_key=f"reminder:{user_id}")
        sent += 1
    dbsession.flush()
    return sent


def deadline_job(registry) -> dict:
    """The worker job: move suspended deadlines, then remind (own short transactions)."""
    factory = registry["dbsession_factory"]
    with factory() as session, session.begin():
        moved = recompute_suspended(session)
    with factory() as session, session.begin():
        reminded = send_reminders(session, registry, utcnow().date())
    return {"deadlines_moved": moved, "deadline_reminders": reminded}
