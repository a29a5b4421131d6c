"""The relay against a real receiver over HTTP: delivery, retries, dead letters, ordering,
stalled claims. Each step commits, as in the worker."""

import logging
import random
import time
from datetime import timedelta

import pytest

from loket.db import utcnow
from loket.outbox import HTTP_POST, TemporaryFailure
from loket.outbox import services as outbox_services
from loket.outbox.models import DEAD, DELIVERED, DELIVERING, DISCARDED, PENDING, RETRYING
from loket.outbox.relay import Outcome
from loket.outbox.services import Policy, backoff
from tests.fixtures.outbox import FAST, free_port

RRN = "85073003328"  # a sentinel: never in an error, a log line or a page


def post(receiver, number=1, **extra):
    return {"url": receiver.url, "json": {"number": number, "rrn": RRN, **extra}}


def test_delivers_with_the_idempotency_key_and_the_payload(receiver, outbox, relay):
    message_id = outbox.enqueue(HTTP_POST, {
        "url": receiver.url, "json": {"status": "ingediend"}, "headers": {"X-Bron": "loket"}})
    assert relay.process() == 1
    message = outbox.get(message_id)
    [request] = receiver.received
    assert request["key"] == message.idempotency_key
    assert request["json"] == {"status": "ingediend"}
    assert request["headers"]["X-Bron"] == "loket"
    assert request["headers"]["Content-Type"] == "application/json"
    assert message.status == DELIVERED and message.attempts == 1
    assert message.delivered is not None and message.claimed_at is None
    assert message.claimed_by == relay.worker  # who handled it, for diagnosis
    assert relay.process() == 0  # nothing twice


def test_the_idempotency_key_stays_the_same_on_every_retry(receiver, outbox, relay):
    receiver.answers = [503, 502]
    message_id = outbox.enqueue(HTTP_POST, post(receiver))
    for expected in (RETRYING, RETRYING, DELIVERED):
        assert relay.process() == 1
        assert outbox.get(message_id).status == expected
        outbox.make_due()
    keys = [r["key"] for r in receiver.received]
    assert keys == [outbox.get(message_id).idempotency_key] * 3
    assert outbox.get(message_id).attempts == 3


def test_backoff_is_capped_exponential_with_full_jitter():
    policy = Policy(backoff_base=2, backoff_cap=3600)
    rng = random.Random(1234)
    highest = []
    for attempts in range(1, 16):
        ceiling = min(3600, 2 * 2 ** (attempts - 1))
        delays = [backoff(attempts, policy, rng) for _ in range(300)]
        assert all(0 <= d <= ceiling for d in delays)
        assert len(set(delays)) == 300  # jitter: no two alike
        assert max(delays) > 0.9 * ceiling  # the whole range is used
        highest.append(max(delays))
    assert highest[:11] == sorted(highest[:11])  # grows until the cap …
    assert all(h <= 3600 for h in highest[11:])  # … then stays under it
    assert backoff(1000, policy, rng) <= 3600  # no overflow
    # Seeded, so reproducible.
    assert [backoff(3, policy, random.Random(5)) for _ in range(2)] == \
        [backoff(3, policy, random.Random(5))] * 2


def test_a_failed_attempt_waits_its_backoff(receiver, outbox, relay):
    receiver.status = 503
    message_id = outbox.enqueue(HTTP_POST, post(receiver))
    for attempts in (1, 2, 3):
        relay.process()
        message = outbox.get(message_id)
        assert message.status == RETRYING and message.attempts == attempts
        wait = (message.next_attempt - message.last_attempt).total_seconds()
        assert 0 <= wait <= FAST.backoff_base * 2 ** (attempts - 1)
        assert message.last_error == "HTTP 503"
        assert relay.process() == 0 or wait < 0.05  # not due before its time
        outbox.make_due()


def test_retry_after_is_respected(receiver, outbox, relay):
    receiver.status, receiver.retry_after = 429, 120
    message_id = outbox.enqueue(HTTP_POST, post(receiver))
    relay.process()
    message = outbox.get(message_id)
    assert message.status == RETRYING and message.last_error == "HTTP 429"
    assert (message.next_attempt - message.last_attempt).total_seconds() >= 120


def test_a_4xx_answer_is_a_dead_letter_at_once(receiver, outbox, relay, caplog):
    receiver.status = 404
    message_id = outbox.enqueue(HTTP_POST, post(receiver))
    with caplog.at_level(logging.INFO):
        relay.process()
    message = outbox.get(message_id)
    assert (message.status, message.attempts, message.last_error) == (DEAD, 1, "HTTP 404")
    outbox.make_due()
    assert relay.process() == 0 and len(receiver.received) == 1
    assert "is dead" in caplog.text and RRN not in caplog.text


