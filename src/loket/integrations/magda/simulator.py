"""MAGDA simulator: the four SOAP services Loket uses, held to MAGDA's official schemas.

Mounted at ``/magda`` by :mod:`loket.integrations.simulators`; one URL per service and
version, as MAGDA has: ``POST /magda/GeefPersoon-02.02``, ``/GeefGezinssamenstelling-02.02``,
``/GeefAanslagbiljetPersonenbelasting-02.00``, ``/GeefSociaalStatuut-03.00`` (GET: 405).

Each question is parsed with defusedxml (a DOCTYPE or entity declaration is refused with a
SOAP fault) and validated against the service's official request schema (``xsd/request``);
a question that does not validate, names another service or version, or whose ``Tijd`` is not
``HH:mm:ss.000`` gets the Uitzondering 40000 at level 2 (``Repliek/Uitzonderingen``), where
MAGDA reports schema errors. Answers have the official response shape (``xsd/response``; the
tests validate every persona's answers): an unknown person 30001, a tax year we hold none of
30001 on the answer, a persona's error code where it has one.

Tests switch behaviour with ``POST /magda/_control`` (JSON): ``{"down": true}`` (503),
``{"slow": 2}`` (seconds), ``{"http_500": true}``, ``{"malformed": true}`` (200, not XML),
``{"truncated": true}`` (the answer cut in half), ``{"fault": true}`` (a SOAP fault),
``{"other_referte": true}`` (the answer carries another question's reference),
``{"unknown_shape": true}`` (a well-formed answer of another shape),
``{"uitzondering": "60006", "times": 1, "level": 3}`` (the next call(s) answer with that
code), ``{"reset": true}``. ``GET /magda/_control`` shows the switches and the request
counters; ``{"clear": true}`` also forgets the recorded requests. ``{"signature_cert": PEM}``
refuses (SOAP fault) every question whose Body is not signed with that certificate (WS-Security).

The personas are written for Loket from the schemas (not copied from MAGDA-Mock): the demo
citizens of :mod:`loket.integrations.acmidm.personas`, and :data:`KINDS` — partial birth
dates, box numbers and non-standardised addresses, no main residence, households of one to
seven, several tax years and joint bills, several statuses with periods, no data, and one
persona per error code.
"""

import re
import time
import uuid
from collections import Counter
from datetime import datetime

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from lxml import etree
from webob import Response

from loket.identity import insz as insz_check
from loket.integrations.acmidm.personas import BY_KEY
from loket.integrations.magda import schemas, wssecurity
from loket.integrations.magda.soap import BRUSSELS, SERVICES, SOAP_NS, parse_xml
from loket.integrations.simulation import (
    Simulator,
    Switches,
    boolean,
    integer,
    one_of,
    refuse_production,
    seconds,
)

TIJD = re.compile(r"^[0-9]{2}:[0-9]{2}:[0-9]{2}\.000$")
HEIDEBEEK = {"postcode": "3999", "nis": "71999", "gemeente": "Heidebeek"}
HEAD, SPOUSE, CHILD, UNRELATED = "01", "02", "03", "12"  # Positie codes of the register
POSITIONS = {HEAD: "gezinshoofd", SPOUSE: "echtgenoot/echtgenote", CHILD: "zoon/dochter",
             UNRELATED: "zonder familieverband"}


def tst(first_nine: str, after_2000: bool = False) -> str:
    """A MAGDA test number (month + 60) with valid check digits."""
    return insz_check.make(first_nine, born_2000_or_later=after_2000)


def address(street, number, box=None, *, postcode="3999", nis="71999", gemeente="Heidebeek",
            standardised=True):
    """``standardised``: the register gives Straatnaam/Gemeentenaam; otherwise only the
    NietGestandaardiseerde… names (as many real answers do)."""
    return {"street": street, "number": number, "box": box, "postcode": postcode, "nis": nis,
            "gemeente": gemeente, "standardised": standardised}


