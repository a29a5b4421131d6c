"""Every table of Loket, imported in one place so the metadata is complete (Alembic, tests)."""

from loket.advice.models import AdviceRequest
from loket.audit.models import AuditEvent
from loket.callbacks.models import InboundCallback
from loket.catalogue.models import DossierType, DossierTypeVersion
from loket.checks.models import CheckResult
from loket.claims.models import BankStatement, Claim, IncomingPayment
from loket.completion.models import CompletionRequest
from loket.db import Base
from loket.decisions.models import AgendaItem, BodyMember, DecidingBody, Decision, Meeting
from loket.documents.models import Document, DocumentVersion
from loket.dossiers.models import Dossier, DossierEvent, ReferenceCounter
from loket.identity.models import RevokedToken, RoleAssignment, Team, User, WebSession
from loket.integrations.magda.models import MagdaConsultation
from loket.letters.models import Letter, LetterSignatory
from loket.municipality.models import Municipality
from loket.notes.models import DossierNote, NoteMention
from loket.notifications.models import NotificationPreference
from loket.objections.models import Objection
from loket.outbox.models import OutboxMessage
from loket.payments.models import PaymentOrder
from loket.plugins.status import IntegrationStatus
from loket.sending.models import Dispatch
from loket.signing.models import Signature, SigningDigest, SigningPackage
from loket.workflow.models import HistoryEntry
from loket.worklists.models import DeadlineReminder, DossierSearch

metadata = Base.metadata

__all__ = ["AdviceRequest", "AgendaItem", "BankStatement", "BodyMember", "Claim",
           "DecidingBody", "Decision", "IncomingPayment", "Meeting",
           "AuditEvent", "CheckResult", "CompletionRequest", "DeadlineReminder", "Dispatch",
           "Document", "DocumentVersion", "Dossier", "DossierEvent", "DossierNote",
           "DossierSearch", "DossierType", "DossierTypeVersion", "HistoryEntry", "InboundCallback",
           "IntegrationStatus", "Letter", "LetterSignatory", "MagdaConsultation", "Municipality",
           "NoteMention", "NotificationPreference", "Objection", "OutboxMessage", "PaymentOrder",
           "ReferenceCounter", "RevokedToken", "RoleAssignment", "Signature", "SigningDigest",
           "SigningPackage", "Team", "User", "WebSession", "metadata"]