def test_the_retry_budget_ends_among_the_dead_letters_never_dropped(receiver, outbox, relay):
    receiver.status = 500
    message_id = outbox.enqueue(HTTP_POST, post(receiver))
    for _ in range(FAST.max_attempts):
        assert relay.process() == 1
        outbox.make_due()
    message = outbox.get(message_id)
    assert (message.status, message.attempts, message.last_error) == (
        DEAD, FAST.max_attempts, "HTTP 500")
    assert relay.process() == 0
    assert len(receiver.received) == FAST.max_attempts


def test_a_resent_dead_letter_is_delivered_after_recovery(receiver, outbox, relay):
    receiver.status = 500
    message_id = outbox.enqueue(HTTP_POST, post(receiver))
    for _ in range(FAST.max_attempts):
        relay.process()
        outbox.make_due()
    assert outbox.get(message_id).status == DEAD
    receiver.status = 200
    with relay.transaction() as session:
        assert outbox_services.resend(session, message_id, utcnow())
    message = outbox.get(message_id)
    assert (message.status, message.attempts) == (PENDING, 0)
    assert relay.process() == 1
    assert outbox.get(message_id).status == DELIVERED
    assert len({r["key"] for r in receiver.received}) == 1


def test_a_later_message_never_overtakes_a_failing_earlier_one(receiver, outbox, relay):
    receiver.answers = [500]
    first, second = outbox.enqueue_many([
        (HTTP_POST, post(receiver, 1), {"ordering_key": "dossier:1"}),
        (HTTP_POST, post(receiver, 2), {"ordering_key": "dossier:1"}),
    ])
    other = outbox.enqueue(HTTP_POST, post(receiver, 3), ordering_key="dossier:2")
    assert relay.process() == 2  # the first of dossier 1 (fails), and dossier 2's
    assert outbox.get(first).status == RETRYING
    assert outbox.get(second).status == PENDING  # due, but waits for the first
    assert outbox.get(other).status == DELIVERED
    # The receiver answered dossier 2's message, so the first is woken at once; the second
    # still goes only after it.
    assert relay.process() == 1 and outbox.get(second).status == PENDING
    assert relay.process() == 1
    assert [r["json"]["number"] for r in receiver.accepted()] == [3, 1, 2]
    assert {outbox.get(first).status, outbox.get(second).status} == {DELIVERED}


def test_a_dead_letter_holds_its_key_until_discarded(receiver, outbox, relay):
    receiver.answers = [404]
    first, second = outbox.enqueue_many([
        (HTTP_POST, post(receiver, 1), {"ordering_key": "dossier:1"}),
        (HTTP_POST, post(receiver, 2), {"ordering_key": "dossier:1"}),
    ])
    relay.process()
    assert outbox.get(first).status == DEAD
    assert relay.process() == 0 and outbox.get(second).status == PENDING
    with relay.transaction() as session:
        assert not outbox_services.resend(session, second, utcnow())  # not resendable
        assert outbox_services.discard(session, first)
    assert relay.process() == 1
    assert outbox.get(second).status == DELIVERED
    with relay.transaction() as session:  # discarded is final: resending it could overtake
        assert not outbox_services.resend(session, first, utcnow())
    assert outbox.get(first).status == DISCARDED


def test_a_resent_dead_letter_goes_before_the_later_ones_of_its_key(receiver, outbox, relay):
    receiver.answers = [400]
    first, second = outbox.enqueue_many([
        (HTTP_POST, post(receiver, 1), {"ordering_key": "dossier:1"}),
        (HTTP_POST, post(receiver, 2), {"ordering_key": "dossier:1"}),
    ])
    relay.process()
    with relay.transaction() as session:
        outbox_services.resend(session, first, utcnow())
    relay.process()
    relay.process()
    assert [r["json"]["number"] for r in receiver.received] == [1, 1, 2]
    assert [r["status"] for r in receiver.received] == [400, 200, 200]


def test_a_stalled_claim_is_released_and_delivered_again(receiver, outbox, relay, make_relay):
    message_id = outbox.enqueue(HTTP_POST, post(receiver))
    [claimed] = relay.claim()  # … and the worker dies before delivering
    assert outbox.get(message_id).status == DELIVERING
    assert relay.release_stalled() == 0  # still fresh
    later = utcnow() + timedelta(seconds=FAST.claim_timeout + 1)
    with relay.transaction() as session:
        assert outbox_services.release_stalled(session, later, FAST) == 1
    message = outbox.get(message_id)
    assert (message.status, message.attempts, message.claimed_at) == (RETRYING, 1, None)
    assert "claim expired" in message.last_error
    outbox.make_due()  # (released "61 s from now")
    other = make_relay("other:2:bbbbbb")
    assert other.process() == 1
    assert outbox.get(message_id).status == DELIVERED
    # The first worker wakes up: its failure is not recorded over the new holder's result,
    # its success is (a fact, whoever holds the claim).
    assert relay.record_failure(claimed, Outcome(False, "late")) is None
    assert outbox.get(message_id).status == DELIVERED


