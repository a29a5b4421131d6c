"""The transition service: roles, guards, comments, versions, history, per-state permissions."""

import threading

import pytest
from pyramid.authorization import ACLHelper, Authenticated, Everyone
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from loket.audit.models import AuditEvent
from loket.catalogue.models import DossierType, DossierTypeVersion
from loket.db import get_engine
from loket.dossiers.models import Dossier
from loket.identity.models import Team, User
from loket.security import Permission, Role, principals_for
from loket.workflow.engine import (
    Actor,
    AfterTransition,
    TransitionConflict,
    TransitionForbidden,
    TransitionRefused,
    available_transitions,
    perform,
)
from loket.workflow.models import HistoryEntry


class Registry:
    """Collects the events the engine notifies."""

    def __init__(self):
        self.events = []

    def notify(self, event):
        self.events.append(event)


def actor(user):
    return Actor(user, frozenset(principals_for(user)))


@pytest.fixture
def setup(factories):
    team = factories.team()
    handler = factories.staff(Role.HANDLER, team=team)
    citizen = factories.citizen()
    dossier = factories.dossier(applicant=citizen, team=team, state="ingediend")
    return dossier, handler, citizen


def test_handler_declares_admissible_history_and_audit(setup, dbsession):
    dossier, handler, _ = setup
    registry = Registry()
    entry = perform(registry, dbsession, dossier, "ontvankelijk_verklaren", actor(handler),
                    dossier.version, "alles in orde")
    assert dossier.state == "ontvankelijk" and dossier.version == 2
    assert (entry.from_state, entry.to_state, entry.actor_id, entry.comment) == (
        "ingediend", "ontvankelijk", handler.id, "alles in orde")
    assert [type(e).__name__ for e in registry.events] == ["BeforeTransition", "AfterTransition"]
    assert isinstance(registry.events[1], AfterTransition)
    audit = dbsession.scalars(select(AuditEvent).where(
        AuditEvent.action == "dossier.transition",
        AuditEvent.object_id == dossier.reference)).one()
    assert audit.details == {"transition": "ontvankelijk_verklaren", "from": "ingediend",
                             "to": "ontvankelijk"}


def test_wrong_role_is_forbidden_and_changes_nothing(setup, dbsession, factories):
    dossier, _, citizen = setup
    other_handler = factories.staff(Role.HANDLER)  # another team
    for who in (citizen, other_handler):
        with pytest.raises(TransitionForbidden):
            perform(Registry(), dbsession, dossier, "ontvankelijk_verklaren", actor(who),
                    dossier.version)
    assert dossier.state == "ingediend" and dossier.version == 1
    assert dbsession.scalars(select(HistoryEntry).where(
        HistoryEntry.dossier_id == dossier.id)).all() == []


def test_step_from_the_wrong_state_is_refused(setup, dbsession):
    dossier, handler, _ = setup
    with pytest.raises(TransitionRefused, match="current state"):
        perform(Registry(), dbsession, dossier, "goedkeuren_gedelegeerd", actor(handler),
                dossier.version)
    with pytest.raises(TransitionRefused, match="does not exist"):
        perform(Registry(), dbsession, dossier, "vliegen", actor(handler), dossier.version)


def test_comment_required(setup, dbsession):
    dossier, handler, _ = setup
    with pytest.raises(TransitionRefused, match="reason"):
        perform(Registry(), dbsession, dossier, "onontvankelijk_verklaren", actor(handler),
                dossier.version, "   ")
    assert dossier.state == "ingediend"


def test_stale_version_is_a_conflict(setup, dbsession):
    dossier, handler, _ = setup
    with pytest.raises(TransitionConflict):
        perform(Registry(), dbsession, dossier, "ontvankelijk_verklaren", actor(handler),
                dossier.version - 1 if dossier.version > 1 else 99)


def test_guard_required_documents(factories, dbsession):
    version = factories.type_version(documents=[
        {"code": "factuur", "title": {"nl": "Factuur", "en": "Invoice"}, "required": True}])
    team = factories.team()
    handler = factories.staff(Role.HANDLER, team=team)
    dossier = factories.dossier(team=team, type_version=version)
    with pytest.raises(TransitionRefused, match="Required documents are missing"):
        perform(Registry(), dbsession, dossier, "ontvankelijk_verklaren", actor(handler),
                dossier.version)
    document = factories.document(dossier)
    document.document_type = "factuur"
    dbsession.flush()
    dbsession.refresh(dossier)
    perform(Registry(), dbsession, dossier, "ontvankelijk_verklaren", actor(handler),
            dossier.version)


@pytest.mark.parametrize("body,delegated_allowed", [("college", False), ("official", True)])
def test_guard_who_decides(factories, dbsession, body, delegated_allowed):
    version = factories.type_version(decision={"body": body})
    team = factories.team()
    handler = factories.staff(Role.HANDLER, team=team)
    secretariat = factories.staff(Role.SECRETARIAT)
    dossier = factories.dossier(team=team, type_version=version, state="klaar_voor_beslissing")
    steps = {t.name: blocked for t, blocked in available_transitions(dossier, actor(handler))}
    assert (steps["goedkeuren_gedelegeerd"] is None) is delegated_allowed
    agenda = {t.name: b for t, b in available_transitions(dossier, actor(secretariat))}
    assert (agenda["agenderen"] is None) is not delegated_allowed


