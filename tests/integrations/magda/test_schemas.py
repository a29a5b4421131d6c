"""Held to MAGDA's official schemas: every question Loket can send validates against the
service's request XSD, every simulator answer (each persona × service) against its response
XSD, and the simulator refuses a question that does not validate."""

import contextlib
import itertools
from datetime import date

import pytest
import requests
from lxml import etree

from loket.integrations.magda import schemas, soap
from loket.integrations.magda.client import MagdaClient
from loket.integrations.magda.simulator import KINDS, persons
from tests.fixtures.magda import JAN, TIMEOUT, magda_options

STATUSES = (["BIM_BVT"], ["BIM_BVT", "BIM_BVT_IN_FAMILY", "PCSA_AND_BIM_HELP"])


def operation(envelope: bytes):
    return etree.fromstring(envelope).find(f"{{{soap.SOAP_NS}}}Body")[0]


def questions(client: MagdaClient, insz: str = JAN):
    """Every question shape the client builds."""
    ref = soap.new_reference
    yield soap.GEEF_PERSOON, client.request_body(soap.GEEF_PERSOON, {"INSZ": insz}, ref())
    yield soap.GEEF_GEZINSSAMENSTELLING, client.request_body(
        soap.GEEF_GEZINSSAMENSTELLING, {"INSZ": insz}, ref())
    yield soap.GEEF_AANSLAGBILJET, client.request_body(soap.GEEF_AANSLAGBILJET, {
        "INSZ": insz, "Inkomensjaar": "2024",
        "IPCALCodes": {"IPCALCode": list(client.ipcal_codes())}}, ref())
    for names in STATUSES:
        yield soap.GEEF_SOCIAAL_STATUUT, client.request_body(soap.GEEF_SOCIAAL_STATUUT, {
            "INSZ": insz, "SocialeStatuten": {"SociaalStatuut": [
                {"Naam": n, "Datum": {"Datum": "2026-01-01"}} for n in names]}}, ref())


OPTIONS = [dict(zip(("persoon_bron", "taal", "ipcal_codes"), combination, strict=False))
           for combination in itertools.product(("RR", "KSZ"), ("nl", "fr", "de", "en"),
                                                ("7555", "7555 7557 7270"))]


@pytest.mark.parametrize("options", OPTIONS)
def test_every_question_validates_against_the_official_request_xsd(options):
    client = MagdaClient(magda_options("http://magda.test", **options))
    seen = set()
    for service, body in questions(client):
        errors = schemas.errors(schemas.request_schema(service.naam), operation(body))
        assert errors == [], (service.naam, errors)
        seen.add(service.naam)
    assert seen == set(soap.SERVICES)


def test_what_the_issue_named_is_gone():
    client = MagdaClient(magda_options("http://magda.test"))
    bodies = {s.naam: etree.fromstring(b) for s, b in questions(client)}
    tax = bodies["GeefAanslagbiljetPersonenbelasting"]
    assert tax.xpath("//IPCALCodes/IPCALCode/text()") == ["7555"]
    status = bodies["GeefSociaalStatuut"]
    assert status.xpath("//Criteria/SocialeStatuten/SociaalStatuut/Naam/text()")
    assert not status.xpath("//Taal") and not status.xpath("//Bron")
    for root in bodies.values():
        assert root.xpath("//Tijd/text()")[0].endswith(".000")


def test_the_old_invalid_questions_fail_the_schema():
    """What Loket sent before: IPCALCodes/Code A7270, a status without its wrapper, Taal."""
    client = MagdaClient(magda_options("http://magda.test"))
    old_tax = soap.build_request(soap.GEEF_AANSLAGBILJET, identificatie="x", hoedanigheid="1",
                                 referte="r", criteria={"INSZ": JAN, "Inkomensjaar": "2024",
                                                        "IPCALCodes": {"Code": ["A7270"]}})
    assert schemas.errors(schemas.request_schema("GeefAanslagbiljetPersonenbelasting"),
                          operation(old_tax))
    old_status = client.request_body(soap.GEEF_SOCIAAL_STATUUT, {"INSZ": JAN, "SociaalStatuut": {
        "Naam": "BIM_BVT", "Datum": {"Datum": "2026-01-01"}}}, "r")
    assert schemas.errors(schemas.request_schema("GeefSociaalStatuut"), operation(old_status))


