"""SQL statements per page: a fixed budget, whatever the number of rows on the page or in the
database. Each page is asked twice — once with a few rows, once with many — and must cost the
same number of statements both times, within its budget: a query per row (N+1) fails here.

Not a timing: the benchmarks (``make bench``) measure time. Before the counted request the
test's session forgets every object (``expunge_all``), so the request loads what it needs
from the database as it would in production, instead of finding the factories' objects in
the identity map.
"""

import contextlib
from datetime import timedelta

import pytest
from sqlalchemy import event

from loket.admissibility.services import AUDIT_ACTION
from loket.advice.models import AdviceRequest
from loket.checks.models import PASSED, CheckResult
from loket.db import utcnow
from loket.documents.models import DocumentVersion
from loket.dossiers.events import record_event
from loket.notes.models import DossierNote, NoteMention
from loket.outbox import enqueue
from loket.security import Role
from loket.workflow.models import HistoryEntry

# Statements per request, at most: what each page costs today (the handler's view where it
# differs). Raise a budget on purpose, for a new feature of the page — never for a loop.
BUDGET = {
    # The handler's page. The staff page asks once which feature tables hold rows of the dossier
    # (checks, advice, completion, decisions, agenda items, letters, notes, events, outbound
    # messages …: dossiers.panels.has_rows), then reads only those: here the check results,
    # the advice requests (who asked them by name: one more), the notes and their mentions,
    # the events (one read for every timeline source of them) and the outbound messages; the
    # team's colleagues for the note form. The workflow history the page reads is the
    # panels' and the timeline's too. The session row brings its user and the principals (no
    # role assignments of the viewer, the applicant or the actors, not even for the menu).
    "dossier_page": 13,
    # The citizen's: the session, the dossier with its handler, the history, the documents
    # with their current versions, whether the panels' tables hold rows (one statement).
    "citizen_dossier_page": 5,
    "my_dossiers": 4,
    # The counts of all lists (one grouped query) and the dossier types for the filter.
    "workbench": 8,
    "api_list": 4,
    "api_dossier": 3,  # citizen 2
    "api_workflow": 6,  # citizen 3
}


@contextlib.contextmanager
def recorded(engine):
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def statements_of(testapp, dbsession, app):
    """``statements_of(path)``: the SQL statements of one GET of ``path``, after a first GET
    that lets the session settle (a new session stores its CSRF token once)."""
    engine = app.registry["db_engine"]

    def statements_of(path):
        testapp.get(path)
        dbsession.flush()
        dbsession.expunge_all()
        with recorded(engine) as statements:
            testapp.get(path)
        dbsession.expunge_all()
        return statements

    return statements_of


def check(name, few, many):
    listing = "\n".join(f"  {s[:160]}" for s in many)
    assert len(many) == len(few), (
        f"{name}: {len(few)} statements with few rows, {len(many)} with many — a query per "
        f"row?\n{listing}")
    assert len(many) <= BUDGET[name], (
        f"{name}: {len(many)} statements, budget {BUDGET[name]}\n{listing}")


@pytest.fixture
def world(factories):
    """A team with two handlers and a few dossier types, shared by the dossiers below."""
    team = factories.team()
    handler = factories.staff(Role.HANDLER, team=team)
    colleague = factories.staff(Role.HANDLER, team=team)
    secretary = factories.staff(Role.SECRETARIAT)
    # Asks for advice on every dossier, and appears in no history: read by name on each page.
    adviser = factories.staff(Role.HANDLER, team=factories.team(), given_name="Adviser")
    types = [factories.type_version(), factories.type_version(workflow="vergunning"),
             factories.type_version()]
    return {"team": team, "handler": handler, "staff": [handler, colleague, secretary],
            "adviser": adviser,
            "types": types}


