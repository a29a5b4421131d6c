"""/beheer/berichten (the functional administrator's outbox view) and the health figures."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from loket.audit.models import AuditEvent
from loket.db import utcnow
from loket.i18n import LOCALE_COOKIE
from loket.outbox import HTTP_POST, enqueue
from loket.outbox.models import (
    DEAD,
    DELIVERED,
    DELIVERING,
    DISCARDED,
    PENDING,
    RETRYING,
    OutboxMessage,
)
from loket.security import Role
from tests.conftest import csrf_token

RRN = "85073003328"
URL = "/beheer/berichten"


@pytest.fixture
def messages(dbsession, factories):
    """One message in each status; the dead one belongs to a dossier."""
    dossier = factories.dossier()
    made = {}
    for status in (PENDING, RETRYING, DELIVERING, DEAD, DELIVERED, DISCARDED):
        message = enqueue(dbsession, HTTP_POST,
                          {"url": "https://dosis.example/api", "json": {"rrn": RRN}},
                          ordering_key=f"dossier:{dossier.id}", dossier_id=dossier.id)
        message.status = status
        message.attempts = 3 if status in (RETRYING, DEAD) else 0
        message.last_error = {RETRYING: "HTTP 503", DEAD: "HTTP 422"}.get(status, "")
        message.created = utcnow() - timedelta(minutes=10)
        made[status] = message
    dbsession.flush()
    made["dossier"] = dossier
    return made


@pytest.fixture
def admin(login, factories, testapp):
    testapp.set_cookie(LOCALE_COOKIE, "en")  # English msgids: the texts of the code
    return login(factories.staff(Role.ADMIN))


def test_the_administrator_sees_waiting_failing_and_dead_messages(testapp, admin, messages):
    page = testapp.get(URL)
    text = page.text
    assert "HTTP 422" in text and "HTTP 503" in text
    assert f'href="/dossiers/{messages["dossier"].reference}"' in text
    assert RRN not in text and "dosis.example" not in text  # never the payload
    facts = {dt.get_text(strip=True): dd.get_text(strip=True)
             for dt, dd in zip(page.html.select(".facts dt"), page.html.select(".facts dd"),
                               strict=True)}
    assert facts["Dead: needs a person"] == "1"
    assert facts["Oldest message on its way"] == "10 min ago"
    rows = {row.th.get_text(strip=True) for row in page.html.select("tbody tr")}
    assert rows == {str(messages[s].id) for s in (PENDING, RETRYING, DELIVERING, DEAD)}


def test_a_status_filter_lists_only_that_status(testapp, admin, messages):
    page = testapp.get(URL, {"status": DELIVERED})
    rows = [row.th.get_text(strip=True) for row in page.html.select("tbody tr")]
    assert rows == [str(messages[DELIVERED].id)]
    assert not page.html.select("tbody form")  # nothing to do with a delivered message
    assert testapp.get(URL, {"status": "nonsense"}).status_int == 200  # the overview


def _form(page, message, action):
    for form in page.forms.values():
        if form.fields.get("message") and form["message"].value == str(message.id) \
                and form["action"].value == action:
            return form
    raise AssertionError(f"no {action} button for message {message.id}")


def test_resend_puts_a_dead_message_back_in_the_queue_and_is_audited(
        testapp, admin, messages, dbsession):
    dead = messages[DEAD]
    page = testapp.get(URL, {"status": DEAD})
    response = _form(page, dead, "resend").submit(status=303)
    assert response.location.endswith(f"{URL}?status=dead")
    assert "The message will be sent again." in response.follow().text
    dbsession.refresh(dead)
    assert (dead.status, dead.attempts) == (PENDING, 0)
    assert dead.next_attempt <= utcnow()
    event = dbsession.scalars(select(AuditEvent).where(
        AuditEvent.action == "outbox.resent")).one()
    assert (event.actor_id, event.object_id) == (admin.id, str(dead.id))
    assert event.details == {"kind": HTTP_POST, "status": DEAD, "attempts": 3,
                             "dossier_id": messages["dossier"].id}


def test_a_failing_message_can_be_resent_at_once(testapp, admin, messages, dbsession):
    retrying = messages[RETRYING]
    retrying.next_attempt = utcnow() + timedelta(hours=1)
    dbsession.flush()
    _form(testapp.get(URL), retrying, "resend").submit(status=303)
    dbsession.refresh(retrying)
    assert (retrying.status, retrying.attempts) == (PENDING, 0)
    assert retrying.next_attempt <= utcnow()


def test_discard_gives_a_dead_message_up_and_is_audited(testapp, admin, messages, dbsession):
    dead = messages[DEAD]
    _form(testapp.get(URL), dead, "discard").submit(status=303)
    dbsession.refresh(dead)
    assert dead.status == DISCARDED
    assert dbsession.scalars(select(AuditEvent.object_id).where(
        AuditEvent.action == "outbox.discarded")).all() == [str(dead.id)]


def test_only_dead_messages_can_be_discarded(testapp, admin, messages, dbsession):
    page = testapp.get(URL)
    with pytest.raises(AssertionError):
        _form(page, messages[RETRYING], "discard")
    form = _form(page, messages[DEAD], "discard")
    form["message"].force_value(str(messages[RETRYING].id))
    form.submit(status=409)
    dbsession.refresh(messages[RETRYING])
    assert messages[RETRYING].status == RETRYING
    assert dbsession.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "outbox_message")).all() == []


def test_a_message_a_worker_took_meanwhile_is_not_resent(testapp, admin, messages, dbsession):
    page = testapp.get(URL)
    form = _form(page, messages[DEAD], "resend")
    messages[DEAD].status = DELIVERING  # the worker claimed it after a resend elsewhere
    dbsession.flush()
    response = form.submit(status=409)
    assert "The message changed meanwhile" in response.text
    dbsession.refresh(messages[DEAD])
    assert messages[DEAD].status == DELIVERING


def test_resend_needs_the_csrf_token(testapp, admin, messages, dbsession):
    testapp.post(URL, {"message": messages[DEAD].id, "action": "resend"}, status=400)
    dbsession.refresh(messages[DEAD])
    assert messages[DEAD].status == DEAD


@pytest.mark.parametrize("fields", [
    {"message": "x", "action": "resend"},
    {"message": "1", "action": "delete"},
    {"action": "resend"},
])
def test_a_malformed_action_is_a_bad_request(testapp, admin, messages, fields):
    testapp.post(URL, {**fields, "csrf_token": csrf_token(testapp)}, status=400)


def test_an_unknown_message_is_not_found(testapp, admin, messages):
    testapp.post(URL, {"message": "999999999", "action": "resend",
                       "csrf_token": csrf_token(testapp)}, status=404)


def test_a_handler_may_not_see_or_resend_messages(testapp, login, factories, messages,
                                                  dbsession):
    login(factories.staff(Role.HANDLER))
    testapp.get(URL, status=403)
    testapp.post(URL, {"message": messages[DEAD].id, "action": "resend",
                       "csrf_token": csrf_token(testapp)}, status=403)
    dbsession.refresh(messages[DEAD])
    assert messages[DEAD].status == DEAD


def test_a_visitor_is_sent_to_the_login(testapp, messages):
    assert "/aanmelden" in testapp.get(URL, status=302).location


def test_the_health_endpoint_counts_open_messages_and_the_oldest_age(testapp, messages):
    body = testapp.get("/-/health").json
    outbox = body["outbox"]
    assert {k: outbox[k] for k in (PENDING, RETRYING, DELIVERING, DEAD)} == {
        PENDING: 1, RETRYING: 1, DELIVERING: 1, DEAD: 1}
    assert 590 <= outbox["oldest_pending_seconds"] <= 700


def test_the_health_endpoint_with_an_empty_outbox(testapp, dbsession):
    assert dbsession.scalar(select(OutboxMessage.id)) is None
    outbox = testapp.get("/-/health").json["outbox"]
    assert outbox == {PENDING: 0, RETRYING: 0, DELIVERING: 0, DEAD: 0,
                      "oldest_pending_seconds": None}
