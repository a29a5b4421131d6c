"""The catalogue in the browser: the public pages, starting an application, and the functional
administrator's journey from a new type to a published one a citizen can see."""

import re
from datetime import date

import pytest
import yaml
from sqlalchemy import select

from loket.audit.models import AuditEvent
from loket.catalogue import services
from loket.catalogue.models import CONCEPT, PUBLISHED
from loket.security import Role
from tests.conftest import csrf_token


def form_of(page, formid):
    return page.forms[formid]


# ---------------------------------------------------------------------------------------------
# Public


def test_public_catalogue_lists_the_types_in_force(testapp, shipped):
    page = testapp.get("/catalogus")
    assert '<html lang="nl">' in page.text
    for title in ["Geboortepremie", "Verwarmingstoelage", "Inname openbaar domein"]:
        assert title in page.text
    assert "€ 100 per kind" in page.text
    assert "20 % van “bedrag van de factuur met btw”, maximaal € 750" in page.text
    link = page.html.find("a", href="/catalogus/geboortepremie/aanvragen")
    assert link is not None and "Aanvragen" in link.text
    assert "beheer" not in page.text


def test_a_concept_only_type_is_not_public(testapp, actor):
    services.create_type(actor, "geheim", {"nl": "Geheim", "en": "Secret"},
                         "sociale-premie", "sociale-dienst")
    assert "Geheim" not in testapp.get("/catalogus").text
    testapp.get("/catalogus/geheim", status=404)
    testapp.get("/catalogus/bestaat-niet", status=404)


def test_type_page_in_english(testapp, shipped):
    testapp.get("/taal", {"kies": "en"})
    page = testapp.get("/catalogus/inname-openbaar-domein")
    assert '<html lang="en">' in page.text
    assert "Occupying the public domain" in page.text
    assert "Site sketch" in page.text
    assert "College of mayor and aldermen" in page.text
    assert "at least €20" in page.text


# ---------------------------------------------------------------------------------------------
# The citizen's form


def test_anonymous_visitor_must_log_in_to_apply(testapp, shipped):
    response = testapp.get("/catalogus/geboortepremie/aanvragen", status=302)
    assert "/aanmelden" in response.location


def login_with_eid(testapp, dbsession, user):
    """A citizen's session after logging in with eID (the level the shipped types ask)."""
    import secrets

    from loket.identity.models import WebSession
    from loket.identity.sessions import COOKIE_NAME, _hash

    token = secrets.token_urlsafe(32)
    dbsession.add(WebSession(id=_hash(token), user_id=user.id, data={
        "user_id": user.id, "acr": "urn:be:vlaanderen:authmech:eid"}))
    dbsession.flush()
    testapp.set_cookie(COOKIE_NAME, token)
    return user


def test_citizen_starts_an_application_and_its_form_checks_each_step(testapp, dbsession,
                                                                     factories, shipped):
    factories.team(code="sociale-dienst", name="Sociale dienst")
    login_with_eid(testapp, dbsession, factories.citizen(given_name="Mira"))
    page = testapp.get("/catalogus/geboortepremie/aanvragen")
    start = next(f for f in page.forms.values() if f.action.endswith("/aanvragen"))
    page = start.submit().follow()  # the draft's first step (no person register here)
    form = form_of(page, "aanvraag")
    assert "email" in form.fields
    assert "Stap 1 van" in page.text
    for script in page.html.find_all("script"):
        assert script.get("nonce")
    form["email"] = "geen-adres"
    form["telefoon"] = "12345"
    response = form.submit("volgende", status=400)
    assert "Ongeldig e-mailadres" in response.text
    assert "Geef een Belgisch telefoonnummer" in response.text


def test_the_type_page_asks_for_a_stronger_login_when_needed(testapp, login, factories,
                                                             shipped):
    login(factories.citizen())  # a session without the eID or itsme level
    response = testapp.get("/catalogus/sportpremie/aanvragen", status=302)
    assert "/aanmelden" in response.location and "middel=eid" in response.location


def test_staff_cannot_apply(testapp, login, factories, shipped):
    login(factories.staff(Role.HANDLER))
    testapp.get("/catalogus/geboortepremie/aanvragen", status=403)


# ---------------------------------------------------------------------------------------------
# Administration: permissions


