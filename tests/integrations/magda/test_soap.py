"""The envelope we build and the replies we parse, without the network."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from loket.identity import insz
from loket.integrations.magda import soap
from loket.integrations.magda.soap import (
    GEEF_PERSOON,
    InvalidInput,
    MagdaError,
    NoData,
    SourceUnavailable,
)

NS = {"s": soap.SOAP_NS, "p": GEEF_PERSOON.namespace}


def build(**kw):
    return soap.build_request(GEEF_PERSOON, identificatie="heidebeek.loket", hoedanigheid="1234",
                              referte="11111111-1111-4111-8111-111111111111",
                              criteria={"INSZ": "85631415304"}, bron="RR", **kw)


def test_envelope_shape():
    root = etree.fromstring(build(now=datetime(2026, 3, 4, 5, 6, 7, 89000,
                                                tzinfo=ZoneInfo("Europe/Brussels"))))
    verzoek = root.xpath("/s:Envelope/s:Body/p:GeefPersoon/Verzoek", namespaces=NS)
    assert len(verzoek) == 1
    v = verzoek[0]

    def one(path):
        found = v.xpath(path)
        assert len(found) == 1, path
        return found[0].text

    assert one("Context/Naam") == "GeefPersoon"
    assert one("Context/Versie") == "02.02.0000"
    assert one("Context/Bericht/Type") == "VRAAG"
    assert one("Context/Bericht/Tijdstip/Datum") == "2026-03-04"
    assert one("Context/Bericht/Tijdstip/Tijd") == "05:06:07.000"  # never real milliseconds
    assert one("Context/Bericht/Afzender/Identificatie") == "heidebeek.loket"
    assert one("Context/Bericht/Afzender/Referte") == "11111111-1111-4111-8111-111111111111"
    assert one("Context/Bericht/Afzender/Hoedanigheid") == "1234"
    # One reference for the message and the question, as the reference client sends.
    assert one("Vragen/Vraag/Referte") == "11111111-1111-4111-8111-111111111111"
    assert one("Vragen/Vraag/Inhoud/Criteria/INSZ") == "85631415304"
    assert one("Vragen/Vraag/Inhoud/Bron") == "RR"
    assert one("Vragen/Vraag/Inhoud/Taal") == "nl"
    assert root.xpath("/s:Envelope/s:Header", namespaces=NS)


def test_tijd_always_has_three_millisecond_digits():
    tijd = etree.fromstring(build()).xpath("//Tijd")[0].text
    assert re.fullmatch(r"\d{2}:\d{2}:\d{2}\.000", tijd)


def test_nested_and_repeated_criteria():
    root = etree.fromstring(soap.build_request(
        soap.GEEF_AANSLAGBILJET, identificatie="x", hoedanigheid="1", referte="r",
        criteria={"INSZ": "85631415304", "Inkomensjaar": "2024",
                  "IPCALCodes": {"IPCALCode": ["7555", "7557"]}}))
    assert root.xpath("//Criteria/IPCALCodes/IPCALCode/text()") == ["7555", "7557"]
    assert root.xpath("//Inhoud/Bron/text()") == ["FODFIN"]


def reply(inner: str, service=GEEF_PERSOON) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<m:{service.naam}Response xmlns:m="{service.namespace}"><Repliek>
<Context><Naam>{service.naam}</Naam><Versie>{service.versie}</Versie>
<Bericht><Type>ANTWOORD</Type><Ontvanger><Referte>r1</Referte></Ontvanger></Bericht></Context>
{inner}</Repliek></m:{service.naam}Response></soapenv:Body></soapenv:Envelope>""".encode()


def uitzondering(code, kind="FOUT"):
    return (f"<Uitzonderingen><Uitzondering><Identificatie>{code}</Identificatie>"
            f"<Oorsprong>MAGDA</Oorsprong><Type>{kind}</Type><Diagnose>d {code}</Diagnose>"
            "</Uitzondering></Uitzonderingen>")


def test_parse_answer_with_content_and_warning():
    parsed = soap.parse_reply(reply(
        "<Antwoorden><Antwoord><Referte>q1</Referte>" + uitzondering("30002", "WAARSCHUWING")
        + "<Inhoud><Persoon/></Inhoud></Antwoord></Antwoorden>"), GEEF_PERSOON)
    assert parsed.referte == "r1"
    assert parsed.antwoord_referte == "q1"
    assert parsed.inhoud is not None
    assert parsed.warnings == [soap.Uitzondering("30002", "MAGDA", "WAARSCHUWING", "d 30002")]
    soap.raise_for_uitzonderingen(parsed)  # a warning is no error


def test_parse_level_2_uitzondering():
    parsed = soap.parse_reply(reply(uitzondering("99996")), GEEF_PERSOON)
    assert parsed.uitzonderingen[0].identificatie == "99996"
    assert parsed.inhoud is None


