"""Every table of Loket, imported in one place so the metadata is complete (Alembic, tests)."""

from loket.api.models import InboundCallback, RevokedToken
from loket.audit.models import AuditEvent
from loket.catalogue.models import DossierType, DossierTypeVersion
from loket.db import Base
from loket.documents.models import Document, DocumentVersion
from loket.dossiers.models import Dossier, ReferenceCounter
from loket.identity.models import RoleAssignment, Team, User, WebSession
from loket.integrations.magda.models import MagdaConsultation
from loket.integrations.status import IntegrationStatus
from loket.municipality.models import Municipality
from loket.notifications.models import NotificationPreference
from loket.outbox.models import OutboxMessage
from loket.workflow.models import HistoryEntry

metadata = Base.metadata

__all__ = ["AuditEvent", "Document", "DocumentVersion", "Dossier", "DossierType",
           "DossierTypeVersion", "HistoryEntry", "InboundCallback", "IntegrationStatus",
           "MagdaConsultation", "Municipality", "NotificationPreference", "OutboxMessage",
           "ReferenceCounter", "RevokedToken", "RoleAssignment", "Team", "User", "WebSession",
           "metadata"]
