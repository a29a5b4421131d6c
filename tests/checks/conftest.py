"""The checks' test kit: MAGDA simulator over HTTP, the real outbox relay, and dossiers whose
rows are committed (the deliverer works in its own transactions, as in the worker) and removed
afterwards."""

from datetime import UTC, datetime

import pytest
import transaction
from sqlalchemy import delete, select

from loket.audit.models import AuditEvent
from loket.catalogue.models import DossierType, DossierTypeVersion
from loket.checks.models import CheckResult
from loket.db import get_tm_session
from loket.dossiers.models import Dossier
from loket.identity.models import Team, User
from loket.integrations.magda.client import MagdaClient
from loket.integrations.magda.consult import Magda
from loket.integrations.magda.models import MagdaConsultation
from loket.outbox.models import OutboxMessage
from loket.plugins.registry import Kind
from loket.security import principals_for
from loket.workflow.engine import Actor, perform
from loket.workflow.models import HistoryEntry
from tests.factories import Factories
from tests.fixtures.magda import magda_options

SUBMITTED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # income year 2026 - 2 = 2024


def texts(nl, en=None):
    return {"nl": nl, "en": en or nl}


INCOME = {"code": "inkomen", "type": "income_below", "reference_year_offset": -2,
          "threshold": "26000", "household": False,
          "text": {"pass": texts("Inkomen ${year}: € ${income}, grens € ${threshold}."),
                   "fail": texts("Inkomen ${year} (€ ${income}) boven € ${threshold}."),
                   "pending": texts("We vragen het inkomen op.")}}
BIM = {"code": "bim", "type": "social_status", "status": "BIM_BVT",
       "text": {"pass": texts("Verhoogde tegemoetkoming."),
                "fail": texts("Geen verhoogde tegemoetkoming."),
                "pending": texts("We vragen het statuut op.")}}


@pytest.fixture
def use_magda(magda_sim, plug_in):
    """The app's MAGDA is the simulator (the test settings configure none)."""
    options = magda_options(magda_sim.url)
    magda = Magda(MagdaClient(options), options["purposes"])
    plug_in(Kind.PERSON_REGISTER, magda)
    plug_in(Kind.INCOME, magda)
    return magda_sim


class Committed:
    """Dossiers in committed transactions, made admissible by a handler, read back fresh."""

    def __init__(self, app):
        self.registry = app.registry
        self.factory = app.registry["dbsession_factory"]
        self.made = []  # (team ids, user ids, type ids, references)

    def _tm(self):
        manager = transaction.TransactionManager(explicit=True)
        return manager, lambda: get_tm_session(self.factory, manager)

    def admissible_dossier(self, rrn, checks, checks_mode="all") -> int:
        """A submitted dossier of ``rrn`` with ``checks``, declared admissible (commits)."""
        manager, session_of = self._tm()
        with manager:
            session = session_of()
            make = Factories(session, self.registry["loket.blobstore"])
            team = make.team()
            applicant = session.scalar(select(User).where(User.rrn == rrn)) or \
                make.citizen(rrn=rrn)
            handler = make.staff(team=team)
            definition = {"checks": checks, "checks_mode": checks_mode}
            version = make.type_version(**definition)
            dossier = make.dossier(applicant=applicant, team=team, type_version=version)
            dossier.submitted = SUBMITTED
            self.made.append((team.id, (applicant.id, handler.id), version.type_id,
                              dossier.reference))
            perform(self.registry, session, dossier, "ontvankelijk_verklaren",
                    Actor(handler, frozenset(principals_for(handler))), dossier.version)
            return dossier.id

    def read(self, func):
        with self.factory() as session:
            return func(session)

    def results(self, dossier_id) -> dict:
        return self.read(lambda s: {r.code: r for r in s.scalars(
            select(CheckResult).where(CheckResult.dossier_id == dossier_id))})

    def dossier(self, dossier_id) -> Dossier:
        return self.read(lambda s: s.get(Dossier, dossier_id))

    def magda_log(self, dossier_id) -> list:
        reference = self.dossier(dossier_id).reference
        return self.read(lambda s: s.scalars(select(MagdaConsultation).where(
            MagdaConsultation.dossier_reference == reference)
            .order_by(MagdaConsultation.id)).all())

    def cleanup(self):
        references = [reference for *_rest, reference in self.made]
        dossier_ids = select(Dossier.id).where(Dossier.reference.in_(references))
        with self.factory() as session, session.begin():
            for model in (OutboxMessage, HistoryEntry, CheckResult):
                session.execute(delete(model).where(model.dossier_id.in_(dossier_ids)))
            session.execute(delete(AuditEvent).where(AuditEvent.object_id.in_(references)))
            # Core, not the ORM: the ORM refuses to delete from the append-only log.
            session.execute(delete(MagdaConsultation).where(
                MagdaConsultation.dossier_reference.in_(references)))
            session.execute(delete(Dossier).where(Dossier.reference.in_(references)))
            for team_id, user_ids, type_id, _reference in self.made:
                session.execute(delete(DossierTypeVersion).where(
                    DossierTypeVersion.type_id == type_id))
                session.execute(delete(DossierType).where(DossierType.id == type_id))
                session.execute(delete(User).where(User.id.in_(user_ids)))
                session.execute(delete(Team).where(Team.id == team_id))


@pytest.fixture
def committed(app, outbox):
    made = Committed(app)
    yield made
    outbox.clear()
    made.cleanup()


def drain(relay, outbox, rounds=10) -> int:
    """Relay rounds until nothing is due (messages of one dossier go one after the other)."""
    attempted = 0
    for _ in range(rounds):
        done = relay.process()
        attempted += done
        if not done:
            break
    return attempted

