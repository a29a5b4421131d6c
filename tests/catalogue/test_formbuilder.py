"""The citizen's form built from a definition: every field type, validation messages in the
visitor's language, steps, and read-only prefill that a tampered request cannot change."""

from datetime import date
from decimal import Decimal

import colander
import deform
import pytest
from pyramid import testing
from pyramid.threadlocal import manager

from loket.catalogue.formbuilder import (
    build_form,
    build_schema,
    build_step_schema,
    jsonable,
    merge_prefill,
    prefill_values,
)
from loket.catalogue.validators import normalise_phone
from loket.i18n import LOCALE_COOKIE

TODAY = date(2026, 3, 15)


def field(name, kind, **extra):
    return {"name": name, "type": kind, "label": {"nl": f"NL {name}", "en": f"EN {name}"},
            **extra}


DEFINITION = {"form": {"steps": [
    {"title": {"nl": "Jij", "en": "You"}, "fields": [
        field("voornaam", "text", required=True, max_length=20,
              prefill={"source": "person_register", "attribute": "given_name"},
              readonly_when_prefilled=True),
        field("adres", "address", required=True,
              prefill={"source": "person_register", "attribute": "address"},
              readonly_when_prefilled=True),
        field("woning", "address", required=False,
              prefill={"source": "person_register", "attribute": "address"},
              readonly_when_prefilled=False),
        field("email", "email", required=True),
        field("telefoon", "phone"),
        field("uitleg", "textarea", help={"nl": "Kort graag.", "en": "Keep it short."}),
    ]},
    {"title": {"nl": "Details", "en": "Details"}, "fields": [
        field("aantal", "number", required=True, min=1, max=1500),
        field("bedrag", "amount", required=True),
        field("datum", "date", required=True, min="today-60", max="today"),
        field("brandstof", "choice", required=True, choices=[
            {"value": "stookolie", "label": {"nl": "Stookolie", "en": "Heating oil"}},
            {"value": "propaan", "label": {"nl": "Propaan", "en": "Propane"}}]),
        field("appartement", "yesno", required=True),
        field("iban", "iban", required=True),
        field("gezin", "repeat", min_items=1, max_items=3, required=True,
              prefill={"source": "person_register", "attribute": "household"},
              readonly_when_prefilled=True,
              fields=[field("lid", "text", required=True,
                            prefill={"source": "person_register",
                                     "attribute": "given_name"}),
                      field("geboren", "date", required=True,
                            prefill={"source": "person_register",
                                     "attribute": "birth_date"})]),
        field("kinderen", "repeat", min_items=0, max_items=2,
              fields=[field("kind", "text", required=True)]),
    ]},
]}}

PERSON = {"given_name": "Jan", "family_name": "Peeters", "birth_date": date(1985, 3, 14),
          "address": {"street": "Kerkstraat", "number": "12", "box": "", "postcode": "2400",
                      "municipality": "Heidebeek"},
          "household": [{"given_name": "An", "birth_date": date(1987, 6, 2)}]}


@pytest.fixture
def request_in(app):
    """A request in ``language``, pushed as the current one (Deform translates through it)."""
    pushed = []

    def request_in(language="nl"):
        request = testing.DummyRequest(cookies={LOCALE_COOKIE: language})
        request.registry = app.registry
        manager.push({"request": request, "registry": app.registry})
        pushed.append(request)
        return request

    yield request_in
    for _ in pushed:
        manager.pop()


def messages(request, error: colander.Invalid) -> dict:
    return error.asdict(translate=request.localizer.translate)


VALID_STEP_2 = {"aantal": "1.420,5", "bedrag": "12,345", "datum": "2026-03-01",
                "brandstof": "propaan",
                "appartement": "true", "iban": "be71 0961 2345 6769",
                "kinderen": [{"kind": "Noor"}]}


def cstruct(schema, values):
    """What Deform hands Colander: text for scalars, mappings and lists for groups."""
    return {c.name: values.get(c.name, colander.null) for c in schema.children}