def person(given, family, born, gender, addr, *, household=None, income=None, statuten=None,
           errors=None):
    """``given``/``family``: one name or a list; ``born`` as the register has it (partial
    dates: 1950-00-00, 1950-03-00); ``gender`` 1 (M) or 2 (V); ``income``: {income year:
    {item code: value in cents}}; ``statuten``: {name: [(begin, end or None)]} of the
    statuses that apply; ``errors``: {service name or "*": Uitzondering code}."""
    return {"given": [given] if isinstance(given, str) else list(given),
            "family": [family] if isinstance(family, str) else list(family),
            "born": born, "gender": gender, "address": addr, "household": household,
            "income": income or {}, "statuten": statuten or {}, "errors": errors or {}}


def member(insz, position):
    return (insz, position)


# Sofie's partner and children (TST numbers, valid mod 97).
BART = tst("880507123")
NOOR = tst("156421046", after_2000=True)
WARD = tst("187009083", after_2000=True)

# Persona kinds beyond the demo citizens, for the tests and `loket magda` at onboarding.
KINDS = {
    "partial_birth_year": tst("506000123"),     # born 1950-00-00, no box
    "partial_birth_month": tst("616700234"),    # born 1961-07-00, box, non-standardised
    "no_main_residence": tst("726303345"),      # no Hoofdverblijfplaats
    "household_7": tst("786612456"),            # head, spouse, five children
    "joint_tax_bill": tst("796715567"),         # several years, A and B items, Beheerder
    "tax_bill_without_income": tst("806820678"),  # a bill without the configured code
    "several_statuses": tst("816902789"),       # BIM_BVT with periods, PCSA_AND_BIM_HELP
    "no_data": tst("827004890"),                # known to nobody but GeefPersoon
    "error_40000": tst("836105901"),
    "error_60006": tst("846206012"),
    "error_60007": tst("856307123"),
    "error_99994": tst("866408234"),
    "error_99996": tst("876509345"),
    "error_30003": tst("886610456"),
}


