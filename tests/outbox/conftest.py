"""The outbox's test kit: a receiver on a real port, committed rows, a relay.

The relay works in its own committed transactions (as in production), so these tests commit
real rows and empty the outbox table afterwards; they never use the rolled-back ``dbsession``
at the same time (on SQLite its write lock would block the relay).
"""

import json
import random
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import replace
from wsgiref.simple_server import make_server

import pytest
import transaction
from sqlalchemy import delete, func, select, update
from webob import Request, Response

from loket.db import get_tm_session, utcnow
from loket.outbox import enqueue, register_deliverer
from loket.outbox.models import OutboxMessage
from loket.outbox.relay import Relay
from loket.outbox.services import Policy
from tests.servers import _QuietHandler, _ThreadingServer, serve


class Receiver:
    """A WSGI app that records every request and answers as told.

    ``answers``: statuses to give, one per request, before falling back to ``status``.
    ``hang``: requests wait until ``release()`` (a worker to kill mid-delivery)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received = []  # every request: dict(key, json, status, headers)
        self.status = 200
        self.answers = []
        self.delay = 0.0
        self.retry_after = None
        self.hang = False
        self.released = threading.Event()
        self.arrived = threading.Event()

    def release(self):
        self.released.set()

    def __call__(self, environ, start_response):
        request = Request(environ)
        self.arrived.set()
        if self.hang:
            self.released.wait(30)
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            status = self.answers.pop(0) if self.answers else self.status
            self.received.append({
                "arrived": time.monotonic(),
                "key": request.headers.get("Idempotency-Key"),
                "json": json.loads(request.body) if request.body else None,
                "status": status, "path": request.path,
                "headers": dict(request.headers),
            })
        response = Response(json_body={"ok": status < 400}, status=status)
        if self.retry_after is not None:
            response.headers["Retry-After"] = str(self.retry_after)
        return response(environ, start_response)

    def accepted(self) -> list[dict]:
        with self.lock:
            return [r for r in self.received if 200 <= r["status"] < 300]


@pytest.fixture
def receiver():
    app = Receiver()
    with serve(app) as base_url:
        app.url = base_url + "/hook"
        yield app
        app.release()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_on(app, port: int):
    """Like tests.servers.serve, on a chosen port: a receiver that comes up late."""
    server = make_server("127.0.0.1", port, app, server_class=_ThreadingServer,
                         handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class Outbox:
    """Committed outbox rows: enqueue, read, nudge."""

    def __init__(self, app):
        self.factory = app.registry["dbsession_factory"]

    def enqueue(self, kind, payload, **kw) -> int:
        return self.enqueue_many([(kind, payload, kw)])[0]

    def enqueue_many(self, items) -> list[int]:
        """``items``: (kind, payload, kwargs); one transaction."""
        tm = transaction.TransactionManager(explicit=True)
        with tm:
            session = get_tm_session(self.factory, tm)
            messages = [enqueue(session, kind, payload, **kw) for kind, payload, kw in items]
            session.flush()
            return [m.id for m in messages]

    def get(self, message_id) -> OutboxMessage:
        with self.factory() as session:
            return session.get(OutboxMessage, message_id)

    def all(self) -> list[OutboxMessage]:
        with self.factory() as session:
            return session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()

    def count(self, status) -> int:
        with self.factory() as session:
            return session.scalar(select(func.count()).where(OutboxMessage.status == status))

    def make_due(self):
        """Skip the backoff pause of every waiting message."""
        with self.factory() as session, session.begin():
            session.execute(update(OutboxMessage).values(next_attempt=utcnow()))

    def clear(self):
        with self.factory() as session, session.begin():
            session.execute(delete(OutboxMessage))


@pytest.fixture
def outbox(app):
    box = Outbox(app)
    box.clear()
    yield box
    box.clear()


# A tiny retry budget: these tests reach the dead letters by attempts alone.
FAST = Policy(claim_timeout=60, backoff_base=2, backoff_cap=3600, max_attempts=5,
              retry_budget=0.001, batch_size=10, poll_interval=0.05, http_timeout=2)


@pytest.fixture
def make_relay(app):
    """``make_relay(worker, **policy)``: relays on the test app, closed afterwards."""
    made = []

    def make(worker="test-host:1:aaaaaa", **policy):
        relay = Relay(app.registry, policy=replace(FAST, **policy), worker=worker,
                      rng=random.Random(7))
        made.append(relay)
        return relay

    yield make
    for relay in made:
        relay.close()


@pytest.fixture
def relay(make_relay):
    return make_relay()


@pytest.fixture
def deliverer(app):
    """Register a test deliverer: ``deliverer("test.kind", func)``; removed afterwards."""
    added = []

    def add(kind, func):
        register_deliverer(app.registry, kind, func)
        added.append(kind)

    yield add
    for kind in added:
        app.registry["loket.outbox.deliverers"].pop(kind, None)