def test_every_field_type_becomes_a_node(request_in):
    request = request_in("nl")
    schema = build_schema(DEFINITION, request, today=TODAY)
    types = {c.name: type(c.typ).__name__ for c in schema.children}
    assert types == {
        "csrf_token": "String", "voornaam": "String", "adres": "Mapping", "woning": "Mapping",
        "email": "String", "telefoon": "String", "uitleg": "String", "aantal": "LocaleDecimal",
        "bedrag": "LocaleDecimal", "datum": "Date", "brandstof": "String",
        "appartement": "Boolean", "iban": "String", "gezin": "Sequence", "kinderen": "Sequence"}
    assert schema["aantal"].title == "NL aantal"
    assert schema["uitleg"].description == "Kort graag."
    assert isinstance(schema["brandstof"].widget, deform.widget.RadioChoiceWidget)
    assert isinstance(schema["uitleg"].widget, deform.widget.TextAreaWidget)
    assert schema["email"].widget.attributes["type"] == "email"
    assert schema["telefoon"].widget.attributes["type"] == "tel"


def test_labels_follow_the_language(request_in):
    schema = build_step_schema(DEFINITION, 1, request_in("en"), today=TODAY)
    assert schema["aantal"].title == "EN aantal"
    assert [v for v in schema["brandstof"].widget.values] == [("stookolie", "Heating oil"),
                                                                ("propaan", "Propane")]


def test_steps_hold_their_own_fields(request_in):
    request = request_in()
    first = build_step_schema(DEFINITION, 0, request, today=TODAY)
    second = build_step_schema(DEFINITION, 1, request, today=TODAY)
    assert [c.name for c in first.children][:3] == ["csrf_token", "voornaam", "adres"]
    assert "aantal" in second and "voornaam" not in second
    with pytest.raises(IndexError):
        build_step_schema(DEFINITION, 2, request)


def test_valid_input_is_typed(request_in):
    request = request_in()
    schema = build_step_schema(DEFINITION, 1, request, prefill={}, today=TODAY)
    data = schema.deserialize(cstruct(schema, {
        **VALID_STEP_2, "gezin": [{"lid": "An", "geboren": "1987-06-02"}]}))
    assert data["aantal"] == Decimal("1420.5")
    assert data["bedrag"] == Decimal("12.35")
    assert data["appartement"] is True
    assert data["iban"] == "BE71096123456769"
    assert jsonable(data)["bedrag"] == "12.35"
    assert jsonable(data)["gezin"] == [{"lid": "An", "geboren": "1987-06-02"}]


def test_validation_messages_in_dutch(request_in):
    request = request_in("nl")
    schema = build_step_schema(DEFINITION, 1, request, prefill={}, today=TODAY)
    with pytest.raises(colander.Invalid) as error:
        schema.deserialize(cstruct(schema, {
            "aantal": "2000", "bedrag": "-5", "datum": "2025-01-01", "brandstof": "hout",
            "appartement": "misschien", "iban": "BE00 1234", "gezin": [],
            "kinderen": [{"kind": "a"}, {"kind": "b"}, {"kind": "c"}]}))
    found = messages(request, error.value)
    assert found["aantal"] == "2000 is groter dan de maximumwaarde 1500"
    assert found["bedrag"] == "-5.00 is kleiner dan de minimumwaarde 0"
    # The earliest date allowed is today - 60 days.
    assert found["datum"] == "2025-01-01 is kleiner dan de minimumwaarde 2026-01-14"
    assert found["brandstof"] == '"hout" is geen van de toegelaten waarden: stookolie, propaan'
    assert found["iban"] == ("Dit is geen geldig IBAN-rekeningnummer (bijvoorbeeld "
                             "BE71 0961 2345 6769).")
    assert "appartement" in found
    assert "gezin" in found and "kinderen" in found


def test_contact_and_address_validation(request_in):
    request = request_in("nl")
    schema = build_step_schema(DEFINITION, 0, request, prefill={}, today=TODAY)
    with pytest.raises(colander.Invalid) as error:
        schema.deserialize(cstruct(schema, {
            "voornaam": "Een heel erg lange voornaam", "email": "geen-adres",
            "telefoon": "12345",
            "adres": {"street": "Kerkstraat", "number": "1", "box": "", "postcode": "24",
                      "municipality": "Mol"},
            "woning": {"street": "Markt", "number": "", "box": "", "postcode": "",
                       "municipality": ""}}))
    found = messages(request, error.value)
    assert found["email"] == "Ongeldig e-mailadres"
    assert found["telefoon"].startswith("Geef een Belgisch telefoonnummer op")
    assert found["adres.postcode"] == "Een Belgische postcode heeft vier cijfers."
    assert found["woning.number"] == "Vul het adres volledig in, of laat het leeg."
    assert "voornaam" in found


