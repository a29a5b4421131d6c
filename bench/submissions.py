"""Application submissions per second, one worker: the real submit step, in-process.

    python -m bench.submissions                     200 applications, SQLite
    python -m bench.submissions --applications 400 --database postgresql+psycopg://…/empty_db

On a fresh database with the shipped dossier types, N citizens (each logged in with eID, as
the type demands) each start a heating-allowance application through the JSON API, answer it
and attach the invoice (not timed). Then every draft is submitted — half through the API
(``POST /api/v1/dossiers/<ref>/indienen``), half through the summary page's form (``POST
/dossiers/<ref>/controleren``) — and timed: the checks, the workflow step, the history, the
admissibility screening, the receipt letter queued for the worker, the notifications and the
status push in the outbox, the audit row, one transaction each. Afterwards every dossier must
be ``ingediend`` with its receipt letter waiting to be rendered, or the run fails.

The figure is submissions per second of one process (a gunicorn sync worker serves one
request at a time), wall and CPU, against :data:`TARGET`.
"""

import argparse
import secrets
import statistics
import time
from datetime import date, timedelta

import transaction
import webtest

EID = "urn:be:vlaanderen:authmech:eid"
TYPE = "verwarmingstoelage"
# A Flemish municipality's busiest hour (a premium's first day, a few thousand applications)
# is about one submission a second: 20 a second per worker leaves room for 20× that on one core.
TARGET = 20


def answers(n: int) -> dict:
    return {"email": f"burger{n}@example.org", "brandstof": "gasolie",
            "leveringsdatum": (date.today() - timedelta(days=10)).isoformat(),
            "liters": 1000, "factuurbedrag": "1234.56", "appartement": False,
            "iban": "BE71 0961 2345 6769", "rekeninghouder": f"Burger {n}",
            "voornaam": "Burger", "familienaam": f"Nummer{n}",
            "adres": {"street": "Kerkstraat", "number": str(n % 200 + 1), "box": "",
                      "postcode": "2999", "municipality": "Heidebeek"}}


def setup(app, count: int) -> list[int]:
    """The teams, the shipped types and ``count`` citizens; their ids."""
    from bench.generate import rrn
    from loket.catalogue.services import load_shipped
    from loket.db import get_tm_session
    from loket.identity.models import RoleAssignment, Team, User
    from loket.security import Role

    manager = transaction.TransactionManager(explicit=True)
    with manager:
        session = get_tm_session(app.registry["dbsession_factory"], manager)
        for code, name in (("sociale-dienst", "Sociale dienst"),
                           ("openbaar-domein", "Openbaar domein")):
            session.add(Team(code=code, name=name))
        session.flush()
        load_shipped(session)
        citizens = []
        for n in range(count):
            user = User(subject=f"bench-citizen-{n}", kind="citizen", given_name="Burger",
                        family_name=f"Nummer{n}", rrn=rrn(n))
            user.roles.append(RoleAssignment(role=Role.CITIZEN))
            session.add(user)
            citizens.append(user)
        session.flush()
        return [user.id for user in citizens]


def browser_of(app, user_id: int) -> webtest.TestApp:
    """A test browser logged in as ``user_id`` with eID; ``.csrf`` holds the session's token."""
    from loket.db import get_tm_session
    from loket.identity.models import WebSession
    from loket.identity.sessions import COOKIE_NAME, _hash

    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        session = get_tm_session(app.registry["dbsession_factory"], manager)
        session.add(WebSession(id=_hash(token), user_id=user_id,
                               data={"user_id": user_id, "acr": EID, "_csrft_": csrf}))
    browser = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
    browser.set_cookie(COOKIE_NAME, token)
    browser.csrf = csrf
    return browser


