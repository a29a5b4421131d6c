"""Documents of a dossier: metadata and versions here, bytes in the blob store by SHA-256."""

from datetime import datetime

from pyramid.authorization import ALL_PERMISSIONS, Deny
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loket.db import Base, UTCDateTime, utcnow
from loket.dossiers.models import Dossier
from loket.dossiers.resources import TraversalChild


class Document(TraversalChild, Base):
    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("dossier_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)  # per dossier: /documenten/<number>
    title: Mapped[str] = mapped_column(String(300))
    document_type: Mapped[str] = mapped_column(String(64), default="bijlage")
    direction: Mapped[str] = mapped_column(String(8), default="in")  # in | out
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Withheld from the applicant until released: an outgoing letter whose content (a
    # decision's outcome) they hear with its delivery, not while it waits for signatures.
    withheld: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    dossier: Mapped[Dossier] = relationship(
        backref="documents", order_by="Document.number"
    )
    versions: Mapped[list["DocumentVersion"]] = relationship(
        back_populates="document", order_by="DocumentVersion.version", lazy="selectin",
        cascade="all, delete-orphan",
    )

    CONTAINER = "documenten"

    def __acl__(self):
        if not self.withheld:
            return self.dossier.__acl__()
        from loket.workflow.engine import role_principals

        return [(Deny, principal, ALL_PERMISSIONS)
                for principal in role_principals(self.dossier, "applicant")] + \
            self.dossier.__acl__()

    @property
    def current(self) -> "DocumentVersion":
        return self.versions[-1]


class DocumentVersion(Base):
    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))  # already made safe
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    document: Mapped[Document] = relationship(back_populates="versions")
