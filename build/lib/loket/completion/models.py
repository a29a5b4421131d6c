"""A handler's request to complete a dossier (vervollediging) and the citizen's answer."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loket.db import Base, UTCDateTime, utcnow
from loket.identity.models import User


class CompletionRequest(Base):
    __tablename__ = "completion_requests"
    __table_args__ = (Index("ix_completion_requests_dossier", "dossier_id", "requested"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    # What is asked, in the handler's words, and which document types (codes of the type's
    # documents, or "bijlage" for any other document) the citizen must add.
    question: Mapped[str] = mapped_column(Text)
    document_codes: Mapped[list] = mapped_column(JSON, default=list)
    due: Mapped[date | None] = mapped_column(Date)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    answered: Mapped[datetime | None] = mapped_column(UTCDateTime)

    requested_by: Mapped[User | None] = relationship(lazy="joined")
