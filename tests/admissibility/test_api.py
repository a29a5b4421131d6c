"""POST /api/v1/dossiers/<ref>/ontvankelijkheid: the same decisions and refusals as JSON."""

import pytest
from sqlalchemy import select

from loket.admissibility.services import AUDIT_ACTION
from loket.audit.models import AuditEvent
from loket.security import Role
from tests.conftest import csrf_token


@pytest.fixture
def post(testapp, login, handler, submitted):
    login(handler)
    token = csrf_token(testapp)

    def post(body, status=200):
        return testapp.post_json(f"/api/v1/dossiers/{submitted.reference}/ontvankelijkheid",
                                 body, headers={"X-CSRF-Token": token}, status=status)

    return post


def _audits(dbsession):
    return list(dbsession.scalars(select(AuditEvent).where(AuditEvent.action == AUDIT_ACTION)))


def test_not_admissible(post, submitted, dbsession):
    answer = post({"decision": "not_admissible", "reason_code": "andere",
                   "text": "Dubbele aanvraag.", "version": submitted.version}).json
    assert answer["state"] == "onontvankelijk" and answer["confirms_screening"] is False
    assert answer["screening"] == "pass" and answer["version"] == submitted.version
    assert _audits(dbsession)[0].details["reason_code"] == "andere"


def test_completion(post, submitted):
    answer = post({"decision": "completion", "text": "Welke brandstof?",
                   "document_codes": ["factuur"], "due": "2099-01-31",
                   "version": submitted.version}).json
    assert answer["state"] == "vervollediging_gevraagd" and answer["confirms_screening"] is None


@pytest.mark.parametrize("body,status", [
    ({"decision": "not_admissible", "text": "Waarom"}, 400),  # no version
    ({"decision": "misschien", "version": 1}, 400),
    ({"decision": "not_admissible", "text": "Waarom", "version": 1}, 400),  # no reason
    ({"decision": "not_admissible", "reason_code": "x", "text": "Waarom", "version": 1}, 400),
    ({"decision": "completion", "text": "Wat?", "due": "31/01/2099", "version": 1}, 400),
    ({"decision": "completion", "text": "Wat?", "document_codes": ["paspoort"],
      "version": 1}, 400),
    ({"decision": "admissible", "version": 99}, 409),
])
def test_bad_input_changes_nothing(post, submitted, dbsession, body, status):
    version = submitted.version
    if body.get("version") == 1:
        body = {**body, "version": version}
    response = post(body, status=status)
    assert response.json["error"]["message"]
    dbsession.expire_all()
    assert (submitted.state, submitted.version) == ("ingediend", version)
    assert _audits(dbsession) == []


def test_not_json_is_415(testapp, login, handler, submitted):
    login(handler)
    testapp.post(f"/api/v1/dossiers/{submitted.reference}/ontvankelijkheid",
                 "decision=admissible", headers={"X-CSRF-Token": csrf_token(testapp)},
                 content_type="application/x-www-form-urlencoded", status=415)
    assert submitted.state == "ingediend"


def test_citizen_and_others(testapp, login, applicant, factories, submitted):
    url = f"/api/v1/dossiers/{submitted.reference}/ontvankelijkheid"
    body = {"decision": "admissible", "version": submitted.version}
    login(applicant)
    response = testapp.post_json(url, body, headers={"X-CSRF-Token": csrf_token(testapp)},
                                 status=403)
    assert response.json["error"]["status"] == 403
    login(factories.staff(Role.HANDLER))
    testapp.post_json(url, body, headers={"X-CSRF-Token": csrf_token(testapp)}, status=404)
    assert submitted.state == "ingediend"
