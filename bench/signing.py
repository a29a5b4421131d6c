"""Signing a college session's decision letters: how long each letter's signatures take.

    python -m bench.signing                 500 letters, SQLite, one worker
    python -m bench.signing --letters 50    a quick look

Self-contained: a fresh SQLite database with the demo data, the ACM/IDM and Digitaal
Ondertekenen simulators on a local port, Loket's app with the signing plug-in. N letters of
one college meeting wait for the mayor and then the general director. Measured, each phase on
its own (wall-clock, this machine, whatever else runs on it):

- submit: the ``signing.submit`` job and the outbox worker make N packages on the platform
  (authentication, package, document, signatories, fields, start: 6 calls a letter);
- sign: each persona signs the whole batch on the platform's page in one action: a real
  PAdES B-T signature per letter (pyHanko, time-stamped by the test TSA over HTTP);
- collect: the ``signing.collect`` job reads each package's progress, downloads the PDF,
  validates every signature in it (pyHanko against the test root) and stores the version;
  after the director's round the letters are ``ready``.

The figures are printed as a table; nothing is asserted (no timing is, anywhere).
"""

import argparse
import os
import tempfile
import threading
import time
import warnings
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import requests
import transaction
from sqlalchemy import func, select

from bench.generate import migrate
from loket.db import get_tm_session
from loket.demo import demo_pdf, load_demo_data
from loket.documents.files import check_upload
from loket.documents.models import Document, DocumentVersion
from loket.dossiers.models import Dossier, next_reference
from loket.integrations.simulators import make_app as make_simulators
from loket.letters.models import READY, Letter, LetterSignatory
from loket.main import main
from loket.outbox.relay import Relay
from loket.outbox.services import Policy
from loket.signing import services

warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
ROOT = Path(__file__).resolve().parent.parent
MAYOR, DIRECTOR = "burgemeester@heidebeek.example", "algemeen.directeur@heidebeek.example"


def settings_for(directory: Path) -> dict:
    return {"loket.environment": "development", "sqlalchemy.url":
            f"sqlite:///{directory / 'loket.sqlite'}", "loket.blob_dir": str(directory / "b"),
            "loket.static_dir": str(ROOT / "static"), "loket.public_url": "http://localhost",
            "loket.municipality.name": "Gemeente Heidebeek", "loket.municipality.kbo":
            "0207123407", "loket.acmidm.client_id": "loket", "loket.acmidm.client_secret":
            "loket-secret", "loket.integrations.signing": "digitaal-ondertekenen",
            "loket.integrations.digitaal-ondertekenen.client_id": "loket-ondertekenen",
            "loket.integrations.digitaal-ondertekenen.client_secret":
                "loket-ondertekenen-secret"}


def session(app):
    manager = transaction.TransactionManager(explicit=True)
    return manager, get_tm_session(app.registry["dbsession_factory"], manager)


def make_letters(app, settings, count: int) -> None:
    """``count`` more decision letters of the demo's college meeting, like the demo's own."""
    manager, dbsession = session(app)
    with manager:
        load_demo_data(dbsession, settings)
        [demo] = dbsession.scalars(select(Letter)).all()
        store = app.registry["loket.blobstore"]
        for number in range(count - 1):
            dossier = Dossier(reference=next_reference(dbsession, 2026), title=demo.dossier.title,
                              type_version_id=demo.dossier.type_version_id, state="goedgekeurd",
                              applicant_id=demo.dossier.applicant_id, data={},
                              team_id=demo.dossier.team_id)
            dbsession.add(dossier)
            dbsession.flush()
            title = f"Beslissing {dossier.title} - {dossier.reference}"
            checked = check_upload(demo_pdf(title), "beslissing.pdf")
            document = Document(dossier_id=dossier.id, number=1, title=title, direction="out",
                                document_type="beslissing")
            document.versions.append(DocumentVersion(
                version=1, filename=checked.filename, media_type=checked.media_type,
                size=len(checked.data), sha256=store.put(checked.data)))
            dbsession.add(document)
            dbsession.flush()
            letter = Letter(dossier_id=dossier.id, dossier=dossier, kind=demo.kind,
                            status=demo.status, title=title, details=dict(demo.details),
                            document_id=document.id, needs_signature=True)
            for signatory in demo.signatories:
                letter.signatories.append(LetterSignatory(
                    position=signatory.position, user_id=signatory.user_id,
                    name=signatory.name, function=signatory.function))
            dbsession.add(letter)
            if number % 100 == 99:
                dbsession.flush()


