"""Automatic checks of a dossier through MAGDA (income, social status): one row per check
declared by the dossier's type, from "pending" to a result with its source and date."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loket.db import Base, UTCDateTime, utcnow

PENDING, PASSED, FAILED = "pending", "pass", "fail"
# The source answered that it holds nothing (no tax bill for that year, person unknown): a
# final result that is not a pass, for the handler to look into.
NO_DATA = "no_data"
FINAL = (PASSED, FAILED, NO_DATA)


class CheckResult(Base):
    __tablename__ = "check_results"
    __table_args__ = (UniqueConstraint("dossier_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"),
                                            index=True)
    code: Mapped[str] = mapped_column(String(64))  # the check's code in the type definition
    check_type: Mapped[str] = mapped_column(String(32))  # income_below | social_status
    # pending until the source answered (then pass, fail or no_data); a failing source keeps
    # it pending (and retried), never turns it into a pass.
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    source: Mapped[str | None] = mapped_column(String(120))  # e.g. the MAGDA service + version
    # What the result rests on, for the human text: year, income, threshold, status …
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))  # never personal data
    requested: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the source answered
