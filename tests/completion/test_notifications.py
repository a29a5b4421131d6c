"""Asking for a completion tells the citizen in their channel what to do, and DOSIS (Mijn
Burgerprofiel) that action is needed; answering gives DOSIS the handler's status back."""

import pytest

from loket.completion.services import Upload, answer_completion, request_completion
from loket.demo import demo_pdf
from loket.documents.files import check_upload
from loket.main import main
from loket.notifications.models import NotificationPreference
from loket.outbox.models import OutboxMessage
from loket.security import Role
from tests.completion.conftest import DOCUMENTS, QUESTION, service_request
from tests.integrations.dosis.conftest import (  # noqa: F401 (fixtures)
    JAN,
    dosis_key_file,
    dosis_options,
    dosis_server,
    dosis_settings,
    mapping,
    pushes,
)
from tests.notifications.conftest import NOTIFICATION_SETTINGS


@pytest.fixture(scope="module")
def loket(dosis_settings):  # noqa: F811
    """A Loket that publishes to DOSIS and notifies by e-mail and SMS."""
    app = main({}, **dosis_settings, **NOTIFICATION_SETTINGS)
    yield app
    app.registry["db_engine"].dispose()


@pytest.fixture
def premium(factories, dbsession):
    """Jan's submitted dossier of a type that publishes to DOSIS; Jan chose e-mail and SMS."""
    team = factories.team()
    citizen = factories.citizen("Jan", "Peeters", rrn=JAN)
    dossier = factories.dossier(applicant=citizen, team=team, type_version=factories.type_version(
        documents=DOCUMENTS, dosis=mapping()))
    world = {"dossier": dossier, "citizen": citizen,
             "handler": factories.staff(Role.HANDLER, team=team)}
    dbsession.add(NotificationPreference(
        user_id=citizen.id, by_email=True, by_sms=True, email="jan@example.org",
        mobile="+32470123456", language="nl"))
    dbsession.flush()
    return world


def _notifications(dbsession):
    return {m.kind: m for m in dbsession.query(OutboxMessage).filter(
        OutboxMessage.kind.in_(("email", "sms")))}


def test_request_notifies_the_citizen_and_dosis(loket, dbsession, premium):
    dossier = premium["dossier"]
    request_completion(service_request(loket, dbsession, premium["handler"]), dossier,
                       QUESTION, ["factuur"], None, dossier.version)
    [push] = pushes(dbsession)
    status = push.payload["Status"]
    assert status["VlaamsCode"] == "DossierOnvolledig"
    assert status["Actie"]["ActieNodig"] is True
    assert "vul je dossier aan" in status["Actie"]["Actie"]
    messages = _notifications(dbsession)
    email = messages["email"].payload
    assert email["subject"].startswith(f"Actie nodig in je dossier {dossier.reference}")
    assert "Bekijk de vraag en vul je dossier aan." in email["text"]
    assert f"/dossiers/{dossier.reference}/" in email["text"]
    assert QUESTION not in email["text"]  # the details stay behind the login
    assert "actie nodig" in messages["sms"].payload["text"]


def test_answer_takes_the_action_away_in_dosis(loket, dbsession, premium):
    dossier = premium["dossier"]
    request_completion(service_request(loket, dbsession, premium["handler"]), dossier,
                       QUESTION, ["factuur"], None, dossier.version)
    answer_completion(service_request(loket, dbsession, premium["citizen"]), dossier, "",
                      [Upload("factuur", check_upload(demo_pdf("f"), "f.pdf"))],
                      dossier.version)
    last = pushes(dbsession)[-1].payload["Status"]
    assert last["VlaamsCode"] == "Ingediend"
    assert not last["Actie"].get("ActieNodig")
