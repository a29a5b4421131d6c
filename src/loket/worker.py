"""The background worker: outbox delivery and periodic housekeeping, in one loop.

It runs with the application's registry (``loket.main``), so it knows every deliverer the
configured plug-ins registered. Each step is its own short transaction; a failing step is
logged and retried, never dropping work. SIGTERM (or Ctrl-C) stops it after the message in
hand; the rest of its batch is handed back at once.

PostgreSQL: run as many workers on as many machines as you like. SQLite: one.
"""

import logging
import signal
import time

import transaction

from loket.db import get_tm_session, utcnow
from loket.identity.sessions import purge_expired
from loket.identity.tokens import purge_revoked
from loket.outbox.relay import Relay
from loket.outbox.services import purge_final

log = logging.getLogger(__name__)

ROUND_SECONDS = 5.0  # housekeeping; and the pause after a failed round
OUTBOX_PURGE_SECONDS = 3600.0
JOBS_KEY = "loket.worker.jobs"


def one_round(session_factory, settings) -> dict:
    """The frequent housekeeping."""
    with transaction.manager:
        dbsession = get_tm_session(session_factory, transaction.manager)
        return {"expired_sessions": purge_expired(dbsession, settings),
                "expired_revocations": purge_revoked(dbsession)}


def purge_outbox(session_factory, keep_days: float) -> dict:
    with session_factory() as session, session.begin():
        return {"purged_messages": purge_final(session, utcnow(), keep_days)}


class Stop:
    """A stop flag a signal handler can set: threading.Event.set() could deadlock when the
    signal lands while the main thread holds the event's lock."""

    def __init__(self):
        self.flag = False

    def set(self):
        self.flag = True

    def is_set(self) -> bool:
        return self.flag

    def wait(self, seconds: float):
        end = time.monotonic() + seconds
        while not self.flag and (left := end - time.monotonic()) > 0:
            time.sleep(min(left, 0.05))


def add_worker_job(config, name: str, interval: float, job) -> None:
    """Run ``job(registry) -> dict`` every ``interval`` seconds in the worker.

    A job opens its own short transactions, is safe to run twice (two workers may both run
    it) and returns what it did by name (``{"purged_drafts": 3}``), which the worker logs."""
    def register():
        config.registry.setdefault(JOBS_KEY, {})[name] = (float(interval), job)

    item = config.introspectable("loket worker jobs", name, name, "loket worker job")
    item["interval"] = float(interval)
    config.action((JOBS_KEY, name), register, introspectables=(item,))


def worker_jobs(registry) -> dict:
    return registry.get(JOBS_KEY, {})


class Worker:
    def __init__(self, registry, relay: Relay | None = None):
        self.registry = registry
        self.settings = registry.settings
        self.session_factory = registry["dbsession_factory"]
        self.relay = relay or Relay(registry)
        self.stop = Stop()
        keep_days = self.relay.policy.keep_days
        # (interval in seconds, job); each job returns what it did, by name
        self.jobs = [
            (ROUND_SECONDS, lambda: one_round(self.session_factory, self.settings)),
            (OUTBOX_PURGE_SECONDS, lambda: purge_outbox(self.session_factory, keep_days)),
            *[(interval, (lambda job=job: job(registry)))
              for _name, (interval, job) in sorted(worker_jobs(registry).items())],
        ]
        self.last_run = [float("-inf")] * len(self.jobs)

    def housekeeping(self, force=False):
        for index, (interval, job) in enumerate(self.jobs):
            now = time.monotonic()
            if force or now - self.last_run[index] >= interval:
                self.last_run[index] = now
                done = job()
                if any(done.values()):
                    log.info("worker housekeeping: %s", done)

    def round(self, force_housekeeping=False) -> int:
        """Housekeeping when due, then one outbox pass; the number of messages attempted."""
        try:
            self.housekeeping(force=force_housekeeping)
        except Exception:
            log.exception("worker housekeeping failed; retrying later")
        return self.relay.process(self.stop)

    def run(self, once=False):
        log.info("worker %s started", self.relay.worker)
        try:
            self._loop(once)
        finally:
            self.relay.close()
        log.info("worker %s stopped", self.relay.worker)

    def _loop(self, once):
        while not self.stop.is_set():
            try:
                attempted = self.round(force_housekeeping=once)
                # Busy: go on at once; idle: a short pause keeps delivery well under a second.
                pause = 0 if attempted else self.relay.policy.poll_interval
            except Exception:
                log.exception("worker round failed; retrying in %g s", ROUND_SECONDS)
                pause = ROUND_SECONDS
            if once:
                break
            if pause:
                self.stop.wait(pause)


def includeme(config):
    config.add_directive("add_worker_job", add_worker_job)


def run_worker(registry, once=False):
    worker = Worker(registry)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: worker.stop.set())
    worker.run(once=once)