def persons() -> dict:
    """The test personas as MAGDA knows them, by national register number."""
    jan, sofie, ahmed, lotte = (BY_KEY[k].rrn for k in ("jan", "sofie", "ahmed", "lotte"))
    k = KINDS
    h7 = [tst(f"1{n}6{n}0{n}5{n}{n}", after_2000=True) for n in range(1, 6)]
    spouse7, partner = tst("806612456"), tst("806715567")
    people = {
        jan: person("Jan", "Peeters", "1985-03-14", "1", address("Kerkstraat", "12"),
                    income={2023: {"A7555": 2_295_000}, 2024: {"A7555": 2_340_000}},
                    statuten={"BIM_BVT": [("2020-01-01", None)],
                              "BIM_BVT_IN_FAMILY": [("2020-01-01", None)]}),
        sofie: person("Sofie", "Claes", "1990-11-02", "2", address("Molenweg", "4", "2"),
                      household=[member(sofie, HEAD), member(BART, SPOUSE),
                                 member(NOOR, CHILD), member(WARD, CHILD)],
                      income={2023: {"A7555": 3_080_000}, 2024: {"A7555": 3_150_000}}),
        BART: person("Bart", "Janssens", "1988-05-07", "1", address("Molenweg", "4", "2")),
        NOOR: person("Noor", "Janssens", "2015-04-21", "2", address("Molenweg", "4", "2")),
        WARD: person("Ward", "Janssens", "2018-10-09", "1", address("Molenweg", "4", "2")),
        ahmed: person("Ahmed", ["El Amrani"], "1978-06-21", "1",
                      address("Stationsstraat", "88", postcode="2000", nis="11002",
                              gemeente="Antwerpen"),
                      income={2024: {"A7555": 1_980_000}}),
        lotte: person("Lotte", "Wouters", "2001-09-30", "2", address("Schoolstraat", "3")),
        k["partial_birth_year"]: person(["Maria", "Josée"], ["Van den", "Broeck"], "1950-00-00",
                                        "2", address("Dorpsplein", "1")),
        k["partial_birth_month"]: person("Pieter", "Dewulf", "1961-07-00", "1",
                                         address("Lange Lozanastraat", "142", "0301",
                                                 postcode="2018", nis="11002",
                                                 gemeente="Antwerpen", standardised=False)),
        k["no_main_residence"]: person("Kim", "Nys", "1972-03-03", "0", None),
        k["household_7"]: person("Koen", "Maes", "1978-06-12", "1", address("Beekstraat", "7"),
                                 household=[member(k["household_7"], HEAD),
                                            member(spouse7, SPOUSE)]
                                 + [member(c, CHILD) for c in h7],
                                 income={2024: {"A7555": 2_100_000, "B7555": 1_200_000}}),
        spouse7: person("Ilse", "Wouters", "1980-06-12", "2", address("Beekstraat", "7")),
        k["joint_tax_bill"]: person("Wim", "Peeters", "1979-07-15", "1",
                                    address("Veldstraat", "21", "B"),
                                    household=[member(k["joint_tax_bill"], HEAD),
                                               member(partner, UNRELATED)],
                                    income={2022: {"A7555": 2_500_000, "B7555": 900_000},
                                            2023: {"A7555": 2_600_000, "B7555": 950_000,
                                                   "A7270": 2_600_000},
                                            2024: {"A7555": 2_700_000, "B7555": 1_000_000}}),
        partner: person("Els", "Goossens", "1980-07-15", "2", address("Veldstraat", "21", "B")),
        k["tax_bill_without_income"]: person("Tine", "Claes", "1980-08-20", "2",
                                             address("Kapelweg", "2"),
                                             income={2024: {"A7270": 1_500_000}}),
        k["several_statuses"]: person("Luc", "Martens", "1981-09-02", "1",
                                      address("Nieuwstraat", "5", "11"),
                                      statuten={"BIM_BVT": [("2019-01-01", "2021-12-31"),
                                                            ("2023-01-01", None)],
                                                "PCSA_AND_BIM_HELP": [("2023-01-01", None)]}),
        k["no_data"]: person("Nele", "Aerts", "1982-10-04", "2", address("Smalle weg", "9"),
                             errors={"GeefGezinssamenstelling": "30001",
                                     "GeefAanslagbiljetPersonenbelasting": "30001",
                                     "GeefSociaalStatuut": "30001"}),
    }
    for n, child in enumerate(h7, 1):
        people[child] = person(f"Kind{n}", "Maes", f"20{n:02d}-0{n}-1{n}", str(n % 2 + 1),
                               address("Beekstraat", "7"))
    for name in ("40000", "60006", "60007", "99994", "99996", "30003"):
        people[k[f"error_{name}"]] = person("Fout", f"Code{name}", "1983-01-01", "1",
                                            address("Foutstraat", name), errors={"*": name})
    return people


