"""Bulk data for the benchmarks, reproducible from a seed.

N dossiers spread over dossier types (two workflows), teams, handlers, dates and applicants;
each with documents (metadata and versions; every version points at one small PDF that is put
in the blob store, so downloads work) and the history entries of a walk through its workflow,
so state, outcome, history, documents and ``modified`` agree with each other and with the
workflow's guard conditions (:data:`loket.workflow.conditions.CONDITIONS`, called on a light
stand-in of the dossier).

PostgreSQL is loaded with ``COPY`` (foreign-key triggers off for the loading session,
sequences set afterwards); SQLite with executemany batches of a plain INSERT on SQLAlchemy's
connection (values pre-converted as SQLAlchemy stores them); any other database with
SQLAlchemy Core ``insert()`` in executemany batches. The database must be migrated
(:func:`migrate`) and hold no dossiers.

    python -m bench.generate sqlite:///bench/var/try.sqlite 10000 --migrate

Tables that later features add get their rows in :meth:`Generator.extra_rows` — the one place
to extend (the outbox is there: one delivered DOSIS push per history entry; advice requests
and letters go there once their tables exist). Columns the generator does not know are filled
with their default or NULL (:func:`completion`).
"""

import argparse
import itertools
import json
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url

from loket.workflow.deadlines import compute_deadline

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEED = 20261122
# "Now" for the generated data: fixed, so that the seed alone reproduces every row.
ANCHOR = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
SPAN = timedelta(days=3 * 365)  # dossiers of the last three years, more of them recently
CHUNK = 10_000  # dossiers per batch
# The tables that grow with the dossiers (PostgreSQL builds their indexes after the load).
BULK_TABLES = ("users", "role_assignments", "dossiers", "documents", "document_versions",
               "dossier_history", "outbox", "dossier_search", "advice_requests",
               "dossier_notes", "note_mentions", "claims")
MAX_STEPS = 24


# ---------------------------------------------------------------------------------------------
# What the municipality looks like


@dataclass(frozen=True)
class TeamSpec:
    code: str
    name: str
    handlers: int


TEAMS = (
    TeamSpec("sociale-dienst", "Sociale dienst", 8),
    TeamSpec("welzijn", "Welzijn en gezin", 4),
    TeamSpec("omgeving", "Omgeving en energie", 5),
    TeamSpec("openbaar-domein", "Openbaar domein", 6),
    TeamSpec("vrije-tijd", "Vrije tijd en evenementen", 3),
    TeamSpec("lokale-economie", "Lokale economie", 3),
)

GLOBAL_STAFF = (("secretariat", 3), ("signatory", 2), ("finance", 2), ("admin", 1))


@dataclass(frozen=True)
class TypeSpec:
    code: str
    workflow: str
    team: str
    weight: int
    body: str  # college | vast_bureau | official
    payment: str  # loket_pays | citizen_pays | none
    title: tuple[str, str]
    documents: tuple[tuple[str, str, str], ...]  # required documents: code, nl, en
    data: str  # which answers (see Generator.answers)


TYPES = (
    TypeSpec("verwarmingstoelage", "sociale-premie", "sociale-dienst", 20, "official",
             "loket_pays", ("Verwarmingstoelage", "Heating allowance"),
             (("factuur", "Factuur brandstof", "Fuel invoice"),), "fuel"),
    TypeSpec("mantelzorgpremie", "sociale-premie", "sociale-dienst", 15, "vast_bureau",
             "loket_pays", ("Mantelzorgpremie", "Carer's premium"),
             (("attest", "Attest zorgbehoevendheid", "Care needs certificate"),), "care"),
    TypeSpec("geboortepremie", "sociale-premie", "welzijn", 10, "college", "loket_pays",
             ("Geboortepremie", "Birth premium"),
             (("geboorteakte", "Geboorteakte", "Birth certificate"),), "birth"),
    TypeSpec("energiepremie", "sociale-premie", "omgeving", 15, "college", "loket_pays",
             ("Energiepremie", "Energy premium"),
             (("factuur", "Factuur werken", "Invoice for the works"),
              ("epc", "Energieprestatiecertificaat", "Energy performance certificate")),
             "energy"),
    TypeSpec("inname-openbaar-domein", "vergunning", "openbaar-domein", 20, "official",
             "citizen_pays", ("Inname openbaar domein", "Use of public space"),
             (("situatieschets", "Situatieschets", "Site sketch"),), "space"),
    TypeSpec("evenementenvergunning", "vergunning", "vrije-tijd", 10, "college", "none",
             ("Evenementenvergunning", "Event permit"),
             (("draaiboek", "Draaiboek", "Event plan"),), "event"),
    TypeSpec("terrasvergunning", "vergunning", "lokale-economie", 10, "college",
             "citizen_pays", ("Terrasvergunning", "Terrace permit"),
             (("inplantingsplan", "Inplantingsplan", "Layout plan"),), "terrace"),
)

