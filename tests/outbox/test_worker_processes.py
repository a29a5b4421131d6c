"""Real ``loket worker`` processes against a real receiver: crashes, outages, shared work.

Each test writes an .ini for the test database, starts ``python -m loket.cli worker`` and
watches what the receiver records. The PostgreSQL ones show what SQLite cannot do: several
workers sharing the outbox (FOR UPDATE SKIP LOCKED).
"""

import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest
import transaction

from loket.db import get_tm_session
from loket.outbox import HTTP_POST, enqueue
from loket.outbox.models import DELIVERED, PENDING
from tests.fixtures.outbox import Receiver, free_port, serve_on

ROOT = Path(__file__).resolve().parents[2]

INI = """\
[app:main]
use = egg:loket
{settings}

[loggers]
keys = root, loket

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console

[logger_loket]
level = INFO
handlers =
qualname = loket

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(asctime)s %(levelname)s [%(name)s] %(message)s
"""


class Workers:
    """Starts worker processes; stops (or kills) what is left at the end of the test."""

    def __init__(self, tmp_path, app_settings):
        self.tmp_path = tmp_path
        self.app_settings = app_settings
        self.processes = []

    def start(self, *args, **outbox_settings):
        settings = {**self.app_settings, **{f"loket.outbox.{k}": str(v)
                                             for k, v in outbox_settings.items()}}
        n = len(self.processes)
        ini = self.tmp_path / f"worker-{n}.ini"
        ini.write_text(INI.format(settings="\n".join(
            f"{k} = {v.replace('%', '%%')}" for k, v in settings.items())))
        log = open(self.tmp_path / f"worker-{n}.log", "w")  # noqa: SIM115 (closed at stop)
        env = {k: v for k, v in os.environ.items() if not k.startswith("LOKET_")}
        process = subprocess.Popen([sys.executable, "-m", "loket.cli", "worker", str(ini), *args],
                                   cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
        process.log_path, process.log_file = log.name, log
        self.processes.append(process)
        return process

    def log(self, process) -> str:
        return Path(process.log_path).read_text()

    def stop_all(self):
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.log_file.close()


@pytest.fixture
def workers(tmp_path, app_settings):
    started = Workers(tmp_path, app_settings)
    yield started
    started.stop_all()


def wait_until(predicate, timeout: float, what: str, workers=None):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.05)
    logs = "\n".join(workers.log(p)[-3000:] for p in workers.processes) if workers else ""
    raise AssertionError(f"timed out waiting for {what}\n{logs}")


def all_delivered(outbox, count):
    return lambda: outbox.count(DELIVERED) == count


def started(workers, process):
    """Wait until the worker says it runs (imports and app set-up take a moment)."""
    wait_until(lambda: "started" in workers.log(process), 20, "the worker's start", workers)


def per_key_order(accepted) -> dict:
    orders = defaultdict(list)
    for request in accepted:
        body = request["json"]
        orders[body["key"]].append(body["seq"])
    return orders


def messages(url, keys: int, per_key: int, **extra):
    return [(HTTP_POST, {"url": url, "json": {"key": k, "seq": s, **extra}},
             {"ordering_key": f"dossier:{k}"})
            for s in range(per_key) for k in range(keys)]


def test_once_does_one_round_and_exits(receiver, outbox, workers):
    outbox.enqueue_many([(HTTP_POST, {"url": receiver.url, "json": {"n": n}}, {})
                         for n in range(3)])
    worker = workers.start("--once")
    assert worker.wait(timeout=30) == 0, workers.log(worker)
    assert outbox.count(DELIVERED) == 3 and len(receiver.received) == 3


def test_a_wrong_outbox_setting_stops_the_worker_with_its_name(workers):
    worker = workers.start(max_attempts="many")
    assert worker.wait(timeout=30) == 2
    assert "loket: loket.outbox.max_attempts: not a number: 'many'" in workers.log(worker)


def test_sigterm_finishes_the_message_in_hand_and_hands_back_the_rest(
        receiver, outbox, workers):
    receiver.delay = 1.0
    ids = outbox.enqueue_many([(HTTP_POST, {"url": receiver.url, "json": {"n": n}}, {})
                               for n in range(4)])
    worker = workers.start()
    assert receiver.arrived.wait(20), workers.log(worker)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=10) == 0
    rows = {m.id: m for m in outbox.all()}
    assert rows[ids[0]].status == DELIVERED  # finished, and recorded
    assert [(rows[i].status, rows[i].claimed_at) for i in ids[1:]] == [(PENDING, None)] * 3
    assert len(receiver.received) == 1
    assert "handed back 3 claim(s)" in workers.log(worker)


