"""The worklists' own tables: the search text of each dossier and the reminders sent.

``dossier_search`` is a plain table (one row per dossier, kept up to date by
:mod:`loket.worklists.search`). Its full-text index is database-specific and made by the
hand-written migration ``0002_search``: a GIN index on ``to_tsvector('dutch', body)`` on
PostgreSQL, an FTS5 virtual table (``dossier_search_fts``, with triggers) on SQLite. Those
objects are no models, so :mod:`loket.worklists.autogenerate` tells Alembic's comparison (the
migration test, ``make migration``) to leave them alone.
"""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loket.db import Base, UTCDateTime, utcnow
from loket.dossiers.models import Dossier


class DossierSearch(Base):
    """What full-text search looks in: reference, applicant's name, title and text answers."""

    __tablename__ = "dossier_search"

    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossiers.id", ondelete="CASCADE"), primary_key=True, autoincrement=False)
    body: Mapped[str] = mapped_column(Text, default="")


class DeadlineReminder(Base):
    """One reminder e-mail per staff member per day (the worker job may run many times)."""

    __tablename__ = "deadline_reminders"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    dossiers: Mapped[int] = mapped_column(Integer, default=0)
    channel: Mapped[str] = mapped_column(String(16), default="email")
    sent: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# The worklists sort a team's open dossiers by due date and by submission date; keyset pages
# walk these indexes (the Dossier model has those for ``modified`` and ``created``).
Index("ix_dossiers_team_due", Dossier.team_id, Dossier.due, Dossier.id)
Index("ix_dossiers_team_submitted", Dossier.team_id, Dossier.submitted, Dossier.id)
Index("ix_dossiers_handler_due", Dossier.handler_id, Dossier.due, Dossier.id)
# The counts of the lists read only these (index-only scans): a handler's open dossiers, and a
# team's (unassigned) open ones, without visiting the closed ones' rows.
Index("ix_dossiers_handler_state", Dossier.handler_id, Dossier.state, Dossier.id)
Index("ix_dossiers_team_handler_state", Dossier.team_id, Dossier.handler_id, Dossier.state)

# Made by migrations/versions/0002_search.py, not by the models.
FTS_TABLE = "dossier_search_fts"
PG_SEARCH_INDEX = "ix_dossier_search_body_dutch"


def hand_migrated_table(name: str) -> bool:
    """The FTS5 table and the shadow tables SQLite keeps for it (``…_data``, ``…_idx`` …)."""
    return name == FTS_TABLE or name.startswith(FTS_TABLE + "_")
