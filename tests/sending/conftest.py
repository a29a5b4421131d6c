"""Sending's test kit: ready letters (a dossier, its PDF as an outgoing document, a letter in
``ready``), in the test's rolled-back session or committed for the worker's paths (the
deliverer and the tracking job work in their own transactions) and removed afterwards."""

import pytest
import transaction
from sqlalchemy import delete, select

from loket.audit.models import AuditEvent
from loket.catalogue.models import DossierType, DossierTypeVersion
from loket.db import get_tm_session
from loket.documents.models import Document
from loket.dossiers.models import Dossier, DossierEvent
from loket.identity.models import Team, User
from loket.integrations.magda.client import MagdaClient
from loket.integrations.magda.consult import Magda
from loket.integrations.magda.models import MagdaConsultation
from loket.letters import models as letters
from loket.letters.services import create_letter, move
from loket.outbox.models import OutboxMessage
from loket.outbox.relay import Relay
from loket.plugins.registry import Kind
from loket.sending.models import Dispatch
from loket.workflow.models import HistoryEntry
from tests.factories import Factories
from tests.fixtures.magda import magda_options


def make_ready_letter(make: Factories, dossier, kind="decision.granted", title="Beslissing",
                      pdf: bytes | None = None):
    document = make.document(dossier, title=title, data=pdf, filename="beslissing.pdf")
    document.direction = "out"
    if kind.startswith("decision."):
        document.document_type = "besluit"  # the decision letter the workflow asks for
    letter = create_letter(make.dbsession, dossier, kind, title=title)
    letter.document_id, letter.document = document.id, document
    move(make.dbsession, letter, letters.READY)
    make.dbsession.flush()
    return letter


@pytest.fixture
def use_magda(magda_sim, plug_in):
    """The person register is the MAGDA simulator (the test settings configure none)."""
    options = magda_options(magda_sim.url)
    magda = Magda(MagdaClient(options), options["purposes"])
    plug_in(Kind.PERSON_REGISTER, magda)
    return magda


@pytest.fixture
def ready_letter(dbsession, factories):
    """``ready_letter(rrn, kind=…, state=…)`` in the test's rolled-back session."""
    def make(rrn, kind="decision.granted", state="goedgekeurd", title="Beslissing", pdf=None,
             team=None):
        applicant = dbsession.scalar(select(User).where(User.rrn == rrn)) if rrn else None
        applicant = applicant or factories.citizen(given_name="Jan", rrn=rrn)
        dossier = factories.dossier(applicant=applicant, state=state, team=team)
        return make_ready_letter(factories, dossier, kind, title, pdf)

    return make


class Committed:
    """Ready letters in committed transactions, read back fresh, removed afterwards."""

    def __init__(self, app):
        self.registry = app.registry
        self.factory = app.registry["dbsession_factory"]
        self.references, self.users, self.teams, self.types = [], set(), set(), set()

    def session(self):
        manager = transaction.TransactionManager(explicit=True)
        return manager, lambda: get_tm_session(self.factory, manager)

    def letter(self, rrn, kind="decision.granted", state="goedgekeurd",
               given_name="Jan") -> int:
        manager, session_of = self.session()
        with manager:
            session = session_of()
            make = Factories(session, self.registry["loket.blobstore"])
            team = make.team()
            applicant = session.scalar(select(User).where(User.rrn == rrn)) if rrn else None
            applicant = applicant or make.citizen(given_name=given_name, rrn=rrn)
            version = make.type_version()
            dossier = make.dossier(applicant=applicant, team=team, state=state,
                                   type_version=version)
            letter = make_ready_letter(make, dossier, kind)
            self.references.append(dossier.reference)
            self.users.add(applicant.id)
            self.teams.add(team.id)
            self.types.add(version.type_id)
            return letter.id

    def run(self, func):
        """``func(session)`` in a committed transaction."""
        manager, session_of = self.session()
        with manager:
            return func(session_of())

    def read(self, func):
        with self.factory() as session:
            return func(session)

    def dispatches(self, letter_id) -> list[Dispatch]:
        return self.read(lambda s: s.scalars(select(Dispatch).where(
            Dispatch.letter_id == letter_id).order_by(Dispatch.id)).all())

    def letter_status(self, letter_id) -> str:
        return self.read(lambda s: s.get(letters.Letter, letter_id).status)

    def cleanup(self):
        dossier_ids = select(Dossier.id).where(Dossier.reference.in_(self.references))
        with self.factory() as session, session.begin():
            for model in (Dispatch, OutboxMessage, HistoryEntry, DossierEvent):
                session.execute(delete(model).where(model.dossier_id.in_(dossier_ids)))
            session.execute(delete(letters.Letter).where(
                letters.Letter.dossier_id.in_(dossier_ids)))
            session.execute(delete(Document).where(Document.dossier_id.in_(dossier_ids)))
            session.execute(delete(AuditEvent).where(AuditEvent.object_id.in_(self.references)))
            session.execute(delete(MagdaConsultation).where(
                MagdaConsultation.dossier_reference.in_(self.references)))
            session.execute(delete(Dossier).where(Dossier.reference.in_(self.references)))
            session.execute(delete(DossierTypeVersion).where(
                DossierTypeVersion.type_id.in_(self.types)))
            session.execute(delete(DossierType).where(DossierType.id.in_(self.types)))
            session.execute(delete(User).where(User.id.in_(self.users)))
            session.execute(delete(Team).where(Team.id.in_(self.teams)))


@pytest.fixture
def committed(app, outbox):
    made = Committed(app)
    yield made
    outbox.clear()
    made.cleanup()


def drain(relay: Relay, rounds=10) -> int:
    attempted = 0
    for _ in range(rounds):
        done = relay.process()
        attempted += done
        if not done:
            break
    return attempted
