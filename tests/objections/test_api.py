"""Objections as JSON: lodged by the applicant or at the counter, with the same refusals as the
page; every response checked against the OpenAPI document."""

from sqlalchemy import func, select

from loket.objections.models import Objection
from tests.conftest import csrf_token


def _post(testapp, dossier, body, status="*"):
    return testapp.post_json(f"/api/v1/dossiers/{dossier.reference}/bezwaar", body,
                             headers={"X-CSRF-Token": csrf_token(testapp)}, status=status)


def _count(dbsession):
    return dbsession.scalar(select(func.count()).select_from(Objection))


def test_the_applicant_lodges_an_objection_as_json(testapp, login, sofie, refused, dbsession):
    login(sofie)
    response = _post(testapp, refused, {"reasons": "Op eigen terrein."}, status=201)
    assert (response.json["contested"], response.json["channel"], response.json["late"]) == (
        refused.reference, "online", False)
    assert response.json["state"] == "ontvangen"
    again = _post(testapp, refused, {"reasons": "Nog eens."})
    assert again.status_int == 409 and _count(dbsession) == 1


def test_staff_register_with_the_day_of_receipt(testapp, login, officer, refused):
    login(officer)
    response = _post(testapp, refused, {"reasons": "Per brief.", "received_on": "2020-01-01"})
    assert response.status_int == 400  # before the decision was sent
    body = {"reasons": "Per brief."}
    assert _post(testapp, refused, body, status=201).json["channel"] == "counter"


def test_bad_bodies_and_undecided_dossiers_change_nothing(testapp, login, sofie, refused,
                                                          dbsession):
    login(sofie)
    for body in ({}, {"reasons": ""}, {"reasons": "x" * 5001}, {"reasons": "ok", "x": 1},
                 {"reasons": "ok", "received_on": "gisteren"}):
        assert _post(testapp, refused, body).status_int == 400, body
    refused.outcome = None
    dbsession.flush()
    assert _post(testapp, refused, {"reasons": "Te vroeg."}).status_int == 400
    assert _count(dbsession) == 0
