"""The legal MAGDA log ("loggingsplicht", INTEGRATIONS.md §2.3, SECURITY.md H1/H2).

One row per consultation: who asked, about whom, which service, for which dossier and
purpose, when, the reference sent along, and how it went — never the answer's content.
Append-only in the application: the ORM refuses to update or delete a row (below); the
database role should also lack UPDATE/DELETE on ``magda_log`` in production.
"""

from datetime import datetime

from sqlalchemy import Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from loket.db import Base, UTCDateTime, utcnow

OUTCOMES = ("ok", "no_data", "error")


class MagdaConsultation(Base):
    __tablename__ = "magda_log"
    __table_args__ = (
        Index("ix_magda_log_subject", "subject_insz"),
        Index("ix_magda_log_occurred", "occurred"),
        Index("ix_magda_log_dossier", "dossier_reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # "user:<id>" or "system" (a worker, a scheduled check).
    actor: Mapped[str] = mapped_column(String(64))
    # Whose data: stored because the law requires it; never written to log files.
    subject_insz: Mapped[str] = mapped_column(String(11))
    service: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(16))
    dossier_reference: Mapped[str | None] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(String(64))
    # The Afzender/Referte sent to MAGDA with the question.
    reference: Mapped[str] = mapped_column(String(36), unique=True)
    outcome: Mapped[str] = mapped_column(String(16))  # ok | no_data | error
    error_code: Mapped[str | None] = mapped_column(String(16))  # MAGDA's Uitzondering code

    def __repr__(self):  # no personal data in tracebacks or debug output
        return f"<MagdaConsultation {self.id} {self.service} {self.outcome}>"


class AppendOnly(Exception):
    pass


@event.listens_for(MagdaConsultation, "before_update")
def _refuse_update(mapper, connection, target):
    raise AppendOnly("the MAGDA log is append-only: rows are never changed")


@event.listens_for(MagdaConsultation, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise AppendOnly("the MAGDA log is append-only: rows are never deleted")
