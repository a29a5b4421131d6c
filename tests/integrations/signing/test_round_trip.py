"""Digitaal Ondertekenen end to end over real HTTP: Loket with its own committed database,
the ACM/IDM simulator and the signing simulator (real PAdES B-T signatures under the
Certomancer test PKI), the real outbox relay and the signing worker jobs.

A letter in ``to_sign`` is handed to the platform; the mayor signs on the persona page, then
the general director (not before); Loket downloads the signed PDF after each signature, stores
it as a new version with its validated signatures, and moves the letter to ``ready`` after the
last one. The platform down: pending and retried, nothing lost. A certificate of an unknown
root: stored, shown as not valid.
"""

from dataclasses import dataclass, replace
from datetime import date

import pytest
import requests
import transaction
from sqlalchemy import delete, select

from loket.db import get_tm_session
from loket.decisions import services as decisions
from loket.decisions.models import Decision, Meeting
from loket.documents.models import DocumentVersion
from loket.dossiers.models import DossierEvent
from loket.integrations.acmidm.simulator import make_app as make_acmidm
from loket.integrations.signing.simulator import make_app as make_signing
from loket.integrations.simulators import Dispatcher
from loket.letters.models import READY, SIGNED, TO_SIGN, WAITING, Letter, LetterSignatory
from loket.main import main
from loket.outbox.models import DELIVERED, RETRYING, OutboxMessage
from loket.outbox.relay import Relay
from loket.security import Role
from loket.signing import services
from loket.signing.models import IN_PROGRESS, PENDING, Signature, SigningPackage
from tests.conftest import migrate
from tests.factories import Factories
from tests.fixtures.outbox import FAST
from tests.servers import serve

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
MAYOR, DIRECTOR = "burgemeester@heidebeek.example", "algemeen.directeur@heidebeek.example"


@dataclass
class Live:
    app: object
    simulators: str
    relay: Relay

    def session(self):
        manager = transaction.TransactionManager(explicit=True)
        return manager, get_tm_session(self.app.registry["dbsession_factory"], manager)

    def control(self, **switches):
        requests.post(f"{self.simulators}/ondertekenen/_control", json=switches,
                      timeout=5).raise_for_status()

    def sign_as(self, email: str) -> list[str]:
        """The persona signs everything waiting for them; what their page offered."""
        page = requests.get(f"{self.simulators}/ondertekenen/web/{email}", timeout=5)
        offered = [line.split("value='")[1].split("'")[0]
                   for line in page.text.split("<li>")[1:]]
        if offered:
            requests.post(f"{self.simulators}/ondertekenen/web/{email}", timeout=60,
                          data={"package": offered}, allow_redirects=False).raise_for_status()
        return offered


@pytest.fixture(scope="module")
def live(tmp_path_factory, app_settings):
    directory = tmp_path_factory.mktemp("signing-live")
    url = f"sqlite:///{directory / 'loket.sqlite'}"
    migrate(url)
    settings = {**app_settings, "sqlalchemy.url": url, "loket.blob_dir": str(directory / "b"),
                "loket.environment": "test",
                "loket.integrations.signing": "digitaal-ondertekenen",
                "loket.integrations.digitaal-ondertekenen.client_id": "loket-ondertekenen",
                "loket.integrations.digitaal-ondertekenen.client_secret":
                    "loket-ondertekenen-secret"}
    acmidm, simulator = make_acmidm(settings), make_signing(settings)
    with serve(Dispatcher({"acmidm": acmidm, "ondertekenen": simulator})) as simulators:
        settings["loket.acmidm.issuer"] = f"{simulators}/acmidm/op"
        prefix = "loket.integrations.digitaal-ondertekenen."
        settings[prefix + "base_url"] = f"{simulators}/ondertekenen"
        settings[prefix + "web_url"] = f"{simulators}/ondertekenen/web"
        settings[prefix + "token_url"] = f"{simulators}/acmidm/op/v1/token"
        app = main({}, **settings)
        relay = Relay(app.registry, policy=replace(FAST, retry_budget=3600),
                      worker="signing-test:1:a")
        yield Live(app, simulators, relay)
        relay.close()
        app.registry["db_engine"].dispose()


@pytest.fixture
def letter_id(live):
    """Committed: the mayor and the general director, a college decision's letter waiting
    for both signatures. The outbox and packages are emptied afterwards."""
    live.control(reset=True)
    manager, dbsession = live.session()
    with manager:
        factories = Factories(dbsession, live.app.registry["loket.blobstore"])
        people = []
        for given, family, email in (("Luc", "Janssens", MAYOR),
                                     ("Hilde", "Goossens", DIRECTOR)):
            user = factories.staff(Role.SIGNATORY, given_name=given)
            user.family_name, user.email = family, email
            people.append(user)
        dossier = factories.dossier(state="goedgekeurd")
        document = factories.document(dossier, title="Beslissing", filename="beslissing.pdf")
        bodies = decisions.ensure_bodies(dbsession)
        meeting = Meeting(body_id=bodies["college"].id, starts=dossier.created,
                          agenda_closes=dossier.created, status="held")
        dbsession.add(meeting)
        dbsession.flush()
        decision = Decision(dossier_id=dossier.id, body_code="college", meeting_id=meeting.id,
                            decided_on=date.today(), outcome="approved", title="Beslissing",
                            final_text="Toegekend.")
        dbsession.add(decision)
        dbsession.flush()
        letter = Letter(dossier_id=dossier.id, dossier=dossier, kind="decision.granted",
                        status=TO_SIGN, title="Beslissing", details={"decision": decision.id},
                        document=document, needs_signature=True)
        for position, (user, function) in enumerate(
                zip(people, ("burgemeester", "algemeen directeur"), strict=True), start=1):
            letter.signatories.append(LetterSignatory(position=position, user_id=user.id,
                                                      name=user.name, function=function))
        dbsession.add(letter)
        dbsession.flush()
        number = letter.id
    yield number
    manager, dbsession = live.session()
    with manager:
        dbsession.execute(delete(OutboxMessage))
        dbsession.execute(delete(SigningPackage))
        dbsession.execute(update_letters_cancelled())


