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
from loket.identity.models import RoleAssignment


def closed_states() -> set[str]:
    """Drafts and final states of every workflow: never in an open list."""
    from loket.workflow.definition import workflows

    names = set()
    for workflow in workflows().values():
        names.add(workflow.initial)
        names.update(s.name for s in workflow.states.values() if s.final)
    return names


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


# The worklists read open dossiers only (a tenth of them, and ever fewer as the closed ones pile
# up): their lists are counted and paged through partial indexes of the open dossiers alone,
# so a count or a page reads what it shows, at ten thousand dossiers as at a million. The
# predicate is the open condition of loket.worklists.queries.is_open, literally (the databases
# use a partial index only then); tests/worklists/test_plans.py checks the planners pick them.
_OPEN = {f"{dialect}_where": Dossier.state.not_in(sorted(closed_states()))
         for dialect in ("postgresql", "sqlite")}
# The state last: a status filter is read from the index too, not from each row.
Index("ix_dossiers_team_due", Dossier.team_id, Dossier.due, Dossier.id, Dossier.state, **_OPEN)
Index("ix_dossiers_team_handler_due", Dossier.team_id, Dossier.handler_id, Dossier.due,
      Dossier.id, Dossier.state, **_OPEN)
Index("ix_dossiers_handler_due", Dossier.handler_id, Dossier.due, Dossier.id, Dossier.state,
      **_OPEN)
# A team's open dossiers by last change (a deep page reads no closed rows), and those in one
# state (the status filter).
Index("ix_dossiers_team_open_modified", Dossier.team_id, Dossier.modified, Dossier.id, **_OPEN)
Index("ix_dossiers_team_state_modified", Dossier.team_id, Dossier.state, Dossier.modified,
      Dossier.id, **_OPEN)
# Sorted by submission date: the team's dossiers, open or not (the open ones come first).
Index("ix_dossiers_team_submitted", Dossier.team_id, Dossier.submitted, Dossier.id)
# The colleagues a dossier may be assigned to: a team's handlers, among every citizen's role
# (a scan of all of them took 26 ms at a million dossiers).
Index("ix_role_assignments_team_role", RoleAssignment.team_id, RoleAssignment.role)

# Made by migrations/versions/0002_search.py, not by the models.
FTS_TABLE = "dossier_search_fts"
PG_SEARCH_INDEX = "ix_dossier_search_body_dutch"


def hand_migrated_table(name: str) -> bool:
    """The FTS5 table and the shadow tables SQLite keeps for it (``…_data``, ``…_idx`` …)."""
    return name == FTS_TABLE or name.startswith(FTS_TABLE + "_")
