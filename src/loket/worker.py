"""The background worker: periodic housekeeping now; outbox delivery joins it later.

Each round runs in its own transaction; a failing round is logged and retried next round,
never dropping work.
"""

import logging
import signal
import time

import transaction

from loket.db import get_engine, get_session_factory, get_tm_session
from loket.identity.sessions import purge_expired

log = logging.getLogger(__name__)

ROUND_SECONDS = 5.0


def one_round(session_factory, settings) -> dict:
    with transaction.manager:
        dbsession = get_tm_session(session_factory, transaction.manager)
        return {"expired_sessions": purge_expired(dbsession, settings)}


def run_worker(settings, once=False):
    session_factory = get_session_factory(get_engine(settings))
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    log.info("worker started")
    while not stopping:
        try:
            done = one_round(session_factory, settings)
            if any(done.values()):
                log.info("worker round: %s", done)
        except Exception:
            log.exception("worker round failed; retrying next round")
        if once:
            break
        time.sleep(ROUND_SECONDS)
    log.info("worker stopped")
