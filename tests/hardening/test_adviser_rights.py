"""An adviser of a team that also handles a dossier type has no handler's rights: the team's
principal is not shared by its handlers and advisers (``team:<code>:handler``). Her rights on a
dossier come only from the advice requests addressed to her team."""

from datetime import date

import pytest
from sqlalchemy import func, select

from loket.admissibility.services import AUDIT_ACTION
from loket.audit.models import AuditEvent
from loket.notes.models import DossierNote
from loket.security import Role
from tests.conftest import csrf_token


@pytest.fixture
def shared_team(factories):
    return factories.team(code="financiele-dienst", name="Financiële dienst")


@pytest.fixture
def scene(factories, shared_team):
    dossier = factories.dossier(team=shared_team, state="ingediend",
                                data={"iban": "BE68539007547034", "inkomen": "23410"})
    document = factories.document(dossier, title="Aanslagbiljet")
    handler = factories.staff(Role.HANDLER, team=shared_team, given_name="Hanne")
    adviser = factories.staff(Role.ADVISER, team=shared_team, given_name="Ada")
    return dossier, document, handler, adviser


def _reads(dossier, document):
    ref, number = dossier.reference, document.number
    return [
        f"/dossiers/{ref}", f"/dossiers/{ref}/", f"/dossiers/{ref}/documenten/{number}/download",
        f"/dossiers/{ref}/documenten/{number}/bekijken", f"/api/v1/dossiers/{ref}",
        f"/api/v1/dossiers/{ref}/documenten", f"/api/v1/dossiers/{ref}/documenten/{number}",
        f"/api/v1/dossiers/{ref}/documenten/{number}/inhoud", f"/api/v1/dossiers/{ref}/notities",
        f"/api/v1/dossiers/{ref}/workflow",
    ]


READS = range(10)


@pytest.mark.parametrize("index", READS)
def test_adviser_of_the_handling_team_cannot_read(testapp, login, scene, index):
    dossier, document, handler, adviser = scene
    url = _reads(dossier, document)[index]
    login(handler)  # the control: the same URL is open to the team's handler
    assert testapp.get(url).status_int == 200
    login(adviser)
    response = testapp.get(url, status=404)
    assert "BE68539007547034" not in response.text and "23410" not in response.text


def _count(dbsession, model, *where):
    return dbsession.scalar(select(func.count()).select_from(model).where(*where))


WRITES = ["note", "step", "admissibility_api", "admissibility_page", "api_list"]


@pytest.mark.parametrize("what", WRITES)
def test_adviser_of_the_handling_team_cannot_act(testapp, login, scene, dbsession, what):
    dossier, document, handler, adviser = scene
    ref, version = dossier.reference, dossier.version
    login(adviser)
    token = csrf_token(testapp)
    if what == "note":
        testapp.post(f"/dossiers/{ref}/notities", {"csrf_token": token, "body": "Gezien"},
                     status=404)
    elif what == "step":
        testapp.post(f"/dossiers/{ref}/stap", {"csrf_token": token, "version": str(version),
                                               "transition": "ontvankelijk_verklaren"},
                     status=404)
    elif what == "admissibility_api":
        testapp.post_json(f"/api/v1/dossiers/{ref}/ontvankelijkheid",
                          {"decision": "admissible", "version": version},
                          headers={"X-CSRF-Token": token}, status=404)
    elif what == "admissibility_page":
        testapp.post(f"/dossiers/{ref}/ontvankelijkheid",
                     {"csrf_token": token, "decision": "admissible", "version": str(version)},
                     status=404)
    else:  # the API's list of the caller's team: no dossier of the team she advises
        items = testapp.get("/api/v1/dossiers").json["items"]
        assert ref not in [item["reference"] for item in items]
        login(handler)
        items = testapp.get("/api/v1/dossiers").json["items"]
        assert ref in [item["reference"] for item in items]
    dbsession.expire_all()
    assert (dossier.state, dossier.version) == ("ingediend", version)
    assert _count(dbsession, DossierNote, DossierNote.dossier_id == dossier.id) == 0
    assert _count(dbsession, AuditEvent, AuditEvent.action == AUDIT_ACTION) == 0


def test_advice_request_to_her_team_gives_only_the_advice(testapp, login, scene, factories,
                                                          dbsession):
    """With an advice request addressed to her team she reads the request and the documents
    shared with it, still not the dossier."""
    from loket.advice.models import AdviceRequest

    dossier, document, handler, adviser = scene
    advice = AdviceRequest(dossier_id=dossier.id, number=1, channel="internal",
                           team_id=adviser.roles[0].team_id, question="Klopt het inkomen?",
                           due=date(2099, 1, 31), requested_by_id=handler.id)
    dbsession.add(advice)
    dbsession.flush()
    login(adviser)
    testapp.get(f"/dossiers/{dossier.reference}/adviezen/1")
    testapp.get(f"/dossiers/{dossier.reference}", status=404)
    testapp.get(f"/api/v1/dossiers/{dossier.reference}", status=404)
    testapp.get(f"/dossiers/{dossier.reference}/documenten/{document.number}/download",
                status=404)


def test_a_draft_is_in_no_list_but_its_applicants(testapp, login, scene, factories):
    """A list applies its objects' permission: a citizen's draft (state marked ``draft``) is
    the applicant's alone, not in the handling team's API list or worklists."""
    dossier, document, handler, adviser = scene
    draft = factories.dossier(team=dossier.team, state="concept", title="Nog niet ingediend")
    login(handler)
    listed = [item["reference"] for item in testapp.get("/api/v1/dossiers").json["items"]]
    assert dossier.reference in listed and draft.reference not in listed
    testapp.get(f"/api/v1/dossiers/{draft.reference}", status=404)
    assert draft.reference not in testapp.get("/werkbank").text
    login(draft.applicant)
    listed = [item["reference"] for item in testapp.get("/api/v1/dossiers").json["items"]]
    assert listed == [draft.reference]
