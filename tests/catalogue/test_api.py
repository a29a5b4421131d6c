"""The catalogue as JSON: public, only versions in force, every response checked against the
OpenAPI document."""

from datetime import date, timedelta

from loket.catalogue import services
from loket.web.openapi import spec_dict


def test_catalogue_lists_the_types_in_force(api, shipped):
    body = api.get("/api/v1/catalogus").json
    codes = [item["code"] for item in body["items"]]
    assert set(codes) == set(shipped) - {"bezwaar"}  # lodged on a dossier, not applied for
    heating = next(i for i in body["items"] if i["code"] == "verwarmingstoelage")
    assert heating["title"] == {"nl": "Verwarmingstoelage", "en": "Heating allowance"}
    assert heating["version"] == 1 and heating["valid_from"] == "2026-01-01"
    assert heating["valid_until"] is None
    assert heating["links"] == {
        "self": "http://localhost/api/v1/catalogus/verwarmingstoelage",
        "page": "http://localhost/catalogus/verwarmingstoelage"}
    assert body["links"]["self"] == "http://localhost/api/v1/catalogus"


def test_one_type_with_its_form_and_documents(api, shipped):
    body = api.get("/api/v1/catalogus/verwarmingstoelage").json
    assert body["decision_body"] == "vast_bureau"
    assert body["form"] == shipped["verwarmingstoelage"].versions[0].definition["form"]
    assert [d["code"] for d in body["documents"]] == ["factuur"]
    assert body["amount"]["rule"]["type"] == "per_unit"
    assert {d["code"]: d["days"] for d in body["deadlines"]}["beslissing"] == 60
    # Internal parts of the definition stay inside.
    assert "dosis" not in body and "retention" not in body and "checks" not in body


def test_concepts_and_future_versions_stay_hidden(api, actor, shipped):
    services.create_type(actor, "geheim", {"nl": "Geheim", "en": "Secret"}, "sociale-premie",
                         "sociale-dienst")
    later = services.create_type(actor, "later", {"nl": "Later", "en": "Later"},
                                 "sociale-premie", "sociale-dienst")
    services.publish(actor, later.versions[0], date.today() + timedelta(days=30))
    codes = {i["code"] for i in api.get("/api/v1/catalogus").json["items"]}
    assert "geheim" not in codes and "later" not in codes
    for code in ("geheim", "later", "bestaat-niet"):
        body = api.get(f"/api/v1/catalogus/{code}", status=404).json
        assert body["error"]["status"] == 404


def test_a_code_that_cannot_exist_is_not_found(api):
    assert api.get("/api/v1/catalogus/Niet_Goed", status=404).json["error"]["status"] == 404


def test_the_catalogue_is_documented_as_public(app):
    paths = spec_dict(app.registry)["paths"]
    assert paths["/catalogus"]["get"]["security"] == []
    assert paths["/catalogus/{code}"]["get"]["security"] == []
