"""Run the benchmarks: Loket against the bare Pyramid + SQLAlchemy ceiling, in the same run.

    python -m bench.run --quick     SQLite, 10 000 dossiers, short rounds (< 3 minutes)
    python -m bench.run --full      SQLite 10 000; PostgreSQL 10 000, 100 000, 1 000 000
    python -m bench.run --full --sizes 10000,100000 --keep     try a part, keep the databases
    python -m bench.run --full --reuse                         reuse kept databases

For each database and size: make and migrate a database (a file under bench/var/, or a fresh
PostgreSQL database ``loket_bench_<n>``), fill it (:mod:`bench.generate`), give a few citizens
and one handler per team a server-side session, serve Loket and the baseline with the same
gunicorn command (sync workers, one per core, --no-control-socket, 127.0.0.1), check every
request once, then measure each scenario against its baseline: a warm-up, then interleaved
rounds (Loket first in odd rounds, the baseline first in even ones) at a fixed concurrency.
At the end: a Markdown table, bench/results/<date>-<time>-<commit>.json and, with two or more
PostgreSQL sizes, the scaling chart next to it.
"""

import argparse
import http.client
import importlib.metadata
import itertools
import os
import platform
import random
import secrets
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from bench import generate, report
from bench.load import HOST, client, wrk_version
from bench.meetings import meeting_target
from bench.pages import objections, signing_folder
from bench.scenarios import SCALING, SCENARIOS, Dossier, Targets

# Pyramid 2.1 still imports pkg_resources (as the test suite's filterwarnings notes).
warnings.filterwarnings("ignore", message="pkg_resources is deprecated")

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VAR = BENCH / "var"
RESULTS = BENCH / "results"
# Resident memory of a Loket worker after 10,000 mixed requests, at most (issue 18): two
# workers per core fit a 1 GB container with room for the database's connections.
MEMORY_AIM_MB = 200
MEMORY_REQUESTS = 10_000
POSTGRESQL_ADMIN = os.environ.get("LOKET_BENCH_POSTGRESQL",
                                  "postgresql+psycopg://postgres@127.0.0.1/postgres")


def say(*args):
    print(*args, flush=True)


@dataclass(frozen=True)
class Phase:
    database: str  # sqlite | postgresql
    dossiers: int


# ---------------------------------------------------------------------------------------------
# The machine and the software


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def machine() -> dict:
    cpu = platform.processor() or "unknown"
    memory = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    return {"cores": cores(), "cpu_model": cpu, "memory_gb": memory,
            "system": platform.platform(), "load_average_at_start": os.getloadavg()}


def versions() -> dict:
    found = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
             "wrk": wrk_version()}
    for name in ("loket", "pyramid", "pyramid_tm", "pyramid_jinja2", "zope.sqlalchemy",
                 "transaction", "SQLAlchemy", "Jinja2", "gunicorn", "psycopg", "alembic"):
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    return found


def git(*args) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


# ---------------------------------------------------------------------------------------------
# Databases


def sqlite_url(n: int) -> str:
    return f"sqlite:///{VAR / f'bench-{n}.sqlite'}"


def dossier_count(url: str) -> int | None:
    from sqlalchemy import text

    from loket.db import get_engine

    engine = get_engine({"sqlalchemy.url": url})
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM dossiers")).scalar_one()
    except Exception:
        return None
    finally:
        engine.dispose()


def prepare(phase: Phase, args) -> tuple[str, dict]:
    """A migrated database holding the phase's dossiers: (url, generation figures)."""
    n = phase.dossiers
    if phase.database == "sqlite":
        url = sqlite_url(n)
    else:
        from sqlalchemy.engine import make_url

        url = make_url(args.postgresql).set(database=f"loket_bench_{n}").render_as_string(
            hide_password=False)
    if args.reuse and dossier_count(url) == n:
        say(f"  reusing {phase.database} database with {n:,} dossiers")
        return url, {"reused": True}
    started = time.perf_counter()
    if phase.database == "sqlite":
        path = VAR / f"bench-{n}.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        url = generate.create_postgresql_database(args.postgresql, f"loket_bench_{n}")
    generate.migrate(url)
    migrated = time.perf_counter() - started
    say(f"  migrated in {migrated:.1f} s; generating {n:,} dossiers (seed {args.seed})")
    figures = generate.generate(url, n, seed=args.seed, blob_dir=str(VAR / "blobs"),
                                echo=say)
    figures["migrate_seconds"] = round(migrated, 2)
    return url, figures


