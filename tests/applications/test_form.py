"""The form's steps: bad input gets a Dutch message next to the field and nothing typed is
lost; saving and resuming; read-only prefilled fields; nobody else sees the draft."""

import pytest

from tests.applications.helpers import GOOD_STEPS, draft, dutch, fill, start, submit_step


@pytest.fixture
def path(testapp, jan, magda_on):
    return start(testapp)


def error_next_to(page, name) -> str:
    """The error message Deform shows in the field's own block."""
    item = page.html.select_one(f".item-{name}")
    errors = item.select(".invalid-feedback, .error-block, .help-block.error, [id^=error-]")
    return " ".join(e.get_text(" ", strip=True) for e in errors)


BAD_INPUT = [
    # (step, values, field, what the citizen reads next to it)
    (1, {"email": "jan.example.org"}, "email", "Ongeldig e-mailadres"),
    (1, {"email": "jan@example.org", "telefoon": "12345"}, "telefoon",
     "Enter a Belgian phone number (for example 0470 12 34 56) or an international one that "
     "starts with + and the country code."),
    (3, {**GOOD_STEPS[3], "liters": "veel"}, "liters", "is geen getal"),
    (3, {**GOOD_STEPS[3], "liters": "2000"}, "liters", "1500"),
    (3, {**GOOD_STEPS[3], "factuurbedrag": "twaalf euro"}, "factuurbedrag", "is geen getal"),
    (3, {**GOOD_STEPS[3], "factuurbedrag": "-5"}, "factuurbedrag", "0.01"),
    (3, {**GOOD_STEPS[3], "leveringsdatum": "2026-02-31"}, "leveringsdatum", "datum"),
    (3, {**GOOD_STEPS[3], "leveringsdatum": "2999-01-01"}, "leveringsdatum", "2999"),
    (4, {**GOOD_STEPS[4], "iban": "BE00 1234 5678 9012"}, "iban",
     "This is not a valid IBAN account number (for example BE71 0961 2345 6769)."),
]


@pytest.mark.parametrize(("number", "values", "field", "message"), BAD_INPUT)
def test_bad_input_is_refused_next_to_the_field_and_kept(testapp, dbsession, path, number,
                                                          values, field, message):
    before = dict(draft(dbsession, path).data)
    page = submit_step(testapp, path, number, values, status=400)
    if message[0].isupper() and message.endswith("."):
        message = dutch(message)
    assert message in error_next_to(page, field) or message in page.text
    assert dutch("Some answers are not right yet. Look at the messages next to the fields; "
                 "what you typed is kept.") in page.text
    # What was typed is still there, the field is marked invalid, nothing was stored.
    typed = str(values[field])
    item = page.html.select_one(f".item-{field}")
    assert typed in str(item) or typed.lower() in str(item).lower()
    assert draft(dbsession, path).data == before


def test_required_answers_are_asked(testapp, dbsession, path):
    page = submit_step(testapp, path, 3, {"liters": "100"}, status=400)
    assert "verplicht" in error_next_to(page, "factuurbedrag")
    assert "verplicht" in error_next_to(page, "brandstof")


def test_steps_are_saved_and_resumed(testapp, dbsession, path):
    response = submit_step(testapp, path, 1, GOOD_STEPS[1])
    assert response.location.endswith("aanvraag?stap=2")
    response = submit_step(testapp, path, 3, GOOD_STEPS[3], button="bewaren")
    assert response.location.rstrip("/").endswith(path)  # saved: back to the dossier page
    page = response.follow()
    assert dutch("Continue your application") in page.text
    dossier = draft(dbsession, path)
    assert dossier.data["email"] == "jan@example.org"
    assert dossier.data["telefoon"] == "+32470123456"
    assert dossier.data["liters"] == "1000"
    assert dossier.data["factuurbedrag"] == "1234.56"
    assert dossier.data["appartement"] is False
    assert dossier.data["voornaam"] == "Jan"  # the prefill is still there
    # Resuming shows what was saved.
    form = testapp.get(f"{path}/aanvraag?stap=3").forms["aanvraag"]
    assert form["liters"].value == "1000" and form["factuurbedrag"].value == "1234.56"
    assert form["date"].value == GOOD_STEPS[3]["leveringsdatum"]


def test_a_tampered_read_only_field_is_ignored(testapp, dbsession, path):
    page = testapp.get(f"{path}/aanvraag?stap=1")
    form = fill(page, GOOD_STEPS[1])
    fields = list(form.submit_fields("volgende")) + [("voornaam", "Mallory"),
                                                     ("familienaam", "Mallory")]
    testapp.post(form.action, fields, status=302)
    data = draft(dbsession, path).data
    assert data["voornaam"] == "Jan" and data["familienaam"] == "Peeters"


def test_another_citizen_cannot_see_or_edit_the_draft(testapp, dbsession, path, factories,
                                                      login_as):
    before = dict(draft(dbsession, path).data)
    login_as(factories.citizen())
    token = testapp.get("/mijn-dossiers").html.find("input", {"name": "csrf_token"})["value"]
    for view in ("aanvraag?stap=1", "bijlagen", "controleren", "ontvangen", ""):
        testapp.get(f"{path}/{view}", status=404)
    testapp.post(f"{path}/aanvraag?stap=1", {"csrf_token": token, "email": "x@example.org",
                                             "volgende": "volgende"}, status=404)
    testapp.post(f"{path}/controleren", {"csrf_token": token, "versie": "1"}, status=404)
    assert draft(dbsession, path).data == before
