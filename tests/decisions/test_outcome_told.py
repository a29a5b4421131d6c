"""The citizen, DOSIS and the mailbox hear the outcome when the decision letter is delivered
(the ``decision.send`` step), not when the meeting decides."""

import pytest
from sqlalchemy import select

from loket.decisions import services
from loket.integrations.dosis.definition import dosis_states
from loket.integrations.dosis.payload import build_payload, dosis_status
from loket.main import main
from loket.municipality.models import Municipality
from loket.notifications.models import NotificationPreference
from loket.outbox.models import OutboxMessage
from loket.workflow.definition import workflows
from loket.workflow.engine import Actor, perform, workflow_of
from loket.workflow.presentation import localized, shown_state
from tests.decisions.conftest import on_agenda
from tests.notifications.conftest import NOTIFICATION_SETTINGS

OUTCOME_WORDS = ("Goedgekeurd", "Geweigerd", "goedgekeurd", "geweigerd")


@pytest.fixture(scope="module")
def app(app_settings):
    """A Loket that notifies by e-mail and SMS (enqueueing is all these tests see)."""
    app = main({}, **app_settings, **NOTIFICATION_SETTINGS)
    yield app
    app.registry["db_engine"].dispose()


@pytest.fixture
def decided(request, app, factories, dbsession, held_meeting, secretary):
    """A dossier of a type published to DOSIS whose meeting just decided ``request.param``;
    the applicant chose e-mail and SMS."""
    outcome = request.param
    citizen = factories.citizen(given_name="Jan", rrn="85073003328")
    version = factories.type_version(dosis={
        "product_id": "100103", "states": dosis_states(workflows()["sociale-premie"]),
        "action_needed": []})
    dossier = factories.dossier(applicant=citizen, type_version=version)
    dbsession.add(NotificationPreference(user_id=citizen.id, by_email=True, by_sms=True,
                                         email="jan@example.org", mobile="+32470123456",
                                         language="nl"))
    dbsession.flush()
    item = on_agenda(factories, dbsession, held_meeting, dossier)
    fake_request = _Request(app, dbsession)
    services.record_meeting(fake_request, held_meeting, held_meeting.version,
                            [services.ItemOutcome(item_id=item.id, outcome=outcome)],
                            Actor.system())
    dbsession.flush()
    return dossier, citizen


class _Request:
    """What the services need of a request, outside a web request."""

    def __init__(self, app, dbsession):
        from pyramid.i18n import Localizer

        self.registry, self.dbsession, self.user = app.registry, dbsession, None
        self.localizer = Localizer("nl", None)


def _notifications(dbsession, dossier):
    return dbsession.scalars(select(OutboxMessage).where(
        OutboxMessage.dossier_id == dossier.id, OutboxMessage.kind.in_(("email", "sms")))
        .order_by(OutboxMessage.id)).all()


def _said(messages) -> str:
    return " ".join(m.payload.get("subject", "") + m.payload["text"] + m.payload.get("html", "")
                    for m in messages)


def _dosis(dbsession, dossier):
    workflow = workflow_of(dossier)
    status = dosis_status(dossier, workflow, dossier.state)
    payload = build_payload(dossier=dossier, workflow=workflow, status=status, bron="urn://x",
                            public_url="http://localhost", changed=dossier.created,
                            municipality=Municipality(name="Heidebeek"))
    return payload["Status"]


def _send(app, dbsession, factories, dossier):
    letter = factories.document(dossier, title="Beslissing")
    letter.document_type, letter.direction = "besluit", "out"
    dbsession.flush()
    perform(app.registry, dbsession, dossier,
            workflow_of(dossier).transition_for("decision.send").name, Actor.system(), None)
    dbsession.flush()


@pytest.mark.parametrize("decided", ["approved", "refused"], indirect=True)
def test_the_outcome_is_not_told_before_the_letter(decided, dbsession, testapp, login):
    dossier, citizen = decided
    assert dossier.state in workflow_of(dossier).states_marked("decided")
    said = _said(_notifications(dbsession, dossier))
    assert said and "Beslist" in said
    assert not any(word in said for word in OUTCOME_WORDS)
    status = _dosis(dbsession, dossier)
    assert status["VlaamsCode"] == "Beslist" and status["Detail1"] == "Beslist"
    login(citizen)
    page = testapp.get(f"/dossiers/{dossier.reference}")
    assert "Beslist — je krijgt de beslissing binnenkort" in page.text
    assert not any(word in page.text for word in OUTCOME_WORDS)
    mine = testapp.get("/mijn-dossiers")
    assert not any(word in mine.text for word in OUTCOME_WORDS)
    api = testapp.get(f"/api/v1/dossiers/{dossier.reference}/workflow").text
    for word in (*OUTCOME_WORDS, "goedkeuren", "weigeren", "Voldoet"):  # nor the motivation
        assert word not in api, word
    assert '"code": "beslist"' in api.replace('":"', '": "')
    assert localized(shown_state(dossier).citizen_text, "en") == \
        "Decided — you will receive the decision soon."


@pytest.mark.parametrize(("decided", "word", "code"), [
    ("approved", "Goedgekeurd", "Goedgekeurd"), ("refused", "Geweigerd", "Geweigerd")],
    indirect=["decided"])
def test_the_outcome_is_told_when_the_decision_is_sent(decided, word, code, app, dbsession,
                                                       factories, testapp, login):
    dossier, citizen = decided
    before = len(_notifications(dbsession, dossier))
    _send(app, dbsession, factories, dossier)
    assert dossier.state in workflow_of(dossier).states_marked("decision_sent")
    email, sms = _notifications(dbsession, dossier)[before:]
    assert email.payload["event"] == "decided"
    assert email.payload["subject"].endswith(word) and word in sms.payload["text"]
    status = _dosis(dbsession, dossier)
    assert status["VlaamsCode"] == code and status["Detail1"] == word
    login(citizen)
    page = testapp.get(f"/dossiers/{dossier.reference}")
    assert word in page.text
    assert "Beslist — je krijgt de beslissing binnenkort" in page.text  # the timeline


def test_a_dosis_mapping_per_outcome_is_validated(app):
    import yaml

    from loket.catalogue.validation import validate_definition

    with open("src/loket/catalogue/shipped/verwarmingstoelage.yaml") as f:
        shipped = yaml.safe_load(f)
    definition = shipped["versions"][0]["definition"]
    states = definition["dosis"]["states"]
    assert states["beslissing_verzonden"] == {"approved": "Goedgekeurd", "refused": "Geweigerd"}
    assert states["goedgekeurd"] == states["geweigerd"] == "Beslist"
    assert dosis_states(workflows()["sociale-premie"])["beslissing_verzonden"] == \
        states["beslissing_verzonden"]
    assert validate_definition(definition, registry=app.registry) == []
    states["beslissing_verzonden"] = {"approved": "Nope", "maybe": "Beslist"}
    problems = [str(p) for p in validate_definition(definition, registry=app.registry)]
    assert any("'Nope'" in p for p in problems) and any("'maybe'" in p for p in problems)