def test_a_message_that_keeps_killing_its_worker_ends_dead(receiver, outbox, relay):
    message_id = outbox.enqueue(HTTP_POST, post(receiver))
    for _ in range(FAST.max_attempts):
        relay.claim()
        later = utcnow() + timedelta(seconds=FAST.claim_timeout + 1)
        with relay.transaction() as session:
            outbox_services.release_stalled(session, later, FAST)
        outbox.make_due()
    message = outbox.get(message_id)
    assert (message.status, message.attempts) == (DEAD, FAST.max_attempts)
    assert receiver.received == []


def test_an_unknown_kind_is_a_dead_letter_with_a_clear_error(outbox, relay):
    message_id = outbox.enqueue("dosis.nonexistent", {"x": 1})
    relay.process()
    message = outbox.get(message_id)
    assert message.status == DEAD
    assert "no deliverer for kind 'dosis.nonexistent'" in message.last_error


def test_a_crashing_deliverer_is_retried_without_quoting_its_message(outbox, relay, deliverer,
                                                                      caplog):
    def crash(message, context):
        raise ValueError(f"bad value {message.payload['rrn']}")

    deliverer("test.crash", crash)
    message_id = outbox.enqueue("test.crash", {"rrn": RRN})
    with caplog.at_level(logging.INFO):
        relay.process()
    message = outbox.get(message_id)
    assert message.status == RETRYING
    assert message.last_error == "ValueError in the deliverer (see the worker log)"
    assert "ValueError" in caplog.text and "def crash" not in caplog.text
    assert RRN not in caplog.text and RRN not in message.last_error


def test_a_deliverer_gets_a_snapshot_and_the_context(outbox, relay, deliverer, app):
    seen = []

    def record(message, context):
        seen.append((message, context))
        if len(seen) == 1:
            raise TemporaryFailure("not yet")

    deliverer("test.record", record)
    message_id = outbox.enqueue("test.record", {"a": 1}, ordering_key="k", dossier_id=None)
    relay.process()
    outbox.make_due()
    relay.process()
    (first, context), (second, _context) = seen
    assert (first.id, first.kind, first.payload, first.ordering_key) == (
        message_id, "test.record", {"a": 1}, "k")
    assert (first.attempts, second.attempts) == (0, 1)
    assert first.idempotency_key == second.idempotency_key
    assert context.settings is app.registry.settings and context.registry is app.registry
    assert context.http is not None and context.timeout == FAST.http_timeout
    assert outbox.get(message_id).last_error == "not yet"


def test_a_slow_receiver_is_a_temporary_failure(receiver, outbox, make_relay):
    receiver.delay = 1.0
    relay = make_relay("w:1:c", http_timeout=0.2)
    message_id = outbox.enqueue(HTTP_POST, post(receiver))
    relay.process()
    message = outbox.get(message_id)
    assert (message.status, message.last_error) == (RETRYING, "no answer within 0.2 s")


def test_a_receiver_that_is_down_is_a_temporary_failure(outbox, relay):
    url = f"http://127.0.0.1:{free_port()}/hook"
    message_id = outbox.enqueue(HTTP_POST, {"url": url, "json": {}})
    relay.process()
    message = outbox.get(message_id)
    assert message.status == RETRYING
    assert message.last_error == "connection failed (ConnectionError)"
    assert "127.0.0.1" not in message.last_error


def test_stopping_hands_the_rest_of_the_batch_back(outbox, relay, deliverer):
    class Stop:
        flag = False

        def is_set(self):
            return self.flag

    stop = Stop()

    def deliver(message, context):
        stop.flag = True  # SIGTERM arrives during the first delivery

    deliverer("test.stop", deliver)
    ids = outbox.enqueue_many([("test.stop", {"n": n}, {}) for n in range(3)])
    assert relay.process(stop) == 1
    statuses = [(m.status, m.claimed_at) for m in outbox.all()]
    assert statuses == [(DELIVERED, None), (PENDING, None), (PENDING, None)]
    assert relay.process() == 2 and {m.status for m in outbox.all()} == {DELIVERED}
    assert len(ids) == 3


def test_claims_of_a_slow_batch_are_kept_fresh(outbox, make_relay, deliverer):
    relay = make_relay("w:1:d", claim_timeout=0.9, http_timeout=0.1)
    claims = {}

    def slow(message, context):
        claims[message.payload["n"]] = outbox.get(message.id).claimed_at
        time.sleep(0.2)

    deliverer("test.slow", slow)
    outbox.enqueue_many([("test.slow", {"n": n}, {}) for n in range(3)])
    assert relay.process() == 3
    assert claims[0] == claims[1] < claims[2]  # refreshed once a third of the timeout passed