def database_version(url: str) -> str:
    from sqlalchemy import text

    from loket.db import get_engine

    engine = get_engine({"sqlalchemy.url": url})
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                return connection.execute(text("SHOW server_version")).scalar_one()
            return "SQLite " + connection.execute(text("SELECT sqlite_version()")).scalar_one()
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------------------------
# What the scenarios point at, and sessions


def pick_targets(url: str, seed: int, count: int) -> Targets:
    from sqlalchemy import delete, func, insert, select

    from loket.api.views import encode_cursor
    from loket.claims.models import Claim
    from loket.db import get_engine, utcnow
    from loket.documents.models import Document
    from loket.dossiers.models import Dossier as DossierRow
    from loket.identity.models import RoleAssignment, WebSession
    from loket.identity.sessions import COOKIE_NAME, _hash
    from loket.workflow.models import HistoryEntry

    rng = random.Random(seed)
    engine = get_engine({"sqlalchemy.url": url})
    d = DossierRow.__table__
    try:
        with engine.begin() as c:
            c.execute(delete(WebSession.__table__))
            highest = c.execute(select(func.max(d.c.id))).scalar_one()
            chosen, seen = [], set()
            for _ in range(50 * count):
                if len(chosen) == count:
                    break
                dossier_id = rng.randint(1, highest)
                if dossier_id in seen:
                    continue
                seen.add(dossier_id)
                documents = c.execute(select(func.count()).where(
                    Document.__table__.c.dossier_id == dossier_id)).scalar_one()
                history = c.execute(select(func.count()).where(
                    HistoryEntry.__table__.c.dossier_id == dossier_id)).scalar_one()
                if documents >= 3 and history >= 4:
                    row = c.execute(select(d.c.id, d.c.reference, d.c.applicant_id, d.c.team_id)
                                    .where(d.c.id == dossier_id)).one()
                    chosen.append(Dossier(*row))
            if len(chosen) < min(count, 4):
                raise SystemExit("too few dossiers with documents and a timeline")
            teams = sorted(c.execute(select(d.c.team_id).distinct()).scalars())
            ra = RoleAssignment.__table__
            handlers = {team: c.execute(select(func.min(ra.c.user_id)).where(
                ra.c.role == "handler", ra.c.team_id == team)).scalar_one() for team in teams}
            now = utcnow()
            cookies = {}

            def session(user_id):
                if user_id not in cookies:
                    token = secrets.token_urlsafe(32)
                    # As a login leaves it: with the user's principals (a checkout from
                    # before they were kept in the session has no such column).
                    kept = ({"principals": principals_of(c, user_id)}
                            if hasattr(WebSession, "principals") else {})
                    c.execute(insert(WebSession.__table__).values(
                        id=_hash(token), user_id=user_id, created=now, accessed=now,
                        data={"user_id": user_id, "_csrft_": secrets.token_urlsafe(32)},
                        **kept))
                    cookies[user_id] = f"{COOKIE_NAME}={token}"
                return cookies[user_id]

            citizen_cookies = {x.applicant_id: session(x.applicant_id) for x in chosen}
            handler_cookies = {team: session(user) for team, user in handlers.items()}
            api_cursors, bare_cursors, positions = {}, {}, {}
            worklist_cursors = worklist_deep_cursors(c, teams)
            for team in teams:
                size = c.execute(select(func.count()).where(d.c.team_id == team)).scalar_one()
                position = max(1, size // 2)
                created, last_id = c.execute(
                    select(d.c.created, d.c.id).where(d.c.team_id == team)
                    .order_by(d.c.created.desc(), d.c.id.desc())
                    .offset(position - 1).limit(1)).one()
                api_cursors[team] = encode_cursor(SimpleNamespace(created=created, id=last_id))
                bare_cursors[team] = f"{created.isoformat()},{last_id}"
                positions[team] = position
            meeting, secretariat_cookie = meeting_target(c, session, now)
            signatory_cookie = signing_folder(c, session, now)
            objections(c, now)
            finance_cookie = session(c.execute(select(func.min(ra.c.user_id)).where(
                ra.c.role == "finance")).scalar_one())
            claims_shown = min(200, c.execute(select(func.count()).where(
                Claim.__table__.c.status == "open")).scalar_one())
    finally:
        engine.dispose()
    return Targets(dossiers=chosen, citizen_cookies=citizen_cookies,
                   handler_cookies=handler_cookies, teams=teams, api_cursors=api_cursors,
                   bare_cursors=bare_cursors, deep_positions=positions,
                   worklist_cursors=worklist_cursors, meeting=meeting,
                   secretariat_cookie=secretariat_cookie, signatory_cookie=signatory_cookie,
                   finance_cookie=finance_cookie, claims_shown=max(1, claims_shown))


def principals_of(connection, user_id: int) -> list[str]:
    from sqlalchemy.orm import Session

    from loket.identity.models import User
    from loket.security import principals_for

    with Session(bind=connection) as session:
        return principals_for(session.get(User, user_id))


def worklist_deep_cursors(connection, teams) -> dict[int, str]:
    """Per team, the /werkbank cursor (sorted by last change) halfway down its open list."""
    from sqlalchemy import func, select

    from loket.dossiers.models import Dossier as DossierRow
    from loket.worklists.models import closed_states
    from loket.worklists.queries import encode_cursor

    d = DossierRow.__table__
    open_team = [d.c.state.not_in(sorted(closed_states()))]
    cursors = {}
    for team in teams:
        where = [d.c.team_id == team, *open_team]
        size = connection.execute(select(func.count()).where(*where)).scalar_one()
        row = connection.execute(
            select(d.c.modified, d.c.id).where(*where)
            .order_by(d.c.modified.desc(), d.c.id.desc())
            .offset(max(0, size // 2 - 1)).limit(1)).first()
        if row is not None:
            cursors[team] = encode_cursor("gewijzigd", SimpleNamespace(modified=row[0],
                                                                       id=row[1]))
    return cursors


# ---------------------------------------------------------------------------------------------
# Servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


LOKET_INI = """\
# Written by bench/run.py: Loket as the benchmark serves it (no simulators are started).
[app:main]
use = egg:loket
loket.environment = development
sqlalchemy.url = {url}
loket.blob_dir = {blobs}
loket.static_dir = {root}/static
loket.public_url = http://{host}:{port}
loket.municipality.name = Gemeente Heidebeek
loket.municipality.kbo = 0207123407
loket.acmidm.issuer = http://{host}:9/acmidm/op
loket.acmidm.client_id = loket-bench
loket.acmidm.client_secret = loket-bench-secret
loket.session.secure = false
pyramid.reload_templates = false
pyramid.default_locale_name = nl
retry.attempts = 3
# One client address makes every request: the limiter still runs, at limits it never reaches.
loket.ratelimit.api_address = 1000000000/60
loket.ratelimit.api_token = 1000000000/60
"""

BASELINE_INI = """\
# Written by bench/run.py: the bare ceiling (bench/baseline.py) on the same database.
[app:main]
use = call:bench.baseline:main
sqlalchemy.url = {url}
pyramid.reload_templates = false
"""


class Server:
    """One gunicorn, started by us and stopped by its process id."""

    def __init__(self, name: str, ini: Path, port: int, workers: int, log: Path):
        self.name, self.ini, self.port, self.workers, self.log = name, ini, port, workers, log
        self.process = None

    def command(self) -> list[str]:
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        return [gunicorn, "--paste", str(self.ini), "--workers", str(self.workers),
                "--worker-class", "sync", "--no-control-socket", "--bind",
                f"{HOST}:{self.port}", "--chdir", str(ROOT), "--log-level", "warning"]

    def start(self):
        # The caller's PYTHONPATH stays behind ours: another checkout's src/ on it measures
        # that checkout's code with this one's benchmark (a before-and-after run).
        path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
        env = {**os.environ, "PYTHONPATH": path, "PYTHONWARNINGS": "ignore"}
        for key in [k for k in env if k.startswith("LOKET_")]:
            del env[key]  # the .ini alone configures the app
        self.logfile = open(self.log, "ab")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(self.command(), cwd=ROOT, env=env,
                                        stdout=self.logfile, stderr=subprocess.STDOUT)

    def wait_ready(self, path: str, timeout: float = 90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} stopped at start-up; see {self.log}:\n"
                                 + self.log.read_text()[-3000:])
            try:
                status, _ = fetch(self.port, path)
                if status < 500:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"{self.name} did not answer within {timeout} s; see {self.log}")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        if self.process is not None:
            self.logfile.close()
        self.process = None


def fetch(port: int, path: str, cookie: str | None = None) -> tuple[int, str]:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


# ---------------------------------------------------------------------------------------------
# Measuring


def verify(scenario, side: str, port: int, requests, targets):
    for request in requests:
        status, body = fetch(port, request.path, request.cookie)
        expected = scenario.expect(targets, request) if scenario.expect and (
            side == "loket" or scenario.baseline_server == "loket") else None
        if status != 200 or (expected and expected not in body):
            raise SystemExit(f"{scenario.key} ({side}): GET {request.path} answered {status}"
                             f"{'' if status != 200 else f' without {expected!r}'}:\n"
                             f"{body[:1500]}")


def summarise(samples) -> dict:
    return {"rps": statistics.median(s.rps for s in samples),
            "p50_ms": statistics.median(s.p50_ms for s in samples),
            "p90_ms": statistics.median(s.p90_ms for s in samples),
            "p99_ms": statistics.median(s.p99_ms for s in samples),
            "requests": sum(s.requests for s in samples),
            "errors": sum(s.errors for s in samples),
            "rounds": [s.as_dict() for s in samples]}


def interleave(load, sides, args) -> dict:
    """Warm-up, then ``args.rounds`` rounds of each side in turn (the order alternating per
    round). ``sides``: two (name, port, requests); returns {name: [Sample per round]}."""
    for _name, port, requests in sides:  # warm-up, not recorded
        load.run(port, requests, args.warmup, args.concurrency)
    samples = {name: [] for name, _, _ in sides}
    for round_number in range(args.rounds):
        for name, port, requests in (sides if round_number % 2 == 0 else sides[::-1]):
            samples[name].append(load.run(port, requests, args.duration, args.concurrency))
    return samples


def measure(load, scenario, servers, targets, args) -> dict:
    requests = {"loket": tuple(scenario.loket(targets)),
                "baseline": tuple(scenario.baseline(targets))}
    ports = {"loket": servers["loket"].port, "baseline": servers[scenario.baseline_server].port}
    for side in ("loket", "baseline"):
        verify(scenario, side, ports[side], requests[side], targets)
    samples = interleave(load, [(side, ports[side], requests[side])
                                for side in ("loket", "baseline")], args)
    ratios = [lo.rps / ba.rps if ba.rps else 0.0
              for lo, ba in zip(samples["loket"], samples["baseline"], strict=True)]
    ratio = statistics.median(ratios)
    loket, baseline = summarise(samples["loket"]), summarise(samples["baseline"])
    return {"key": scenario.key, "title": scenario.title,
            "baseline_title": scenario.baseline_title, "requests_cycled": len(requests["loket"]),
            "loket": loket, "baseline": baseline, "ratios": [round(r, 4) for r in ratios],
            "ratio": round(ratio, 4), "target": scenario.target,
            "met": None if scenario.target is None else ratio >= scenario.target,
            "errors": loket["errors"] + baseline["errors"]}


def start(servers: dict, specs, args, workdir: Path):
    """Start a gunicorn per (name, template, url, tag, ready path); wait until all answer."""
    for name, template, url, tag, _ready in specs:
        port = free_port()
        ini = workdir / f"{name}-{tag}.ini"
        ini.write_text(template.format(url=url, blobs=VAR / "blobs", root=ROOT, host=HOST,
                                       port=port))
        servers[name] = Server(name, ini, port, args.workers, workdir / f"{name}-{tag}.log")
        servers[name].start()
    for name, _template, _url, _tag, ready in specs:
        servers[name].wait_ready(ready)


def run_phase(phase: Phase, args, load, workdir: Path) -> tuple[dict, str]:
    say(f"\n== {phase.database}, {phase.dossiers:,} dossiers")
    url, figures = prepare(phase, args)
    targets = pick_targets(url, args.seed, args.dossier_sample)
    say(f"  {len(targets.dossiers)} dossiers (≥ 3 documents, ≥ 4 history entries), "
        f"{len(targets.teams)} teams; deep page at rows "
        f"{min(targets.deep_positions.values()):,}–{max(targets.deep_positions.values()):,}")
    servers = {}
    tag = f"{phase.database}-{phase.dossiers}"
    try:
        start(servers, [("loket", LOKET_INI, url, tag, "/-/health"),
                        ("baseline", BASELINE_INI, url, tag, "/health")], args, workdir)
        results, at_start = [], None
        for scenario in SCENARIOS:
            if args.only and scenario.key not in args.only:
                continue
            if at_start is None:  # the app loaded and one page served, nothing measured yet
                verify(scenario, "loket", servers["loket"].port, scenario.loket(targets)[:1],
                       targets)
                at_start = worker_rss(servers["loket"])
            started = time.perf_counter()
            result = measure(load, scenario, servers, targets, args)
            results.append(result)
            lo, ba = result["loket"], result["baseline"]
            other = "bare" if scenario.baseline_server == "baseline" else "vs  "
            say(f"  {scenario.key:<17} Loket {lo['rps']:7.1f} req/s p50 {lo['p50_ms']:7.2f} ms"
                f" | {other} {ba['rps']:7.1f} req/s p50 {ba['p50_ms']:6.2f} ms"
                f" | ratio {result['ratio']:.2f} (target {scenario.target})"
                f"{'  ERRORS' if result['errors'] else ''}"
                f"  [{time.perf_counter() - started:.0f} s]")
        served = requests_served(results)
        topped = top_up(load, servers["loket"], targets, args, served)
        memory = worker_memory(servers["loket"], served + topped, args.workers, at_start)
        say(f"  resident memory per Loket worker after {memory['requests_per_worker']:,} "
            f"requests each ({topped:,} of them mixed after the scenarios; aim ≤ "
            f"{MEMORY_AIM_MB} MB after {MEMORY_REQUESTS:,}): "
            + ", ".join(f"{mb:.0f} MB" for mb in memory["rss_mb"])
            + " (at start: " + ", ".join(f"{mb:.0f}" for mb in at_start or []) + " MB)")
    finally:
        for server in servers.values():
            server.stop()
    outcome = {"database": phase.database, "dossiers": phase.dossiers,
               "database_version": database_version(url), "generation": figures,
               "sample_dossiers": len(targets.dossiers), "teams": len(targets.teams),
               "deep_positions": targets.deep_positions, "scenarios": results,
               "memory": memory}
    return outcome, url


def requests_served(results: list[dict]) -> int:
    """Requests the Loket server answered in the phase's measured rounds (warm-ups and checks
    not counted)."""
    against_loket = {s.key for s in SCENARIOS if s.baseline_server == "loket"}
    return sum(r["loket"]["requests"] + (r["baseline"]["requests"]
                                         if r["key"] in against_loket else 0)
               for r in results)


def top_up(load, server: "Server", targets, args, served: int) -> int:
    """Mixed requests (every scenario's Loket side, in turn) until each worker served
    ``args.memory_requests`` (sync workers share one socket: the kernel spreads the requests
    about evenly); how many were sent."""
    wanted = args.memory_requests * args.workers - served
    if wanted <= 0:
        return 0
    lists = [s.loket(targets) for s in SCENARIOS if not args.only or s.key in args.only]
    mixed = tuple(request for group in itertools.zip_longest(*lists) for request in group
                  if request is not None)
    sent = 0
    while sent < wanted:
        sample = load.run(server.port, mixed, 10, args.concurrency)
        if not sample.requests:
            raise SystemExit("the memory top-up got no answers")
        sent += sample.requests
    return sent


def worker_rss(server: "Server") -> list[float]:
    """Resident memory (VmRSS, MB) of each gunicorn worker of ``server``."""
    master = server.process.pid
    rss = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines()
                          if ":" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(master) and "VmRSS" in fields:
            rss.append(round(int(fields["VmRSS"].split()[0]) / 1024, 1))
    return sorted(rss)


def worker_memory(server: "Server", served: int, workers: int, at_start: list[float]) -> dict:
    """Resident memory of each worker after ``served`` mixed requests, and at start (after
    each request was checked once): growth, told from what the code and libraries take."""
    rss = worker_rss(server)
    return {"rss_mb": rss, "rss_at_start_mb": at_start, "requests": served,
            "requests_per_worker": served // max(1, workers), "aim_mb": MEMORY_AIM_MB,
            "met": bool(rss) and max(rss) <= MEMORY_AIM_MB}


def run_scaling_pair(small: tuple[int, str], large: tuple[int, str], args, load,
                     workdir: Path) -> dict:
    """Loket on the smallest and on the largest PostgreSQL database at the same time, the
    worklist and the dossier page measured in interleaved rounds: p50 large ÷ p50 small per
    round, and the median of those. Side by side, so a neighbour's load cannot fake growth."""
    (n_small, url_small), (n_large, url_large) = small, large
    say(f"\n== scaling: Loket at {n_large:,} against Loket at {n_small:,} dossiers, "
        "interleaved")
    targets = {"small": pick_targets(url_small, args.seed, args.dossier_sample),
               "large": pick_targets(url_large, args.seed, args.dossier_sample)}
    servers = {}
    found = {}
    try:
        start(servers, [("small", LOKET_INI, url_small, f"scaling-{n_small}", "/-/health"),
                        ("large", LOKET_INI, url_large, f"scaling-{n_large}", "/-/health")],
              args, workdir)
        for scenario in SCENARIOS:
            if scenario.key not in SCALING or (args.only and scenario.key not in args.only):
                continue
            requests = {side: tuple(scenario.loket(targets[side])) for side in targets}
            for side in targets:
                verify(scenario, "loket", servers[side].port, requests[side], targets[side])
            samples = interleave(load, [(side, servers[side].port, requests[side])
                                        for side in ("small", "large")], args)
            ratios = [la.p50_ms / sm.p50_ms if sm.p50_ms else 0.0
                      for sm, la in zip(samples["small"], samples["large"], strict=True)]
            ratio = statistics.median(ratios)
            found[scenario.key] = {
                "title": scenario.title, "small": summarise(samples["small"]),
                "large": summarise(samples["large"]), "ratios": [round(r, 4) for r in ratios],
                "ratio": round(ratio, 4), "target": SCALING[scenario.key],
                "met": ratio <= SCALING[scenario.key]}
            say(f"  {scenario.key:<17} p50 {found[scenario.key]['large']['p50_ms']:7.2f} ms at "
                f"{n_large:,} vs {found[scenario.key]['small']['p50_ms']:7.2f} ms at "
                f"{n_small:,}: ratio {ratio:.2f} (target ≤ {SCALING[scenario.key]})")
    finally:
        for server in servers.values():
            server.stop()
    return {"sizes": [n_small, n_large], "scenarios": found}


# ---------------------------------------------------------------------------------------------
# Summaries


SERIES = {
    "worklist": ("worklist", "loket", "Loket worklist (/werkbank)", "Loket worklist"),
    "dossier_page": ("dossier_page", "loket", "Loket dossier page", "Loket dossier page"),
    "bare_list": ("worklist", "baseline", "bare keyset list", "bare list"),
    "bare_row": ("dossier_page", "baseline", "bare single-row page", "bare row page"),
}


def scaling(phases: list[dict]) -> dict | None:
    measured = sorted((p for p in phases if p["database"] == "postgresql"),
                      key=lambda p: p["dossiers"])
    if len(measured) < 2:
        return None
    sizes = [p["dossiers"] for p in measured]
    series = {}
    for key, (scenario, side, title, short) in SERIES.items():
        p50 = {}
        for p in measured:
            found = next((s for s in p["scenarios"] if s["key"] == scenario), None)
            p50[str(p["dossiers"])] = found[side]["p50_ms"] if found else None
        first, last = p50[str(sizes[0])], p50[str(sizes[-1])]
        ratio = last / first if first and last else None
        target = SCALING.get(key)
        series[key] = {"title": title, "short": short, "p50_ms": p50,
                       "ratio": round(ratio, 4) if ratio else None, "target": target,
                       "met": (ratio <= target) if (target and ratio) else None}
    # The same ratio divided by the baseline's own: what is left when the machine was busier
    # (or idler) during one phase than during the other.
    for key, bare in (("worklist", "bare_list"), ("dossier_page", "bare_row")):
        own, base = series[key]["ratio"], series[bare]["ratio"]
        series[key]["normalised_ratio"] = round(own / base, 4) if own and base else None
    return {"database": "postgresql", "sizes": sizes, "series": series}


def targets_summary(phases: list[dict], scale: dict | None) -> list[dict]:
    found = []
    for p in phases:
        where = f"{report.DATABASE_NAMES[p['database']]} {p['dossiers']:,}"
        for s in p["scenarios"]:
            if s["target"] is not None:
                found.append({"name": f"{s['key']} ÷ {s['baseline_title']} ({where})",
                              "value": s["ratio"],
                              "wanted": f"≥ {s['target']:.2f}", "met": s["met"]})
    if scale and scale.get("interleaved"):
        pair = scale["interleaved"]
        for key, item in pair["scenarios"].items():
            found.append({"name": f"{key} p50 {pair['sizes'][1]:,} ÷ {pair['sizes'][0]:,} "
                                  "(PostgreSQL, interleaved)",
                          "value": item["ratio"], "wanted": f"≤ {item['target']:.2f}",
                          "met": item["met"]})
    elif scale:
        for key, item in scale["series"].items():
            if item.get("target") and item.get("ratio") is not None:
                found.append({"name": f"{key} p50 {scale['sizes'][-1]:,} ÷ "
                                      f"{scale['sizes'][0]:,} (PostgreSQL, phase by phase)",
                              "value": item["ratio"], "wanted": f"≤ {item['target']:.2f}",
                              "met": item["met"]})
    return found


# ---------------------------------------------------------------------------------------------


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true",
                      help="SQLite, 10 000 dossiers, short rounds (the default)")
    mode.add_argument("--full", action="store_true",
                      help="SQLite 10 000, then PostgreSQL at 10 000, 100 000 and 1 000 000")
    parser.add_argument("--sizes", help="PostgreSQL sizes for --full, e.g. 10000,100000")
    parser.add_argument("--databases", help="sqlite,postgresql: which of the full plan to run")
    parser.add_argument("--postgresql", default=POSTGRESQL_ADMIN,
                        help="admin URL of the PostgreSQL server (LOKET_BENCH_POSTGRESQL)")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--duration", type=int, help="seconds per side per round (wrk: whole "
                        "seconds)")
    parser.add_argument("--warmup", type=int, help="seconds of warm-up per side")
    parser.add_argument("--concurrency", type=int, help="connections (default 2 × cores)")
    parser.add_argument("--workers", type=int, default=cores(),
                        help="gunicorn sync workers (default: one per core)")
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument("--dossier-sample", type=int, default=32,
                        help="dossiers the page scenarios cycle through")
    parser.add_argument("--only", help="comma-separated scenario keys")
    parser.add_argument("--memory-requests", type=int,
                        help=f"mixed requests per worker before reading its memory (default "
                             f"{MEMORY_REQUESTS:,} for --full, what the scenarios served for "
                             "--quick)")
    parser.add_argument("--keep", action="store_true", help="keep PostgreSQL databases")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse a database that already holds the size (implies --keep)")
    parser.add_argument("--no-save", action="store_true", help="print only")
    parser.add_argument("--no-pair", action="store_true",
                        help="skip the interleaved scaling measurement (smallest against "
                             "largest PostgreSQL size)")
    args = parser.parse_args(argv)
    quick = not args.full
    args.mode = "quick" if quick else "full"
    # Many short interleaved rounds: on a shared machine the load of the neighbours changes
    # within seconds, and a per-round ratio only compares what ran side by side.
    args.rounds = args.rounds or (4 if quick else 9)  # quick: 15 scenarios in ~3 minutes
    args.duration = args.duration or (1 if quick else 4)
    args.warmup = args.warmup or (1 if quick else 3)
    args.concurrency = args.concurrency or 2 * args.workers
    args.only = set(args.only.split(",")) if args.only else None
    if args.memory_requests is None:
        args.memory_requests = 0 if quick else MEMORY_REQUESTS
    if quick:
        plan = [Phase("sqlite", 10_000)]
    else:
        sizes = [int(x) for x in args.sizes.split(",")] if args.sizes else \
            [10_000, 100_000, 1_000_000]
        plan = [Phase("sqlite", 10_000)] + [Phase("postgresql", n) for n in sizes]
        if args.databases:
            wanted = set(args.databases.split(","))
            plan = [p for p in plan if p.database in wanted]
    args.plan = plan
    return args


def main(argv=None):
    args = parse(argv)
    VAR.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    stamp = started.strftime("%Y%m%d-%H%M%S")
    workdir = VAR / f"run-{stamp}"
    workdir.mkdir(parents=True)
    load = client(args.client, workdir)
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    plan = ", ".join(f"{p.database} {p.dossiers:,}" for p in args.plan)
    say(f"Loket benchmark ({args.mode}): {plan}; "
        f"{args.workers} sync workers, {load.name} at concurrency {args.concurrency}, "
        f"{args.rounds} rounds × {args.duration} s")
    results = {
        "run": {"started": started.isoformat(timespec="seconds"), "mode": args.mode,
                "commit": commit, "dirty": bool(git("status", "--porcelain")),
                "command": " ".join(["python -m bench.run", *(argv or sys.argv[1:])])},
        "machine": machine(),
        "versions": versions(),
        "settings": {"workers": args.workers, "worker_class": "sync",
                     "concurrency": args.concurrency, "rounds": args.rounds,
                     "duration": args.duration, "warmup": args.warmup, "client": load.name,
                     "seed": args.seed, "dossier_sample": args.dossier_sample,
                     "gunicorn": "--paste <ini> --workers N --worker-class sync "
                                 "--no-control-socket --bind 127.0.0.1:<port>"},
        "phases": [],
    }
    made = []  # PostgreSQL databases: (size, url)
    try:
        for phase in args.plan:
            outcome, url = run_phase(phase, args, load, workdir)
            results["phases"].append(outcome)
            if phase.database == "postgresql":
                made.append((phase.dossiers, url))
        results["scaling"] = scaling(results["phases"])
        if len(made) >= 2 and not args.no_pair:
            made.sort()
            results["scaling"]["interleaved"] = run_scaling_pair(made[0], made[-1], args, load,
                                                                 workdir)
    finally:
        if not (args.keep or args.reuse):
            for size, _url in made:
                generate.drop_postgresql_database(args.postgresql, f"loket_bench_{size}")
    results["targets"] = targets_summary(results["phases"], results["scaling"])
    finished = datetime.now(UTC)
    results["run"]["finished"] = finished.isoformat(timespec="seconds")
    results["run"]["seconds"] = round((finished - started).total_seconds(), 1)
    results["machine"]["load_average_at_end"] = os.getloadavg()
    text = report.markdown(results)
    say("\n" + text)
    if not args.no_save:
        RESULTS.mkdir(exist_ok=True)
        name = f"{started:%Y-%m-%d-%H%M}-{commit}{'-quick' if args.mode == 'quick' else ''}"
        report.write_json(results, RESULTS / f"{name}.json")
        say(f"wrote {(RESULTS / f'{name}.json').relative_to(ROOT)}")
        svg = report.scaling_svg(results)
        if svg:
            (RESULTS / f"{name}-scaling.svg").write_text(svg, encoding="utf-8")
            say(f"wrote {(RESULTS / f'{name}-scaling.svg').relative_to(ROOT)}")
    say(f"done in {results['run']['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
