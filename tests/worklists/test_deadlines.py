"""Dossier.due follows the running legal deadline (suspensions included) and the daily job
reminds each handler once a day, by e-mail through the outbox (a real SMTP sink)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from loket.outbox import Message
from loket.outbox.models import OutboxMessage
from loket.security import principals_for
from loket.workflow.engine import Actor, perform
from loket.workflow.models import HistoryEntry
from loket.worklists.deadlines import (
    deadline_job,
    recompute_due,
    recompute_suspended,
    send_reminders,
)
from loket.worklists.models import DeadlineReminder
from tests.integrations.test_email import Server

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def actor(user):
    return Actor(user, frozenset(principals_for(user)))


def test_due_is_set_after_a_transition_without_a_version_bump(app, dbsession, world):
    dossier = world.dossier()
    assert dossier.due is None  # no deadline running while submitted (the factory's type)
    version = dossier.version
    perform(app.registry, dbsession, dossier, "ontvankelijk_verklaren", actor(world.els),
            version)
    assert dossier.due == world.today + timedelta(days=60)
    assert dossier.version == version + 1  # the step's own update only
    perform(app.registry, dbsession, dossier, "stopzetten", actor(dossier.applicant), None)
    assert dossier.due is None  # nothing runs any more


def test_due_moves_with_a_suspension(dbsession, world):
    dossier = world.dossier(state="vervollediging_gevraagd")
    dbsession.add_all([
        HistoryEntry(dossier_id=dossier.id, transition="ontvankelijk_verklaren",
                     from_state="ingediend", to_state="ontvankelijk",
                     occurred=NOW - timedelta(days=20)),
        HistoryEntry(dossier_id=dossier.id, transition="vervollediging_vragen",
                     from_state="ontvankelijk", to_state="vervollediging_gevraagd",
                     occurred=NOW - timedelta(days=10)),
    ])
    dbsession.flush()
    start = (NOW - timedelta(days=20)).date()
    assert recompute_due(dbsession, dossier, NOW)
    assert dossier.due == start + timedelta(days=60 + 10)
    # Every day the citizen keeps us waiting moves it a day (the daily job's part)
    assert recompute_suspended(dbsession, NOW + timedelta(days=5)) >= 1
    assert dossier.due == start + timedelta(days=60 + 15)
    assert not recompute_due(dbsession, dossier, NOW + timedelta(days=5))  # unchanged
    # Completed five days after the request: the clock runs again, ten days later
    dbsession.add(HistoryEntry(dossier_id=dossier.id, transition="vervolledigen",
                               from_state="vervollediging_gevraagd", to_state="ingediend",
                               occurred=NOW - timedelta(days=5)))
    dbsession.flush()
    recompute_due(dbsession, dossier, NOW + timedelta(days=5))
    assert dossier.due == start + timedelta(days=60 + 5)


@pytest.fixture
def smtp():
    server = Server()
    yield server
    server.stop()


def test_reminders_are_sent_once_a_day(app, dbsession, world, smtp, monkeypatch):
    from loket.integrations.email.smtp import make_deliverer

    deliver = make_deliverer(smtp.config())
    monkeypatch.setitem(app.registry.setdefault("loket.outbox.deliverers", {}), "email",
                        deliver)
    world.els.email, world.bart.email = "els@heidebeek.example", "bart@heidebeek.example"
    today = world.today
    own = world.dossier(handler_id=world.els.id, due=today)
    free = world.dossier(due=today + timedelta(days=1))
    world.dossier(handler_id=world.els.id, due=today + timedelta(days=3))  # not yet
    world.dossier(handler_id=world.bart.id, due=today, state="afgesloten")  # closed
    world.dossier(team=world.other_team, due=today)  # stranger has no e-mail address

    assert send_reminders(dbsession, app.registry, today) == 2
    assert send_reminders(dbsession, app.registry, today) == 0  # idempotent
    assert len(dbsession.scalars(select(DeadlineReminder).where(
        DeadlineReminder.day == today)).all()) == 2
    rows = dbsession.scalars(select(OutboxMessage).where(OutboxMessage.kind == "email")
                             .order_by(OutboxMessage.id)).all()
    assert len(rows) == 2
    for row in rows:
        deliver(Message(row.id, row.kind, row.payload, row.idempotency_key, row.ordering_key,
                        row.dossier_id, 0, row.created), None)
    mails = {m.message["To"]: m for m in smtp.mailbox.received()}
    els_mail = mails["els@heidebeek.example"].message.get_body(("plain",)).get_content()
    bart_mail = mails["bart@heidebeek.example"].message.get_body(("plain",)).get_content()
    assert own.reference in els_mail and free.reference in els_mail
    assert free.reference in bart_mail and own.reference not in bart_mail
    # The next day, again one each
    assert send_reminders(dbsession, app.registry, today + timedelta(days=1)) >= 1


def test_no_reminders_without_an_email_channel(app, dbsession, world):
    world.els.email = "els@heidebeek.example"
    world.dossier(handler_id=world.els.id, due=world.today)
    if "email" in app.registry.get("loket.outbox.deliverers", {}):
        pytest.skip("this app has an e-mail plug-in")
    assert send_reminders(dbsession, app.registry, world.today) == 0


def test_the_worker_job_runs_in_its_own_transactions(app):
    done = deadline_job(app.registry)
    assert set(done) == {"deadlines_moved", "deadline_reminders"}
