"""The hash chains: intact after normal writes, and a changed, deleted or smuggled-in row is
found and named — by ``loket audit verify`` on a database of its own."""

import threading
import uuid

import pytest
import transaction
from sqlalchemy import delete, insert, select, update

from loket.audit.chain import ChainHead, verify
from loket.audit.models import AuditEvent
from loket.cli import main as cli
from loket.db import get_engine, get_session_factory, get_tm_session, utcnow
from loket.integrations.magda.models import MagdaConsultation
from tests.conftest import ROOT, migrate


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """A database of its own (SQLite file): the shared test database's chain is not ours."""
    url = f"sqlite:///{tmp_path / 'chain.sqlite'}"
    migrate(url)
    monkeypatch.setenv("LOKET_DATABASE_URL", url)
    engine = get_engine({"sqlalchemy.url": url})
    yield get_session_factory(engine)
    engine.dispose()


def add_events(factory, count, start=0):
    tm = transaction.TransactionManager(explicit=True)
    with tm:
        session = get_tm_session(factory, tm)
        for n in range(start, start + count):
            session.add(AuditEvent(action="dossier.transition", object_type="dossier",
                                   object_id=f"2026-{n:05d}", details={"n": n, "naar": "é"}))
        session.flush()


def add_consultation(factory):
    tm = transaction.TransactionManager(explicit=True)
    with tm:
        session = get_tm_session(factory, tm)
        session.add(MagdaConsultation(actor="user:1", subject_insz="85073003328",
                                      service="GeefPersoon", version="02.00.0000",
                                      dossier_reference="2026-00001", purpose="premie",
                                      reference=str(uuid.uuid4()), outcome="ok"))


def problems(factory, name="audit"):
    with factory() as session:
        return list(verify(session, name))


def run_verify(capsys, *log):
    code = cli(["audit", "verify", str(ROOT / "development.ini"),
                *(arg for name in log for arg in ("--log", name))])
    return code, capsys.readouterr().out


def test_an_untouched_chain_verifies(fresh, capsys):
    add_events(fresh, 3)
    add_events(fresh, 2, start=3)
    add_consultation(fresh)
    assert problems(fresh) == [] and problems(fresh, "magda") == []
    with fresh() as session:
        assert session.scalars(select(AuditEvent.chain_seq).order_by(AuditEvent.id)).all() == \
            [1, 2, 3, 4, 5]
        assert session.get(ChainHead, "audit").seq == 5
    assert run_verify(capsys) == (0, "audit: chain intact\nmagda: chain intact\n")


def test_a_changed_row_is_named(fresh, capsys):
    add_events(fresh, 5)
    with fresh() as session, session.begin():
        session.execute(update(AuditEvent).where(AuditEvent.chain_seq == 3)
                        .values(details={"n": 99}))
    first = problems(fresh)[0]
    assert (first.seq, first.what) == (3, "content or order changed")
    code, out = run_verify(capsys, "audit")
    assert code == 1 and "audit: chain broken at row 3" in out


def test_a_deleted_row_is_named(fresh, capsys):
    add_events(fresh, 5)
    with fresh() as session, session.begin():
        session.execute(delete(AuditEvent).where(AuditEvent.chain_seq == 2))
    first = problems(fresh)[0]
    assert first.seq == 2 and "missing" in first.what
    code, out = run_verify(capsys, "audit")
    assert code == 1 and "chain broken at row 2" in out


def test_removing_the_newest_rows_is_found_through_the_head(fresh):
    add_events(fresh, 5)
    with fresh() as session, session.begin():
        session.execute(delete(AuditEvent).where(AuditEvent.chain_seq >= 4))
    [problem] = problems(fresh)
    assert problem.seq == 4 and "head" in problem.what


def test_a_row_inserted_around_the_application_is_found(fresh):
    add_events(fresh, 2)
    with fresh() as session, session.begin():
        session.execute(insert(AuditEvent).values(
            occurred=utcnow(), action="dossier.transition", object_type="dossier",
            object_id="2026-99999", details={}, chain_seq=3, chain_hash="f" * 64))
    assert [p.seq for p in problems(fresh)] == [3, 4]  # its hash; the head still says 2


def test_a_changed_magda_row_is_named(fresh, capsys):
    for _ in range(3):
        add_consultation(fresh)
    with fresh() as session, session.begin():
        session.execute(update(MagdaConsultation).where(MagdaConsultation.chain_seq == 2)
                        .values(purpose="nieuwsgierigheid"))
    code, out = run_verify(capsys, "magda")
    assert code == 1 and "magda: chain broken at row 2" in out


@pytest.mark.postgresql
def test_concurrent_writers_do_not_fork_the_chain(app):
    factory = app.registry["dbsession_factory"]
    with factory() as session:  # the head: other tests' cleanups delete committed rows
        start = session.scalar(select(ChainHead.seq).where(ChainHead.name == "audit")) or 0
    errors = []

    def writer(n):
        try:
            for round_ in range(5):
                add_events(factory, 3, start=1000 * n + 10 * round_)
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with factory() as session:
        seqs = session.scalars(select(AuditEvent.chain_seq)
                               .where(AuditEvent.chain_seq > start)
                               .order_by(AuditEvent.chain_seq)).all()
        assert seqs == list(range(start + 1, start + 1 + 8 * 5 * 3))
        # Each new row links to the one before it: no two rows share a predecessor.
        assert [p for p in verify(session, "audit") if p.seq is not None and p.seq > start + 1] \
            == []
