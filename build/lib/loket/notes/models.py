"""Internal notes on a dossier (never shown to the citizen) and the colleagues they mention."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loket.db import Base, UTCDateTime, utcnow
from loket.identity.models import User


class DossierNote(Base):
    __tablename__ = "dossier_notes"
    __table_args__ = (Index("ix_dossier_notes_dossier_created", "dossier_id", "created"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")
    mentions: Mapped[list["NoteMention"]] = relationship(
        back_populates="note", cascade="all, delete-orphan", lazy="selectin")


class NoteMention(Base):
    """A colleague mentioned in a note: the dossier shows up in their list until seen."""

    __tablename__ = "note_mentions"
    __table_args__ = (UniqueConstraint("note_id", "user_id"),
                      Index("ix_note_mentions_user_seen", "user_id", "seen"))

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("dossier_notes.id", ondelete="CASCADE"))
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    seen: Mapped[bool] = mapped_column(Boolean, default=False)

    note: Mapped[DossierNote] = relationship(back_populates="mentions")
    user: Mapped[User] = relationship(lazy="joined")
