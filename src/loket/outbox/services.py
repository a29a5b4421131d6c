"""The outbox's state changes, each one statement in the caller's (short) transaction.

Every change that races with a worker or a person is a guarded UPDATE (``WHERE status = …``),
so two parties can never both move the same message. ``claimed_by`` stays after a claim ends:
it names the worker that handled the message last, for diagnosis; only ``status =
delivering`` makes it a claim. Times come from the caller: the worker reads the database's
clock (:func:`db_now`), so workers on several machines agree on when a claim went stale.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from pyramid.exceptions import ConfigurationError
from sqlalchemy import bindparam, case, delete, exists, func, select, update
from sqlalchemy.orm import aliased

from loket.db import utcnow
from loket.outbox import Message
from loket.outbox.models import (
    DEAD,
    DELIVERED,
    DELIVERING,
    DISCARDED,
    FINAL,
    OPEN,
    PENDING,
    RETRYING,
    STATUSES,
    OutboxMessage,
)

MAX_ERROR_LENGTH = 500


@dataclass(frozen=True)
class Policy:
    """The ``loket.outbox.*`` settings (seconds unless named otherwise)."""

    claim_timeout: float = 60.0  # a claim older than this is a crashed or stalled worker's
    backoff_base: float = 2.0
    # Minutes, not hours: after an outage nothing should sleep long past the receiver's return.
    backoff_cap: float = 300.0
    # A message goes dead only when both are spent: this many attempts, and this long since it
    # was enqueued (two days outlast a long outage or a weekend's maintenance).
    max_attempts: int = 12
    retry_budget: float = 2 * 24 * 3600.0
    # While a receiver is down, one of its messages is tried at least this often, so the
    # first success after its return comes soon and wakes the others (record_delivered).
    probe_interval: float = 30.0
    batch_size: int = 20
    poll_interval: float = 0.25  # idle wait between claims
    http_timeout: float = 10.0
    keep_days: float = 30.0  # delivered and discarded rows (payloads may be personal data)

    @classmethod
    def from_settings(cls, settings) -> "Policy":
        values = {}
        for name, field in cls.__dataclass_fields__.items():
            raw = settings.get(f"loket.outbox.{name}")
            if raw is None or raw == "":
                continue
            try:
                values[name] = field.type(raw)
            except ValueError:
                raise ConfigurationError(f"loket.outbox.{name}: not a number: {raw!r}") from None
        policy = cls(**values)
        if min(getattr(policy, name) for name in cls.__dataclass_fields__) <= 0:
            raise ConfigurationError("loket.outbox.*: every setting must be positive")
        # A delivery that outlives its claim is taken over by another worker: a duplicate.
        if policy.claim_timeout <= 2 * policy.http_timeout:
            raise ConfigurationError("loket.outbox.claim_timeout must exceed twice "
                                     "loket.outbox.http_timeout")
        return policy


def backoff(attempts: int, policy: Policy, rng: random.Random) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt: capped exponential backoff
    with full jitter (uniform between 0 and the cap), so a crowd of messages that failed
    together does not come back together."""
    ceiling = min(policy.backoff_cap, policy.backoff_base * 2 ** min(attempts - 1, 62))
    return rng.uniform(0, ceiling)


def _on_postgresql(db) -> bool:
    """``db``: an ORM session (the views) or a Core connection (the relay, less overhead)."""
    dialect = db.dialect if hasattr(db, "dialect") else db.get_bind().dialect
    return dialect.name == "postgresql"


def db_now(dbsession) -> datetime:
    """The database server's time on PostgreSQL (shared by every machine); ours on SQLite."""
    if _on_postgresql(dbsession):
        return dbsession.execute(select(func.now())).scalar_one()
    return utcnow()


def _error(text: str) -> str:
    return text[:MAX_ERROR_LENGTH]


def _snapshot(row) -> Message:
    return Message(id=row.id, kind=row.kind, payload=row.payload,
                   idempotency_key=row.idempotency_key, ordering_key=row.ordering_key,
                   dossier_id=row.dossier_id, attempts=row.attempts, created=row.created)


_RETURNED = (OutboxMessage.id, OutboxMessage.kind, OutboxMessage.payload,
             OutboxMessage.idempotency_key, OutboxMessage.ordering_key,
             OutboxMessage.dossier_id, OutboxMessage.attempts, OutboxMessage.created)