def update_letters_cancelled():
    from sqlalchemy import update

    # Letters of earlier tests must not be picked up again by the next one's jobs.
    return update(Letter).where(Letter.status == TO_SIGN).values(status="cancelled")


def read(live, letter_id):
    manager, dbsession = live.session()
    with manager:
        letter = dbsession.get(Letter, letter_id)
        package = dbsession.scalars(select(SigningPackage).where(
            SigningPackage.letter_id == letter_id)).one_or_none()
        versions = dbsession.scalars(select(DocumentVersion).where(
            DocumentVersion.document_id == letter.document_id)
            .order_by(DocumentVersion.version)).all()
        signatures = dbsession.scalars(select(Signature).where(
            Signature.document_version_id == versions[-1].id).order_by(Signature.id)).all()
        events = dbsession.scalars(select(DossierEvent.kind).where(
            DossierEvent.dossier_id == letter.dossier_id).order_by(DossierEvent.id)).all()
        state = {"status": letter.status, "signatories": [(s.status, s.signed)
                                                          for s in letter.signatories],
                 "package": package, "versions": versions, "signatures": signatures,
                 "events": events, "blobs": live.app.registry["loket.blobstore"]}
        dbsession.expunge_all()  # keep what was read once the transaction ends
        return state


def test_signed_by_the_mayor_then_the_general_director(live, letter_id):
    registry = live.app.registry
    assert services.queue_submissions(registry) == {"signing_submitted": 1}
    assert services.queue_submissions(registry) == {"signing_submitted": 0}  # once
    assert read(live, letter_id)["package"].status == PENDING
    assert live.relay.process() == 1
    state = read(live, letter_id)
    assert state["package"].status == IN_PROGRESS and state["package"].package

    assert live.sign_as(DIRECTOR) == []  # not her turn yet: the platform offers nothing
    assert live.sign_as(MAYOR) == [state["package"].package]
    assert services.collect(registry) == {"signing_collected": 1}
    state = read(live, letter_id)
    assert state["status"] == TO_SIGN
    assert [s for s, _ in state["signatories"]] == [SIGNED, WAITING]
    assert len(state["versions"]) == 2
    [mayor] = state["signatures"]
    assert (mayor.signer, mayor.function, mayor.level) == ("Luc Janssens", "burgemeester",
                                                            "PAdES B-T")
    assert mayor.valid and mayor.intact and mayor.trusted and mayor.whole_document
    assert services.collect(registry) == {"signing_collected": 0}  # nothing new

    assert live.sign_as(DIRECTOR) == [state["package"].package]
    services.collect(registry)
    state = read(live, letter_id)
    assert state["status"] == READY
    assert [s for s, _ in state["signatories"]] == [SIGNED, SIGNED]
    assert [(s.signer, s.function, s.valid, s.whole_document) for s in state["signatures"]] == [
        ("Luc Janssens", "burgemeester", True, True),
        ("Hilde Goossens", "algemeen directeur", True, True)]
    latest = state["versions"][-1]
    assert latest.version == 3
    assert state["blobs"].get(latest.sha256).startswith(b"%PDF-")
    assert state["events"].count("signing.signed") == 2
    assert state["events"][-1] == "letter.ready"


def test_the_platform_down_leaves_everything_pending_and_retried(live, letter_id):
    registry = live.app.registry
    live.control(down=True)
    services.queue_submissions(registry)
    live.relay.process()
    manager, dbsession = live.session()
    with manager:
        [message] = dbsession.scalars(select(OutboxMessage)).all()
        assert message.status == RETRYING and "unavailable" in message.last_error
    assert read(live, letter_id)["package"].status == PENDING
    live.control(down=False)
    manager, dbsession = live.session()
    with manager:
        message = dbsession.get(OutboxMessage, message.id)
        message.next_attempt = message.created
    live.relay.process()
    manager, dbsession = live.session()
    with manager:
        assert dbsession.get(OutboxMessage, message.id).status == DELIVERED
    assert read(live, letter_id)["package"].status == IN_PROGRESS

    live.sign_as(MAYOR)
    live.control(down=True)  # signed on the platform, but Loket cannot fetch it yet
    assert services.collect(registry) == {"signing_collected": 0, "signing_unavailable": 1}
    assert [s for s, _ in read(live, letter_id)["signatories"]] == [WAITING, WAITING]
    live.control(down=False)
    assert services.collect(registry) == {"signing_collected": 1}
    assert [s for s, _ in read(live, letter_id)["signatories"]] == [SIGNED, WAITING]


def test_a_certificate_of_an_unknown_root_is_stored_and_shown_invalid(live, letter_id):
    registry = live.app.registry
    services.queue_submissions(registry)
    live.relay.process()
    live.control(untrusted=True)
    live.sign_as(MAYOR)
    services.collect(registry)
    [signature] = read(live, letter_id)["signatures"]
    assert signature.intact and not signature.trusted and not signature.valid