ADMIN_PAGES = ["/catalogus/@@beheer", "/catalogus/@@nieuw", "/catalogus/@@importeren",
               "/catalogus/geboortepremie/1", "/catalogus/geboortepremie/1/@@voorbeeld",
               "/catalogus/geboortepremie/1/@@exporteren", "/catalogus/geboortepremie/@@exporteren",
               "/catalogus/geboortepremie/@@nieuwe-versie"]


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.HANDLER])
def test_citizens_and_handlers_get_403_on_admin_pages(testapp, login, factories, shipped, role):
    login(factories.citizen() if role == Role.CITIZEN else factories.staff(Role.HANDLER))
    for path in ADMIN_PAGES:
        testapp.get(path, status=403)


def test_anonymous_is_sent_to_login_from_admin_pages(testapp, shipped):
    assert "/aanmelden" in testapp.get("/catalogus/@@beheer", status=302).location


def test_admin_list_and_version_page(testapp, admin, shipped):
    page = testapp.get("/catalogus/@@beheer")
    for code in shipped:
        assert f"<code>{code}</code>" in page.text
    page = testapp.get("/catalogus/verwarmingstoelage/1")
    assert "Vast bureau (OCMW)" in page.text
    assert "maximaal € 26.739,25 + € 4.950,18 / persoon ten laste" in page.text
    assert "KlaarVoorBetaling" in page.text
    assert page.html.find("a", href="/catalogus/verwarmingstoelage/1/bewerken") is None
    assert "/catalogus/verwarmingstoelage/@@nieuwe-versie" in page.text or \
        "/catalogus/verwarmingstoelage/nieuwe-versie" in page.text


def test_published_versions_are_read_only(testapp, admin, shipped):
    for name in ["bewerken", "publiceren"]:
        response = testapp.get(f"/catalogus/geboortepremie/1/@@{name}", status=409)
        assert "Deze versie is gepubliceerd" in response.text
    token = csrf_token(testapp)
    before = shipped["geboortepremie"].versions[0].definition
    testapp.post("/catalogus/geboortepremie/1/@@bewerken?deel=teksten",
                 {"csrf_token": token}, status=409)
    testapp.post("/catalogus/geboortepremie/1/@@publiceren",
                 {"csrf_token": token, "date": "2027-01-01"}, status=409)
    assert shipped["geboortepremie"].versions[0].definition is before


def test_export_downloads_yaml(testapp, admin, shipped):
    response = testapp.get("/catalogus/sportpremie/@@exporteren")
    assert response.content_type == "application/yaml"
    assert response.headers["Content-Disposition"] == 'attachment; filename="sportpremie.yaml"'
    assert yaml.safe_load(response.body)["code"] == "sportpremie"
    one = testapp.get("/catalogus/sportpremie/1/@@exporteren")
    assert one.headers["Content-Disposition"] == 'attachment; filename="sportpremie-1.yaml"'


# ---------------------------------------------------------------------------------------------
# The journey: new type → edit → preview → publish → a citizen sees it


