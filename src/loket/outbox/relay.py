"""The outbox relay: claim a batch, deliver each message outside any transaction, record.

Each step that touches the database is its own short transaction, so no row lock or
connection is held while a receiver takes its time, and a crash at any point loses nothing:
an unrecorded delivery is redelivered (same idempotency key) once its claim expires.
"""

import logging
import os
import random
import secrets
import socket
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests

from loket.db import utcnow
from loket.outbox import (
    DeliveryContext,
    Message,
    PermanentFailure,
    TemporaryFailure,
    deliverers,
)
from loket.outbox import services as outbox
from loket.outbox.services import Policy, db_now
from loket.plugins.status import plugin_of_kind, record_result

log = logging.getLogger(__name__)


def worker_name() -> str:
    # host:pid names the process for people; the nonce keeps a restarted process (same pid in
    # a fresh container) from mistaking an older claim for its own.
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


# Successful deliveries are recorded together at most this long after the first of them.
RECORD_EVERY = 0.25


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    error: str = ""
    permanent: bool = False
    retry_after: float | None = None


class Relay:
    def __init__(self, registry, *, policy: Policy | None = None, worker: str | None = None,
                 rng: random.Random | None = None, http: requests.Session | None = None,
                 clock=None):
        self.registry = registry
        self.policy = policy or Policy.from_settings(registry.settings)
        self.engine = registry["db_engine"]
        self.worker = worker or worker_name()
        self.rng = rng or random.Random()  # jitter, not secrecy
        self.context = DeliveryContext(settings=registry.settings, registry=registry,
                                       http=http or requests.Session(),
                                       timeout=self.policy.http_timeout, worker=self.worker)
        self._last_release = float("-inf")
        self._clock_offset = timedelta(0)  # the database's clock minus ours
        # ``clock() -> datetime`` replaces the database's clock: tests compress time with it.
        self.clock = clock

    def db_now(self, db) -> datetime:
        return self.clock() if self.clock is not None else db_now(db)

    def close(self):
        self.context.http.close()

    def now(self) -> datetime:
        """The database's time without asking it again: our clock plus the offset measured at
        the last claim (one round trip less for every recorded result)."""
        if self.clock is not None:
            return self.clock()
        return utcnow() + self._clock_offset

    @contextmanager
    def transaction(self):
        # A Core connection: the relay's statements need no ORM unit of work.
        with self.engine.begin() as connection:
            yield connection

    def release_stalled(self) -> int:
        with self.transaction() as db:
            released = outbox.release_stalled(db, self.db_now(db), self.policy)
        if released:
            log.warning("outbox: released %d stalled claim(s)", released)
        return released

    def claim(self) -> list[Message]:
        with self.transaction() as db:
            now = self.db_now(db)
            self._clock_offset = now - utcnow()
            return outbox.claim(db, now, self.worker, self.policy.batch_size)

    def deliver(self, message: Message) -> Outcome:
        """Call the kind's deliverer; no database work here."""
        deliver = deliverers(self.registry).get(message.kind)
        if deliver is None:
            return Outcome(False, f"no deliverer for kind {message.kind!r}: is its plug-in "
                                  "configured on the worker?", permanent=True)
        try:
            deliver(message, self.context)
        except PermanentFailure as exc:
            return Outcome(False, str(exc) or "refused by the receiver", permanent=True)
        except TemporaryFailure as exc:
            return Outcome(False, str(exc) or "temporary failure", retry_after=exc.retry_after)
        except Exception as exc:  # a bug in a deliverer is retried like an outage
            # The frames, not the message: an exception's text can quote the payload.
            log.error("outbox message %d (%s): %s in the deliverer\n%s", message.id,
                      message.kind, type(exc).__name__,
                      "".join(traceback.format_tb(exc.__traceback__)))
            return Outcome(False, f"{type(exc).__name__} in the deliverer (see the worker log)")
        return Outcome(True)

    def record_failure(self, message: Message, outcome: Outcome, others=(), *,
                       refresh_claims: bool = False) -> str | None:
        with self.transaction() as db:
            now = self.now()
            status = outbox.record_failure(
                db, message, now, self.worker, outcome.error, permanent=outcome.permanent,
                policy=self.policy, rng=self.rng, retry_after=outcome.retry_after)
            if refresh_claims:
                outbox.heartbeat(db, others, now, self.worker)
            # What the staff page of the integrations shows as last success / last error.
            record_result(db, plugin_of_kind(message.kind), False, outcome.error)
        if status == outbox.DEAD:
            log.error("outbox message %d (%s) is dead after %d attempt(s): %s", message.id,
                      message.kind, message.attempts + 1, outcome.error)
        elif status == outbox.RETRYING:
            log.warning("outbox message %d (%s) failed (attempt %d): %s", message.id,
                        message.kind, message.attempts + 1, outcome.error)
        elif status is None:
            log.warning("outbox message %d: claim lost meanwhile; not recording", message.id)
        return status

    def record_delivered(self, messages: list[Message], others=(), *,
                         refresh_claims: bool = False) -> None:
        """Record a run of successful deliveries in one short transaction."""
        with self.transaction() as db:
            now = self.now()
            outbox.record_delivered(db, messages, now)
            if refresh_claims:
                outbox.heartbeat(db, others, now, self.worker)
            for plugin in sorted({plugin_of_kind(m.kind) for m in messages}):
                record_result(db, plugin, True)

    def process(self, stop=None) -> int:
        """One pass: release stalled claims (now and then), claim a batch, deliver it.
        ``stop`` (anything with ``is_set()``) ends the pass after the current message.
        Returns the number of messages attempted.

        Successes are recorded together, at most :data:`RECORD_EVERY` seconds after the
        first of them (a commit a message was most of a delivery's time: 7.6 of 10 ms on
        PostgreSQL); a failure, stopping and the end of the batch record them first. A crash
        in between loses only the record: those messages are delivered again, with the same
        idempotency key, once their claims expire, as for a crash during a delivery."""
        if time.monotonic() - self._last_release >= min(5.0, self.policy.claim_timeout / 4):
            self.release_stalled()
            self._last_release = time.monotonic()
        batch = self.claim()
        claimed = time.monotonic()
        done, delivered, since = 0, [], 0.0
        for index, message in enumerate(batch):
            if stop is not None and stop.is_set():
                if delivered:
                    self.record_delivered(delivered)
                rest = [m.id for m in batch[index:]]
                with self.transaction() as db:
                    outbox.unclaim(db, rest, self.worker)
                log.info("outbox: stopping; handed back %d claim(s)", len(rest))
                return done
            outcome = self.deliver(message)
            done += 1
            # Refresh the rest of the batch's claims before a third of the timeout is gone.
            refresh = time.monotonic() - claimed > self.policy.claim_timeout / 3
            others = [m.id for m in batch[index + 1:]]
            if outcome.delivered:
                if not delivered:
                    since = time.monotonic()
                delivered.append(message)
                if refresh or time.monotonic() - since >= RECORD_EVERY:
                    self.record_delivered(delivered, others, refresh_claims=refresh)
                    delivered = []
            else:
                if delivered:
                    self.record_delivered(delivered)
                    delivered = []
                self.record_failure(message, outcome, others, refresh_claims=refresh)
            if refresh:
                claimed = time.monotonic()
        if delivered:
            self.record_delivered(delivered)
        return done