def _code_or_none(value):
    """An Uitzondering code for the next call(s) (``30001``), or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError("a MAGDA error code, or null")
    return str(value)


def _pem_or_none(value):
    if value is not None and not isinstance(value, str):
        raise ValueError("a PEM certificate, or null")
    return value


class Refused(Exception):
    """An Uitzondering instead of an answer: ``code`` at ``level`` (2: Repliek, 3: Antwoord)."""

    def __init__(self, code: str, level: int = 3):
        super().__init__(code)
        self.code, self.level = code, level


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _find(element, *names):
    for name in names:
        if element is None:
            return None
        element = next((c for c in element if _local(c.tag) == name), None)
    return element


def _text(element, *names):
    found = _find(element, *names)
    return (found.text or "").strip() if found is not None and found.text else None


def _sub(parent, tag, text=None, **attributes):
    element = etree.SubElement(parent, tag, **attributes)
    if text is not None:
        element.text = str(text)
    return element


def _xml(root, status=200):
    return Response(body=etree.tostring(root, xml_declaration=True, encoding="UTF-8"),
                    status=status, content_type="text/xml", charset="utf-8")


def _envelope():
    envelope = etree.Element(f"{{{SOAP_NS}}}Envelope", nsmap={"soapenv": SOAP_NS})
    return envelope, _sub(envelope, f"{{{SOAP_NS}}}Body")


def _fault(message: str):
    envelope, body = _envelope()
    fault = _sub(body, f"{{{SOAP_NS}}}Fault")
    _sub(fault, "faultcode", "soapenv:Client")
    _sub(fault, "faultstring", message)
    return _xml(envelope, 500)


DIAGNOSES = {
    "30001": "Geen gegevens gevonden voor de vraag",
    "30003": "Onbestaande INSZ",
    "40000": "Ongeldige vraag",
    "60006": "De bron antwoordde niet tijdig",
    "60007": "Het antwoord van de bron is onleesbaar",
    "99994": "Onverwachte fout bij de bron",
    "99996": "Te veel gelijktijdige bevragingen",
}
ORIGINS = {"30003": "KSZ"}


def _tijdstip(parent, now):
    tijdstip = _sub(parent, "Tijdstip")
    _sub(tijdstip, "Datum", now.strftime("%Y-%m-%d"))
    _sub(tijdstip, "Tijd", now.strftime("%H:%M:%S.000"))


def _uitzonderingen(parent, code, service, now):
    u = _sub(_sub(parent, "Uitzonderingen"), "Uitzondering")
    _sub(u, "Identificatie", code)
    _sub(u, "Oorsprong", ORIGINS.get(code, "MAGDA"))  # at most five characters
    _sub(u, "Type", "FOUT")
    _tijdstip(u, now)
    _sub(u, "Diagnose", DIAGNOSES.get(code, "Fout"))


def _naam(parent, p):
    naam = _sub(parent, "Naam")
    achternamen = _sub(naam, "Achternamen")
    for name in p["family"]:
        _sub(achternamen, "Achternaam", name)
    voornamen = _sub(naam, "Voornamen")
    for name in p["given"]:
        _sub(voornamen, "Voornaam", name)


def _geslacht(parent, p):
    geslacht = _sub(parent, "Geslacht")
    _sub(geslacht, "Code", p["gender"])
    _sub(geslacht, "Omschrijving", {"1": "Mannelijk", "2": "Vrouwelijk"}.get(p["gender"],
                                                                            "Onbekend"))


def _taalstring(parent, tag, value):
    element = _sub(parent, tag)
    _sub(element, "String", value)
    _sub(element, "Taal", "nl")


def _hoofdverblijfplaats(adressen, a):
    hoofd = _sub(adressen, "Hoofdverblijfplaats")
    if a["standardised"]:
        _taalstring(hoofd, "Straatnaam", a["street"])
    _sub(hoofd, "Huisnummer", a["number"])
    if a["box"]:
        _sub(hoofd, "Busnummer", a["box"])
    if a["standardised"]:
        _taalstring(hoofd, "Gemeentenaam", a["gemeente"])
    _taalstring(hoofd, "Land", "BELGIE")
    _sub(hoofd, "Postcode", a["postcode"])
    _sub(hoofd, "NISCodeLand", "150")
    _sub(hoofd, "ISOCodeLand", "BEL")
    _sub(hoofd, "NISCodeGemeente", a["nis"])
    if not a["standardised"]:
        _taalstring(hoofd, "NietGestandaardiseerdeStraatnaam", a["street"])
        _taalstring(hoofd, "NietGestandaardiseerdeGemeentenaam", a["gemeente"])


class MagdaSimulator(Simulator):
    SWITCHES = {
        "down": (False, boolean), "slow": (0.0, seconds), "http_500": (False, boolean),
        "malformed": (False, boolean), "truncated": (False, boolean),
        "fault": (False, boolean), "other_referte": (False, boolean),
        "unknown_shape": (False, boolean),
        "uitzondering": (None, _code_or_none),  # code for the next call(s)
        "times": (1, integer(1, 1000)), "level": (3, one_of(2, 3)),
        # PEM of the certificate the questions must be signed with (WS-Security), or None:
        # then signatures are not checked (development without MAGDA's production transport).
        "signature_cert": (None, _pem_or_none),
    }
    COMMANDS = {"clear": "clear_command"}

    def __init__(self, settings):
        super().__init__(settings)
        self.persons = persons()
        self.counters: Counter = Counter()
        self.requests: list[bytes] = []  # the raw questions, for tests
        self.answers: list[bytes] = []  # the raw answers, for tests

    def misbehave(self, request):
        return None  # a question is counted first, then misbehaved to (see soap)

    def route(self, request) -> Response:
        name = request.path_info.strip("/")
        service = next((s for s in SERVICES.values() if s.path == name), None)
        if service is None:
            return Response("no such MAGDA service", status=404, content_type="text/plain")
        if request.method != "POST":
            return Response("POST a SOAP envelope", status=405, content_type="text/plain",
                            allow="POST")
        response = self.soap(request, service)
        with self.lock:
            self.answers.append(response.body)
        return response

    # --- switches ---------------------------------------------------------------------------

    def clear_command(self, value):
        def clear():
            with self.lock:
                self.counters.clear()
                self.requests.clear()
                self.answers.clear()

        return clear if boolean(value) else None

    def state(self) -> dict:
        with self.lock:
            return {"counters": dict(self.counters)}

    def _take_uitzondering(self):
        with self.lock:
            switches = self.switches
            if not switches.uitzondering:
                return None
            times = switches.times - 1
            self.switches = Switches({**switches, "times": times,
                                      "uitzondering": switches.uitzondering if times > 0 else None})
            return Refused(switches.uitzondering, switches.level)

    # --- SOAP -------------------------------------------------------------------------------

    def soap(self, request, service):
        switches = self.switches
        with self.lock:
            self.counters["requests"] += 1
            self.counters[service.naam] += 1
            self.requests.append(request.body)
        if switches.slow:
            time.sleep(switches.slow)
        if switches.down:
            return Response("MAGDA is tijdelijk niet beschikbaar", status=503,
                            content_type="text/plain")
        if switches.http_500:
            return Response("Internal Server Error", status=500, content_type="text/plain")
        if switches.malformed:
            return Response(b"<html><body>Proxy error", status=200, content_type="text/xml")
        if switches.fault:
            return _fault("Service tijdelijk niet beschikbaar")
        try:
            SafeET.fromstring(request.body, forbid_dtd=True)
            root = parse_xml(request.body)
        except DefusedXmlException:
            with self.lock:
                self.counters["refused_dtd"] += 1
            return _fault("DTD and entity declarations are not allowed")
        except (SafeET.ParseError, ValueError):
            return _fault("not well-formed XML")
        if switches.signature_cert:
            try:
                wssecurity.verify_body(request.body, switches.signature_cert.encode())
            except wssecurity.SignatureInvalid as error:
                with self.lock:
                    self.counters["refused_signature"] += 1
                return _fault(f"WS-Security: {error}")
        body = _find(root, "Body")
        operations = [e for e in (body if body is not None else []) if isinstance(e.tag, str)]
        operation = operations[0] if len(operations) == 1 else None
        context = _find(operation, "Verzoek", "Context")
        if context is None:
            return _fault(f"no {service.naam}/Verzoek/Context in the Body")
        vraag = _find(operation, "Verzoek", "Vragen", "Vraag")
        referte = _text(context, "Bericht", "Afzender", "Referte")
        try:
            self.validate(service, operation, context)
            forced = self._take_uitzondering()
            if forced:
                raise forced
            inhoud = self.answer(service, _find(vraag, "Inhoud", "Criteria"))
        except Refused as refused:
            return self.reply(service, context, referte, None, refused)
        response = self.reply(service, context, referte, inhoud, None)
        if switches.truncated:
            response.body = response.body[:len(response.body) // 2]
        return response

    def validate(self, service, operation, context):
        """MAGDA's schema check: the official request schema, the service and version of the
        URL, Tijd with .000 (level 2, as MAGDA reports schema errors)."""
        if operation is None or operation.tag != f"{{{service.namespace}}}{service.naam}":
            raise Refused("40000", 2)
        if schemas.errors(schemas.request_schema(service.naam), operation):
            with self.lock:
                self.counters["refused_schema"] += 1
            raise Refused("40000", 2)
        if _text(context, "Naam") != service.naam or _text(context, "Versie") != service.versie:
            raise Refused("40000", 2)
        if _text(context, "Bericht", "Type") != "VRAAG" or \
                not TIJD.match(_text(context, "Bericht", "Tijdstip", "Tijd") or ""):
            raise Refused("40000", 2)
        insz = _text(operation, "Verzoek", "Vragen", "Vraag", "Inhoud", "Criteria", "INSZ")
        if not insz_check.is_valid(insz or ""):
            raise Refused("40000")

    def answer(self, service, criteria):
        insz = _text(criteria, "INSZ")
        p = self.persons.get(insz)
        if p is None:
            raise Refused("30001")
        code = p["errors"].get(service.naam) or p["errors"].get("*")
        if code:
            raise Refused(code)
        inhoud = etree.Element("Inhoud")
        if service.naam == "GeefPersoon":
            self._persoon(inhoud, insz, p)
        elif service.naam == "GeefGezinssamenstelling":
            leden = _sub(inhoud, "Gezinsleden")
            for member_insz, position in p["household"] or [(insz, HEAD)]:
                self._gezinslid(leden, member_insz, self.persons[member_insz], position)
        elif service.naam == "GeefAanslagbiljetPersonenbelasting":
            self._aanslagbiljet(inhoud, insz, p, criteria)
        elif service.naam == "GeefSociaalStatuut":
            self._sociaal_statuut(inhoud, insz, p, criteria)
        return inhoud

    def _persoon(self, inhoud, insz, p):
        persoon = _sub(inhoud, "Persoon", Bron="RR")
        _sub(persoon, "INSZ", insz)
        _naam(persoon, p)
        _geslacht(persoon, p)
        _sub(_sub(persoon, "Geboorte"), "Datum", p["born"])
        if p["address"] is not None:
            _hoofdverblijfplaats(_sub(persoon, "Adressen"), p["address"])

    def _gezinslid(self, leden, insz, p, position):
        lid = _sub(leden, "Gezinslid")
        _sub(lid, "INSZ", insz)
        _naam(lid, p)
        _geslacht(lid, p)
        _sub(lid, "Geboortedatum", p["born"])
        positie = _sub(lid, "Positie")
        _sub(positie, "Code", position)
        _sub(positie, "Omschrijving", POSITIONS[position], Taal="nl")
        if p["address"] is not None:
            _hoofdverblijfplaats(_sub(lid, "Adressen"), p["address"])

    def _aanslagbiljet(self, inhoud, insz, p, criteria):
        year = int(_text(criteria, "Inkomensjaar"))  # the schema made sure it is a year
        items = p["income"].get(year)
        if items is None:
            raise Refused("30001")
        codes = _find(criteria, "IPCALCodes")
        asked = {c.text for c in (codes if codes is not None else []) if c.text}
        biljet = _sub(inhoud, "AanslagbiljetPersonenbelasting")
        gevraagd = _sub(biljet, "GevraagdePersoon")
        _sub(gevraagd, "INSZ", insz)
        status = _sub(gevraagd, "FiscaleStatus")
        _sub(status, "Code", "A")
        _sub(status, "Omschrijving", "Titularis")
        _sub(biljet, "Inkomensjaar", year)
        _sub(biljet, "Artikelnummer", f"{year % 1000:03d}{insz[3:9]}")
        wanted = [(c, v) for c, v in items.items() if not asked or c[-4:] in asked]
        if wanted:
            container = _sub(biljet, "Items")
            for code, cents in wanted:
                item = _sub(container, "Item")
                _sub(item, "Code", code)
                _sub(item, "Waarde", cents)

    def _sociaal_statuut(self, inhoud, insz, p, criteria):
        persoon = _sub(inhoud, "Persoon")
        _sub(persoon, "INSZ", insz)
        statuten = _sub(persoon, "SocialeStatuten")
        for asked in _find(criteria, "SocialeStatuten"):  # the schema requires one or more
            name = _text(asked, "Naam")
            periods = p["statuten"].get(name)
            statuut = _sub(statuten, "SociaalStatuut")
            _sub(statuut, "Naam", name)
            resultaat = _sub(statuut, "Resultaat")
            _sub(resultaat, "Code", "1" if periods else "0")
            _sub(resultaat, "Omschrijving", "Van toepassing" if periods else
                 "Niet van toepassing")
            if periods:
                container = _sub(statuut, "Periodes")
                for begin, end in periods:
                    periode = _sub(container, "Periode")
                    _sub(periode, "Begindatum", begin)
                    if end:
                        _sub(periode, "Einddatum", end)

    def reply(self, service, context, referte, inhoud, refused):
        switches = self.switches
        now = datetime.now(BRUSSELS)
        envelope, body = _envelope()
        if switches.unknown_shape:
            _sub(_sub(body, f"{{{service.namespace}}}{service.naam}Response"), "Resultaat",
                 "OK")
            return _xml(envelope)
        response = etree.SubElement(body, f"{{{service.namespace}}}{service.naam}Response",
                                    nsmap={"web": service.namespace})
        repliek = _sub(response, "Repliek")
        ctx = _sub(repliek, "Context")
        _sub(ctx, "Naam", service.naam)
        _sub(ctx, "Versie", service.versie)
        bericht = _sub(ctx, "Bericht")
        _sub(bericht, "Type", "ANTWOORD")
        _tijdstip(bericht, now)
        afzender = _sub(bericht, "Afzender")
        _sub(afzender, "Identificatie", "vip.vlaanderen.be")
        _sub(afzender, "Naam", "MagdaGateway")
        _sub(afzender, "Referte", str(uuid.uuid4()))
        ontvanger = _sub(bericht, "Ontvanger")
        _sub(ontvanger, "Identificatie",
             _text(context, "Bericht", "Afzender", "Identificatie") or "onbekend")
        if switches.other_referte:
            referte = str(uuid.uuid4())
        if referte:
            _sub(ontvanger, "Referte", referte)
        hoedanigheid = _text(context, "Bericht", "Afzender", "Hoedanigheid")
        if hoedanigheid:
            _sub(ontvanger, "Hoedanigheid", hoedanigheid)
        if refused is not None and refused.level == 2:
            _uitzonderingen(repliek, refused.code, service, now)
            return _xml(envelope)
        antwoord = _sub(_sub(repliek, "Antwoorden"), "Antwoord")
        _sub(antwoord, "Referte", referte or "onbekend")
        if inhoud is not None:
            antwoord.append(inhoud)
        if refused is not None:
            _uitzonderingen(antwoord, refused.code, service, now)
        return _xml(envelope)


def make_app(settings) -> MagdaSimulator:
    refuse_production(settings, "MAGDA simulator")
    return MagdaSimulator(settings)