def sign_all(simulators: str, email: str) -> int:
    page = requests.get(f"{simulators}/ondertekenen/web/{email}", timeout=60)
    offered = [part.split("'")[0] for part in page.text.split("name='package' value='")[1:]]
    requests.post(f"{simulators}/ondertekenen/web/{email}", data={"package": offered},
                  allow_redirects=False, timeout=3600).raise_for_status()
    return len(offered)


def collect_all(app) -> int:
    stored = 0
    while done := services.collect(app.registry).get("signing_collected", 0):
        stored += done
    return stored


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class _Threading(ThreadingMixIn, WSGIServer):
    daemon_threads = True


@contextmanager
def serve(app):
    """The simulators on a free local port, one thread per request."""
    server = make_server("127.0.0.1", 0, app, server_class=_Threading, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def run(count: int) -> list[tuple[str, float, int]]:
    with tempfile.TemporaryDirectory(prefix="loket-bench-signing-") as directory:
        settings = settings_for(Path(directory))
        migrate(settings["sqlalchemy.url"])
        with serve(make_simulators(settings)) as simulators:
            prefix = "loket.integrations.digitaal-ondertekenen."
            settings.update({"loket.acmidm.issuer": f"{simulators}/acmidm/op",
                             prefix + "base_url": f"{simulators}/ondertekenen",
                             prefix + "web_url": f"{simulators}/ondertekenen/web",
                             prefix + "token_url": f"{simulators}/acmidm/op/v1/token"})
            app = main({}, **settings)
            make_letters(app, settings, count)
            relay = Relay(app.registry, policy=replace(Policy(), batch_size=50),
                          worker="bench-signing:1:a")
            phases = []
            clock = Clock()
            submitted = services.queue_submissions(app.registry, limit=count)["signing_submitted"]
            while relay.process():
                pass
            phases.append(("submit (outbox → platform)", *clock.lap(), submitted))
            for name, email in (("mayor", MAYOR), ("general director", DIRECTOR)):
                signed = sign_all(simulators, email)
                phases.append((f"sign: {name} (PAdES B-T)", *clock.lap(), signed))
                stored = collect_all(app)
                phases.append((f"collect after the {name} (download, validate, store)",
                               *clock.lap(), stored))
            relay.close()
            manager, dbsession = session(app)
            with manager:
                ready = dbsession.scalar(select(func.count()).where(Letter.status == READY))
            app.registry["db_engine"].dispose()
    phases.append(("letters ready", 0.0, 0.0, ready))
    return phases


class Clock:
    """Wall-clock and this process's CPU time (Loket and the simulators run in it) since the
    last lap: on a shared machine the CPU time is the steadier figure."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        spent = (wall - self.wall, cpu - self.cpu)
        self.wall, self.cpu = wall, cpu
        return spent


def report(count: int, phases) -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [f"Signing {count} letters (mayor, then general director); SQLite, one worker; "
             f"load average {load} on {os.cpu_count()} cores", "",
             "| phase | letters | wall s | CPU s | wall ms/letter | CPU ms/letter |",
             "|---|---:|---:|---:|---:|---:|"]
    wall_total = cpu_total = 0.0
    for name, wall, cpu, letters in phases:
        wall_total, cpu_total = wall_total + wall, cpu_total + cpu
        per = (f"{1000 * wall / letters:.0f} | {1000 * cpu / letters:.0f}"
               if letters and wall else "— | —")
        lines.append(f"| {name} | {letters} | {wall:.1f} | {cpu:.1f} | {per} |")
    lines.append(f"| **total** | {count} | {wall_total:.1f} | {cpu_total:.1f} | "
                 f"{1000 * wall_total / count:.0f} | {1000 * cpu_total / count:.0f} |")
    return "\n".join(lines)


def main_cli(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=500)
    args = parser.parse_args(argv)
    print(report(args.letters, run(args.letters)), flush=True)


if __name__ == "__main__":
    main_cli()
