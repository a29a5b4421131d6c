"""A letter's package on the signing platform, and the signatures found in its documents."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loket.db import Base, UTCDateTime, utcnow
from loket.documents.models import DocumentVersion
from loket.letters.models import Letter

# A package's life: ``pending`` (enqueued for the platform), ``in_progress`` (started there:
# signatories may sign), ``completed`` (every signature collected), ``withdrawn`` (the letter
# was declined or cancelled; the platform was told to delete it).
PENDING, IN_PROGRESS, COMPLETED, WITHDRAWN = "pending", "in_progress", "completed", "withdrawn"


class SigningPackage(Base):
    __tablename__ = "signing_packages"
    __table_args__ = (Index("ix_signing_packages_status", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"),
                                           unique=True)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    # The platform's identifiers, once it made the package.
    package: Mapped[str | None] = mapped_column(String(64))
    document: Mapped[str | None] = mapped_column(String(64))
    collected: Mapped[int] = mapped_column(Integer, default=0)  # signatures stored so far
    # When a signatory last went to the platform to sign: such packages are asked first.
    requested: Mapped[datetime | None] = mapped_column(UTCDateTime)
    polled: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The signing position whose signatory was last told this letter waits for them.
    notified: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    letter: Mapped[Letter] = relationship()


class Signature(Base):
    """One signature of a stored document version, as pyHanko validated it."""

    __tablename__ = "signatures"
    __table_args__ = (Index("ix_signatures_version", "document_version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_version_id: Mapped[int] = mapped_column(
        ForeignKey("document_versions.id", ondelete="CASCADE"))
    field_name: Mapped[str] = mapped_column(String(100))
    signer: Mapped[str] = mapped_column(String(200))  # from the certificate
    function: Mapped[str] = mapped_column(String(200), default="")  # the certificate's title
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the time-stamp's time
    level: Mapped[str] = mapped_column(String(32))  # PAdES B-B | PAdES B-T
    intact: Mapped[bool] = mapped_column(Boolean)  # the signed bytes are unchanged
    trusted: Mapped[bool] = mapped_column(Boolean)  # the certificate chains to a trust root
    valid: Mapped[bool] = mapped_column(Boolean)  # all of it, and nothing but signatures after
    whole_document: Mapped[bool] = mapped_column(Boolean)
    summary: Mapped[str] = mapped_column(Text, default="")  # pyHanko's words, for staff
    validated: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    document_version: Mapped[DocumentVersion] = relationship()


class SigningDigest(Base):
    """When a signatory last got the "Wacht op je handtekening" e-mail (at most one a day)."""

    __tablename__ = "signing_digests"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    last_sent: Mapped[datetime] = mapped_column(UTCDateTime)
