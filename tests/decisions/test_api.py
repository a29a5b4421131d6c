"""Bodies, meetings, agenda items and decisions as JSON, validated against the OpenAPI
document; staff only."""

from decimal import Decimal

from loket.decisions import services
from loket.security import Role
from loket.web.openapi import validate_api_response
from tests.decisions.conftest import on_agenda


def get(testapp, url, status=200):
    response = testapp.get(url, status=status)
    if status == 200:
        validate_api_response(response.request, response, testapp.app.registry)
    return response


def test_the_secretariat_reads_bodies_and_meetings(testapp, login, secretary, dbsession,
                                                   factories, held_meeting):
    services.add_member(dbsession, services.ensure_bodies(dbsession)["college"], "Luc Janssens",
                        "chair", "burgemeester")
    on_agenda(factories, dbsession, held_meeting, amount=Decimal("250"))
    login(secretary)
    listed = get(testapp, "/api/v1/zittingen").json
    assert {b["code"] for b in listed["bodies"]} == set(services.BODIES)
    college = next(b for b in listed["bodies"] if b["code"] == "college")
    assert college["members"] == [{"name": "Luc Janssens", "role": "chair",
                                   "title": "burgemeester"}]
    held = next(m for m in listed["meetings"] if m["id"] == held_meeting.id)
    assert (held["item_count"], held["agenda_open"]) == (1, False)
    meeting = get(testapp, f"/api/v1/zittingen/{held_meeting.id}").json
    [item] = meeting["items"]
    assert (item["amount"], item["status"], item["decision"]) == ("250.00", "proposed", None)
    assert meeting["deciding_body"]["code"] == "college"
    get(testapp, "/api/v1/zittingen/999999", status=404)


def test_a_dossiers_items_and_decision(testapp, login, secretary, factories, dbsession,
                                       held_meeting):
    item = on_agenda(factories, dbsession, held_meeting)
    request = testapp.app.request_factory({})
    request.registry, request.dbsession = testapp.app.registry, dbsession
    request.localizer = None
    entry = services.ItemOutcome(item_id=item.id, outcome="approved", votes_for="5")
    services.record_item(request, item, entry, services.Actor.system(),
                         held_meeting.starts.date())
    team = item.dossier.team
    handler = factories.staff(Role.HANDLER, team=team)
    login(handler)
    found = get(testapp, f"/api/v1/dossiers/{item.dossier.reference}/beslissing").json
    [decision] = found["decisions"]
    assert (decision["outcome"], decision["votes"]["for"], decision["agenda_item"]) == \
        ("approved", 5, item.id)
    assert [i["status"] for i in found["agenda_items"]] == ["approved"]


def test_others_read_nothing(testapp, login, factories, dbsession, held_meeting):
    item = on_agenda(factories, dbsession, held_meeting)
    login(item.dossier.applicant)  # the citizen hears the outcome by the letter
    testapp.get(f"/api/v1/dossiers/{item.dossier.reference}/beslissing", status=404)
    testapp.get("/api/v1/zittingen", status=403)
    login(factories.staff(Role.HANDLER))
    testapp.get(f"/api/v1/zittingen/{held_meeting.id}", status=403)


def test_the_besluit_callback_is_described_by_the_decisions_fragment(testapp):
    from importlib.resources import files

    import yaml

    own = yaml.safe_load(files("loket.decisions").joinpath("openapi.yaml").read_text())
    shared = yaml.safe_load(files("loket.api").joinpath("openapi.yaml").read_text())
    assert "/dossiers/{reference}/callbacks/besluit" in own["paths"]
    assert "BesluitCallback" in own["components"]["schemas"]
    assert "BesluitCallback" not in shared["components"]["schemas"]
    served = testapp.get("/api/v1/openapi.yaml").text
    assert "postBesluitCallback" in served and "BesluitCallback:" in served
