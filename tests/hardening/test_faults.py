"""Under faults: a lost race answers 409 (not 500), a dropped database connection costs no
error, a full file store answers 503 and health reports low free space."""

import errno
import secrets
import time

import pytest
import transaction
from sqlalchemy import create_engine, event, func, select, text, update
from sqlalchemy.pool import NullPool
from webtest import TestApp

from loket import db
from loket.db import LoketSession, get_tm_session
from loket.documents import blobstore as blobstore_module
from loket.documents.models import DocumentVersion
from loket.dossiers.models import Dossier
from loket.i18n import LOCALE_COOKIE
from loket.identity.models import WebSession
from loket.identity.sessions import COOKIE_NAME, _hash
from loket.municipality import SHOWN_KEY
from tests.factories import Factories


@pytest.fixture
def committed_app(make_committed_app):
    return make_committed_app()


def _own_dossier(app):
    tm = transaction.TransactionManager(explicit=True)
    with tm:
        session = get_tm_session(app.registry["dbsession_factory"], tm)
        factories = Factories(session, app.registry["loket.blobstore"])
        citizen = factories.citizen()
        dossier = factories.dossier(applicant=citizen, state="ingediend")
        token = secrets.token_urlsafe(32)
        session.add(WebSession(id=_hash(token), data={"user_id": citizen.id},
                               user_id=citizen.id))
        session.flush()
        return dossier.id, dossier.reference, token


def test_a_version_conflict_at_flush_is_a_clean_409(committed_app):
    dossier_id, reference, token = _own_dossier(committed_app)
    browser = TestApp(committed_app)
    browser.set_cookie(COOKIE_NAME, token)
    browser.set_cookie(LOCALE_COOKIE, "en")
    form = browser.get(f"/dossiers/{reference}/stopzetten").forms["stopzetten"]

    done = []

    def someone_else_was_quicker(session, _context, _instances):
        # Another request commits a step between our version check and our flush.
        if not done and any(isinstance(obj, Dossier) for obj in session.dirty):
            done.append(True)
            session.execute(update(Dossier.__table__).where(Dossier.id == dossier_id)
                            .values(version=Dossier.version + 1))

    event.listen(LoketSession, "before_flush", someone_else_was_quicker)
    try:
        response = form.submit(status=409)
    finally:
        event.remove(LoketSession, "before_flush", someone_else_was_quicker)
    assert "changed by someone else" in response.text
    assert "Gemeente Heidebeek" in response.text  # the layout rendered: the session was usable
    with committed_app.registry["dbsession_factory"]() as session:
        assert session.get(Dossier, dossier_id).state == "ingediend"


@pytest.mark.postgresql
def test_dead_pooled_connections_cost_no_error(app):
    browser = TestApp(app)  # no test transaction: the app's own pooled connections
    browser.get("/", status=200)
    # From outside the app's pool, as a restart would: every other backend of this database.
    admin = create_engine(app.registry["db_engine"].url, poolclass=NullPool)
    with admin.connect() as connection:
        killed = connection.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    admin.dispose()
    assert killed >= 1  # the pooled connection the first request used
    browser.get("/", status=200)


class ConnectionKiller:
    """Terminates the connection a request is using from another connection, once, between
    its first and its second statement: a database restart in the middle of a request."""

    def __init__(self, engine):
        self.engine, self.statements, self.pids, self.killed = engine, 0, [], None
        self.admin = create_engine(engine.url, poolclass=NullPool)

    def __call__(self, conn, _cursor, _statement, _parameters, _context, _executemany):
        pid = conn.connection.dbapi_connection.info.backend_pid
        self.pids.append(pid)
        self.statements += 1
        if self.statements == 2 and self.killed is None:
            self.killed = pid
            with self.admin.connect() as admin:
                assert admin.execute(text("SELECT pg_terminate_backend(:pid)"),
                                     {"pid": pid}).scalar()
                for _ in range(100):  # gone from the server before the statement is sent
                    if admin.execute(text("SELECT count(*) FROM pg_stat_activity "
                                          "WHERE pid = :pid"), {"pid": pid}).scalar() == 0:
                        break
                    time.sleep(0.02)


@pytest.mark.postgresql
@pytest.mark.parametrize("retry", [True, False], ids=["retried", "without-the-retry"])
def test_a_connection_lost_mid_request_is_retried_on_a_fresh_one(app, retry):
    engine = app.registry["db_engine"]
    browser = TestApp(app)  # no test transaction: the app's own pooled connections
    browser.get("/catalogus", status=200)  # a pooled connection, alive
    app.registry.pop(SHOWN_KEY)  # the layout checks the municipality again: a 2nd statement
    killer = ConnectionKiller(engine)
    event.listen(engine, "before_cursor_execute", killer)
    if not retry:  # what the fix does: a lost connection is a retryable error
        event.remove(engine, "handle_error", db._retry_on_disconnect)
    try:
        response = browser.get("/catalogus", status="*")
    finally:
        event.remove(engine, "before_cursor_execute", killer)
        if not retry:
            event.listen(engine, "handle_error", db._retry_on_disconnect)
        killer.admin.dispose()
    assert killer.killed is not None  # the request's connection died between two statements
    if retry:
        # The whole request ran again, on another connection, and answered as if nothing was.
        assert response.status_int == 200
        assert killer.pids[-1] != killer.killed
        assert killer.pids.count(killer.killed) == 2  # the statement before and the failed one
    else:
        assert response.status_int == 500
    browser.get("/catalogus", status=200)  # and the pool is healthy afterwards


@pytest.fixture
def own_dossier(testapp, login, factories):
    citizen = factories.citizen()
    dossier = factories.dossier(applicant=citizen)
    login(citizen)
    return dossier


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_a_full_or_read_only_file_store_answers_503(testapp, own_dossier, dbsession,
                                                    monkeypatch, code):
    def refuse(_fd):
        raise OSError(code, "refused")

    monkeypatch.setattr(blobstore_module.os, "fsync", refuse)
    before = dbsession.scalar(select(func.count()).select_from(DocumentVersion))
    form = testapp.get(f"/dossiers/{own_dossier.reference}/documenten/toevoegen"
                       ).forms["upload"]
    form["title"] = "Bewijs"
    form["upload"] = ("bewijs.pdf", __import__("loket.demo").demo.demo_pdf("x"))
    response = form.submit("send", status=503)
    assert response.headers["Retry-After"] == "300"
    assert "bestandsopslag" in response.text.lower()  # Dutch by default
    assert dbsession.scalar(select(func.count()).select_from(DocumentVersion)) == before


def test_health_reports_low_free_space(testapp, app, monkeypatch):
    store = app.registry["loket.blobstore"]
    assert testapp.get("/-/health").json["blobstore"]["status"] == "ok"
    monkeypatch.setattr(store, "min_free", store.free_bytes() * 2)
    body = testapp.get("/-/health", status=503).json
    assert body["blobstore"]["error"] == "LowDiskSpace" and body["status"] == "unavailable"