DEADLINES = {
    "sociale-premie": [
        {"code": "ontvankelijkheid", "title": {"nl": "Ontvankelijkheid", "en": "Admissibility"},
         "days": 30, "start_state": "ingediend", "stop_states": ["ontvankelijk", "onontvankelijk"]},
        {"code": "beslissing", "title": {"nl": "Beslissing", "en": "Decision"}, "days": 60,
         "start_state": "ontvankelijk", "stop_states": ["goedgekeurd", "geweigerd"]},
    ],
    "vergunning": [
        {"code": "beslissing", "title": {"nl": "Beslissing", "en": "Decision"}, "days": 45,
         "start_state": "ingediend", "stop_states": ["goedgekeurd", "geweigerd"]},
    ],
}

# Relative weights of the transitions out of a state: the common path weighs about 1, detours
# and refusals less. A state whose available transitions weigh less than 1 in total may also
# stay as it is (a concept nobody submits, say).
WEIGHTS = {
    "indienen": 1.0, "vervollediging_vragen": 0.08, "vervolledigen": 0.9,
    "ontvankelijk_verklaren": 0.88, "onontvankelijk_verklaren": 0.03,
    "behandeling_starten": 1.0, "klaar_voor_beslissing": 1.0, "terug_naar_behandeling": 0.03,
    "agenderen": 1.0, "goedkeuren": 0.85, "weigeren": 0.15, "goedkeuren_gedelegeerd": 0.85,
    "weigeren_gedelegeerd": 0.15, "beslissing_verzenden": 1.0, "betaling_voorbereiden": 1.0,
    "retributie_aanrekenen": 1.0, "betaald_melden": 1.0, "afsluiten": 1.0,
    "stopzetten": 0.005,
}
# Mean days a step takes to happen.
DELAYS = {"indienen": 1.5, "vervolledigen": 6, "agenderen": 5, "goedkeuren": 7, "weigeren": 7,
          "betaald_melden": 12, "afsluiten": 20}
DEFAULT_DELAY = 5.0
# Guard conditions that read only the type's definition (decided once per type).
STATIC_CONDITIONS = {"decided_by_body", "decided_by_official", "loket_pays", "citizen_pays"}
# Guard conditions that read other tables: met by construction (a dossier that moved on had
# its advice, its payment order or claim paid; open advice requests are only generated for
# dossiers still in handling).
MET_CONDITIONS = {"all_advice_received", "payment_order_paid", "claim_paid"}
DECISIONS = {"goedkeuren", "weigeren", "goedkeuren_gedelegeerd", "weigeren_gedelegeerd"}
COMMENTS = ("Graag een recente factuur toevoegen.", "Het attest ontbreekt.",
            "Niet woonachtig in de gemeente op de datum van de aanvraag.",
            "Aanvraag na de termijn ingediend.", "Advies van de politie is negatief.",
            "Bijkomende gegevens ontvangen; opnieuw te bekijken.", "Inkomen boven de grens.")
GIVEN = ("Jan", "Sofie", "Lotte", "Pieter", "An", "Tom", "Els", "Koen", "Marie", "Wim", "Lien",
         "Bart", "Nele", "Dirk", "Ines", "Joris", "Hanne", "Stijn", "Fien", "Ruben", "Amira",
         "Youssef", "Noor", "Mehmet", "Olga")
FAMILY = ("Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens",
          "Wouters", "De Smet", "Dubois", "Hermans", "Aerts", "Lambrechts", "Vermeulen",
          "Van den Broeck", "De Clercq", "Michiels", "Verhoeven", "Coppens", "El Amrani",
          "Yilmaz", "Nowak")
STREETS = ("Kerkstraat", "Stationsstraat", "Dorpsstraat", "Molenstraat", "Schoolstraat",
           "Nieuwstraat", "Heidebaan", "Kapelstraat", "Beekstraat", "Markt")


# ---------------------------------------------------------------------------------------------
# Databases


def scratch_database(name: str, database: str | None = None) -> tuple[Path, str]:
    """A fresh working directory and the URL of the database to run in: ``database`` (migrated
    and empty, the caller's) or a new, migrated SQLite file in the directory."""
    import tempfile

    work = Path(tempfile.mkdtemp(prefix=f"loket-bench-{name}-"))
    url = database or f"sqlite:///{work / name}.sqlite"
    if not database:
        migrate(url)
    return work, url


