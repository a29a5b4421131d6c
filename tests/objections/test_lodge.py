"""Objections: lodged online within the term or late, registered at the counter, linked both
ways; an undecided dossier cannot be objected to."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from loket.demo import demo_pdf
from loket.dossiers.events import events_of
from loket.i18n import local_now
from loket.objections.models import Objection
from tests.conftest import csrf_token
from tests.objections.conftest import sent


def _lodge(testapp, dossier, reasons="De container stond er al jaren zonder hinder.",
           upload=None, **values):
    kwargs = {"upload_files": [("documents", "foto.pdf", upload)]} if upload else {}
    return testapp.post(f"/dossiers/{dossier.reference}/bezwaar", {
        "csrf_token": csrf_token(testapp), "reasons": reasons, **values}, status="*", **kwargs)


def _objection(dbsession, dossier):
    return dbsession.scalar(select(Objection).where(Objection.contested_id == dossier.id))


def test_the_applicant_objects_online_and_both_dossiers_show_the_link(
        testapp, login, sofie, refused, dbsession, officer):
    login(sofie)
    form = testapp.get(f"/dossiers/{refused.reference}/bezwaar")
    assert form.html.select_one("form#bezwaar")
    response = _lodge(testapp, refused, upload=demo_pdf("Foto van de straat"))
    assert response.status_int == 302
    objection = _objection(dbsession, refused)
    linked = objection.dossier
    assert response.location.endswith(f"/dossiers/{linked.reference}/")
    assert (linked.state, linked.applicant_id, linked.team_id) == (
        "ontvangen", sofie.id, refused.team_id)
    assert linked.type_version.workflow == "bezwaar"
    assert (objection.channel, objection.late) == ("online", False)
    assert objection.term_ends == objection.received_on - timedelta(days=5) + timedelta(days=30)
    assert linked.data["redenen"].startswith("De container")
    assert [d.document_type for d in linked.documents] == ["bijlage"]
    assert events_of(dbsession, refused, "objection.lodged")[0].details["objection"] == \
        linked.reference
    # linked both ways, for the citizen and for the team
    assert linked.reference in testapp.get(f"/dossiers/{refused.reference}").text
    assert refused.reference in testapp.get(f"/dossiers/{linked.reference}").text
    login(officer)
    assert linked.reference in testapp.get(f"/dossiers/{refused.reference}").text
    assert refused.reference in testapp.get(f"/dossiers/{linked.reference}").text
    both = testapp.get(f"/api/v1/dossiers/{refused.reference}/bezwaar").json
    assert [o["dossier"] for o in both["objections"]] == [linked.reference]
    assert both["contestable"] is False  # one is being handled
    back = testapp.get(f"/api/v1/dossiers/{linked.reference}/bezwaar").json
    assert back["objections"][0]["contested"] == refused.reference


def test_an_objection_after_the_term_is_registered_and_marked_late(
        testapp, login, sofie, refused, dbsession):
    from loket.db import utcnow
    from loket.workflow.models import HistoryEntry

    entry = dbsession.scalar(select(HistoryEntry).where(HistoryEntry.dossier_id == refused.id))
    entry.occurred = utcnow() - timedelta(days=33)  # the 30 days ended three days ago
    dbsession.flush()
    login(sofie)
    assert _lodge(testapp, refused).status_int == 302
    objection = _objection(dbsession, refused)
    assert objection.late is True
    assert objection.term_ends == local_now().date() - timedelta(days=3)
    assert objection.dossier.state == "ontvangen"
    assert events_of(dbsession, objection.dossier, "objection.received")[0].details["late"]


def test_staff_register_a_paper_objection_at_the_counter(testapp, login, officer, refused,
                                                         dbsession, sofie):
    login(officer)
    day = (local_now().date() - timedelta(days=2)).isoformat()
    assert _lodge(testapp, refused, received_on=day).status_int == 302
    objection = _objection(dbsession, refused)
    assert (objection.channel, objection.received_on.isoformat(), objection.registered_by_id,
            objection.dossier.applicant_id) == ("counter", day, officer.id, sofie.id)


@pytest.mark.parametrize("state", ["ingediend", "in_behandeling", "geweigerd", "goedgekeurd"])
def test_an_objection_on_an_undecided_dossier_is_a_clear_error(testapp, login, sofie, refused,
                                                              dbsession, state):
    refused.state = state
    dbsession.query(__import__("loket.workflow.models", fromlist=["x"]).HistoryEntry).filter_by(
        dossier_id=refused.id).delete()
    dbsession.flush()
    login(sofie)
    page = testapp.get(f"/dossiers/{refused.reference}/bezwaar")
    assert page.html.select_one("#niet-mogelijk")
    response = _lodge(testapp, refused)
    assert response.status_int == 400
    assert response.html.select_one("#fout")
    assert _objection(dbsession, refused) is None


@pytest.mark.parametrize("values", [{"reasons": ""}, {"reasons": "x" * 5001},
                                    {"received_on": "gisteren"}])
def test_bad_input_changes_nothing(testapp, login, officer, refused, dbsession, values):
    login(officer)
    response = _lodge(testapp, refused, **values)
    assert response.status_int == 400 and response.html.select_one("#fout")
    assert _objection(dbsession, refused) is None


def test_a_file_that_is_not_a_document_is_refused(testapp, login, sofie, refused, dbsession):
    login(sofie)
    response = _lodge(testapp, refused, upload=b"MZ\x90\x00 not a pdf")
    assert response.status_int == 400
    assert _objection(dbsession, refused) is None


def test_a_day_of_receipt_in_the_future_or_before_the_decision_is_refused(
        testapp, login, officer, refused, dbsession):
    login(officer)
    for day in (local_now().date() + timedelta(days=1), local_now().date() - timedelta(days=9)):
        assert _lodge(testapp, refused, received_on=day.isoformat()).status_int == 400
    assert _objection(dbsession, refused) is None


def test_a_second_objection_while_one_is_handled_is_refused(testapp, login, sofie, refused,
                                                            dbsession):
    login(sofie)
    assert _lodge(testapp, refused).status_int == 302
    assert _lodge(testapp, refused).status_int == 409
    assert len(list(dbsession.scalars(select(Objection)))) == 1


def test_someone_else_cannot_object(testapp, login, refused, factories, dbsession):
    login(factories.citizen())
    assert _lodge(testapp, refused).status_int == 404
    assert testapp.get(f"/dossiers/{refused.reference}/bezwaar", status="*").status_int == 404
    assert _objection(dbsession, refused) is None


def test_the_objection_lands_in_the_teams_worklist(testapp, login, sofie, officer, refused,
                                                   dbsession, factories):
    other = sent(dbsession, factories.dossier(applicant=sofie, type_version=refused.type_version,
                                              title="Andere"))
    login(sofie)
    _lodge(testapp, refused)
    _lodge(testapp, other)  # another team's
    mine = _objection(dbsession, refused).dossier
    theirs = _objection(dbsession, other).dossier
    login(officer)
    page = testapp.get("/werkbank?lijst=bezwaren")
    assert mine.reference in page.text and theirs.reference not in page.text
    listed = testapp.get("/api/v1/werkbank?lijst=bezwaren").json
    assert [row["reference"] for row in listed["items"]] == [mine.reference]
