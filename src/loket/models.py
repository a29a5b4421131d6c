"""Every table of Loket, imported in one place so the metadata is complete (Alembic, tests)."""

from loket.audit.models import AuditEvent
from loket.db import Base
from loket.documents.models import Document, DocumentVersion
from loket.dossiers.models import Dossier, ReferenceCounter
from loket.identity.models import RoleAssignment, Team, User, WebSession

metadata = Base.metadata

__all__ = ["AuditEvent", "Document", "DocumentVersion", "Dossier", "ReferenceCounter",
           "RoleAssignment", "Team", "User", "WebSession", "metadata"]