def migrate(url: str):
    """Bring the database at ``url`` to the newest revision (as tests/conftest.py does)."""
    from alembic import command
    from alembic.config import Config

    from loket.db import get_engine

    config = Config(str(ROOT / "development.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    engine = get_engine({"sqlalchemy.url": url})
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    engine.dispose()


def create_postgresql_database(admin_url: str, name: str) -> str:
    """A fresh database ``name`` (dropped first when it exists); returns its URL."""
    from sqlalchemy import create_engine

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_postgresql_database(admin_url: str, name: str):
    from sqlalchemy import create_engine

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def completion(table, columns, json_as_text: bool) -> tuple:
    """Values for the table's columns the generator does not fill: their scalar or callable
    default, else NULL when nullable. A column added by a later migration then needs no change
    here — unless it is required and has no default, which is said plainly."""
    values = []
    for column in table.columns:
        if column.name in columns or column.server_default is not None:
            continue  # filled by us, or by the database
        default = column.default
        if default is not None and getattr(default, "is_scalar", False):
            value = default.arg
        elif default is not None and getattr(default, "is_callable", False):
            value = default.arg(None)
        elif column.nullable:
            value = None
        else:
            raise SystemExit(f"bench.generate does not fill {table.name}.{column.name} "
                             "(required, no default): add it to the generator")
        if json_as_text and value is not None and column.type.__class__.__name__ == "JSON":
            value = json.dumps(value)
        values.append((column.name, value))
    return tuple(values)


class CoreWriter:
    """executemany batches of SQLAlchemy Core ``insert()`` (any other database)."""

    json_as_text = False

    def __init__(self, connection):
        self.connection = connection
        self.completions = {}

    def write(self, table, columns, rows):
        if not rows:
            return
        key = (table.name, columns)
        if key not in self.completions:
            self.completions[key] = dict(completion(table, columns, False))
        extra = self.completions[key]
        self.connection.execute(insert(table), [{**dict(zip(columns, r, strict=True)), **extra}
                                                for r in rows])

    def set_aside_indexes(self, tables):
        pass  # SQLite at these sizes loads fast enough with its indexes

    def finish(self, tables):
        self.connection.exec_driver_sql("ANALYZE")


class CopyWriter:
    """``COPY … FROM STDIN`` through psycopg 3 (PostgreSQL)."""

    json_as_text = True

    def __init__(self, connection):
        self.connection = connection
        self.raw = connection.connection.driver_connection
        self.completions = {}
        self.constraints, self.indexes = [], []
        with self.raw.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
            try:  # the rows are consistent by construction: skip the per-row FK triggers
                cursor.execute("SET session_replication_role = replica")
            except Exception:  # not a superuser: keep the triggers, it is only slower
                self.raw.rollback()

    def set_aside_indexes(self, tables):
        """Drop the secondary indexes and unique constraints of ``tables`` (primary keys stay);
        :meth:`finish` makes them again from their saved definitions, with the same names.
        Building an index once is much faster than keeping it up to date row by row."""
        names = [t.name for t in tables]
        with self.raw.cursor() as cursor:
            cursor.execute(
                "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
                "FROM pg_constraint c WHERE c.contype = 'u' "
                "AND c.conrelid = ANY(%s::regclass[]) ORDER BY 1, 2", (names,))
            self.constraints = cursor.fetchall()
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                "FROM pg_index i WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid "
                "AND c.contype IN ('p', 'u', 'x')) ORDER BY 1", (names,))
            self.indexes = cursor.fetchall()
            for table, name, _definition in self.constraints:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _definition in self.indexes:
                cursor.execute(f"DROP INDEX {name}")
        self.raw.commit()

    def restore_indexes(self):
        with self.raw.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for table, name, definition in self.constraints:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            for _name, definition in self.indexes:
                cursor.execute(definition)
        self.raw.commit()
        self.constraints = self.indexes = []

    def write(self, table, columns, rows):
        if not rows:
            return
        key = (table.name, columns)
        if key not in self.completions:
            self.completions[key] = completion(table, columns, True)
        extra = self.completions[key]
        names = [*columns, *(name for name, _ in extra)]
        values = tuple(value for _, value in extra)
        with self.raw.cursor() as cursor, cursor.copy(
            f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
        ) as copy:
            if values:
                for row in rows:
                    copy.write_row(row + values)
            else:
                for row in rows:
                    copy.write_row(row)

    def finish(self, tables):
        with self.raw.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
            for table in tables:
                if "id" in table.c:  # no sequence (a text key): setval(NULL, …) is NULL
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT coalesce(max(id), 0) + 1 FROM {table.name}), false)")
            self.raw.commit()
            self.restore_indexes()
            self.raw.autocommit = True
            cursor.execute("VACUUM ANALYZE")
            self.raw.autocommit = False


class SqliteWriter:
    """SQLite: executemany of a plain INSERT through SQLAlchemy's connection, with the values
    already in the form SQLAlchemy stores (naive UTC datetimes as text, JSON as text), which
    spares its per-value type processing."""

    json_as_text = True

    def __init__(self, connection):
        self.connection = connection
        self.plans = {}
        connection.exec_driver_sql("PRAGMA synchronous=OFF")

    def plan(self, table, columns):
        from sqlalchemy import Date, DateTime, Time

        extra = completion(table, columns, True)
        names = [*columns, *(name for name, _ in extra)]

        def kind(name):
            column_type = table.c[name].type
            column_type = getattr(column_type, "impl", column_type)
            for sql_type, label in ((DateTime, "datetime"), (Date, "date"), (Time, "time")):
                if isinstance(column_type, sql_type):
                    return label
            return None

        kinds = [(i, kind(name)) for i, name in enumerate(names) if kind(name)]
        sql = (f"INSERT INTO {table.name} ({', '.join(names)}) "
               f"VALUES ({', '.join('?' * len(names))})")
        return sql, tuple(value for _, value in extra), kinds

    def write(self, table, columns, rows):
        if not rows:
            return
        key = (table.name, columns)
        if key not in self.plans:
            self.plans[key] = self.plan(table, columns)
        sql, extra, kinds = self.plans[key]
        converted = []
        for row in rows:
            row = list(row + extra if extra else row)
            for i, kind in kinds:
                value = row[i]
                if value is not None:
                    row[i] = (f"{value.astimezone(UTC):%Y-%m-%d %H:%M:%S.%f}"
                              if kind == "datetime" else f"{value:%H:%M:%S.%f}"
                              if kind == "time" else value.isoformat())
            converted.append(tuple(row))
        self.connection.exec_driver_sql(sql, converted)

    def set_aside_indexes(self, tables):
        pass  # SQLite at these sizes loads fast enough with its indexes

    def finish(self, tables):
        self.connection.exec_driver_sql("ANALYZE")


