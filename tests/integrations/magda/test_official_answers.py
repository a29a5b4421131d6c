"""The official sample answers of MAGDA-Mock (fixtures/answers, see its README) fed to
Loket's client over HTTP, served the way the MAGDA mock server serves them: the stored
``…Response`` for the number asked (``notfound.xml`` otherwise), in a SOAP envelope, with the
question's reference echoed. Every answer is either read, or "no data" because it says so, or
the error its code calls for — never silently empty, never "no data" by mistake."""

import contextlib
import re
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from webob import Request, Response

from loket.integrations.magda import soap
from loket.integrations.magda.client import MagdaClient
from tests.fixtures.magda import magda_options
from tests.servers import serve

ANSWERS = Path(__file__).parent / "fixtures" / "answers"
FOLDERS = {
    "GeefPersoon": ANSWERS / "Persoon/GeefPersoon/02.02.0000",
    "GeefGezinssamenstelling": ANSWERS / "Persoon/GeefGezinssamenstelling/02.02.0000",
    "GeefAanslagbiljetPersonenbelasting":
        ANSWERS / "Inkomen/GeefAanslagbiljetPersonenbelasting/02.00.0000",
    "GeefSociaalStatuut": ANSWERS / "SocZek/GeefSociaalStatuut/03.00.0000",
}
SAMPLE_NUMBER = re.compile(r"^[0-9]{11}$")


def mock_server(environ, start_response):
    """What the MAGDA mock server does with a question: the stored answer for its INSZ."""
    request = Request(environ)
    naam = request.path_info.strip("/").split("-")[0]
    question = etree.fromstring(request.body)
    insz = question.xpath("//Criteria/INSZ/text()")[0]
    referte = question.xpath("//Afzender/Referte/text()")[0]
    folder = FOLDERS[naam]
    answer = folder / f"{insz}.xml"
    if not answer.exists():
        answer = folder / "notfound.xml"
    response = etree.parse(str(answer)).getroot()
    for element in response.xpath("Repliek/Antwoorden/Antwoord/Referte | "
                                  "Repliek/Context/Bericht/Ontvanger/Referte"):
        element.text = referte
    envelope = etree.Element(f"{{{soap.SOAP_NS}}}Envelope")
    etree.SubElement(envelope, f"{{{soap.SOAP_NS}}}Body").append(response)
    return Response(body=etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"),
                    content_type="text/xml", charset="utf-8")(environ, start_response)


@pytest.fixture(scope="module")
def client():
    with serve(mock_server) as base_url:
        yield MagdaClient(magda_options(base_url, timeout="10", ipcal_codes="7555"))


def ask(client, naam, insz):
    ref = soap.new_reference()
    if naam == "GeefPersoon":
        return client.geef_persoon(insz, referte=ref)
    if naam == "GeefGezinssamenstelling":
        return client.geef_gezinssamenstelling(insz, referte=ref)
    if naam == "GeefAanslagbiljetPersonenbelasting":
        return client.geef_aanslagbiljet(insz, 2011, referte=ref)
    return client.geef_sociaal_statuut(insz, ["BIM_BVT"], date(2024, 6, 1), referte=ref)


def expected(path: Path):
    """What the file says, independent of the client: its FOUT codes and its Inhoud."""
    root = etree.parse(str(path)).getroot()
    errors = root.xpath("//Uitzondering[Type='FOUT']/Identificatie/text()")
    codes = root.xpath("//Uitzondering/Identificatie/text()")
    return errors, codes, bool(root.xpath("//Antwoord/Inhoud"))


@pytest.mark.parametrize("naam", list(FOLDERS))
def test_every_official_answer_is_read_or_refused_for_its_reason(client, naam):
    outcomes = Counter()
    files = sorted(p for p in FOLDERS[naam].glob("*.xml") if SAMPLE_NUMBER.match(p.stem))
    assert files
    for path in files:
        errors, codes, has_inhoud = expected(path)
        try:
            ask(client, naam, path.stem)
            outcome = "read"
        except soap.NoData as error:
            outcome = "no_data"
            assert error.code in soap.NO_DATA_CODES and error.code in codes, path.name
        except soap.InvalidInput as error:
            outcome = "invalid"
            assert error.code in errors, path.name
        except soap.Unreadable as error:
            outcome = "unreadable"  # one sample is a bare SOAP fault
            assert etree.parse(str(path)).xpath("//*[local-name()='Fault']"), path.name
            assert str(error) == "unreadable: SOAP fault SOAP-ENV:Client"
        except soap.SourceUnavailable as error:
            outcome = "unavailable"
            assert error.code in errors, (path.name, str(error))
        if outcome == "read":
            assert has_inhoud and not errors, path.name
        elif outcome == "no_data":
            assert not has_inhoud, path.name
        outcomes[outcome] += 1
    assert outcomes["read"] >= len(files) * 0.7, outcomes