def due_query(now: datetime, limit: int):
    """Messages to deliver now, oldest first: due, and the head of their ordering key (no
    earlier message of the key still open, a dead one included)."""
    earlier = aliased(OutboxMessage)
    blocked = exists().where(earlier.ordering_key == OutboxMessage.ordering_key,
                             earlier.id < OutboxMessage.id, earlier.status.not_in(FINAL))
    return (select(OutboxMessage.id)
            .where(OutboxMessage.status.in_((PENDING, RETRYING)),
                   OutboxMessage.next_attempt <= now, ~blocked)
            .order_by(OutboxMessage.id).limit(limit))


def claim(dbsession, now: datetime, worker: str, limit: int) -> list[Message]:
    """Mark a batch of due messages as ours and return them; the caller commits at once.

    PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so concurrent workers each take other rows.
    Head-of-line holds with stale snapshots too: a message never leaves a FINAL status, so
    "no open earlier message" stays true once seen. Ids are handed out at insert, not at
    commit, but the messages of one key come from transactions on one dossier, which its
    version counter serialises, so their ids follow commit order.

    SQLite: a single UPDATE takes the database's write lock first, so even a stray second
    worker cannot claim the same row.
    """
    due = due_query(now, limit)
    if _on_postgresql(dbsession):
        ids = dbsession.scalars(due.with_for_update(skip_locked=True, of=OutboxMessage)).all()
        if not ids:
            return []
        target = OutboxMessage.id.in_(ids)
    else:
        target = OutboxMessage.id.in_(due.scalar_subquery())
    rows = dbsession.execute(
        update(OutboxMessage)
        .where(target, OutboxMessage.status.in_((PENDING, RETRYING)))
        .values(status=DELIVERING, claimed_by=worker, claimed_at=now)
        .returning(*_RETURNED)
        .execution_options(synchronize_session=False)
    ).all()
    return sorted((_snapshot(row) for row in rows), key=lambda m: m.id)


def release_stalled(dbsession, now: datetime, policy: Policy) -> int:
    """Give the claims of crashed or stalled workers back. The lost attempt counts, so a
    message that kills its worker every time still ends among the dead letters."""
    stale = (OutboxMessage.status == DELIVERING,
             OutboxMessage.claimed_at < now - timedelta(seconds=policy.claim_timeout))
    spent = OutboxMessage.attempts + 1 >= policy.max_attempts
    message = _error(f"claim expired after {policy.claim_timeout:g} s: the worker stopped or "
                     "stalled during delivery (the receiver may have the message)")
    released = 0
    for condition, status in ((spent, DEAD), (~spent, RETRYING)):
        released += dbsession.execute(
            update(OutboxMessage).where(*stale, condition)
            .values(status=status, attempts=OutboxMessage.attempts + 1, claimed_at=None,
                    next_attempt=now, last_error=message, last_attempt=now)
            .execution_options(synchronize_session=False)
        ).rowcount
    return released


def heartbeat(dbsession, ids, now: datetime, worker: str) -> None:
    """Keep our remaining claims fresh while a batch is being delivered."""
    if ids:
        dbsession.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.status == DELIVERING,
                   OutboxMessage.claimed_by == worker)
            .values(claimed_at=now).execution_options(synchronize_session=False))


def unclaim(dbsession, ids, worker: str) -> int:
    """Hand back claims we will not attempt (the worker stops): as they were, due as they
    were."""
    if not ids:
        return 0
    return dbsession.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == DELIVERING,
               OutboxMessage.claimed_by == worker)
        .values(status=case((OutboxMessage.attempts == 0, PENDING), else_=RETRYING),
                claimed_at=None)
        .execution_options(synchronize_session=False)).rowcount


def record_delivered(dbsession, messages: list[Message], now: datetime) -> None:
    """The receivers have them, recorded whoever holds the claims now: a fact is a fact, and
    marking it spares a duplicate when a claim had expired and nobody redelivered yet. One
    statement for all (the relay records a run of successes together).

    A receiver that answers again makes the messages of its kind waiting out a backoff due now
    (after an outage they go out at once, not each at the end of its own timer)."""
    table = OutboxMessage.__table__
    dbsession.execute(
        update(table).where(table.c.id == bindparam("message_id"),
                            table.c.status != DELIVERED)
        .values(status=DELIVERED, delivered=now, attempts=bindparam("attempts_made"),
                claimed_at=None, last_attempt=now),
        [{"message_id": m.id, "attempts_made": m.attempts + 1} for m in messages])
    for kind in sorted({m.kind for m in messages}):
        wake(dbsession, kind, now)