@pytest.mark.parametrize(("code", "level", "exception"), [
    ("30001", 3, NoData), ("30101", 3, NoData), ("40000", 2, InvalidInput),
    ("40000", 3, InvalidInput), ("60006", 3, SourceUnavailable),
    ("60007", 3, SourceUnavailable), ("99996", 2, SourceUnavailable), ("12345", 3, MagdaError),
])
def test_each_code_has_its_exception(code, level, exception):
    inner = (uitzondering(code) if level == 2 else
             f"<Antwoorden><Antwoord><Referte>q</Referte>{uitzondering(code)}</Antwoord>"
             "</Antwoorden>")
    with pytest.raises(exception) as raised:
        soap.raise_for_uitzonderingen(soap.parse_reply(reply(inner), GEEF_PERSOON))
    assert raised.value.code == code


@pytest.mark.parametrize("body", [
    b"<html>Proxy error", b"", b"<a>not soap</a>",
    b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
    b"<soapenv:Body><soapenv:Fault><faultstring>x</faultstring></soapenv:Fault>"
    b"</soapenv:Body></soapenv:Envelope>",
])
def test_unreadable_replies_are_source_unavailable(body):
    with pytest.raises(SourceUnavailable):
        soap.parse_reply(body, GEEF_PERSOON)


def test_client_parser_refuses_entity_declarations():
    evil = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            + reply("<Antwoorden><Antwoord><Inhoud>&e;</Inhoud></Antwoord></Antwoorden>")
            .split(b"?>", 1)[1])
    with pytest.raises(SourceUnavailable, match="DOCTYPE"):
        soap.parse_reply(evil, GEEF_PERSOON)
    with pytest.raises(soap.UnsafeXML):
        soap.parse_xml(b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>')


def test_insz_check_accepts_tst_and_post_2000_numbers():
    assert insz.is_valid("85631415304")  # TST, month 63
    assert insz.is_valid("01693012293")  # born 2001
    assert not insz.is_valid("85631415305")
    assert not insz.is_valid("8563141530")
    assert insz.normalise("85.63.14-153.04") == "85631415304"
    assert insz.masked("85631415304") == "856314•••••"


def antwoord(inner: str, referte: str = "r1") -> str:
    return f"<Antwoorden><Antwoord><Referte>{referte}</Referte>{inner}</Antwoord></Antwoorden>"


@pytest.mark.parametrize(("body", "reason"), [
    (b"<html>Proxy error", "not well-formed"),
    (reply(antwoord("<Inhoud><Persoon/></Inhoud>"))[:300], "not well-formed"),  # truncated
    (b"<a>not soap</a>", "not a SOAP envelope"),
    (b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
     b"<soapenv:Body><soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>x"
     b"</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>",
     "SOAP fault soapenv:Server"),
    (reply(antwoord(""), soap.GEEF_SOCIAAL_STATUUT), "expected <GeefPersoonResponse>"),
    (reply(antwoord("")), "no Inhoud and no Uitzondering"),
    (reply(antwoord(uitzondering("30042", "INFORMATIE"))), "no Inhoud (Uitzondering 30042)"),
])
def test_unreadable_answers_say_why(body, reason):
    with pytest.raises(soap.Unreadable) as raised:
        soap.raise_for_uitzonderingen(soap.parse_reply(body, GEEF_PERSOON, "r1"))
    assert str(raised.value).startswith("unreadable: ")
    assert reason in str(raised.value)
    assert not isinstance(raised.value, NoData)


@pytest.mark.parametrize("body", [
    reply(antwoord("<Inhoud><Persoon/></Inhoud>", referte="another")),  # Antwoord/Referte
    reply(antwoord("<Inhoud><Persoon/></Inhoud>")).replace(b"<Referte>r1</Referte></Ont",
                                                         b"<Referte>r2</Referte></Ont"),
])
def test_an_answer_to_another_question_is_refused(body):
    with pytest.raises(soap.OtherQuestion, match="another question"):
        soap.parse_reply(body, GEEF_PERSOON, "r1")


def test_information_45008_without_inhoud_is_no_data():
    parsed = soap.parse_reply(reply(antwoord(uitzondering("45008", "INFORMATIE"))),
                              GEEF_PERSOON, "r1")
    with pytest.raises(NoData) as raised:
        soap.raise_for_uitzonderingen(parsed)
    assert raised.value.code == "45008"


@pytest.mark.parametrize(("code", "exception"), [
    ("30003", NoData), ("99994", SourceUnavailable), ("99996", SourceUnavailable),
    ("60006", SourceUnavailable), ("60007", SourceUnavailable), ("40000", InvalidInput),
])
def test_documented_codes(code, exception):
    parsed = soap.parse_reply(reply(antwoord(uitzondering(code))), GEEF_PERSOON, "r1")
    with pytest.raises(exception):
        soap.raise_for_uitzonderingen(parsed)


@pytest.mark.parametrize(("value", "kept"), [
    ("1950-00-00", "1950"), ("1961-07-00", "1961-07"), ("0000-00-00", None),
    ("1985-03-14", "1985-03-14"), ("", None), (None, None), ("14/03/1985", None),
])
def test_partial_dates_stay_partial(value, kept):
    from loket.integrations.magda.client import partial_date

    assert partial_date(value) == kept