def test_a_batch_is_limited_and_oldest_first(receiver, outbox, make_relay):
    relay = make_relay("w:1:e", batch_size=3)
    ids = outbox.enqueue_many([(HTTP_POST, post(receiver, n), {}) for n in range(5)])
    claimed = relay.claim()
    assert [m.id for m in claimed] == ids[:3]
    assert [m.id for m in relay.claim()] == ids[3:]
    assert relay.claim() == []


def test_old_delivered_messages_are_purged_open_ones_kept(receiver, outbox, relay):
    delivered, waiting = outbox.enqueue_many([
        (HTTP_POST, post(receiver, 1), {}), (HTTP_POST, post(receiver, 2), {})])
    relay.claim()
    with relay.transaction() as session:
        outbox_services.record_delivered(
            session, [outbox_services._snapshot(outbox.get(delivered))], utcnow())
        outbox_services.unclaim(session, [waiting], relay.worker)
        assert outbox_services.purge_final(session, utcnow(), keep_days=1) == 0
        later = utcnow() + timedelta(days=2)
        assert outbox_services.purge_final(session, later, keep_days=1) == 1
    assert [m.id for m in outbox.all()] == [waiting]


@pytest.mark.parametrize(("settings", "problem"), [
    ({"loket.outbox.max_attempts": "many"}, "not a number"),
    ({"loket.outbox.backoff_base": "0"}, "positive"),
    ({"loket.outbox.claim_timeout": "10", "loket.outbox.http_timeout": "10"}, "exceed"),
])
def test_wrong_settings_are_refused_with_their_name(settings, problem):
    from pyramid.exceptions import ConfigurationError

    with pytest.raises(ConfigurationError, match=problem):
        Policy.from_settings(settings)


def test_settings_are_read():
    policy = Policy.from_settings({"loket.outbox.claim_timeout": "90",
                                   "loket.outbox.max_attempts": "20"})
    assert (policy.claim_timeout, policy.max_attempts, policy.backoff_base) == (90.0, 20, 2.0)


def test_attempts_alone_do_not_kill_a_message_within_its_retry_budget(receiver, outbox,
                                                                      make_relay):
    relay = make_relay(retry_budget=3600)
    receiver.status = 500
    message_id = outbox.enqueue(HTTP_POST, post(receiver))
    for _ in range(FAST.max_attempts + 3):
        outbox.make_due()
        relay.process()
    message = outbox.get(message_id)
    assert (message.status, message.attempts) == (RETRYING, FAST.max_attempts + 3)


def test_a_success_wakes_the_waiting_messages_of_its_kind_only(receiver, outbox, relay,
                                                               deliverer):
    deliverer("other.kind", lambda message, context: (_ for _ in ()).throw(
        TemporaryFailure("down")))
    receiver.answers = [500]
    waiting = outbox.enqueue(HTTP_POST, post(receiver, 1))
    other = outbox.enqueue("other.kind", {})
    relay.process()
    assert outbox.get(waiting).next_attempt > utcnow()
    later = outbox.get(other).next_attempt
    outbox.enqueue(HTTP_POST, post(receiver, 2))
    relay.process()  # number 2 goes through: the receiver is back
    assert outbox.get(waiting).next_attempt <= utcnow()
    assert outbox.get(other).next_attempt == later


def test_a_run_of_deliveries_is_recorded_in_one_transaction(receiver, outbox, relay, app):
    """Commits per pass do not grow with the messages delivered: the successes are recorded
    together (a commit a message was most of a delivery's time)."""
    from sqlalchemy import event

    def commits_for(count):
        ids = outbox.enqueue_many([(HTTP_POST, post(receiver, n), {}) for n in range(count)])
        found = []
        engine = app.registry["db_engine"]
        listener = lambda connection: found.append(1)  # noqa: E731
        event.listen(engine, "commit", listener)
        try:
            assert relay.process() == count
        finally:
            event.remove(engine, "commit", listener)
        assert {outbox.get(i).status for i in ids} == {DELIVERED}
        assert all(outbox.get(i).attempts == 1 for i in ids)
        return len(found)

    relay.process()  # the stalled claims released: the passes below only claim and record
    assert commits_for(1) == commits_for(8) == 2


def test_successes_around_a_failure_are_each_recorded(receiver, outbox, relay):
    receiver.answers = [204, 503, 204]
    ids = outbox.enqueue_many([(HTTP_POST, post(receiver, n), {}) for n in range(3)])
    assert relay.process() == 3
    assert [outbox.get(i).status for i in ids] == [DELIVERED, RETRYING, DELIVERED]
