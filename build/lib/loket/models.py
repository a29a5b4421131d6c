"""Every table of Loket, imported in one place so the metadata is complete (Alembic, tests)."""

from loket.advice.models import AdviceRequest
from loket.api.models import InboundCallback, RevokedToken
from loket.audit.models import AuditEvent
from loket.catalogue.models import DossierType, DossierTypeVersion
from loket.checks.models import CheckResult
from loket.completion.models import CompletionRequest
from loket.db import Base
from loket.documents.models import Document, DocumentVersion
from loket.dossiers.models import Dossier, ReferenceCounter
from loket.identity.models import RoleAssignment, Team, User, WebSession
from loket.integrations.magda.models import MagdaConsultation
from loket.integrations.status import IntegrationStatus
from loket.municipality.models import Municipality
from loket.notes.models import DossierNote, NoteMention
from loket.notifications.models import NotificationPreference
from loket.outbox.models import OutboxMessage
from loket.workflow.models import HistoryEntry
from loket.worklists.models import DeadlineReminder, DossierSearch

metadata = Base.metadata

__all__ = ["AdviceRequest", "AuditEvent", "CheckResult", "CompletionRequest", "DossierNote",
           "NoteMention", "Document", "DocumentVersion", "Dossier", "DossierType",
           "DossierTypeVersion", "HistoryEntry", "InboundCallback", "IntegrationStatus",
           "MagdaConsultation", "Municipality", "NotificationPreference", "OutboxMessage",
           "ReferenceCounter", "RevokedToken", "RoleAssignment", "Team", "User", "WebSession",
           "DeadlineReminder", "DossierSearch", "metadata"]