def test_notfound_answers_are_no_data(client):
    # GeefSociaalStatuut's notfound.xml is an answer (status "Niet van toepassing" for
    # 00000000000), not an exception: it is read as such.
    for naam in ("GeefPersoon", "GeefGezinssamenstelling",
                 "GeefAanslagbiljetPersonenbelasting"):
        with pytest.raises(soap.NoData):
            ask(client, naam, "85630100161")  # not among the samples


def test_persons_as_the_schema_defines_them(client):
    read, named = [], 0
    for path in sorted(FOLDERS["GeefPersoon"].glob("*.xml")):
        try:
            person = client.geef_persoon(path.stem, referte=soap.new_reference())
        except soap.MagdaError:
            continue
        read.append(person)
        residence = etree.parse(str(path)).xpath("//Persoon/Adressen/Hoofdverblijfplaats")
        assert (person.address is None) == (not residence), path.name
        if residence:
            has_name = residence[0].xpath("Gemeentenaam | NietGestandaardiseerdeGemeentenaam")
            assert bool(person.address.municipality) == bool(has_name), path.name
            named += bool(has_name)
    addresses = [p.address for p in read if p.address is not None]
    # The numbers: street empty in 314 of 316, municipality missing in 313.
    assert len(addresses) > 300
    assert all(a.street for a in addresses)
    assert named >= len(addresses) - 10
    genders = Counter(p.gender for p in read)
    assert set(genders) <= {"M", "V", None} and genders["M"] > 100 and genders["V"] > 100
    assert any(p.birth and len(p.birth) == 4 for p in read)  # partial dates kept

    daoud = client.geef_persoon("00600099536", referte=soap.new_reference())
    assert (daoud.family_name, daoud.given_names, daoud.birth) == ("Daoud", ("Hamid",), "2000")
    assert daoud.address.as_json() == {"street": "Dorpsstraat", "house_number": "405",
                                       "box": None, "postcode": "3070",
                                       "municipality": "Kortenberg", "nis_code": "24055"}
    bruni = client.geef_persoon("00630300287", referte=soap.new_reference())
    assert bruni.given_names == ("Julie", "Sonia", "Rosita") and bruni.gender == "V"
    assert bruni.birth_date == date(2000, 3, 3)
    assert (bruni.address.street, bruni.address.box, bruni.address.municipality,
            bruni.address.nis_code) == ("Schrijversstraat", "A", "Brugge", "31005")


def test_households_as_the_schema_defines_them(client):
    sizes = {}
    for path in sorted(FOLDERS["GeefGezinssamenstelling"].glob("*.xml")):
        with contextlib.suppress(soap.NoData):
            sizes[path.stem] = client.geef_gezinssamenstelling(
                path.stem, referte=soap.new_reference())
    assert len(sizes) == 9 and all(sizes.values())  # the issue: 0 members in 9 of 9
    dubois = sizes["62680599650"]
    assert [(m.insz, m.relation) for m in dubois] == [("57611399743", "01"),
                                                      ("62680599650", "02")]
    assert dubois[0].given_names == ("Ludo", "René", "Gabriel")
    assert max(len(m) for m in sizes.values()) == 7


def test_tax_bills_as_the_schema_defines_them(client):
    bill = client.geef_aanslagbiljet("71042500288", 2011, referte=soap.new_reference())
    assert bill.items == {"A7555": "3150000"}
    assert bill.taxable_income_eur == Decimal("31500")
    assert (bill.year, bill.article_number, bill.fiscal_status) == (2011, "727270607", "A")
    bills = []
    for path in sorted(FOLDERS["GeefAanslagbiljetPersonenbelasting"].glob("*.xml")):
        with contextlib.suppress(soap.MagdaError):
            bills.append(client.geef_aanslagbiljet(path.stem, 2011,
                                                   referte=soap.new_reference()))
    assert len(bills) >= 35  # the issue: every tax bill read as "no tax bill"
    # A bill without a 7555 item has no income: None, never 0.
    assert any(b.taxable_income_eur is None and "A7270" in b.items for b in bills)
    assert all(b.taxable_income_eur is None or b.taxable_income_eur >= 0 for b in bills)


def test_social_statuses_as_the_schema_defines_them(client):
    statuses = client.geef_sociaal_statuut("62691699717", ["BIM_BVT"], date(2024, 6, 1),
                                           referte=soap.new_reference())
    assert [(s.name, s.applies) for s in statuses] == [
        ("LIVING_WAGES_PCSA_HELP", True), ("PCSA_AND_BIM_HELP", True), ("BIM_BVT", True)]
    [family] = client.geef_sociaal_statuut("08670548333", ["BIM_BVT_IN_FAMILY"],
                                           date(2024, 6, 1), referte=soap.new_reference())
    assert family.periods == (("2024-01-01", "2030-01-01"),)
    assert family.status_code == "SSH00047"
