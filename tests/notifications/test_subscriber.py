"""After a workflow step, one outbox message per channel the applicant chose."""

import json

import pytest
from sqlalchemy import select

from loket.notifications.models import NotificationPreference
from loket.notifications.subscriber import notify_applicant
from loket.outbox import register_deliverer
from loket.outbox.models import OutboxMessage
from loket.security import Role, principals_for
from loket.workflow.engine import Actor, AfterTransition, perform, workflow_of

RRN = "85073003328"


@pytest.fixture
def world(factories):
    team = factories.team()
    handler = factories.staff(Role.HANDLER, team=team)
    citizen = factories.citizen(given_name="Jan", rrn=RRN)
    dossier = factories.dossier(applicant=citizen, team=team, state="ingediend",
                                title="Verwarmingstoelage")
    return dossier, handler, citizen


def _prefer(dbsession, citizen, channels=(), language="nl"):
    dbsession.add(NotificationPreference(
        user_id=citizen.id, by_email="email" in channels, by_sms="sms" in channels,
        email="jan.peeters@example.org" if "email" in channels else None,
        mobile="+32470123456" if "sms" in channels else None, language=language))
    dbsession.flush()


def _step(app, dbsession, dossier, handler, transition="ontvankelijk_verklaren"):
    perform(app.registry, dbsession, dossier, transition,
            Actor(handler, frozenset(principals_for(handler))), dossier.version,
            "Graag het aanslagbiljet toevoegen.")
    dbsession.flush()
    return dbsession.scalars(select(OutboxMessage).where(
        OutboxMessage.dossier_id == dossier.id, OutboxMessage.kind.in_(("email", "sms")))
        .order_by(OutboxMessage.id)).all()


@pytest.mark.parametrize("channels", [(), ("email",), ("sms",), ("email", "sms")])
def test_one_message_per_chosen_channel(app, dbsession, world, channels):
    dossier, handler, citizen = world
    _prefer(dbsession, citizen, channels)
    messages = _step(app, dbsession, dossier, handler)
    assert [m.kind for m in messages] == list(channels)
    for message in messages:
        assert message.ordering_key == f"dossier:{dossier.id}:notify:{message.kind}"
        assert message.status == "pending" and message.idempotency_key
        assert message.payload["dossier"] == dossier.reference
        assert message.payload["language"] == "nl"
    expected = {"email": "jan.peeters@example.org", "sms": "+32470123456"}
    assert {m.kind: m.payload["to"] for m in messages} == {c: expected[c] for c in channels}


def test_no_preferences_no_messages(app, dbsession, world):
    dossier, handler, _ = world
    assert _step(app, dbsession, dossier, handler) == []


def test_dutch_email_and_sms_with_state_text_and_link(app, dbsession, world):
    dossier, handler, citizen = world
    _prefer(dbsession, citizen, ("email", "sms"))
    email, sms = _step(app, dbsession, dossier, handler)
    link = f"http://localhost/dossiers/{dossier.reference}/"
    payload = email.payload
    assert payload["subject"] == f"Je dossier {dossier.reference} is nu: Ontvankelijk"
    assert "Beste Jan," in payload["text"]
    assert "Je aanvraag is volledig en ontvankelijk." in payload["text"]
    assert link in payload["text"] and f'href="{link}"' in payload["html"]
    assert '<html lang="nl">' in payload["html"] and "Verwarmingstoelage" in payload["html"]
    assert sms.payload["text"].startswith("Gemeente Heidebeek: nieuwe status van je dossier")
    assert link in sms.payload["text"] and len(sms.payload["text"]) <= 306


def test_english_when_the_citizen_chose_english(app, dbsession, world):
    dossier, handler, citizen = world
    _prefer(dbsession, citizen, ("email", "sms"), language="en")
    email, sms = _step(app, dbsession, dossier, handler, "vervollediging_vragen")
    assert email.payload["subject"] == (
        f"Action needed in your dossier {dossier.reference}: Completion requested")
    assert "Dear Jan," in email.payload["text"]
    assert "We need more information or documents." in email.payload["text"]
    assert '<html lang="en">' in email.payload["html"]
    assert "action needed in your dossier" in sms.payload["text"]
    assert email.payload["event"] == "action_needed"


def test_never_the_national_register_number(app, dbsession, world):
    dossier, handler, citizen = world
    _prefer(dbsession, citizen, ("email", "sms"))
    for message in _step(app, dbsession, dossier, handler):
        assert RRN not in json.dumps(message.payload)


def test_the_html_escapes_what_users_typed(app, dbsession, factories):
    team = factories.team()
    handler = factories.staff(Role.HANDLER, team=team)
    citizen = factories.citizen(given_name="<b>Jan</b>")
    dossier = factories.dossier(applicant=citizen, team=team, title="<script>x</script>")
    _prefer(dbsession, citizen, ("email",))
    [email] = _step(app, dbsession, dossier, handler)
    assert "<script>" not in email.payload["html"] and "<b>Jan" not in email.payload["html"]
    assert "&lt;script&gt;" in email.payload["html"]


def test_a_channel_without_plugin_gets_nothing(app, dbsession, world):
    """An installation without the SMS plug-in enqueues no SMS, whatever the citizen chose."""
    dossier, handler, citizen = world
    _prefer(dbsession, citizen, ("email", "sms"))

    class EmailOnly(dict):
        settings = app.registry.settings

    registry = EmailOnly()
    register_deliverer(registry, "email", lambda message, context: None)
    entry = perform(_Quiet(), dbsession, dossier, "ontvankelijk_verklaren",
                    Actor(handler, frozenset(principals_for(handler))), dossier.version)
    transition = workflow_of(dossier).transitions["ontvankelijk_verklaren"]
    messages = notify_applicant(AfterTransition(
        dossier, transition, None, dbsession, registry, "ingediend", entry))
    assert [m.kind for m in messages] == ["email"]


class _Quiet:
    def notify(self, event):
        pass


def test_a_step_taken_on_the_dossier_page_enqueues(testapp, login, app, dbsession, world):
    dossier, handler, citizen = world
    _prefer(dbsession, citizen, ("email",))
    dossier.state = "ontvankelijk"
    dbsession.flush()
    login(handler)
    page = testapp.get(f"/dossiers/{dossier.reference}/")
    form = next(f for f in page.forms.values()
                if f.fields.get("transition") and f["transition"].value == "behandeling_starten")
    form.submit(status=302)
    [message] = dbsession.scalars(select(OutboxMessage).where(
        OutboxMessage.dossier_id == dossier.id, OutboxMessage.kind == "email")).all()
    assert message.payload["to"] == "jan.peeters@example.org"