def draft(browser, n: int, pdf: bytes) -> tuple[str, int]:
    """Start, answer and attach: (reference, version) of a complete draft."""
    headers = {"X-CSRF-Token": browser.csrf}
    reference = browser.post(f"/api/v1/catalogus/{TYPE}/aanvragen", headers=headers,
                             status=201).json["reference"]
    base = f"/api/v1/dossiers/{reference}"
    browser.put_json(f"{base}/aanvraag", {"answers": answers(n)}, headers=headers)
    attached = browser.post(f"{base}/bijlagen/factuur", headers=headers, status=201,
                            upload_files=[("bestand", "factuur.pdf", pdf)])
    return reference, attached.json["version"]


def submit_api(browser, reference: str, version: int):
    browser.post(f"/api/v1/dossiers/{reference}/indienen?versie={version}",
                 headers={"X-CSRF-Token": browser.csrf}, status=200)


def submit_web(browser, reference: str, version: int):
    answer = browser.post(f"/dossiers/{reference}/controleren",
                          {"csrf_token": browser.csrf, "versie": str(version)}, status=302)
    assert answer.location.endswith("/ontvangen"), answer.location


def check(app, references: list[str]) -> None:
    """Every dossier submitted, each with its receipt letter waiting for the worker."""
    from sqlalchemy import func, select

    from loket.dossiers.models import Dossier
    from loket.letters.models import TO_RENDER, Letter

    with app.registry["db_engine"].connect() as connection:
        submitted = connection.execute(select(func.count()).where(
            Dossier.reference.in_(references), Dossier.state == "ingediend",
            Dossier.submitted.is_not(None))).scalar_one()
        receipts = connection.execute(select(func.count()).select_from(Letter).join(
            Dossier, Dossier.id == Letter.dossier_id).where(
            Dossier.reference.in_(references), Letter.kind == "receipt",
            Letter.status == TO_RENDER)).scalar_one()
    if submitted != len(references) or receipts != len(references):
        raise SystemExit(f"{submitted} of {len(references)} submitted, {receipts} receipts "
                         "queued: the figure would measure failures")


def timed(step, drafts) -> tuple[float, float, list[float]]:
    """(wall s, CPU s, milliseconds per submission)."""
    each = []
    started, cpu = time.perf_counter(), time.process_time()
    for browser, reference, version in drafts:
        begun = time.perf_counter()
        step(browser, reference, version)
        each.append((time.perf_counter() - begun) * 1000)
    return time.perf_counter() - started, time.process_time() - cpu, each


def main(argv=None):
    from bench.generate import scratch_database
    from bench.sending import settings_for
    from loket.demo import demo_pdf
    from loket.main import main as make_loket

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=200)
    parser.add_argument("--database", help="a migrated, empty database (default: SQLite)")
    args = parser.parse_args(argv)
    work, url = scratch_database("submissions", args.database)
    settings = settings_for(url, str(work / "blobs"), "http://127.0.0.1:9")
    for key in [k for k in settings if k.startswith("loket.integrations.")]:
        del settings[key]  # no MAGDA, no delivery: the citizen types their details
    app = make_loket({}, **settings)
    pdf = demo_pdf("Factuur")
    started = time.perf_counter()
    drafts = []
    for n, user_id in enumerate(setup(app, args.applications)):
        browser = browser_of(app, user_id)
        drafts.append((browser, *draft(browser, n, pdf)))
    print(f"submissions: {len(drafts)} complete drafts made in "
          f"{time.perf_counter() - started:.0f} s ({app.registry['db_engine'].dialect.name})")
    half = len(drafts) // 2
    for name, step, part in (("API", submit_api, drafts[:half]),
                             ("web form", submit_web, drafts[half:])):
        wall, cpu, each = timed(step, part)
        rate = len(part) / wall
        print(f"  {name:<8} {len(part)} submitted in {wall:.2f} s: {rate:.0f} per second, "
              f"{cpu * 1000 / len(part):.1f} ms CPU each, p50 {statistics.median(each):.1f} ms"
              f" (target ≥ {TARGET}/s per worker {'met' if rate >= TARGET else 'NOT met'})")
    check(app, [reference for _, reference, _ in drafts])
    print("  every dossier ingediend, each receipt letter queued for the worker")
    app.registry["db_engine"].dispose()


if __name__ == "__main__":
    main()