def rich_dossier(factories, dbsession, world, applicant, documents: int, history: int):
    """A dossier with ``documents`` documents (every other one in two versions) and
    ``history`` history entries by different people."""
    dossier = factories.dossier(applicant=applicant, team=world["team"],
                                type_version=world["types"][0], state="ingediend")
    for i in range(documents):
        document = factories.document(dossier, title=f"Bijlage {i + 1}")
        if i % 2:
            first = document.versions[0]
            document.versions.append(DocumentVersion(
                version=2, filename=first.filename, media_type=first.media_type,
                size=first.size, sha256=first.sha256))
    start = utcnow() - timedelta(days=history + 1)
    states = ["ingediend", "vervollediging_gevraagd"]
    actors = [applicant.id, *[s.id for s in world["staff"]], None]
    for i in range(history):
        dbsession.add(HistoryEntry(
            dossier_id=dossier.id, occurred=start + timedelta(days=i),
            actor_id=actors[i % len(actors)],
            transition="vervollediging_vragen" if i % 2 else "vervolledigen",
            from_state=states[(i + 1) % 2], to_state=states[i % 2], comment=f"Stap {i}"))
    # The staff page's own timeline sources and panels: notes with mentions, outbound
    # messages, admissibility decisions, advice requests, check results.
    for i in range(max(1, history // 3)):
        note = DossierNote(dossier_id=dossier.id, author_id=world["staff"][i % 2].id,
                           body=f"Notitie {i}")
        note.mentions = [NoteMention(dossier_id=dossier.id, user_id=world["staff"][(i + 1) % 2].id,
                                     seen=True)]
        dbsession.add(note)
        enqueue(dbsession, "email" if i % 2 else "dosis.push", {"subject": "x"},
                dossier_id=dossier.id)
        record_event(dbsession, dossier, AUDIT_ACTION, world["handler"].id,
                     decision="completion", screening="pass")
        dbsession.add(AdviceRequest(dossier_id=dossier.id, number=i + 1, channel="email",
                                    email="advies@example.org", due=utcnow().date(),
                                    requested_by_id=world["adviser"].id))
        dbsession.add(CheckResult(dossier_id=dossier.id, code=f"controle{i}",
                                  check_type="income_below", status=PASSED))
    dbsession.flush()
    return dossier


@pytest.mark.parametrize("viewer", ["citizen", "handler"])
def test_dossier_page(statements_of, login, factories, dbsession, world, viewer):
    citizen = factories.citizen()
    small = rich_dossier(factories, dbsession, world, citizen, documents=1, history=1)
    large = rich_dossier(factories, dbsession, world, citizen, documents=8, history=12)
    login(citizen if viewer == "citizen" else world["handler"])
    few = statements_of(f"/dossiers/{small.reference}")
    many = statements_of(f"/dossiers/{large.reference}")
    check("dossier_page" if viewer == "handler" else "citizen_dossier_page", few, many)


def test_my_dossiers(statements_of, login, factories, world):
    few_owner, many_owner = factories.citizen(), factories.citizen()
    for i in range(3):
        factories.dossier(applicant=few_owner, type_version=world["types"][i % 3])
    for i in range(30):
        # Every dossier another team and type: each relationship must come with the list.
        factories.dossier(applicant=many_owner, type_version=world["types"][i % 3])
    login(few_owner)
    few = statements_of("/mijn-dossiers")
    login(many_owner)
    many = statements_of("/mijn-dossiers")
    check("my_dossiers", few, many)


def _team_with_dossiers(factories, world, count):
    team = factories.team()
    handler = factories.staff(Role.HANDLER, team=team)
    for i in range(count):
        # A different applicant each time, each with their own roles.
        factories.dossier(team=team, type_version=world["types"][i % 3])
    return handler


def test_workbench(statements_of, login, factories, world):
    few_handler = _team_with_dossiers(factories, world, 3)
    many_handler = _team_with_dossiers(factories, world, 60)
    login(few_handler)
    few = statements_of("/werkbank")
    login(many_handler)
    many = statements_of("/werkbank")
    check("workbench", few, many)


@pytest.mark.parametrize("viewer", ["citizen", "handler"])
def test_api_list(statements_of, testapp, login, factories, world, viewer):
    if viewer == "handler":
        few_user = _team_with_dossiers(factories, world, 3)
        many_user = _team_with_dossiers(factories, world, 60)
    else:
        few_user, many_user = factories.citizen(), factories.citizen()
        for i in range(3):
            factories.dossier(applicant=few_user, type_version=world["types"][i % 3])
        for i in range(60):
            factories.dossier(applicant=many_user, type_version=world["types"][i % 3])
    login(few_user)
    few = statements_of("/api/v1/dossiers")
    login(many_user)
    many = statements_of("/api/v1/dossiers")
    check("api_list", few, many)
    # The next page, through its cursor, costs what the first page costs.
    next_link = testapp.get("/api/v1/dossiers").json["links"]["next"]
    assert next_link
    check("api_list", few, statements_of(next_link.removeprefix("http://localhost")))


@pytest.mark.parametrize("viewer", ["citizen", "handler"])
def test_api_dossier_and_workflow(statements_of, login, factories, dbsession, world, viewer):
    citizen = factories.citizen()
    small = rich_dossier(factories, dbsession, world, citizen, documents=1, history=1)
    large = rich_dossier(factories, dbsession, world, citizen, documents=8, history=12)
    login(citizen if viewer == "citizen" else world["handler"])
    check("api_dossier", statements_of(f"/api/v1/dossiers/{small.reference}"),
          statements_of(f"/api/v1/dossiers/{large.reference}"))
    check("api_workflow", statements_of(f"/api/v1/dossiers/{small.reference}/workflow"),
          statements_of(f"/api/v1/dossiers/{large.reference}/workflow"))