def test_optional_address_may_stay_empty(request_in):
    request = request_in()
    schema = build_step_schema(DEFINITION, 0, request, prefill={}, today=TODAY)
    empty = {p: "" for p in ("street", "number", "box", "postcode", "municipality")}
    data = schema.deserialize(cstruct(schema, {
        "voornaam": "Jan", "email": "jan@example.org",
        "adres": {**empty, "street": "Kerkstraat", "number": "12", "postcode": "2400",
                  "municipality": "Heidebeek"}, "woning": empty}))
    assert data["woning"] is None and data["telefoon"] is None


@pytest.mark.parametrize("raw, expected", [
    ("0470 12 34 56", "+32470123456"), ("02/123.45.67", "+3221234567"),
    ("04 123 45 67", "+3241234567"), ("+32 470 12 34 56", "+32470123456"),
    ("0032 9 123 45 67", "+3291234567"), ("+33 1 23 45 67 89", "+33123456789"),
    ("+31 6 12345678", "+31612345678"),
    ("12345", None), ("0470 12 34", None), ("+32 470 12 34 56 7", None), ("0800-FLOWERS", None),
    ("+0 123 456 789", None), ("", None)])
def test_phone_numbers(raw, expected):
    assert normalise_phone(raw) == expected


def test_prefill_values_from_the_person_register():
    values = prefill_values(DEFINITION, PERSON)
    assert values["voornaam"] == "Jan"
    assert values["adres"]["postcode"] == "2400"
    assert values["woning"] == values["adres"]
    assert values["gezin"] == [{"lid": "An", "geboren": date(1987, 6, 2)}]
    assert prefill_values(DEFINITION, {}) == {}


def test_read_only_prefill_cannot_be_tampered_with(request_in):
    request = request_in()
    prefill = prefill_values(DEFINITION, PERSON)
    schema = build_step_schema(DEFINITION, 0, request, prefill=prefill, today=TODAY)
    assert schema["voornaam"].widget.readonly and schema["adres"].widget.readonly
    assert not schema["woning"].widget.readonly  # prefilled, but the citizen may change it
    form = build_form(schema, buttons=("controleren",))
    html = form.render(prefill)
    assert "Jan" in html and 'name="voornaam"' not in html
    assert 'name="email"' in html
    # A request that sends another first name and another address anyway.
    submitted = [("_charset_", "UTF-8"), ("__formid__", "aanvraag"),
                 ("voornaam", "Mallory"),
                 ("__start__", "adres:mapping"), ("street", "Elders"), ("number", "1"),
                 ("box", ""), ("postcode", "1000"), ("municipality", "Brussel"),
                 ("__end__", "adres:mapping"),
                 ("__start__", "woning:mapping"), ("street", "Markt"), ("number", "3"),
                 ("box", ""), ("postcode", "2400"), ("municipality", "Heidebeek"),
                 ("__end__", "woning:mapping"),
                 ("email", "jan@example.org"), ("telefoon", ""), ("uitleg", "")]
    appstruct = form.validate(submitted)
    merged = merge_prefill(DEFINITION, appstruct, prefill, step=0)
    assert merged["voornaam"] == "Jan"
    assert merged["adres"] == PERSON["address"]
    assert merged["woning"]["street"] == "Markt"  # editable prefill keeps what was sent
    # Nothing sent at all for the read-only fields: the prefill still fills them.
    appstruct = form.validate([p for p in submitted if p[0] != "voornaam"])
    assert merge_prefill(DEFINITION, appstruct, prefill)["voornaam"] == "Jan"


def test_without_prefill_the_field_is_editable_and_required(request_in):
    request = request_in()
    schema = build_step_schema(DEFINITION, 0, request, prefill={}, today=TODAY)
    assert not schema["voornaam"].widget.readonly
    assert schema["voornaam"].required


def test_prefilled_household_is_read_only(request_in):
    request = request_in()
    prefill = prefill_values(DEFINITION, PERSON)
    schema = build_step_schema(DEFINITION, 1, request, prefill=prefill, today=TODAY)
    assert schema["gezin"].widget.readonly
    html = build_form(schema).render({"gezin": prefill["gezin"]})
    assert "An" in html and "1987-06-02" in html