def test_guard_payment_follows_outcome_and_direction(factories, dbsession):
    team = factories.team()
    handler = factories.staff(Role.HANDLER, team=team)
    pays = factories.dossier(team=team, state="beslissing_verzonden")
    pays.outcome = "approved"
    refused = factories.dossier(team=team, state="beslissing_verzonden")
    refused.outcome = "refused"
    dbsession.flush()
    perform(Registry(), dbsession, pays, "betaling_voorbereiden", actor(handler), pays.version)
    with pytest.raises(TransitionRefused, match="not approved"):
        perform(Registry(), dbsession, refused, "betaling_voorbereiden", actor(handler),
                refused.version)
    perform(Registry(), dbsession, refused, "afsluiten", actor(handler), refused.version)


def test_decision_sets_the_outcome_and_system_may_act(factories, dbsession):
    dossier = factories.dossier(state="geagendeerd")
    perform(Registry(), dbsession, dossier, "goedkeuren", Actor.system(), dossier.version)
    assert dossier.outcome == "approved"
    entry = dbsession.scalars(select(HistoryEntry).where(
        HistoryEntry.dossier_id == dossier.id)).one()
    assert entry.actor_id is None


def _permits(dossier, user, permission):
    principals = [Everyone, Authenticated, *principals_for(user)]
    return bool(ACLHelper().permits(dossier, principals, permission))


def test_permissions_follow_the_state(setup, dbsession):
    dossier, handler, citizen = setup
    assert _permits(dossier, citizen, Permission.ADD_DOCUMENT)  # ingediend
    assert _permits(dossier, handler, Permission.EDIT)
    perform(Registry(), dbsession, dossier, "ontvankelijk_verklaren", actor(handler),
            dossier.version)
    assert not _permits(dossier, citizen, Permission.ADD_DOCUMENT)  # ontvankelijk
    assert _permits(dossier, citizen, Permission.VIEW)
    dossier.state = "geagendeerd"  # the handler loses edit rights once it is on the agenda
    assert _permits(dossier, handler, Permission.VIEW)
    assert not _permits(dossier, handler, Permission.EDIT)


def test_act_permission_goes_to_whoever_has_a_step(setup):
    dossier, handler, citizen = setup
    assert _permits(dossier, citizen, Permission.ACT)  # stopzetten
    assert _permits(dossier, handler, Permission.ACT)
    dossier.state = "afgesloten"
    assert not _permits(dossier, citizen, Permission.ACT)
    assert not _permits(dossier, handler, Permission.ACT)


@pytest.fixture
def committed(database_url):
    """A dossier committed for real, so two connections can race on its transitions."""
    engine = get_engine({"sqlalchemy.url": database_url})
    with Session(engine) as session:
        team = Team(code="wf-race", name="Race")
        handler = User(subject="wf-race-handler", kind="staff")
        session.add_all([team, handler])
        session.flush()
        from loket.identity.models import RoleAssignment

        handler.roles.append(RoleAssignment(role="handler", team_id=team.id))
        citizen = User(subject="wf-race-citizen", kind="citizen")
        version = DossierTypeVersion(dossier_type=DossierType(code="wf-race"), number=1,
                                     definition={"workflow": "sociale-premie"})
        session.add_all([citizen, version])
        session.flush()
        dossier = Dossier(reference="2098-000001", type_version_id=version.id, title="Race",
                          state="ingediend", applicant_id=citizen.id, team_id=team.id, data={})
        session.add(dossier)
        session.commit()
        ids = {"dossier": dossier.id, "handler": handler.id}
    yield engine, ids
    with Session(engine) as session:
        session.execute(delete(HistoryEntry).where(HistoryEntry.dossier_id == ids["dossier"]))
        session.execute(delete(AuditEvent).where(AuditEvent.object_id == "2098-000001"))
        session.execute(delete(Dossier).where(Dossier.id == ids["dossier"]))
        for model, column, value in [(User, User.subject, "wf-race-handler"),
                                     (User, User.subject, "wf-race-citizen")]:
            session.execute(delete(model).where(column == value))
        session.execute(delete(DossierTypeVersion).where(
            DossierTypeVersion.dossier_type.has(code="wf-race")))
        session.execute(delete(DossierType).where(DossierType.code == "wf-race"))
        session.execute(delete(Team).where(Team.code == "wf-race"))
        session.commit()
    engine.dispose()


def test_two_concurrent_transitions_exactly_one_wins(committed, app):
    """Two real connections read version 1 and race; one commits, the other gets a conflict."""
    engine, ids = committed
    barrier = threading.Barrier(2, timeout=10)
    results = {}

    def attempt(transition, comment):
        with Session(engine, info={"registry": app.registry}) as session:
            dossier = session.get(Dossier, ids["dossier"])
            handler = session.get(User, ids["handler"])
            barrier.wait()  # both have read the same version
            try:
                perform(Registry(), session, dossier, transition, actor(handler), 1, comment)
                session.commit()
                results[transition] = "ok"
            except TransitionConflict:
                session.rollback()
                results[transition] = "conflict"
            except Exception as exc:  # SQLite may report the lock instead of a stale row
                session.rollback()
                results[transition] = f"error: {type(exc).__name__}"

    threads = [threading.Thread(target=attempt, args=a) for a in
               [("ontvankelijk_verklaren", ""), ("onontvankelijk_verklaren", "te laat")]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results.values())[0] in ("conflict", "error: OperationalError")
    assert list(results.values()).count("ok") == 1
    with Session(engine) as session:
        dossier = session.get(Dossier, ids["dossier"])
        assert dossier.version == 2
        history = session.scalars(select(HistoryEntry).where(
            HistoryEntry.dossier_id == dossier.id)).all()
        assert len(history) == 1 and history[0].to_state == dossier.state