def writer_for(connection):
    dialect = connection.dialect.name
    if dialect == "postgresql":
        return CopyWriter(connection)
    return SqliteWriter(connection) if dialect == "sqlite" else CoreWriter(connection)


# ---------------------------------------------------------------------------------------------
# The generator


class _StandIn(SimpleNamespace):
    """Enough of a dossier for the workflow's guard conditions."""


class Generator:
    def __init__(self, n: int, seed: int = DEFAULT_SEED, anchor: datetime = ANCHOR,
                 json_as_text: bool = False, tables=()):
        from loket.workflow.conditions import BUILT_IN
        from loket.workflow.definition import workflows

        self.n = n
        self.seed = seed
        self.anchor = anchor
        self.rng = random.Random(seed)
        self.json_as_text = json_as_text
        self.json = json.dumps if json_as_text else (lambda value: value)
        self.workflows = workflows()
        self.suspending = {name: {s.name for s in w.states.values() if s.suspends_deadlines}
                           for name, w in self.workflows.items()}
        self.conditions = BUILT_IN
        self.ids = {"dossier": 0, "document": 0, "version": 0, "history": 0, "outbox": 0,
                    "advice": 0, "note": 0, "mention": 0, "claim": 0}
        self.tables = tables
        self.counters: dict[int, int] = {}
        # Transitions out of each state, with their weights, per workflow.
        for spec in TYPES:
            if spec.workflow not in self.workflows:
                raise SystemExit(f"unknown workflow {spec.workflow!r} for {spec.code}")
        self.citizens = max(20, n // 3)

    # -- the fixed part: teams, staff, citizens, dossier types ---------------------------------

    def reference_rows(self, blob_sha256: str, blob_size: int):
        from loket.security import Role

        rng = self.rng
        start = self.anchor - SPAN - timedelta(days=30)
        self.blob = (blob_sha256, blob_size)
        teams = [(i, t.code, t.name, self.json({"nl": t.name}))
                 for i, t in enumerate(TEAMS, start=1)]
        self.team_ids = {t.code: i for i, t in enumerate(TEAMS, start=1)}
        users, roles = [], []
        user_id = role_id = 0
        self.handlers: dict[int, list[int]] = {}
        self.global_staff: dict[str, list[int]] = {}

        def staff(role, team_id=None):
            nonlocal user_id, role_id
            user_id += 1
            role_id += 1
            users.append((user_id, f"bench-staff-{user_id}", "staff", rng.choice(GIVEN),
                          rng.choice(FAMILY), f"medewerker{user_id}@heidebeek.be", None, start,
                          None))
            roles.append((role_id, user_id, role, team_id))
            return user_id

        for spec in TEAMS:
            team_id = self.team_ids[spec.code]
            self.handlers[team_id] = [staff(Role.HANDLER.value, team_id)
                                      for _ in range(spec.handlers)]
        for role, count in GLOBAL_STAFF:
            self.global_staff[role] = [staff(role) for _ in range(count)]
        self.first_citizen = user_id + 1
        self.citizen_names = []  # for the search rows: index = user id - first_citizen
        for i in range(self.citizens):
            user_id += 1
            role_id += 1
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            self.citizen_names.append(f"{given} {family}")
            users.append((user_id, f"bench-citizen-{i + 1}", "citizen", given, family,
                          f"burger{i + 1}@example.be" if rng.random() < 0.6 else None,
                          rrn(i), start, None))
            roles.append((role_id, user_id, Role.CITIZEN.value, None))

        types, versions = [], []
        self.types = []
        weights = []
        for i, spec in enumerate(TYPES, start=1):
            types.append((i, spec.code, start))
            definition = {
                "title": {"nl": spec.title[0], "en": spec.title[1]},
                "team": spec.team,
                "workflow": spec.workflow,
                "documents": [
                    {"code": code, "title": {"nl": nl, "en": en}, "required": True,
                     "media_types": ["application/pdf", "image/jpeg", "image/png"],
                     "max_size_mb": 10}
                    for code, nl, en in spec.documents
                ],
                "decision": {"body": spec.body},
                "amount": {"direction": spec.payment,
                           "rule": {"type": "fixed", "amount": "150.00"}
                           if spec.payment != "none" else {"type": "none"}},
                "deadlines": DEADLINES[spec.workflow],
            }
            versions.append((i, i, 1, "published", start.date(), None, self.json(definition),
                             start, start, None))
            type_version = SimpleNamespace(definition=definition, workflow=spec.workflow)
            self.types.append((i, spec, type_version, self.steps(spec, type_version)))
            weights.append(spec.weight)
        self.type_weights = list(itertools.accumulate(weights))
        municipality = {}
        if "municipality" in self.tables:  # an installation whose identity was filled in
            from loket.demo import HEIDEBEEK

            identity = {**HEIDEBEEK, "id": 1, "kbo_municipality": "0207123407",
                        "modified": start}
            municipality = {"municipality": (tuple(identity), [tuple(identity.values())])}
        return {
            **municipality,
            "teams": (("id", "code", "name", "title"), teams),
            "users": (("id", "subject", "kind", "given_name", "family_name", "email", "rrn",
                       "created", "last_login"), users),
            "role_assignments": (("id", "user_id", "role", "team_id"), roles),
            "dossier_types": (("id", "code", "created"), types),
            "dossier_type_versions": (("id", "type_id", "number", "status", "valid_from",
                                       "valid_until", "definition", "created", "published",
                                       "published_by_id"), versions),
        }

    def steps(self, spec: TypeSpec, type_version) -> dict:
        """Per state, the transitions out of it for this type: (transition, weight, the
        conditions that depend on the dossier, sorted roles, mean delay). Conditions that only
        read the type's definition are decided here, once."""
        workflow = self.workflows[spec.workflow]
        bare = _StandIn(type_version=type_version, state=None, outcome=None, documents=[])
        table = {}
        for state in workflow.states:
            options = []
            for t in workflow.transitions_from(state):
                dynamic = []
                for name in t.conditions:
                    if name in MET_CONDITIONS:
                        continue
                    if name in STATIC_CONDITIONS:
                        if self.conditions[name](bare) is not None:
                            break
                    else:
                        dynamic.append(self.conditions[name])
                else:
                    options.append((t, WEIGHTS.get(t.name, 0.5), tuple(dynamic),
                                    sorted(t.roles), DELAYS.get(t.name, DEFAULT_DELAY),
                                    workflow.states[t.target]))
            table[state] = options
        return table

    # -- dossiers ------------------------------------------------------------------------------

    DOSSIER_COLUMNS = ("id", "reference", "type_version_id", "title", "state", "outcome",
                       "applicant_id", "team_id", "handler_id", "data", "created", "modified",
                       "version", "submitted", "due")
    DOCUMENT_COLUMNS = ("id", "dossier_id", "number", "title", "document_type", "direction",
                        "created", "created_by_id")
    VERSION_COLUMNS = ("id", "document_id", "version", "filename", "media_type", "size",
                       "sha256", "created", "created_by_id")
    HISTORY_COLUMNS = ("id", "dossier_id", "occurred", "actor_id", "transition", "from_state",
                       "to_state", "comment")

    def creation_times(self):
        """N creation moments in time order, denser towards the anchor (uptake grows)."""
        start = self.anchor - SPAN
        seconds = SPAN.total_seconds()
        for u in sorted(self.rng.random() for _ in range(self.n)):
            yield start + timedelta(seconds=seconds * u ** 0.5)

    def chunks(self, size: int = CHUNK):
        """Rows per batch: {table: (columns, rows)} for ``size`` dossiers at a time."""
        batch = self._empty_batch()
        for count, created in enumerate(self.creation_times(), start=1):
            self.dossier(created, batch)
            if count % size == 0:
                yield batch
                batch = self._empty_batch()
        if batch["dossiers"][1]:
            yield batch

    def _empty_batch(self):
        return {"dossiers": (self.DOSSIER_COLUMNS, []),
                "documents": (self.DOCUMENT_COLUMNS, []),
                "document_versions": (self.VERSION_COLUMNS, []),
                "dossier_history": (self.HISTORY_COLUMNS, []),
                **self.extra_tables()}

    # Tables that later features add (the outbox today; advice requests, letters … later):
    # name them in extra_tables() as ``{table: (columns, [])}`` and append each dossier's rows
    # in extra_rows(), which sees the dossier's reference and history entries.

    OUTBOX_COLUMNS = ("id", "kind", "payload", "ordering_key", "dossier_id",
                      "idempotency_key", "status", "attempts", "next_attempt", "claimed_at",
                      "claimed_by", "last_error", "created", "delivered")

    WORKLIST_TABLES = {
        "dossier_search": ("dossier_id", "body"),
        "advice_requests": ("id", "dossier_id", "number", "channel", "team_id", "question",
                            "shared", "due", "status", "requested"),
        "dossier_notes": ("id", "dossier_id", "author_id", "body", "created"),
        "note_mentions": ("id", "note_id", "dossier_id", "user_id", "seen"),
    }

    CLAIM_COLUMNS = ("id", "dossier_id", "amount", "due", "reference", "status", "received",
                     "paid_on", "created", "created_by_id", "version")

    def extra_tables(self) -> dict:
        tables = {}
        if "outbox" in self.tables:
            tables["outbox"] = (self.OUTBOX_COLUMNS, [])
        if "claims" in self.tables:
            tables["claims"] = (self.CLAIM_COLUMNS, [])
        for name, columns in self.WORKLIST_TABLES.items():
            if name in self.tables:
                tables[name] = (columns, [])
        return tables

    def worklist_rows(self, dossier, batch: dict):
        """What the worklists read: each dossier's search text; an open advice request on a
        third of the dossiers in handling; a note mentioning a colleague on 2 % of the open
        ones (not yet seen on half of those)."""
        rng = self.rng
        if "dossier_search" in batch:
            text = " ".join(v for v in dossier.answers.values() if isinstance(v, str))
            name = self.citizen_names[dossier.applicant_id - self.first_citizen]
            batch["dossier_search"][1].append(
                (dossier.id, f"{dossier.reference} {dossier.title} {name} {text}"))
        if "advice_requests" in batch and dossier.state.name == "in_behandeling" \
                and rng.random() < 0.33:
            self.ids["advice"] += 1
            other = rng.choice([t for t in self.team_ids.values() if t != dossier.team_id])
            batch["advice_requests"][1].append((
                self.ids["advice"], dossier.id, 1, "internal", other, "Graag uw advies.",
                self.json({"fields": [], "documents": []}),
                (dossier.moment + timedelta(days=21)).date(), "requested", dossier.moment))
        if "note_mentions" in batch and not dossier.state.final and rng.random() < 0.02:
            colleagues = self.handlers[dossier.team_id]
            author, mentioned = rng.choice(colleagues), rng.choice(colleagues)
            self.ids["note"] += 1
            self.ids["mention"] += 1
            batch["dossier_notes"][1].append((self.ids["note"], dossier.id, author,
                                              "Kan jij dit even bekijken?", dossier.moment))
            batch["note_mentions"][1].append((self.ids["mention"], self.ids["note"], dossier.id,
                                              mentioned, rng.random() < 0.5))

    def extra_rows(self, dossier_id: int, reference: str, history: list, batch: dict):
        """The outbox: every step was pushed to DOSIS (the Flemish status register); all
        delivered a few seconds later, except what happened in the last hour."""
        if "outbox" not in batch:
            return
        rng = self.rng
        rows = batch["outbox"][1]
        recent = self.anchor - timedelta(hours=1)
        for entry in history:
            occurred = entry[2]
            self.ids["outbox"] += 1
            # Names and references are plain ASCII: no JSON encoder needed for them.
            payload = (f'{{"dossier": "{reference}", "transition": "{entry[4]}", '
                       f'"state": "{entry[6]}"}}')
            if not self.json_as_text:
                payload = json.loads(payload)
            key = f"{rng.getrandbits(128):032x}"
            if occurred < recent:
                delivered = occurred + timedelta(seconds=1 + 89 * rng.random())
                rows.append((self.ids["outbox"], "dosis.push", payload,
                             f"dossier:{dossier_id}", dossier_id, key, "delivered", 1, occurred,
                             delivered, "worker-1", "", occurred, delivered))
            else:
                rows.append((self.ids["outbox"], "dosis.push", payload,
                             f"dossier:{dossier_id}", dossier_id, key, "pending", 0, occurred,
                             None, None, "", occurred, None))

    def answers(self, kind: str) -> dict:
        rng = self.rng
        if kind == "fuel":
            return {"brandstof": rng.choice(("stookolie", "verwarmingspetroleum", "propaan")),
                    "liters": rng.randrange(500, 3000, 50),
                    "factuurbedrag": f"{rng.randrange(400, 3000)},{rng.randrange(100):02d}"}
        if kind == "care":
            return {"zorgbehoevende": f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
                    "relatie": rng.choice(("moeder", "vader", "partner", "kind", "buur"))}
        if kind == "birth":
            return {"kind": rng.choice(GIVEN), "geboortedatum":
                    (self.anchor - timedelta(days=rng.randrange(10, 900))).date().isoformat()}
        if kind == "energy":
            return {"werken": rng.choice(("dakisolatie", "warmtepomp", "zonneboiler",
                                          "hoogrendementsbeglazing")),
                    "factuurbedrag": f"{rng.randrange(1000, 25000)},00"}
        address = f"{rng.choice(STREETS)} {rng.randrange(1, 200)}"
        if kind == "event":
            return {"evenement": rng.choice(("buurtfeest", "rommelmarkt", "wielerwedstrijd",
                                             "concert")), "adres": address,
                    "bezoekers": rng.randrange(50, 5000, 50)}
        if kind == "terrace":
            return {"adres": address, "oppervlakte_m2": rng.randrange(6, 80)}
        return {"adres": address, "reden": rng.choice(("container", "verhuislift", "stelling",
                                                       "werfkeet")),
                "dagen": rng.randrange(1, 30)}

    def dossier(self, created: datetime, batch):
        rng = self.rng
        self.ids["dossier"] += 1
        dossier_id = self.ids["dossier"]
        year = created.year
        self.counters[year] = self.counters.get(year, 0) + 1
        reference = f"{year}-{self.counters[year]:06d}"
        type_id, spec, type_version, steps = rng.choices(
            self.types, cum_weights=self.type_weights)[0]
        workflow = self.workflows[spec.workflow]
        team_id = self.team_ids[spec.team]
        # A few citizens apply often (families, the self-employed), most once or twice.
        applicant_id = self.first_citizen + int(self.citizens * rng.random() ** 1.4)
        handler_id = None
        documents = []  # (number, title, type, direction, created, by, versions)

        def add_document(moment, code, title, direction, by):
            documents.append([len(documents) + 1, title, code, direction, moment, by])
            stand_in.documents.append(SimpleNamespace(document_type=code, direction=direction))

        stand_in = _StandIn(type_version=type_version, state=workflow.initial, outcome=None,
                             documents=[])
        moment = created
        # The required documents with the application (a few forget one), and attachments.
        for i, (code, nl, _en) in enumerate(spec.documents):
            if i == 0 and rng.random() < 0.05:
                continue
            add_document(created + timedelta(minutes=1 + 29 * rng.random()), code, nl, "in",
                         applicant_id)
        for _ in range(rng.choice((0, 0, 1, 1, 1, 2, 3))):
            add_document(created + timedelta(minutes=1 + 59 * rng.random()), "bijlage",
                         rng.choice(("Bijlage", "Foto", "Identiteitsbewijs", "Rekeninguittreksel",
                                     "Volmacht")), "in", applicant_id)

        history = []
        anchor = self.anchor
        for _ in range(MAX_STEPS):
            options, total = [], 0.0
            for option in steps[stand_in.state]:
                if all(condition(stand_in) is None for condition in option[2]):
                    options.append(option)
                    total += option[1]
            if not options:
                break
            pick = rng.random() * max(1.0, total)
            if pick >= total:
                break  # stays where it is
            for option in options:
                pick -= option[1]
                if pick < 0:
                    break
            transition, _weight, _dynamic, roles, mean, target = option
            when = moment + timedelta(days=rng.expovariate(1 / mean),
                                      minutes=5 + 595 * rng.random())
            if when >= anchor:
                break  # not yet
            moment = when
            if handler_id is None and ("handler" in transition.roles or
                                       stand_in.state != workflow.initial):
                handler_id = rng.choice(self.handlers[team_id])
            role = rng.choice(roles)
            actor = {"applicant": applicant_id, "handler": handler_id, "system": None}.get(role)
            if role in self.global_staff:
                actor = rng.choice(self.global_staff[role])
            if transition.name == "vervolledigen":
                add_document(moment - timedelta(minutes=3), "bijlage", "Aanvulling", "in",
                             applicant_id)
            if transition.name in DECISIONS:
                add_document(moment + timedelta(minutes=2), "besluit", "Besluit", "out",
                             actor or handler_id)
            comment = rng.choice(COMMENTS) if transition.comment_required else ""
            self.ids["history"] += 1
            history.append((self.ids["history"], dossier_id, moment, actor, transition.name,
                            stand_in.state, target.name, comment))
            stand_in.state = target.name
            if target.outcome:
                stand_in.outcome = target.outcome
            if target.final:
                break

        # A tenth of the documents got a second version a few days later.
        last = moment
        doc_rows, version_rows = batch["documents"][1], batch["document_versions"][1]
        sha256, size = self.blob
        for number, title, code, direction, when, by in documents:
            self.ids["document"] += 1
            document_id = self.ids["document"]
            doc_rows.append((document_id, dossier_id, number, title, code, direction, when, by))
            second = when + timedelta(days=3)
            versions = 2 if rng.random() < 0.1 and second < self.anchor else 1
            for version in range(1, versions + 1):
                at = when if version == 1 else second
                last = max(last, at)
                self.ids["version"] += 1
                version_rows.append((self.ids["version"], document_id, version,
                                     f"{code}-{version}.pdf", "application/pdf", size, sha256,
                                     at, by))
        batch["dossier_history"][1].extend(history)

        # The worklists: half the dossiers waiting for admissibility are nobody's yet; the
        # submission time and the running deadline follow from the history.
        state = workflow.states[stand_in.state]
        if stand_in.state == "ingediend" and rng.random() < 0.5:
            handler_id = None
        submitted = next((h[2] for h in history if h[5] == workflow.initial), None)
        due = None
        if not state.final:
            pairs = [(h[2], h[6]) for h in history]
            suspending = self.suspending[spec.workflow]
            running = [d.due for d in (compute_deadline(declaration, pairs, suspending,
                                                        self.anchor)
                                       for declaration in DEADLINES[spec.workflow])
                       if d.due is not None and d.stopped is None]
            due = min(running, default=None)
        answers = self.answers(spec.data)
        batch["dossiers"][1].append((
            dossier_id, reference, type_id, spec.title[0],
            stand_in.state, stand_in.outcome, applicant_id, team_id, handler_id,
            self.json(answers), created, min(max(last, created), self.anchor),
            1 + len(history), submitted, due,
        ))
        worklist = SimpleNamespace(id=dossier_id, reference=reference, title=spec.title[0],
                                   applicant_id=applicant_id, team_id=team_id, state=state,
                                   answers=answers, moment=moment, handler_id=handler_id)
        self.extra_rows(dossier_id, reference, history, batch)
        self.claim_rows(dossier_id, history, batch)
        self.worklist_rows(worklist, batch)

    def claim_rows(self, dossier_id: int, history: list, batch: dict):
        """The fee of a dossier that was charged one (``retributie_aanrekenen``): paid when
        the payment was confirmed, else open, due 30 days after. The amount follows from the
        id (no draw from the seed's stream: the other tables stay as they were)."""
        if "claims" not in batch:
            return
        from loket.claims.reference import for_number

        charged = next((h for h in history if h[4] == "retributie_aanrekenen"), None)
        if charged is None:
            return
        paid = next((h[2] for h in history if h[4] == "betaald_melden"), None)
        self.ids["claim"] += 1
        amount = f"{50 + 25 * (dossier_id % 12)}.00"
        batch["claims"][1].append((
            self.ids["claim"], dossier_id, amount, (charged[2] + timedelta(days=30)).date(),
            for_number(self.ids["claim"]), "paid" if paid else "open",
            amount if paid else "0.00", paid.date() if paid else None, charged[2], charged[3],
            1))


def rrn(i: int) -> str:
    """A well-formed, unique national register number for citizen ``i`` (born 1940–1994)."""
    born = datetime(1940, 1, 1) + timedelta(days=i % 20000)
    counter = (i // 20000) * 2 + 1
    if counter > 997:
        raise ValueError("too many citizens for unique national register numbers")
    base = f"{born:%y%m%d}{counter:03d}"
    return f"{base}{97 - int(base) % 97:02d}"


# ---------------------------------------------------------------------------------------------
# Loading


def generate(url: str, n: int, seed: int = DEFAULT_SEED, blob_dir: str | None = None,
             anchor: datetime = ANCHOR, chunk: int = CHUNK, echo=print) -> dict:
    """Fill the migrated, empty database at ``url`` with ``n`` dossiers; return row counts
    and timings."""
    from loket.db import get_engine
    from loket.demo import demo_pdf
    from loket.documents.blobstore import BlobStore
    from loket.models import metadata

    blob = demo_pdf("Bijlage (benchmark)")
    blob_sha256 = BlobStore(blob_dir).put(blob) if blob_dir else \
        __import__("hashlib").sha256(blob).hexdigest()
    engine = get_engine({"sqlalchemy.url": url})
    tables = metadata.tables
    counts: dict[str, int] = {}
    started = time.perf_counter()
    try:
        with engine.connect() as connection:
            existing = connection.execute(select(func.count()).select_from(
                tables["dossiers"])).scalar_one()
            if existing:
                raise SystemExit(f"{url} already holds {existing} dossiers")
            writer = writer_for(connection)
            generator = Generator(n, seed, anchor, json_as_text=writer.json_as_text,
                                  tables=set(tables))
            writer.set_aside_indexes([tables[name] for name in BULK_TABLES if name in tables])
            for name, (columns, rows) in generator.reference_rows(blob_sha256, len(blob)).items():
                writer.write(tables[name], columns, rows)
                counts[name] = counts.get(name, 0) + len(rows)
            connection.commit()
            done = 0
            for batch in generator.chunks(chunk):
                for name, (columns, rows) in batch.items():
                    writer.write(tables[name], columns, rows)
                    counts[name] = counts.get(name, 0) + len(rows)
                connection.commit()
                done += len(batch["dossiers"][1])
                if done % (chunk * 10) == 0 or done == n:
                    elapsed = time.perf_counter() - started
                    echo(f"  {done:>9,} dossiers  {sum(counts.values()):>11,} rows  "
                         f"{elapsed:6.1f} s  {sum(counts.values()) / elapsed:>9,.0f} rows/s")
            counters = tables["reference_counters"]
            connection.execute(insert(counters), [
                {"year": year, "last": last} for year, last in sorted(generator.counters.items())])
            counts["reference_counters"] = len(generator.counters)
            connection.commit()
            loaded = time.perf_counter() - started
            writer.finish([tables[name] for name in counts])
            connection.commit()
    finally:
        engine.dispose()
    total = time.perf_counter() - started
    rows = sum(counts.values())
    echo(f"  loaded {rows:,} rows in {loaded:.1f} s ({rows / loaded:,.0f} rows/s); "
         f"indexes and statistics {total - loaded:.1f} s")
    return {"dossiers": n, "seed": seed, "anchor": anchor.isoformat(), "rows": counts,
            "load_seconds": round(loaded, 2), "total_seconds": round(total, 2),
            "rows_per_second": round(rows / loaded)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="SQLAlchemy URL of the database")
    parser.add_argument("dossiers", type=int)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--blob-dir", help="blob store to put the shared PDF in")
    parser.add_argument("--migrate", action="store_true", help="run the migrations first")
    args = parser.parse_args(argv)
    if args.migrate:
        if args.url.startswith("sqlite:///"):
            Path(args.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        migrate(args.url)
    result = generate(args.url, args.dossiers, args.seed, args.blob_dir)
    json.dump(result, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
