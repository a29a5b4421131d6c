"""Many workflow steps at once (workflow.engine.perform_many, as a meeting's recording takes
them): checked before any is taken, one conflict refuses them all."""

import pytest
from sqlalchemy import update

from loket.dossiers.models import Dossier
from loket.workflow.engine import Actor, TransitionConflict, TransitionRefused, perform_many


def test_a_refused_step_takes_none(app, factories, dbsession):
    fine = factories.dossier(state="geagendeerd")
    wrong = factories.dossier(state="ingediend")  # not on an agenda: no decision step
    with pytest.raises(TransitionRefused):
        perform_many(app.registry, dbsession, [(fine, "goedkeuren", ""),
                                               (wrong, "goedkeuren", "")], Actor.system())
    assert (fine.state, wrong.state) == ("geagendeerd", "ingediend")


def test_a_dossier_changed_meanwhile_is_a_conflict(app, factories, dbsession):
    first, second = (factories.dossier(state="geagendeerd") for _ in range(2))
    dbsession.flush()
    dbsession.execute(update(Dossier.__table__).where(Dossier.__table__.c.id == second.id)
                      .values(version=Dossier.__table__.c.version + 1))  # someone else
    with pytest.raises(TransitionConflict):
        perform_many(app.registry, dbsession, [(first, "goedkeuren", ""),
                                               (second, "goedkeuren", "")], Actor.system())


def test_the_steps_are_taken_with_their_history_and_versions(app, factories, dbsession):
    dossiers = [factories.dossier(state="geagendeerd") for _ in range(3)]
    dbsession.flush()
    versions = [d.version for d in dossiers]
    entries = perform_many(app.registry, dbsession, [(d, "goedkeuren", "") for d in dossiers],
                           Actor.system())
    dbsession.expire_all()
    assert [d.state for d in dossiers] == ["goedgekeurd"] * 3
    assert [d.outcome for d in dossiers] == ["approved"] * 3
    assert [d.version for d in dossiers] == [v + 1 for v in versions]
    assert [e.dossier_id for e in entries] == [d.id for d in dossiers]
    assert perform_many(app.registry, dbsession, [], Actor.system()) == []
