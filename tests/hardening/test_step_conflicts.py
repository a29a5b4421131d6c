"""A step someone else already took is a conflict (409, "iemand anders was je voor", what was
typed shown back), not a 403; a step the caller may not take at all stays a 403."""

import pytest
from sqlalchemy import func, select

from loket.workflow.models import HistoryEntry
from tests.conftest import csrf_token

COMMENT = "Graag nog het attest van de mutualiteit.\nDank je."


def _history(dbsession, dossier) -> int:
    return dbsession.scalar(select(func.count()).select_from(HistoryEntry)
                            .where(HistoryEntry.dossier_id == dossier.id))


def _moved_on(dbsession, dossier, state):
    """Another request takes a step first (the dossier's version counter goes up)."""
    before = dossier.version
    dossier.state = state
    dbsession.flush()
    assert dossier.version == before + 1


def _post_step(testapp, dossier, transition, version, status):
    return testapp.post(f"/dossiers/{dossier.reference}/stap", {
        "csrf_token": csrf_token(testapp), "transition": transition, "version": version,
        "comment": COMMENT}, status=status)


def test_a_step_taken_by_someone_else_first_is_409_with_the_comment_kept(
        testapp, login, dbsession, handler, submitted):
    login(handler)
    shown_at = submitted.version
    testapp.get(f"/dossiers/{submitted.reference}")
    # A colleague declared it not admissible meanwhile: no step of that state is a handler's.
    _moved_on(dbsession, submitted, "onontvankelijk")
    entries = _history(dbsession, submitted)
    response = _post_step(testapp, submitted, "vervollediging_vragen", shown_at, 409)
    assert "Iemand anders was je voor" in response.text
    assert "Graag nog het attest van de mutualiteit." in response.text
    assert "Dank je." in response.text
    assert 'name="csrf_token"' not in response.text.split("<main", 1)[-1]  # no form replayed
    dbsession.refresh(submitted)
    assert submitted.state == "onontvankelijk" and _history(dbsession, submitted) == entries


def test_a_stale_step_whose_new_state_still_has_steps_is_409_too(testapp, login, dbsession,
                                                                 handler, submitted):
    login(handler)
    shown_at = submitted.version
    _moved_on(dbsession, submitted, "ontvankelijk")  # the handler may act here (other steps)
    response = _post_step(testapp, submitted, "vervollediging_vragen", shown_at, 409)
    assert "Iemand anders was je voor" in response.text and "Dank je." in response.text


def test_the_api_answers_the_same_conflict_as_json(testapp, login, dbsession, handler,
                                                   submitted):
    login(handler)
    shown_at = submitted.version
    _moved_on(dbsession, submitted, "onontvankelijk")
    response = testapp.post_json(
        f"/api/v1/dossiers/{submitted.reference}/ontvankelijkheid",
        {"decision": "admissible", "version": shown_at},
        headers={"X-CSRF-Token": csrf_token(testapp)}, status=409)
    assert response.json["error"]["status"] == 409


def test_a_withdrawal_after_the_decision_is_409(testapp, login, dbsession, applicant,
                                                submitted):
    login(applicant)
    shown_at = submitted.version
    form = testapp.get(f"/dossiers/{submitted.reference}/stopzetten").forms["stopzetten"]
    assert int(form["version"].value) == shown_at
    _moved_on(dbsession, submitted, "onontvankelijk")
    response = form.submit(status=409)
    assert "Iemand anders was je voor" in response.text
    dbsession.refresh(submitted)
    assert submitted.state == "onontvankelijk"


@pytest.mark.parametrize("stale", [False, True])
def test_a_step_the_caller_may_never_take_stays_403(testapp, login, dbsession, applicant,
                                                    submitted, stale):
    # The applicant may view her dossier but never declares it admissible: whether or not the
    # dossier moved on, that is no conflict. (In "ingediend" she may act: the engine refuses.)
    login(applicant)
    version = submitted.version
    _moved_on(dbsession, submitted, "onontvankelijk")
    version = version if stale else submitted.version
    response = _post_step(testapp, submitted, "ontvankelijk_verklaren", version, 403)
    assert "Iemand anders" not in response.text


def test_a_handler_of_another_team_still_gets_404(testapp, login, dbsession, factories,
                                                  submitted):
    from loket.security import Role

    login(factories.staff(Role.HANDLER))
    version = submitted.version
    _moved_on(dbsession, submitted, "onontvankelijk")
    _post_step(testapp, submitted, "vervollediging_vragen", version, 404)