def wake(dbsession, kind: str, now: datetime) -> int:
    """Make the waiting retries of ``kind`` due now (an index range on status, next_attempt)."""
    return dbsession.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == RETRYING, OutboxMessage.next_attempt > now,
               OutboxMessage.kind == kind)
        .values(next_attempt=now)
        .execution_options(synchronize_session=False)).rowcount


def _probe_due(dbsession, message: Message, now: datetime, policy: Policy) -> bool:
    """Whether another message of the kind will try the receiver within the probe interval."""
    return dbsession.execute(select(exists().where(
        OutboxMessage.status == RETRYING, OutboxMessage.kind == message.kind,
        OutboxMessage.id != message.id,
        OutboxMessage.next_attempt <= now + timedelta(seconds=policy.probe_interval)))
    ).scalar()


def budget_spent(message: Message, attempts: int, now: datetime, policy: Policy) -> bool:
    return (attempts >= policy.max_attempts
            and (now - message.created).total_seconds() >= policy.retry_budget)


def record_failure(dbsession, message: Message, now: datetime, worker: str, error: str, *,
                   permanent: bool, policy: Policy, rng: random.Random,
                   retry_after: float | None = None) -> str | None:
    """Retry later or give up (dead). Returns the new status, or None when our claim was
    taken over meanwhile (the new holder decides)."""
    attempts = message.attempts + 1
    if permanent or budget_spent(message, attempts, now, policy):
        status, next_attempt = DEAD, now
    else:
        delay = backoff(attempts, policy, rng)
        if retry_after is not None:
            delay = max(delay, min(retry_after, policy.backoff_cap))
        elif delay > policy.probe_interval and not _probe_due(dbsession, message, now, policy):
            delay = policy.probe_interval  # this one is the receiver's probe for a while
        status, next_attempt = RETRYING, now + timedelta(seconds=delay)
    changed = dbsession.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.status == DELIVERING,
               OutboxMessage.claimed_by == worker)
        .values(status=status, attempts=attempts, next_attempt=next_attempt,
                last_error=_error(error), claimed_at=None, last_attempt=now)
        .execution_options(synchronize_session=False)).rowcount
    return status if changed else None


# -- what a person does (the staff views) -------------------------------------------------

RESENDABLE = (DEAD, RETRYING)


def resend(dbsession, message_id: int, now: datetime) -> bool:
    """Back to the queue, with a fresh retry budget. Not for discarded messages: the ones
    behind them may have gone out already, and a resent old status would overtake them."""
    return bool(dbsession.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status.in_(RESENDABLE))
        .values(status=PENDING, attempts=0, next_attempt=now, claimed_at=None)
        .execution_options(synchronize_session=False)).rowcount)


def discard(dbsession, message_id: int) -> bool:
    """Give a dead message up for good: the messages behind it on its key go out."""
    return bool(dbsession.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == DEAD)
        .values(status=DISCARDED)
        .execution_options(synchronize_session=False)).rowcount)


def counts(dbsession, statuses=STATUSES) -> dict[str, int]:
    found = dict(dbsession.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.status.in_(statuses)).group_by(OutboxMessage.status)).all())
    return {status: found.get(status, 0) for status in statuses}


def oldest_open(dbsession) -> datetime | None:
    """When the oldest message still on its way (not delivered, not dead) was enqueued."""
    return dbsession.execute(
        select(func.min(OutboxMessage.created))
        .where(OutboxMessage.status.in_((PENDING, RETRYING, DELIVERING)))).scalar_one()


def health_figures(dbsession, now: datetime | None = None) -> dict:
    """For /-/health: open messages per status and how long the oldest has waited. Only the
    open statuses, which an index range answers; delivered rows grow without bound."""
    figures = counts(dbsession, OPEN)
    oldest = oldest_open(dbsession)
    age = None if oldest is None else max(0.0, ((now or utcnow()) - oldest).total_seconds())
    return {**figures, "oldest_pending_seconds": None if age is None else round(age, 1)}


def purge_final(dbsession, now: datetime, keep_days: float) -> int:
    """Delete delivered and discarded messages older than ``keep_days``: their payloads can
    hold personal data, and they never block anything."""
    return dbsession.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.status.in_(FINAL),
               OutboxMessage.created < now - timedelta(days=keep_days))
        .execution_options(synchronize_session=False)).rowcount