def test_admin_creates_edits_and_publishes_a_premium_a_citizen_can_see(
        testapp, login, factories, dbsession):
    admin_user = login(factories.staff(Role.ADMIN))
    factories.team(code="sociale-dienst", name="Sociale dienst")

    # A new type.
    page = testapp.get("/catalogus/@@nieuw")
    form = form_of(page, "nieuw-type")
    form["code"] = "huurpremie"
    form.set("nl", "Huurpremie", index=0)
    form.set("en", "Rent premium", index=0)
    form["workflow"] = "sociale-premie"
    form["team"] = "sociale-dienst"
    response = form.submit("aanmaken").follow()
    assert response.request.path == "/catalogus/huurpremie/1/bewerken"
    dossier_type = services.get_type(dbsession, "huurpremie")
    version = dossier_type.versions[0]
    assert version.status == CONCEPT

    # Texts.
    page = testapp.get("/catalogus/huurpremie/1/@@bewerken?deel=teksten")
    form = form_of(page, "deel-teksten")
    form.set("nl", "Een premie van € 50 per maand voor huurders. Dit is een voorbeeld.", index=1)
    form.set("en", "A premium of € 50 a month for tenants. This is an example.", index=1)
    form.submit("opslaan").follow()
    assert version.definition["summary"]["nl"].startswith("Een premie van € 50")

    # A field: add an amount field to the first step.
    page = testapp.get("/catalogus/huurpremie/1/@@bewerken?deel=formulier")
    add = page.html.find("a", string=re.compile("Veld toevoegen aan deze stap"))
    page = testapp.get(add["href"])
    form = form_of(page, "item-form-steps-0-fields")
    form["name"] = "huurprijs"
    form["type"] = "amount"
    form.set("nl", "Maandelijkse huurprijs", index=0)
    form.set("en", "Monthly rent", index=0)
    form["required"] = True
    form["min"] = "1"
    form.submit("opslaan").follow()
    names = [f["name"] for f in version.definition["form"]["steps"][0]["fields"]]
    assert names == ["voornaam", "familienaam", "email", "huurprijs"]

    # Reorder: move the new field up.
    page = testapp.get("/catalogus/huurpremie/1/@@bewerken?deel=formulier")
    form = form_of(page, "acties-form-steps-0-fields-3")
    form.submit("omhoog").follow()
    names = [f["name"] for f in version.definition["form"]["steps"][0]["fields"]]
    assert names == ["voornaam", "familienaam", "huurprijs", "email"]

    # Amount rule: a percentage of the rent with a ceiling.
    page = testapp.get("/catalogus/huurpremie/1/@@bewerken?deel=bedragen")
    form = form_of(page, "deel-bedragen")
    form["direction"] = "loket_pays"
    form["rule"] = "percentage"
    form["percentage"] = "10"
    form["ceiling"] = "50,00"
    form["field"] = "huurprijs"
    form.submit("opslaan").follow()
    assert version.definition["amount"] == {
        "direction": "loket_pays",
        "rule": {"type": "percentage", "percentage": 10, "field": "huurprijs", "ceiling": 50}}

    # A document.
    page = testapp.get("/catalogus/huurpremie/1/@@bewerken?deel=documenten&lijst=documents"
                       "&item=nieuw")
    form = form_of(page, "item-documents")
    form["code"] = "huurcontract"
    form.set("nl", "Huurcontract", index=0)
    form.set("en", "Lease", index=0)
    form["required"] = True
    form.set("checkbox", True, index=0)
    form["max_size_mb"] = "5"
    form.submit("opslaan").follow()
    assert version.definition["documents"][0]["media_types"] == ["application/pdf"]

    # A deadline.
    page = testapp.get("/catalogus/huurpremie/1/@@bewerken?deel=termijnen&lijst=deadlines"
                       "&item=nieuw")
    form = form_of(page, "item-deadlines")
    form["code"] = "beslissing"
    form.set("nl", "Beslissing", index=0)
    form.set("en", "Decision", index=0)
    form["days"] = "60"
    form["start_state"] = "ontvankelijk"
    for field in form.fields["checkbox"]:
        if field._value in ("goedgekeurd", "geweigerd"):
            field.checked = True
    form.submit("opslaan").follow()
    assert version.definition["deadlines"][0]["stop_states"] == ["geweigerd", "goedgekeurd"]

    # Preview shows the new field; publishing makes it public.
    page = testapp.get("/catalogus/huurpremie/1/@@voorbeeld")
    assert "Maandelijkse huurprijs" in page.text
    assert "Jan" in page.text  # the example person's prefill
    page = testapp.get("/catalogus/huurpremie/1/@@publiceren")
    form = form_of(page, "publiceren")
    form["date"] = date.today().isoformat()
    form.submit("publiceren").follow()
    assert version.status == PUBLISHED and version.published_by_id == admin_user.id
    actions = [e.action for e in dbsession.scalars(select(AuditEvent).where(
        AuditEvent.object_id == "huurpremie").order_by(AuditEvent.id))]
    assert actions[0] == "catalogue.create" and actions[-1] == "catalogue.publish"
    assert all(e.actor_id == admin_user.id for e in dbsession.scalars(select(AuditEvent).where(
        AuditEvent.object_id == "huurpremie")))

    # A citizen sees it and can start an application.
    login_with_eid(testapp, dbsession, factories.citizen())
    assert "Huurpremie" in testapp.get("/catalogus").text
    page = testapp.get("/catalogus/huurpremie/aanvragen")
    assert "Huurpremie" in page.text
    assert any(f.action.endswith("/huurpremie/aanvragen") for f in page.forms.values())


def test_a_new_repeating_group_starts_with_one_field(testapp, admin, actor):
    services.create_type(actor, "gezinspremie", {"nl": "Gezinspremie", "en": "Family premium"},
                         "sociale-premie", "sociale-dienst")
    page = testapp.get("/catalogus/gezinspremie/1/@@bewerken?deel=formulier&lijst=form.steps.0"
                       ".fields&item=nieuw")
    form = form_of(page, "item-form-steps-0-fields")
    form["name"] = "kinderen"
    form["type"] = "repeat"
    form.set("nl", "Kind", index=0)
    form.set("en", "Child", index=0)
    form["max_items"] = "8"
    page = form.submit("opslaan").follow()
    version = services.get_type(actor.dbsession, "gezinspremie").versions[0]
    repeat = version.definition["form"]["steps"][0]["fields"][-1]
    assert repeat["max_items"] == 8
    assert [f["name"] for f in repeat["fields"]] == ["kinderen_naam"]
    # Its fields get their own list in the editor.
    assert "lijst=form.steps.0.fields.3.fields&amp;item=nieuw" in page.text


