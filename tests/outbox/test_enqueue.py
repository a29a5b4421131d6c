"""A message exists exactly when the transaction that enqueued it committed."""

import pytest
import transaction
from transaction.interfaces import TransientError

from loket.db import get_tm_session, utcnow
from loket.outbox import HTTP_POST, enqueue
from loket.outbox.models import PENDING


def test_a_message_enqueued_in_a_failed_transaction_never_exists(app, outbox):
    factory = app.registry["dbsession_factory"]
    tm = transaction.TransactionManager(explicit=True)
    with pytest.raises(RuntimeError, match="after enqueue"), tm:
        session = get_tm_session(factory, tm)
        message = enqueue(session, HTTP_POST, {"url": "http://127.0.0.1:9/x"},
                          ordering_key="dossier:1")
        session.flush()  # the row is in the database, inside the transaction
        assert message.id is not None
        raise RuntimeError("the view failed after enqueue")
    assert outbox.all() == []


def test_a_message_enqueued_in_a_committed_transaction_waits_for_the_worker(app, outbox):
    before = utcnow()
    message_id = outbox.enqueue(HTTP_POST, {"url": "http://127.0.0.1:9/x"},
                                ordering_key="dossier:1")
    message = outbox.get(message_id)
    assert message.status == PENDING and message.attempts == 0
    assert len(message.idempotency_key) == 32
    assert before <= message.next_attempt <= utcnow()
    assert message.claimed_by is None and message.last_error == ""


def test_a_transaction_retried_after_a_transient_error_leaves_one_message(app, outbox):
    factory = app.registry["dbsession_factory"]
    manager = transaction.TransactionManager(explicit=True)
    tries = 0
    for attempt in manager.attempts(3):
        with attempt:
            tries += 1
            session = get_tm_session(factory, manager)
            enqueue(session, HTTP_POST, {"url": "http://127.0.0.1:9/x", "json": {"try": tries}})
            session.flush()
            if tries == 1:
                raise TransientError("serialization failure, say")
    assert tries == 2
    assert [m.payload["json"] for m in outbox.all()] == [{"try": 2}]


def test_every_message_gets_its_own_idempotency_key(app, outbox):
    ids = outbox.enqueue_many([(HTTP_POST, {"url": "http://x.invalid/"}, {})] * 50)
    keys = {m.idempotency_key for m in outbox.all()}
    assert len(ids) == len(keys) == 50