def test_every_simulator_answer_validates_against_the_official_response_xsd(magda_sim):
    client = MagdaClient(magda_options(magda_sim.url, timeout="5"))
    people = persons()
    for insz in people:
        for service, *args in (("geef_persoon",), ("geef_gezinssamenstelling",),
                               ("geef_aanslagbiljet", 2024), ("geef_aanslagbiljet", 2019),
                               ("geef_sociaal_statuut", STATUSES[1], date(2026, 1, 1))):
            with contextlib.suppress(soap.MagdaError):  # error personas: validated all the same
                getattr(client, service)(insz, *args, referte=soap.new_reference())
    answers = magda_sim.app.answers
    assert len(answers) == 5 * len(people)
    for raw in answers:
        response = operation(raw)
        naam = etree.QName(response).localname.removesuffix("Response")
        assert schemas.errors(schemas.response_schema(naam), response) == [], naam
    # Each documented error code was answered (and validated) at least once.
    codes = {c for raw in answers for c in etree.fromstring(raw).xpath(
        "//Uitzondering/Identificatie/text()")}
    assert codes >= {"30001", "30003", "40000", "60006", "60007", "99994", "99996"}


def test_the_simulator_refuses_a_question_that_does_not_validate(magda_sim):
    bad = soap.build_request(soap.GEEF_AANSLAGBILJET, identificatie="x", hoedanigheid="1",
                             referte="r", criteria={"INSZ": JAN, "Inkomensjaar": "2024",
                                                    "IPCALCodes": {"Code": ["A7270"]}})
    response = requests.post(f"{magda_sim.url}/GeefAanslagbiljetPersonenbelasting-02.00",
                             data=bad, timeout=TIMEOUT, headers={"Content-Type": "text/xml"})
    root = etree.fromstring(response.content)
    # Level 2 (Repliek/Uitzonderingen), as MAGDA reports schema errors; no Antwoord.
    assert root.xpath("//Repliek/Uitzonderingen/Uitzondering/Identificatie/text()") == ["40000"]
    assert not root.xpath("//Antwoorden")
    assert magda_sim.counters()["refused_schema"] == 1


def test_personas_cover_what_real_answers_contain(magda):
    """Partial dates, boxes, non-standardised names, no residence, households of 1 to 7,
    several years, several statuses."""
    from tests.fixtures.magda import PURPOSE

    class Session:  # the log is tested elsewhere; here only what is read
        def add(self, row):
            pass

        def flush(self):
            pass

    s = Session()
    year = magda.geef_persoon(s, KINDS["partial_birth_year"], purpose=PURPOSE)
    assert (year.birth, year.birth_date, year.gender) == ("1950", None, "V")
    assert year.given_names == ("Maria", "Josée") and year.family_name == "Van den Broeck"
    month = magda.geef_persoon(s, KINDS["partial_birth_month"], purpose=PURPOSE)
    assert month.birth == "1961-07"
    assert month.address.as_json() == {
        "street": "Lange Lozanastraat", "house_number": "142", "box": "0301",
        "postcode": "2018", "municipality": "Antwerpen", "nis_code": "11002"}
    nowhere = magda.geef_persoon(s, KINDS["no_main_residence"], purpose=PURPOSE)
    assert nowhere.address is None and nowhere.gender is None
    assert len(magda.geef_gezinssamenstelling(s, JAN, purpose=PURPOSE)) == 1
    seven = magda.geef_gezinssamenstelling(s, KINDS["household_7"], purpose=PURPOSE)
    assert [m.relation for m in seven] == ["01", "02"] + ["03"] * 5
    assert seven[0].insz == KINDS["household_7"]  # the person asked about is a member
    joint = [magda.geef_aanslagbiljet(s, KINDS["joint_tax_bill"], y, purpose=PURPOSE)
             for y in (2022, 2023, 2024)]
    assert [str(b.taxable_income_eur) for b in joint] == ["34000", "35500", "37000"]
    assert joint[1].items == {"A7555": "2600000", "B7555": "950000"}  # the codes asked
    without = magda.geef_aanslagbiljet(s, KINDS["tax_bill_without_income"], 2024,
                                       purpose=PURPOSE)
    assert without.taxable_income_eur is None and without.as_json()["taxable_income_eur"] is None
    statuses = magda.geef_sociaal_statuut(s, KINDS["several_statuses"],
                                          ["BIM_BVT", "PCSA_AND_BIM_HELP", "BIM_BVT_IN_FAMILY"],
                                          date(2026, 1, 1), purpose=PURPOSE)
    assert [(x.name, x.applies, len(x.periods)) for x in statuses] == [
        ("BIM_BVT", True, 2), ("PCSA_AND_BIM_HELP", True, 1), ("BIM_BVT_IN_FAMILY", False, 0)]