def test_rendered_form_carries_the_csrf_token_and_english_labels(request_in):
    request = request_in("en")
    schema = build_step_schema(DEFINITION, 1, request, prefill={}, today=TODAY)
    html = build_form(schema, buttons=("next",)).render()
    assert 'name="csrf_token"' in html
    assert "EN bedrag" in html and "Heating oil" in html
    assert 'type="date"' in html and "pickadate" not in html
    assert "onclick" not in html  # the CSP forbids inline handlers


NUMBER_FORM = {"form": {"steps": [{"title": {"nl": "Partner", "en": "Partner"}, "fields": [
    field("partner_rijksregisternummer", "national_number", required=True)]}]}}


@pytest.mark.parametrize(("typed", "accept_test", "expected"), [
    ("85.07.30-033.28", False, "85073003328"),  # a real-shaped number, check digits right
    ("01.02.03-123.74", False, None),  # born in 2000 or later: "2" before the nine digits
    ("85073003329", False, "Dit is geen geldig rijksregisternummer"),
    ("8507300332", False, "Dit is geen geldig rijksregisternummer"),
    ("85.67.30-033.xx", False, "Dit is geen geldig rijksregisternummer"),
    # MAGDA's test numbers (month + 60): only where the settings accept them
    ("85631415304", False, "Dit is een testnummer"),
    ("85631415304", True, "85631415304"),
])
def test_national_register_numbers(request_in, monkeypatch, typed, accept_test, expected):
    from loket.identity import insz

    request = request_in("nl")
    monkeypatch.setitem(request.registry.settings, "loket.accept_test_national_numbers",
                        "true" if accept_test else "false")
    if expected is None:  # a valid number of someone born in 2000 or later
        typed = insz.make("010203123", born_2000_or_later=True)
        expected = typed
    schema = build_step_schema(NUMBER_FORM, 0, request, today=TODAY)
    values = cstruct(schema, {"partner_rijksregisternummer": typed})
    if expected.isdigit():
        assert schema.deserialize(values)["partner_rijksregisternummer"] == expected
    else:
        with pytest.raises(colander.Invalid) as error:
            schema.deserialize(values)
        assert messages(request, error.value)["partner_rijksregisternummer"].startswith(expected)


def test_production_refuses_test_numbers():
    from pyramid.exceptions import ConfigurationError

    from loket.settings import accepts_test_numbers, check_production

    assert accepts_test_numbers({"loket.environment": "development"})
    assert not accepts_test_numbers({"loket.environment": "production"})
    with pytest.raises(ConfigurationError, match="accept_test_national_numbers"):
        check_production({"loket.environment": "production",
                          "loket.acmidm.issuer": "https://authenticatie.vlaanderen.be/op",
                          "loket.public_url": "https://loket.heidebeek.be",
                          "loket.accept_test_national_numbers": "true"})


@pytest.mark.parametrize(("typed", "expected"), [
    ("1.420,50", Decimal("1420.50")), ("1420,5", Decimal("1420.5")),
    ("1420.50", Decimal("1420.50")), ("1.5", Decimal("1.5")),
    ("1.000", Decimal("1000")), ("2.500.000", Decimal("2500000")), ("€ 12.345", Decimal("12345")),
    ("12,345", Decimal("12.345")), ("-1.000", Decimal("-1000")),
])
def test_numbers_as_typed_in_flanders(typed, expected):
    from loket.catalogue.validators import LocaleDecimal

    assert LocaleDecimal().deserialize(colander.SchemaNode(LocaleDecimal()), typed) == expected


def test_a_read_only_prefilled_address_is_never_read_back(request_in):
    request = request_in("nl")
    prefill = prefill_values(DEFINITION, PERSON)
    schema = build_step_schema(DEFINITION, 0, request, prefill, today=TODAY)
    empty = {"street": "", "number": "", "box": "", "postcode": "", "municipality": ""}
    appstruct = schema.deserialize(cstruct(schema, {
        "voornaam": "", "adres": empty, "email": "jan@example.org"}))
    assert "adres" not in appstruct and "voornaam" not in appstruct  # empty markers: no error
    merged = merge_prefill(DEFINITION, appstruct, prefill, step=0)
    assert merged["adres"]["street"] == "Kerkstraat" and merged["voornaam"] == "Jan"
