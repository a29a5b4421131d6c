"""A long outage with time compressed: the receiver is down for 30 (simulated) minutes while
messages wait; with the default policy nothing goes dead, and everything is delivered within
a (simulated) minute of the receiver's return — over real HTTP, on committed rows."""

import random
from datetime import timedelta

from loket.db import utcnow
from loket.outbox import HTTP_POST
from loket.outbox.models import DEAD, DELIVERED
from loket.outbox.relay import Relay
from loket.outbox.services import Policy

STEP = timedelta(seconds=5)
OUTAGE = timedelta(minutes=30)


def test_a_30_minute_outage_kills_nothing_and_recovery_takes_under_a_minute(
        app, receiver, outbox):
    clock = {"now": utcnow()}
    start = clock["now"]
    # The production defaults; only the batch is larger, to drain faster per pass.
    relay = Relay(app.registry, policy=Policy(batch_size=50), worker="test-host:1:bbbbbb",
                  rng=random.Random(3), clock=lambda: clock["now"])
    receiver.status = 503
    ids = outbox.enqueue_many([
        (HTTP_POST, {"url": receiver.url, "json": {"number": n}},
         {"ordering_key": f"dossier:{n % 20}"}) for n in range(60)])
    delivered_at = {}
    try:
        while clock["now"] - start < OUTAGE + timedelta(minutes=5):
            if clock["now"] - start >= OUTAGE:
                receiver.status = 200
            while relay.process():
                pass
            assert outbox.count(DEAD) == 0, f"dead at {clock['now'] - start}"
            for message in outbox.all():
                if message.status == DELIVERED:
                    delivered_at.setdefault(message.id, clock["now"] - start)
            if len(delivered_at) == len(ids):
                break
            clock["now"] += STEP
    finally:
        relay.close()
    assert sorted(delivered_at) == ids
    assert max(delivered_at.values()) <= OUTAGE + timedelta(minutes=1)
    # Per dossier in order, once each.
    numbers = [r["json"]["number"] for r in receiver.accepted()]
    assert sorted(numbers) == list(range(60))
    for key in range(20):
        assert [n for n in numbers if n % 20 == key] == sorted(n for n in numbers if n % 20 == key)
    # The receiver was not hammered: about one probe per 30 s plus each message's own retries.
    assert len(receiver.received) < 60 * 15