def test_a_committed_message_is_delivered_a_rolled_back_one_never(
        receiver, outbox, workers, app):
    started(workers, workers.start())
    factory = app.registry["dbsession_factory"]
    for n in range(10):
        tm = transaction.TransactionManager(explicit=True)
        with pytest.raises(RuntimeError), tm:  # the request failed after enqueueing
            enqueue(get_tm_session(factory, tm), HTTP_POST,
                    {"url": receiver.url, "json": {"n": n, "rolled_back": True}})
            raise RuntimeError
        with tm:
            enqueue(get_tm_session(factory, tm), HTTP_POST,
                    {"url": receiver.url, "json": {"n": n}})
    # Commit-to-delivery latency is measured by the benchmarks, never asserted here.
    wait_until(lambda: len(receiver.accepted()) == 10, 30, "10 deliveries", workers)
    wait_until(all_delivered(outbox, 10), 30, "recorded deliveries", workers)
    assert sorted(r["json"]["n"] for r in receiver.accepted()) == list(range(10))
    assert not any(r["json"].get("rolled_back") for r in receiver.received)


@pytest.mark.postgresql
def test_an_outage_then_recovery_delivers_everything_in_order(outbox, workers):
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    outbox.enqueue_many(messages(url, keys=5, per_key=6))
    workers.start(backoff_base=0.05, backoff_cap=0.5, max_attempts=1000, claim_timeout=5,
                  http_timeout=1)
    # Down: nothing listens on the port.
    wait_until(lambda: any(m.attempts >= 2 for m in outbox.all()), 15, "failed attempts",
               workers)
    receiver = Receiver()
    receiver.answers = [503] * 10  # up again, but overloaded at first
    with serve_on(receiver, port):
        wait_until(all_delivered(outbox, 30), 20, "everything delivered", workers)
    accepted = receiver.accepted()
    assert sorted(r["key"] for r in accepted) == sorted(m.idempotency_key
                                                        for m in outbox.all())
    assert per_key_order(accepted) == {k: list(range(6)) for k in range(5)}


@pytest.mark.postgresql
def test_a_worker_killed_mid_delivery_is_made_good_after_restart(receiver, outbox, workers):
    receiver.hang = True  # the first request never gets its answer to the worker
    ids = outbox.enqueue_many(messages(receiver.url, keys=1, per_key=4))
    settings = {"claim_timeout": 3, "http_timeout": 1}
    first = workers.start(**settings)
    assert receiver.arrived.wait(20), workers.log(first)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=5)
    receiver.hang = False
    receiver.release()  # the receiver had the message, but nobody recorded that
    second = workers.start(**settings)
    wait_until(all_delivered(outbox, 4), 20, "delivery after the restart", workers)
    rows = {m.id: m for m in outbox.all()}
    keys = [r["key"] for r in receiver.accepted()]
    # Exactly one duplicate: the message in hand when the worker died, same key both times.
    assert keys == [rows[ids[0]].idempotency_key, *(rows[i].idempotency_key for i in ids)]
    assert rows[ids[0]].attempts == 2  # the lost attempt counts
    assert per_key_order(receiver.accepted()) == {0: [0, 0, 1, 2, 3]}
    assert "released 1 stalled claim(s)" in workers.log(second)


@pytest.mark.postgresql
def test_two_workers_share_a_thousand_messages_each_delivered_once(receiver, outbox, workers):
    outbox.enqueue_many(messages(receiver.url, keys=100, per_key=5)
                        + [(HTTP_POST, {"url": receiver.url, "json": {"key": "-", "seq": n}},
                            {}) for n in range(500)])
    for _ in range(2):
        workers.start(batch_size=20)
    wait_until(all_delivered(outbox, 1000), 45, "1,000 deliveries", workers)
    rows = outbox.all()
    accepted = receiver.accepted()
    assert len(accepted) == 1000  # no duplicate …
    assert {r["key"] for r in accepted} == {m.idempotency_key for m in rows}  # … none lost
    orders = per_key_order(accepted)
    assert all(orders[k] == list(range(5)) for k in range(100))
    assert sorted(orders["-"]) == list(range(500))
    assert len({m.claimed_by for m in rows}) == 2  # both did their share
