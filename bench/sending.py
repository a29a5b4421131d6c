"""Sending and the register of outgoing mail, in one self-contained run.

    python -m bench.sending                       500 letters, a register of 1 000 000 rows
    python -m bench.sending --letters 500 --rows 100000 --database sqlite:///bench/var/s.sqlite

1. **Bulk "Verzenden"**: N ready decision letters (half for Jan, who consented to the eBox,
   half for Sofie, on registered paper) sent in one JSON request: the time until the ``202``
   (the target: under 2 s for 500 letters).
2. **Delivery**: the worker's relay hands them to the Documentendienst simulator over HTTP
   (Sofie's address from the MAGDA simulator): letters per second; then the tracking job.
3. **The register** at a large row count: its first page, a filtered page, the next page and
   a search, each the median of repeated requests in the app, against the bare ceiling (the
   same page as one SQL query without the app): the ratio is the figure to watch.

Everything runs in this process against real HTTP simulators; the database is SQLite unless
``--database`` names another (a migrated, empty one).
"""

import argparse
import secrets
import statistics
import threading
import time
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import transaction
import webtest
from sqlalchemy import func, insert, select, text

from bench.generate import scratch_database
from loket.catalogue.models import PUBLISHED, DossierType, DossierTypeVersion
from loket.db import get_tm_session
from loket.documents.models import Document, DocumentVersion
from loket.dossiers.models import Dossier, next_reference
from loket.identity.models import RoleAssignment, Team, User, WebSession
from loket.identity.sessions import COOKIE_NAME, _hash
from loket.integrations.acmidm.personas import BY_KEY
from loket.integrations.simulators import Dispatcher
from loket.letters.models import READY, Letter
from loket.letters.services import create_letter, move
from loket.main import main as make_loket
from loket.outbox.models import OutboxMessage
from loket.outbox.relay import Relay
from loket.outbox.services import Policy
from loket.security import Role
from loket.sending import tracking
from loket.sending.models import Dispatch

