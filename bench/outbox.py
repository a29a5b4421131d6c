"""Outbox deliveries per second, one worker: the relay's own cost per message.

    python -m bench.outbox                          5 000 messages, SQLite
    python -m bench.outbox --messages 20000 --database postgresql+psycopg://…/empty_db

N ``http.post`` messages (the built-in kind: a JSON POST with its idempotency key) wait in
the outbox of a fresh database; one :class:`loket.outbox.relay.Relay` delivers them all, as
``loket worker`` does (claim a batch, deliver each outside any transaction, record the
successes together and each failure in short transactions of their own). The receiver is a
bare HTTP/1.1 sink in a process of its own (keep-alive, 204 to every POST), so its work is not
in the figure: what is left is Loket's (claim, HTTP client, record, the integration's status
row). Reports messages per second and
the CPU milliseconds of this process per message, against :data:`TARGET`.
"""

import argparse
import multiprocessing
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TARGET = 500  # messages per second per worker (issue 18)


class _Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802 (the standard library's name)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def _serve(port, ready):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    port.value = server.server_port
    ready.set()
    server.serve_forever()


def start_sink() -> tuple[multiprocessing.Process, int]:
    port, ready = multiprocessing.Value("i", 0), multiprocessing.Event()
    process = multiprocessing.Process(target=_serve, args=(port, ready), daemon=True)
    process.start()
    ready.wait(10)
    return process, port.value


def fill(engine, count: int, url: str) -> None:
    """``count`` pending messages, a few ordering keys interleaved (as dossiers' pushes are)."""
    import uuid

    from sqlalchemy import insert

    from loket.db import utcnow
    from loket.outbox import HTTP_POST
    from loket.outbox.models import OutboxMessage

    now = utcnow()
    rows = [{"kind": HTTP_POST, "payload": {"url": url, "json": {"dossier": f"2026-{n:06d}",
                                                                 "state": "ingediend"}},
             "ordering_key": f"dossier:{n % 1000}", "idempotency_key": uuid.uuid4().hex,
             "status": "pending", "attempts": 0, "next_attempt": now, "created": now}
            for n in range(count)]
    with engine.begin() as connection:
        for start in range(0, count, 5000):
            connection.execute(insert(OutboxMessage.__table__), rows[start:start + 5000])


def deliver_all(registry, batch: int) -> tuple[int, float, float]:
    """(messages delivered, wall seconds, CPU seconds of this process)."""
    from loket.outbox.relay import Relay
    from loket.outbox.services import Policy

    relay = Relay(registry, policy=Policy(batch_size=batch, poll_interval=0.01),
                  worker="bench:1:outbox")
    delivered = 0
    started, cpu = time.perf_counter(), time.process_time()
    try:
        while done := relay.process():
            delivered += done
    finally:
        relay.close()
    return delivered, time.perf_counter() - started, time.process_time() - cpu


def main(argv=None):
    from sqlalchemy import func, select

    from bench.generate import scratch_database
    from loket.main import main as make_loket
    from loket.outbox.models import OutboxMessage
    from loket.outbox.services import Policy

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=Policy.batch_size,
                        help="messages claimed at once (default: the worker's)")
    parser.add_argument("--database", help="a migrated, empty database (default: SQLite)")
    args = parser.parse_args(argv)
    work, url = scratch_database("outbox", args.database)
    sink, port = start_sink()
    try:
        app = make_loket({}, **{
            "loket.environment": "test", "sqlalchemy.url": url,
            "loket.blob_dir": str(work / "blobs"), "loket.public_url": "http://localhost",
            "loket.acmidm.issuer": "http://127.0.0.1:9/acmidm/op",
            "loket.acmidm.client_id": "bench", "loket.acmidm.client_secret": "bench-secret"})
        engine = app.registry["db_engine"]
        fill(engine, args.messages, f"http://127.0.0.1:{port}/push")
        delivered, seconds, cpu = deliver_all(app.registry, args.batch)
        with engine.connect() as connection:
            left = connection.execute(select(func.count()).where(
                OutboxMessage.status != "delivered")).scalar_one()
        engine.dispose()
    finally:
        sink.terminate()
    rate = delivered / seconds
    print(f"outbox: {delivered:,} http.post messages delivered by one relay in {seconds:.1f} s: "
          f"{rate:,.0f} per second ({cpu * 1000 / delivered:.2f} ms CPU each; target ≥ "
          f"{TARGET}/s {'met' if rate >= TARGET else 'NOT met'}); {left} not delivered; "
          f"{engine.dialect.name}")
    if left:
        raise SystemExit("messages were left undelivered: the figure measures failures")
    return rate


if __name__ == "__main__":
    main()
