"""Hash chains over the audit trail and the legal MAGDA log: a changed, inserted or deleted row
is detected (``loket audit verify INI``).

Each chained row carries ``chain_seq`` (1, 2, 3 … without gaps) and ``chain_hash``: SHA-256
over the previous row's hash and the row's own content. The chain's head (last sequence number
and hash) is one row of ``audit_chain_heads``; a transaction that adds chained rows locks it
(``SELECT … FOR UPDATE`` on PostgreSQL, SQLite's write lock) until it commits, so concurrent
writers append one after the other and never fork the chain. The head also reveals the removal
of the newest rows. The chain makes tampering visible, not impossible: someone who can rewrite
the whole table and the head can rebuild it — keep the verified head hash elsewhere (e.g. in
the daily backup report) to close that gap.

Rows are chained when the ORM flushes them (``before_flush``): every ``AuditEvent`` and
``MagdaConsultation`` added through a session, whoever adds it.
"""

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Integer, String, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from loket.db import Base, utcnow

GENESIS = "0" * 64


class ChainHead(Base):
    __tablename__ = "audit_chain_heads"

    name: Mapped[str] = mapped_column(String(16), primary_key=True)  # audit | magda
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS)


@dataclass(frozen=True)
class Chain:
    name: str
    model: type
    content: Callable[[object], dict]  # the hashed fields of a row, JSON-ready


CHAINS: dict[str, Chain] = {}


def register_chain(name: str, model, content) -> None:
    CHAINS[name] = Chain(name, model, content)


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def row_hash(previous: str, seq: int, content: dict) -> str:
    body = json.dumps({"prev": previous, "seq": seq, **content}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False, default=_timestamp)
    return hashlib.sha256(body.encode()).hexdigest()


def _lock_head(session, name: str) -> ChainHead:
    """The chain's head, locked for the rest of the transaction."""
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    session.execute(upsert(ChainHead).values(name=name, seq=0, hash=GENESIS)
                    .on_conflict_do_nothing(index_elements=["name"]))
    row = session.execute(select(ChainHead.seq, ChainHead.hash)
                          .where(ChainHead.name == name).with_for_update()).one()
    return row


def _chain_new_rows(session, _flush_context, _instances):
    for chain in CHAINS.values():
        rows = [obj for obj in session.new
                if isinstance(obj, chain.model) and obj.chain_hash is None]
        if not rows:
            continue
        head = _lock_head(session, chain.name)
        seq, previous = head.seq, head.hash
        # Added order where it can be told (ids are not assigned yet): stable within a flush.
        for row in sorted(rows, key=lambda r: (r.occurred or utcnow())):
            if row.occurred is None:
                row.occurred = utcnow()
            seq += 1
            row.chain_seq = seq
            row.chain_hash = previous = row_hash(previous, seq, chain.content(row))
        session.execute(update(ChainHead).where(ChainHead.name == chain.name)
                        .values(seq=seq, hash=previous))


event.listen(Session, "before_flush", _chain_new_rows)


# -- verification ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    seq: int | None
    row_id: int | None
    what: str


def verify(session, name: str, batch: int = 5000) -> Iterator[Problem]:
    """Walk the chain in order; yield what is wrong (the first problem is what matters: a
    change breaks every later link's meaning, though later hashes still match each other)."""
    chain = CHAINS[name]
    model = chain.model
    previous, expected = GENESIS, 1
    last = 0
    while True:  # keyset pages: constant memory over millions of rows
        rows = session.scalars(select(model).where(model.chain_seq > last)
                               .order_by(model.chain_seq).limit(batch)).all()
        if not rows:
            break
        for row in rows:
            if row.chain_seq != expected:
                yield Problem(expected, None, f"row {expected} to {row.chain_seq - 1} missing "
                                              f"(next is row id {row.id})")
            if row.chain_hash != row_hash(previous, row.chain_seq, chain.content(row)):
                yield Problem(row.chain_seq, row.id, "content or order changed")
            previous, expected = row.chain_hash, row.chain_seq + 1
            last = row.chain_seq
        session.expunge_all()
    unchained = session.scalar(select(model.id).where(model.chain_seq.is_(None)).limit(1))
    if unchained is not None:
        yield Problem(None, unchained, "row outside the chain (inserted around the application)")
    head = session.get(ChainHead, name)
    head_seq, head_hash = (head.seq, head.hash) if head is not None else (0, GENESIS)
    if head_seq != expected - 1 or head_hash != previous:
        yield Problem(expected, None, f"the chain ends at row {expected - 1} but its head says "
                                      f"{head_seq}: the newest rows were removed or changed")


def audit_content(row) -> dict:
    return {"occurred": row.occurred, "actor_id": row.actor_id, "action": row.action,
            "object_type": row.object_type, "object_id": row.object_id,
            "details": row.details if row.details is not None else {}}


def _register():
    from loket.audit.models import AuditEvent

    register_chain("audit", AuditEvent, audit_content)
    # Other logs register their own chain (the MAGDA log: loket.integrations.magda.models).


_register()
