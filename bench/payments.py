"""Finance's list of payment orders against the bare keyset list: a self-contained scenario.

    python -m bench.payments              # 5 000 staged orders on SQLite, short rounds
    python -m bench.payments --orders 20000 --rounds 9 --duration 4

It makes its own SQLite database (migrated as the tests do): one team, a handler and a finance
user, dossiers waiting for payment, each with a staged payment order. Then Loket
(``/betalingen?lijst=te-keuren``, a keyset page of 50 orders, at several depths, as finance)
and the bare app (``/list?team=``, 50 rows of the same dossiers) run side by side in gunicorn,
measured in interleaved rounds like :mod:`bench.run`; the figure is the ratio of their
throughputs (Loket / bare), against :data:`TARGET`.
"""

import argparse
import secrets
import statistics
from datetime import timedelta
from pathlib import Path

from bench import generate
from bench.load import Request, client
from bench.run import BASELINE_INI, LOKET_INI, VAR, cores, measure, say, start
from bench.scenarios import Scenario

TARGET = 0.35  # the worklists' page does this much with the bare list as its ceiling
DEPTHS = 8  # pages the scenario cycles through, spread over the list


def populate(url: str, count: int) -> dict:
    """The orders, and what the scenario asks for: finance's cookie, cursors, the team."""
    from sqlalchemy import insert

    from loket.catalogue.models import PUBLISHED
    from loket.db import get_engine, utcnow
    from loket.identity.sessions import COOKIE_NAME, _hash
    from loket.models import Dossier as DossierRow
    from loket.models import (
        DossierType,
        DossierTypeVersion,
        PaymentOrder,
        RoleAssignment,
        Team,
        User,
        WebSession,
    )

    engine = get_engine({"sqlalchemy.url": url})
    now = utcnow()
    try:
        with engine.begin() as c:
            team = c.execute(insert(Team.__table__).values(
                code="sociale-dienst", name="Sociale dienst")).inserted_primary_key[0]

            def user(subject, kind, role, team_id=None):
                found = c.execute(insert(User.__table__).values(
                    subject=subject, kind=kind, given_name=subject.title(),
                    family_name="Bench", created=now)).inserted_primary_key[0]
                c.execute(insert(RoleAssignment.__table__).values(
                    user_id=found, role=role, team_id=team_id))
                return found

            handler = user("els", "staff", "handler", team)
            finance = user("pieter", "staff", "finance")
            citizen = user("jan", "citizen", "citizen")
            kind = c.execute(insert(DossierType.__table__).values(
                code="verwarmingstoelage")).inserted_primary_key[0]
            version = c.execute(insert(DossierTypeVersion.__table__).values(
                type_id=kind, number=1, status=PUBLISHED, definition={
                    "title": {"nl": "Verwarmingstoelage", "en": "Heating allowance"},
                    "workflow": "sociale-premie", "documents": [],
                    "amount": {"direction": "loket_pays"},
                    "payment": {"budget_code": "0900-00/64900000"}})).inserted_primary_key[0]
            dossiers, orders = [], []
            for n in range(1, count + 1):
                reference = f"2026-{n:06d}"
                created = now - timedelta(minutes=count - n)
                dossiers.append({"id": n, "reference": reference, "type_version_id": version,
                                 "title": "Verwarmingstoelage", "state": "klaar_voor_betaling",
                                 "outcome": "approved", "applicant_id": citizen,
                                 "team_id": team, "data": {}, "created": created,
                                 "modified": created, "version": 1})
                orders.append({"id": n, "dossier_id": n, "number": 1,
                               "end_to_end_id": f"LOKET-{reference}-1",
                               "amount": f"{100 + n % 500}.00", "creditor_name": f"Burger {n}",
                               "iban": "BE68539007547034", "remittance": f"dossier {reference}",
                               "due_date": (now + timedelta(days=30)).date(),
                               "budget_code": "0900-00/64900000", "status": "staged",
                               "staged_by_id": handler, "staged": created, "reason": "",
                               "version": 1})
            c.execute(insert(DossierRow.__table__), dossiers)
            c.execute(insert(PaymentOrder.__table__), orders)
            token = secrets.token_urlsafe(32)
            c.execute(insert(WebSession.__table__).values(
                id=_hash(token), user_id=finance, created=now, accessed=now,
                data={"user_id": finance, "_csrft_": secrets.token_urlsafe(32)}))
    finally:
        engine.dispose()
    step = max(1, count // DEPTHS)
    return {"cookie": f"{COOKIE_NAME}={token}", "team": team,
            "after": [0, *range(step, count - 50, step)][:DEPTHS]}


SCENARIO = Scenario(
    "payment_list", "Finance's list of payment orders (keyset pages of 50, as finance)",
    lambda t: [Request(f"/betalingen?lijst=te-keuren&na={after}", t["cookie"])
               for after in t["after"]],
    lambda t: [Request(f"/list?team={t['team']}") for _ in t["after"]],
    "bare keyset list (HTML)", TARGET,
    expect=lambda t, r: "LOKET-2026-",
)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--workers", type=int, default=cores())
    parser.add_argument("--concurrency", type=int)
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    args = parser.parse_args(argv)
    args.concurrency = args.concurrency or 2 * args.workers
    workdir = VAR / f"payments-{secrets.token_hex(3)}"
    workdir.mkdir(parents=True)
    database = Path(workdir / "payments.sqlite")
    url = f"sqlite:///{database}"
    generate.migrate(url)
    targets = populate(url, args.orders)
    say(f"payment orders: {args.orders:,} staged on SQLite")
    servers = {}
    try:
        start(servers, [("loket", LOKET_INI, url, "payments", "/-/health"),
                        ("baseline", BASELINE_INI, url, "payments", "/health")], args, workdir)
        result = measure(client(args.client, workdir), SCENARIO, servers, targets, args)
    finally:
        for server in servers.values():
            server.stop()
    met = "met" if result["met"] else "NOT met"
    say(f"{SCENARIO.title}: {result['loket']['rps']:.0f} req/s against "
        f"{result['baseline']['rps']:.0f} ({SCENARIO.baseline_title}); ratio "
        f"{result['ratio']:.2f} (rounds {statistics.median(result['ratios']):.2f} median), "
        f"target {TARGET} {met}; p50 {result['loket']['p50_ms']:.1f} ms against "
        f"{result['baseline']['p50_ms']:.1f} ms; errors {result['errors']}")
    return result


if __name__ == "__main__":
    main()