ROOT = Path(__file__).resolve().parent.parent


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class _Threading(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def serve_simulators(settings) -> str:
    from loket.integrations.documentendienst.simulator import make_app as documentendienst
    from loket.integrations.magda.simulator import make_app as magda

    app = Dispatcher({"magda": magda(settings), "documentendienst": documentendienst(settings)})
    server = make_server("127.0.0.1", 0, app, server_class=_Threading, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def settings_for(url: str, blobs: str, simulators: str) -> dict:
    return {
        "loket.environment": "test", "sqlalchemy.url": url, "loket.blob_dir": blobs,
        "loket.static_dir": str(ROOT / "static"), "loket.public_url": "http://localhost",
        "loket.municipality.name": "Gemeente Heidebeek", "loket.municipality.kbo": "0207123407",
        "loket.acmidm.issuer": "http://127.0.0.1:9/acmidm/op",
        "loket.acmidm.client_id": "bench", "loket.acmidm.client_secret": "bench-secret",
        "loket.integrations.delivery": "documentendienst",
        "loket.integrations.documentendienst.base_url": simulators + "/documentendienst",
        "loket.integrations.documentendienst.token_url": simulators
        + "/documentendienst/token",
        "loket.integrations.documentendienst.client_id": "loket",
        "loket.integrations.documentendienst.client_secret": "documentendienst-secret",
        "loket.integrations.documentendienst.sender_organization_id": "0207123407",
        "loket.integrations.person_register": "magda",
        "loket.integrations.magda.base_url": simulators + "/magda",
        "loket.integrations.magda.identificatie": "heidebeek.loket.bench",
        "loket.integrations.magda.hoedanigheid": "1234",
        "loket.integrations.magda.purposes": "sociale-premie-aanvraag",
    }


class Maker:
    """Just enough rows for a decision letter: a type, citizens, dossiers, PDFs."""

    def __init__(self, session, blobstore, pdf: bytes):
        self.session = session
        self.sha256, self.size = blobstore.put(pdf), len(pdf)
        dossier_type = DossierType(code="bench-premie")
        session.add(dossier_type)
        session.flush()
        self.version = DossierTypeVersion(
            dossier_type=dossier_type, number=1, status=PUBLISHED,
            definition={"title": {"nl": "Premie", "en": "Premium"}, "workflow": "sociale-premie",
                        "documents": [], "decision": {"body": "college"}})
        session.add(self.version)
        session.flush()

    def citizen(self, persona) -> User:
        user = User(subject=f"bench-{persona.key}", kind="citizen",
                    given_name=persona.given_name, family_name=persona.family_name,
                    rrn=persona.rrn)
        user.roles.append(RoleAssignment(role=Role.CITIZEN))
        self.session.add(user)
        self.session.flush()
        return user

    def dossier(self, applicant, team) -> Dossier:
        dossier = Dossier(reference=next_reference(self.session, 2026),
                          type_version_id=self.version.id, title="Premie", state="goedgekeurd",
                          applicant_id=applicant.id, team_id=team.id, data={})
        self.session.add(dossier)
        self.session.flush()
        return dossier

    def document(self, dossier) -> Document:
        document = Document(dossier_id=dossier.id, number=1, title="Beslissing",
                            document_type="besluit", direction="out")
        document.versions.append(DocumentVersion(
            version=1, filename="beslissing.pdf", media_type="application/pdf",
            size=self.size, sha256=self.sha256))
        self.session.add(document)
        self.session.flush()
        return document


def make_letters(app, n: int) -> tuple[int, list[int]]:
    """A secretary and ``n`` ready decision letters; (secretary id, letter ids)."""
    from loket.demo import demo_pdf

    manager = transaction.TransactionManager(explicit=True)
    with manager:
        session = get_tm_session(app.registry["dbsession_factory"], manager)
        maker = Maker(session, app.registry["loket.blobstore"], demo_pdf("Beslissing"))
        secretary = User(subject="bench-secretary", kind="staff", given_name="Karin",
                         family_name="Willems")
        secretary.roles.append(RoleAssignment(role=Role.SECRETARIAT))
        session.add(secretary)
        team = Team(code="bench-team", name="Sociale dienst")
        session.add(team)
        session.flush()
        people = [maker.citizen(BY_KEY[key]) for key in ("jan", "sofie")]
        ids = []
        for i in range(n):
            dossier = maker.dossier(people[i % 2], team)
            letter = create_letter(session, dossier, "decision.granted",
                                   title=f"Beslissing {dossier.reference}")
            letter.document_id = maker.document(dossier).id
            move(session, letter, READY)
            ids.append(letter.id)
        session.flush()
        return secretary.id, ids


def logged_in(app, user_id: int) -> webtest.TestApp:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        session = get_tm_session(app.registry["dbsession_factory"], manager)
        session.add(WebSession(id=_hash(token), data={"user_id": user_id, "_csrft_": csrf},
                               user_id=user_id))
    browser = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
    browser.set_cookie(COOKIE_NAME, token)
    browser.csrf = csrf
    return browser


def bulk_send(browser, ids) -> float:
    browser.get("/api/v1/verzendregister")  # warm: the first request builds the API document
    started = time.perf_counter()
    answer = browser.post_json("/api/v1/verzendregister", {"letters": ids},
                               headers={"X-CSRF-Token": browser.csrf}, status=202).json
    elapsed = time.perf_counter() - started
    assert len(answer["sent"]) == len(ids), answer["refused"][:3]
    return elapsed


def deliver_all(app) -> tuple[int, float]:
    relay = Relay(app.registry, policy=Policy(batch_size=50, poll_interval=0.01),
                  worker="bench:1:sending")
    started, delivered = time.perf_counter(), 0
    try:
        while True:
            done = relay.process()
            delivered += done
            if not done:
                break
    finally:
        relay.close()
    return delivered, time.perf_counter() - started


def fill_register(app, rows: int, letters: list[int]) -> None:
    """``rows`` dispatches (attempts of the existing letters), in executemany batches."""
    engine = app.registry["db_engine"]
    with engine.begin() as connection:
        pairs = connection.execute(select(Letter.id, Letter.dossier_id)
                                   .where(Letter.id.in_(letters))).all()
        start = connection.execute(select(func.count()).select_from(Dispatch)).scalar()
        batch = []
        for n in range(start, rows):
            letter_id, dossier_id = pairs[n % len(pairs)]
            batch.append({"letter_id": letter_id, "attempt": 1000 + n,
                          "dossier_id": dossier_id, "letter_kind": "decision.granted",
                          "title": "Beslissing", "recipient_name": f"Burger {n % 9973}",
                          "channel": "paper" if n % 3 else "ebox", "registered": n % 3 == 1,
                          "reason": "no_ebox_consent", "status": "returned" if n % 997 == 0
                          else "delivered", "history": [], "address": None,
                          "override_reason": "", "return_reason": "", "error": "",
                          "resolved": False})
            if len(batch) == 10_000:
                connection.execute(insert(Dispatch.__table__), batch)
                batch = []
        if batch:
            connection.execute(insert(Dispatch.__table__), batch)


def median_ms(func, repeat: int) -> float:
    func()  # warm
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def register_figures(app, browser, repeat: int) -> list[tuple[str, float, float]]:
    engine = app.registry["db_engine"]
    first = browser.get("/api/v1/verzendregister").json
    before = first["items"][-1]["id"]
    reference = first["items"][0]["dossier"]
    cases = [
        ("first page", "/api/v1/verzendregister",
         "SELECT * FROM dispatches ORDER BY id DESC LIMIT 51"),
        ("next page (keyset)", f"/api/v1/verzendregister?before={before}",
         f"SELECT * FROM dispatches WHERE id < {before} ORDER BY id DESC LIMIT 51"),
        ("filter: returned", "/api/v1/verzendregister?status=returned",
         "SELECT * FROM dispatches WHERE status = 'returned' ORDER BY id DESC LIMIT 51"),
        ("filter: eBox", "/api/v1/verzendregister?channel=ebox",
         "SELECT * FROM dispatches WHERE channel = 'ebox' ORDER BY id DESC LIMIT 51"),
        ("search: dossier reference", f"/api/v1/verzendregister?q={reference}",
         "SELECT d.* FROM dispatches d JOIN dossiers o ON o.id = d.dossier_id "
         f"WHERE o.reference = '{reference}' ORDER BY d.id DESC LIMIT 51"),
    ]
    figures = []
    for name, path, sql in cases:
        loket = median_ms(lambda path=path: browser.get(path), repeat)

        def bare(sql=sql):
            with engine.connect() as connection:
                connection.execute(text(sql)).all()

        figures.append((name, loket, median_ms(bare, repeat)))
    return figures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=500)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--database", help="a migrated, empty database (default: SQLite)")
    args = parser.parse_args(argv)
    work, url = scratch_database("sending", args.database)
    simulators = serve_simulators({"loket.environment": "test"})
    app = make_loket({}, **settings_for(url, str(work / "blobs"), simulators))
    secretary, ids = make_letters(app, args.letters)
    browser = logged_in(app, secretary)
    accepted = bulk_send(browser, ids)
    print(f"bulk send: {len(ids)} letters accepted in one request in {accepted:.2f} s "
          f"(target < 2 s)")
    delivered, seconds = deliver_all(app)
    print(f"delivery: {delivered} letters handed to the Documentendienst in {seconds:.1f} s "
          f"({delivered / seconds:.0f} per second, one worker)")
    started = time.perf_counter()
    tracked = tracking.track(app.registry)
    print(f"tracking: {tracked['tracked']} asked, {tracked['changed']} changed in "
          f"{time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    fill_register(app, args.rows, ids)
    with app.registry["db_engine"].connect() as connection:
        count = connection.execute(select(func.count()).select_from(Dispatch)).scalar()
        connection.execute(select(func.count()).select_from(OutboxMessage)).scalar()
    print(f"register: {count} rows (filled in {time.perf_counter() - started:.0f} s)")
    print("| register request | Loket ms | bare SQL ms | ratio |")
    print("|---|---:|---:|---:|")
    for name, loket, bare in register_figures(app, browser, args.repeat):
        print(f"| {name} | {loket:.1f} | {bare:.2f} | {loket / max(bare, 0.01):.0f}× |")
    app.registry["db_engine"].dispose()


if __name__ == "__main__":
    main()