def test_invalid_edits_change_nothing_and_list_every_problem(testapp, admin, actor, dbsession):
    dossier_type = services.create_type(actor, "testpremie", {"nl": "Test", "en": "Test"},
                                        "sociale-premie", "sociale-dienst")
    version = dossier_type.versions[0]
    before = version.definition

    # Colander refuses the form itself.
    page = testapp.get("/catalogus/testpremie/1/@@bewerken?deel=teksten")
    form = form_of(page, "deel-teksten")
    form.set("nl", "", index=0)
    response = form.submit("opslaan", status=400)
    assert "Sommige antwoorden kloppen nog niet." in response.text  # the one error banner

    # The definition refuses: a field whose name another one has.
    page = testapp.get("/catalogus/testpremie/1/@@bewerken?deel=formulier&lijst=form.steps.0"
                       ".fields&item=nieuw")
    form = form_of(page, "item-form-steps-0-fields")
    form["name"] = "email"
    form["type"] = "text"
    form.set("nl", "Nog een e-mail", index=0)
    form.set("en", "Another email", index=0)
    response = form.submit("opslaan", status=400)
    assert "Er is niets gewijzigd" in response.text
    assert "form.steps[0].fields[3].name" in response.text
    assert "duplicate field name" in response.text

    # The YAML editor: several problems at once.
    page = testapp.get("/catalogus/testpremie/1/@@bewerken?deel=geavanceerd")
    form = form_of(page, "deel-geavanceerd")
    data = yaml.safe_load(form["yaml"].value)
    data["workflow"] = "koffie"
    data["form"]["steps"][0]["fields"][2]["type"] = "colour"
    form["yaml"] = yaml.safe_dump(data, allow_unicode=True)
    response = form.submit("opslaan", status=400)
    assert "unknown workflow" in response.text
    assert "form.steps[0].fields[2].type" in response.text and "colour" in response.text
    form = form_of(response, "deel-geavanceerd")
    form["yaml"] = "workflow: [kapot"
    response = form.submit("opslaan", status=400)
    assert "not valid YAML" in response.text

    # Removing the only step is refused too.
    page = testapp.get("/catalogus/testpremie/1/@@bewerken?deel=formulier")
    response = form_of(page, "acties-form-steps-0").submit("verwijderen", status=400)
    assert "form.steps" in response.text

    dbsession.refresh(version)
    assert version.definition == before


def test_new_version_and_publish_refusals(testapp, admin, shipped, dbsession):
    page = testapp.get("/catalogus/geboortepremie/@@nieuwe-versie")
    form_of(page, "nieuwe-versie").submit("aanmaken").follow()
    dossier_type = shipped["geboortepremie"]
    assert [v.status for v in dossier_type.versions] == [PUBLISHED, CONCEPT]
    # A second concept is refused.
    testapp.get("/catalogus/geboortepremie/@@nieuwe-versie", status=409)
    # Publishing before the current version's start is refused with the reason.
    page = testapp.get("/catalogus/geboortepremie/2/@@publiceren")
    form = form_of(page, "publiceren")
    form["date"] = "2025-06-01"
    response = form.submit("publiceren", status=400)
    assert "must be after 2026-01-01" in response.text
    assert dossier_type.versions[1].status == CONCEPT


def test_import_through_the_browser(testapp, admin, actor, dbsession, shipped):
    exported = services.export_yaml(shipped["studietoelage"]).replace(
        "code: studietoelage", "code: studietoelage-bis")
    page = testapp.get("/catalogus/@@importeren")
    form = form_of(page, "importeren")
    form["text"] = exported
    response = form.submit("importeren").follow()
    assert response.request.path == "/catalogus/studietoelage-bis/"
    assert services.get_type(dbsession, "studietoelage-bis").versions[0].status == PUBLISHED

    page = testapp.get("/catalogus/@@importeren")
    form = form_of(page, "importeren")
    form["text"] = exported.replace("type: text", "type: colour")
    response = form.submit("importeren", status=400)
    assert "Er is niets gewijzigd" in response.text
    assert response.text.count("unknown field type") >= 2
