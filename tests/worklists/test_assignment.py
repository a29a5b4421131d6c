"""Taking and (bulk) assigning dossiers: only within one's teams, all or nothing, audited,
no lost update; on the page and through the API."""

from sqlalchemy import select

from loket.audit.models import AuditEvent
from tests.conftest import csrf_token


def says(response, dutch, english):
    """The message, in Dutch once the translations are merged (English msgids until then)."""
    return dutch in response.text or english in response.text


def audits(dbsession, reference):
    return dbsession.scalars(select(AuditEvent).where(
        AuditEvent.action == "dossier.assign", AuditEvent.object_id == reference)).all()


def test_take_a_dossier_from_the_workbench(testapp, login, world, dbsession):
    dossier = world.dossier()
    login(world.els)
    page = testapp.get("/werkbank", {"lijst": "vrij"})
    take = page.html.find("button", {"name": "neem"})
    assert take["value"] == f"{dossier.reference}:{dossier.version}"
    response = testapp.post("/werkbank", {"csrf_token": csrf_token(testapp),
                                          "neem": f"{dossier.reference}:{dossier.version}",
                                          "terug": "lijst=vrij&evil=https://x.example"})
    assert response.location == "http://localhost/werkbank?lijst=vrij&sorteer=termijn"
    assert dossier.handler_id == world.els.id
    [event] = audits(dbsession, dossier.reference)
    assert event.details == {"previous": None, "handler": world.els.id}
    assert event.actor_id == world.els.id
    # Now in "Mijn dossiers", the default list, and in the dossier's timeline
    assert dossier.reference in testapp.get("/werkbank").text
    timeline = testapp.get(f"/dossiers/{dossier.reference}")
    assert says(timeline, "Toegewezen aan Els", "Assigned to Els")


def test_bulk_assignment_to_a_colleague(testapp, login, world):
    first, second = world.dossier(), world.dossier(handler_id=world.els.id)
    login(world.els)
    testapp.post("/werkbank", [("csrf_token", csrf_token(testapp)),
                               ("dossier", f"{first.reference}:{first.version}"),
                               ("dossier", f"{second.reference}:{second.version}"),
                               ("behandelaar", str(world.bart.id))], status=302)
    assert first.handler_id == second.handler_id == world.bart.id


def test_a_dossier_of_another_team_spoils_the_batch(testapp, login, world, dbsession):
    mine, foreign = world.dossier(), world.dossier(team=world.other_team)
    login(world.els)
    response = testapp.post("/werkbank", [("csrf_token", csrf_token(testapp)),
                                          ("dossier", f"{mine.reference}:{mine.version}"),
                                          ("dossier", f"{foreign.reference}:1"),
                                          ("behandelaar", "ik")], status=404)
    assert says(response, "niet van je team", "not one of your team")
    assert mine.handler_id is None and foreign.handler_id is None
    assert audits(dbsession, mine.reference) == []


def test_refusals_change_nothing(testapp, login, world):
    dossier = world.dossier()
    login(world.els)
    token = csrf_token(testapp)
    # Not a handler of the team
    seen = f"{dossier.reference}:{dossier.version}"
    testapp.post("/werkbank", {"csrf_token": token, "dossier": seen,
                               "behandelaar": str(world.stranger.id)}, status=400)
    # Seen at an older version: someone changed it in between
    response = testapp.post("/werkbank", {"csrf_token": token, "behandelaar": "ik",
                                          "dossier": f"{dossier.reference}:{dossier.version + 1}"},
                            status=409)
    assert says(response, "iemand anders", "someone else")
    # Nothing chosen, unknown colleague, unknown dossier, no CSRF token
    testapp.post("/werkbank", {"csrf_token": token, "behandelaar": "ik"}, status=400)
    testapp.post("/werkbank", {"csrf_token": token, "dossier": seen, "behandelaar": "999999"},
                 status=400)
    testapp.post("/werkbank", {"csrf_token": token, "dossier": "2026-999999:1",
                               "behandelaar": "ik"}, status=404)
    testapp.post("/werkbank", {"dossier": seen, "behandelaar": "ik"}, status=400)
    assert dossier.handler_id is None


def test_citizen_may_not_assign(testapp, login, world, factories):
    dossier = world.dossier()
    login(dossier.applicant)
    testapp.post("/werkbank", {"csrf_token": csrf_token(testapp), "neem": dossier.reference},
                 status=403)
    assert dossier.handler_id is None


def test_api_assignment_and_list(testapp, login, world, dbsession):
    first, second = world.dossier(), world.dossier()
    login(world.els)
    headers = {"X-CSRF-Token": csrf_token(testapp)}
    body = {"dossiers": [{"reference": first.reference, "version": first.version},
                         {"reference": second.reference}], "handler": world.bart.id}
    answer = testapp.post_json("/api/v1/werkbank", body, headers=headers).json
    assert answer["assigned"] == 2
    assert answer["dossiers"][0]["handler"] == {"id": world.bart.id, "name": world.bart.name}
    listed = testapp.get("/api/v1/werkbank", {"behandelaar": str(world.bart.id)}).json
    assert {i["reference"] for i in listed["items"]} == {first.reference, second.reference}
    assert listed["counts"]["team"] == 2 and listed["counts"]["vrij"] == 0
    # Back to nobody
    testapp.post_json("/api/v1/werkbank", {"dossiers": [{"reference": first.reference}],
                                           "handler": None}, headers=headers)
    assert first.handler_id is None
    # Bad input: clear 400, nothing changed
    for bad in ({"dossiers": [], "handler": None}, {"dossiers": [{"reference": "x"}]},
                {"dossiers": [{"reference": second.reference}], "handler": "els"}):
        error = testapp.post_json("/api/v1/werkbank", bad, headers=headers, status=400).json
        assert error["error"]["details"]
    foreign = world.dossier(team=world.other_team)
    testapp.post_json("/api/v1/werkbank", {"dossiers": [{"reference": second.reference},
                                                        {"reference": foreign.reference}],
                                           "handler": None}, headers=headers, status=404)
    testapp.post_json("/api/v1/werkbank", {"dossiers": [{"reference": second.reference,
                                                         "version": 99}],
                                           "handler": None}, headers=headers, status=409)
    assert second.handler_id == world.bart.id and foreign.handler_id is None
    # Without the CSRF header the session may not write
    testapp.post_json("/api/v1/werkbank", {"dossiers": [{"reference": second.reference}],
                                           "handler": None}, status=400)


def test_api_list_pages_and_refuses_bad_parameters(testapp, login, world):
    for _ in range(5):
        world.dossier()
    login(world.els)
    page = testapp.get("/api/v1/werkbank", {"lijst": "vrij", "limit": "2"}).json
    seen = [i["reference"] for i in page["items"]]
    while page["links"]["next"]:
        page = testapp.get(page["links"]["next"]).json
        seen.extend(i["reference"] for i in page["items"])
    assert len(seen) == len(set(seen)) == 5
    testapp.get("/api/v1/werkbank", {"lijst": "alles"}, status=400)
    testapp.get("/api/v1/werkbank", {"na": "bm9wZQ"}, status=400)
    testapp.get("/api/v1/werkbank", {"van": "gisteren"}, status=400)


def test_api_worklist_is_for_staff(testapp, login, world):
    testapp.get("/api/v1/werkbank", status=401)
    login(world.dossier().applicant)
    testapp.get("/api/v1/werkbank", status=403)
