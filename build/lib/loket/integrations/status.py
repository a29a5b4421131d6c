"""How each plug-in's deliveries went lately: one row per plug-in, written by the worker.

The outbox worker calls :func:`record_result` after every delivery attempt, in the
transaction in which it marks the message; the staff page ``/beheer/koppelingen`` shows the
rows. Error texts pass :func:`redact` first: a receiver's error message may quote what we
sent, and that can hold a national register number.
"""

import re
from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from loket.db import Base, UTCDateTime, utcnow

MAX_ERROR_LENGTH = 1000
# An 11-digit number (national register, BIS) bare or written 85.07.30-033.61, and an IBAN.
_PERSONAL_NUMBERS = re.compile(
    r"(?<!\d)(?:\d{11}|\d{2}\.\d{2}\.\d{2}-\d{3}\.\d{2})(?!\d)"
    r"|\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b"
)


class IntegrationStatus(Base):
    __tablename__ = "integration_status"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)  # the plug-in's name
    last_success: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def redact(text: str | None) -> str:
    """``text`` without national register numbers or IBANs, and not too long."""
    return _PERSONAL_NUMBERS.sub("[…]", text or "")[:MAX_ERROR_LENGTH]


def plugin_of_kind(kind: str) -> str:
    """The plug-in an outbox kind belongs to: ``dosis.push`` → ``dosis``."""
    return kind.split(".", 1)[0]


def record_result(dbsession, plugin_name: str, ok: bool, error: str | None = None) -> None:
    """Note a delivery attempt of ``plugin_name`` in the caller's transaction (``dbsession``:
    an ORM session or a Core connection).

    An upsert, so concurrent workers never collide on the first row of a plug-in."""
    now = utcnow()
    values = {"last_success": now} if ok else {"last_error": redact(error) or "error",
                                                "last_error_at": now}
    # A Core connection (the worker's relay) or an ORM session.
    bind = dbsession if hasattr(dbsession, "dialect") else dbsession.get_bind()
    dialect = bind.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(IntegrationStatus).values(name=plugin_name, **values)
    dbsession.execute(statement.on_conflict_do_update(index_elements=["name"], set_=values))


def statuses(dbsession) -> dict[str, IntegrationStatus]:
    return {row.name: row for row in dbsession.query(IntegrationStatus).all()}
