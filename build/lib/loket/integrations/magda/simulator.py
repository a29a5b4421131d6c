"""MAGDA simulator: the four SOAP services Loket uses, answered from the test personas.

Mounted at ``/magda`` by :mod:`loket.integrations.simulators`; one URL per service and
version, as MAGDA has: ``POST /magda/GeefPersoon-02.02``, ``/GeefGezinssamenstelling-02.02``,
``/GeefAanslagbiljetPersonenbelasting-02.00``, ``/GeefSociaalStatuut-03.00`` (GET: 405).

Each request is parsed with defusedxml (a DOCTYPE or entity declaration is refused with a
SOAP fault) and checked: ``Context/Naam`` and ``Versie`` must match the URL, ``Type`` be
VRAAG, ``Tijd`` read ``HH:mm:ss.000``, the INSZ be 11 digits with valid mod-97 check digits
(TST numbers included). A malformed question gets Uitzondering 40000, an unknown person
30001, a tax bill for a year we hold none of 30101.

Tests switch behaviour with ``POST /magda/_control`` (JSON): ``{"down": true}`` (503),
``{"slow": 2}`` (seconds), ``{"http_500": true}``, ``{"malformed": true}`` (200, not XML),
``{"uitzondering": "60006", "times": 1, "level": 3}`` (the next call(s) answer with that
code), ``{"reset": true}``. ``GET /magda/_control`` shows the switches and the request
counters; ``{"clear": true}`` also forgets the recorded requests. ``{"signature_cert": PEM}``
refuses (SOAP fault) every question whose Body is not signed with that certificate (WS-Security).
"""

import dataclasses
import json
import re
import threading
import time
from collections import Counter
from datetime import UTC, datetime

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from lxml import etree
from webob import Request, Response

from loket.integrations.acmidm.personas import BY_KEY
from loket.integrations.magda import insz as insz_check
from loket.integrations.magda import wssecurity
from loket.integrations.magda.soap import SERVICES, SOAP_NS
from loket.settings import is_production

TIJD = re.compile(r"^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}$")
HEIDEBEEK = {"postcode": "3999", "nis": "71999", "gemeente": "Heidebeek"}


def _member(insz, given, family, born, gender, relation):
    return {"insz": insz, "given": given, "family": family, "born": born, "gender": gender,
            "relation": relation}


# The partner and children of Sofie's household (TST numbers, valid mod 97).
BART = insz_check.make("880507123")
NOOR = insz_check.make("156421046", born_2000_or_later=True)
WARD = insz_check.make("187009083", born_2000_or_later=True)


def persons() -> dict:
    """The test personas as MAGDA knows them, by national register number."""
    jan, sofie, ahmed, lotte = (BY_KEY[k].rrn for k in ("jan", "sofie", "ahmed", "lotte"))
    return {
        jan: {"given": "Jan", "family": "Peeters", "born": "1985-03-14", "gender": "M",
              "address": {"street": "Kerkstraat", "number": "12", "box": None, **HEIDEBEEK},
              "household": [_member(jan, "Jan", "Peeters", "1985-03-14", "M",
                                    "REFERENTIEPERSOON")],
              "income": {2023: {"A7270": 2_295_000}, 2024: {"A7270": 2_340_000}},
              "statuten": {"BIM_BVT", "BIM_BVT_IN_FAMILY"}},
        sofie: {"given": "Sofie", "family": "Claes", "born": "1990-11-02", "gender": "V",
                "address": {"street": "Molenweg", "number": "4", "box": "2", **HEIDEBEEK},
                "household": [
                    _member(sofie, "Sofie", "Claes", "1990-11-02", "V", "REFERENTIEPERSOON"),
                    _member(BART, "Bart", "Janssens", "1988-05-07", "M", "PARTNER"),
                    _member(NOOR, "Noor", "Janssens", "2015-04-21", "V", "KIND"),
                    _member(WARD, "Ward", "Janssens", "2018-10-09", "M", "KIND")],
                "income": {2023: {"A7270": 3_080_000}, 2024: {"A7270": 3_150_000}},
                "statuten": set()},
        ahmed: {"given": "Ahmed", "family": "El Amrani", "born": "1978-06-21", "gender": "M",
                "address": {"street": "Stationsstraat", "number": "88", "box": None,
                            "postcode": "2000", "nis": "11002", "gemeente": "Antwerpen"},
                "household": [_member(ahmed, "Ahmed", "El Amrani", "1978-06-21", "M",
                                      "REFERENTIEPERSOON")],
                "income": {2024: {"A7270": 1_980_000}}, "statuten": set()},
        lotte: {"given": "Lotte", "family": "Wouters", "born": "2001-09-30", "gender": "V",
                "address": {"street": "Schoolstraat", "number": "3", "box": None, **HEIDEBEEK},
                "household": [_member(lotte, "Lotte", "Wouters", "2001-09-30", "V",
                                      "REFERENTIEPERSOON")],
                "income": {}, "statuten": set()},
    }


@dataclasses.dataclass(frozen=True)
class Switches:
    down: bool = False
    slow: float = 0.0
    http_500: bool = False
    malformed: bool = False
    uitzondering: str | None = None  # code for the next call(s)
    times: int = 1
    level: int = 3
    # PEM of the certificate the questions must be signed with (WS-Security), or None: then
    # signatures are not checked (development without MAGDA's production transport).
    signature_cert: str | None = None


class Invalid(Exception):
    pass


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(element, *names):
    for name in names:
        if element is None:
            return None
        element = next((c for c in element if _local(c.tag) == name), None)
    return element


def _text(element, *names):
    found = _find(element, *names)
    return (found.text or "").strip() if found is not None and found.text else None


def _sub(parent, tag, text=None):
    element = etree.SubElement(parent, tag)
    if text is not None:
        element.text = str(text)
    return element


def _xml(envelope, status=200):
    return Response(body=etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"),
                    status=status, content_type="text/xml", charset="utf-8")


def _fault(message: str):
    envelope = etree.Element(f"{{{SOAP_NS}}}Envelope", nsmap={"soapenv": SOAP_NS})
    fault = _sub(_sub(envelope, f"{{{SOAP_NS}}}Body"), f"{{{SOAP_NS}}}Fault")
    _sub(fault, "faultcode", "soapenv:Client")
    _sub(fault, "faultstring", message)
    return _xml(envelope, 500)


class MagdaSimulator:
    def __init__(self, settings):
        self.lock = threading.Lock()
        self.switches = Switches()
        self.persons = persons()
        self.counters: Counter = Counter()
        self.requests: list[bytes] = []  # the raw questions, for tests

    def __call__(self, environ, start_response):
        request = Request(environ)
        name = request.path_info.strip("/")
        if name == "_control":
            response = self.control(request)
        else:
            service = next((s for s in SERVICES.values() if s.path == name), None)
            if service is None:
                response = Response("no such MAGDA service", status=404,
                                    content_type="text/plain")
            elif request.method != "POST":
                response = Response("POST a SOAP envelope", status=405,
                                    content_type="text/plain", allow="POST")
            else:
                response = self.soap(request, service)
        return response(environ, start_response)

    # --- switches ---------------------------------------------------------------------------

    def control(self, request):
        if request.method == "POST":
            try:
                data = json.loads(request.body or b"{}")
            except ValueError:
                return Response(b"JSON please", status=400, content_type="text/plain")
            with self.lock:
                if data.pop("clear", False):
                    self.counters.clear()
                    self.requests.clear()
                if data.pop("reset", False):
                    self.switches = Switches()
                known = {f.name for f in dataclasses.fields(Switches)}
                unknown = set(data) - known
                if unknown:
                    return Response(f"unknown switches: {sorted(unknown)}".encode(), status=400,
                                    content_type="text/plain")
                if "uitzondering" in data and data["uitzondering"] is not None:
                    data["uitzondering"] = str(data["uitzondering"])
                self.switches = dataclasses.replace(self.switches, **data)
        with self.lock:
            body = {"switches": dataclasses.asdict(self.switches),
                    "counters": dict(self.counters)}
        return Response(json.dumps(body).encode(), content_type="application/json")

    def _take_uitzondering(self):
        with self.lock:
            switches = self.switches
            if not switches.uitzondering:
                return None, 3
            times = switches.times - 1
            self.switches = dataclasses.replace(
                switches, times=times, uitzondering=switches.uitzondering if times > 0 else None)
            return switches.uitzondering, switches.level

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
        try:
            root = SafeET.fromstring(request.body, forbid_dtd=True)
        except DefusedXmlException:
            with self.lock:
                self.counters["refused_dtd"] += 1
            return _fault("DTD and entity declarations are not allowed")
        except SafeET.ParseError:
            return _fault("not well-formed XML")
        if switches.signature_cert:
            try:
                wssecurity.verify_body(request.body, switches.signature_cert.encode())
            except wssecurity.SignatureInvalid as error:
                with self.lock:
                    self.counters["refused_signature"] += 1
                return _fault(f"WS-Security: {error}")
        body = _find(root, "Body")
        operation = body[0] if body is not None and len(body) else None
        verzoek = _find(operation, "Verzoek")
        context = _find(verzoek, "Context")
        vraag = _find(verzoek, "Vragen", "Vraag")
        referte = _text(context, "Bericht", "Afzender", "Referte")
        vraag_referte = _text(vraag, "Referte")
        forced, level = self._take_uitzondering()
        try:
            self.validate(service, operation, context, vraag)
            if forced:
                raise Invalid(forced)
            inhoud = self.answer(service, _find(vraag, "Inhoud", "Criteria"))
        except Invalid as invalid:
            code = str(invalid)
            return self.reply(service, context, referte, vraag_referte, None,
                              [(code, "FOUT")], level if code == forced else 3)
        return self.reply(service, context, referte, vraag_referte, inhoud, [], 3)

    def validate(self, service, operation, context, vraag):
        if operation is None or _local(operation.tag) != service.naam:
            raise Invalid("40000")
        if not operation.tag.startswith(f"{{{service.namespace}}}"):
            raise Invalid("40000")
        if _text(context, "Naam") != service.naam or _text(context, "Versie") != service.versie:
            raise Invalid("40000")
        if _text(context, "Bericht", "Type") != "VRAAG":
            raise Invalid("40000")
        if not TIJD.match(_text(context, "Bericht", "Tijdstip", "Tijd") or ""):
            raise Invalid("40000")
        for field in ("Identificatie", "Referte", "Hoedanigheid"):
            if not _text(context, "Bericht", "Afzender", field):
                raise Invalid("40000")
        if not _text(vraag, "Referte"):
            raise Invalid("40000")
        if not insz_check.is_valid(_text(vraag, "Inhoud", "Criteria", "INSZ") or ""):
            raise Invalid("40000")

    def answer(self, service, criteria):
        insz = _text(criteria, "INSZ")
        person = self.persons.get(insz)
        if person is None:
            raise Invalid("30001")
        inhoud = etree.Element("Inhoud")
        if service.naam == "GeefPersoon":
            persoon = _sub(inhoud, "Persoon")
            persoon.set("Bron", "RR")
            _sub(persoon, "INSZ", insz)
            naam = _sub(persoon, "Naam")
            _sub(_sub(naam, "Voornamen"), "Voornaam", person["given"])
            _sub(_sub(naam, "Achternamen"), "Achternaam", person["family"])
            _sub(_sub(persoon, "Geslacht"), "Code", person["gender"])
            _sub(_sub(persoon, "Geboorte"), "Datum", person["born"])
            address = person["address"]
            hoofd = _sub(_sub(persoon, "Adressen"), "Hoofdverblijfplaats")
            _sub(_sub(hoofd, "Straat"), "Naam", address["street"])
            _sub(hoofd, "Huisnummer", address["number"])
            if address["box"]:
                _sub(hoofd, "Busnummer", address["box"])
            _sub(hoofd, "PostCode", address["postcode"])
            gemeente = _sub(hoofd, "Gemeente")
            _sub(gemeente, "NISCode", address["nis"])
            _sub(gemeente, "Naam", address["gemeente"])
        elif service.naam == "GeefGezinssamenstelling":
            leden = _sub(_sub(inhoud, "Gezin"), "Leden")
            for member in person["household"]:
                lid = _sub(leden, "Lid")
                _sub(lid, "INSZ", member["insz"])
                naam = _sub(lid, "Naam")
                _sub(_sub(naam, "Voornamen"), "Voornaam", member["given"])
                _sub(_sub(naam, "Achternamen"), "Achternaam", member["family"])
                _sub(_sub(lid, "Geboorte"), "Datum", member["born"])
                _sub(lid, "Relatie", member["relation"])
        elif service.naam == "GeefAanslagbiljetPersonenbelasting":
            try:
                year = int(_text(criteria, "Inkomensjaar") or "")
            except ValueError:
                raise Invalid("40000") from None
            items = person["income"].get(year)
            if items is None:
                raise Invalid("30101")
            asked = {c.text for c in (_find(criteria, "IPCALCodes") or []) if c.text}
            biljet = _sub(_sub(inhoud, "Aanslagbiljetten"), "Aanslagbiljet")
            _sub(biljet, "Inkomensjaar", year)
            _sub(biljet, "FiscaleStatus", "AANSLAG")
            _sub(biljet, "Artikelnummer", f"{year}-{insz[-5:]}")
            container = _sub(biljet, "Items")
            for code, cents in items.items():
                if not asked or code in asked:
                    item = _sub(container, "Item")
                    _sub(item, "Code", code)
                    _sub(item, "Waarde", cents)
        elif service.naam == "GeefSociaalStatuut":
            name = _text(criteria, "SociaalStatuut", "Naam")
            if not name or not _text(criteria, "SociaalStatuut", "Datum", "Datum"):
                raise Invalid("40000")
            statuut = _sub(_sub(inhoud, "Persoon"), "SociaalStatuut")
            _sub(statuut, "Naam", name)
            _sub(_sub(statuut, "Resultaat"), "Code", "1" if name in person["statuten"] else "0")
        return inhoud

    def reply(self, service, context, referte, vraag_referte, inhoud, uitzonderingen, level):
        envelope = etree.Element(f"{{{SOAP_NS}}}Envelope", nsmap={"soapenv": SOAP_NS})
        body = _sub(envelope, f"{{{SOAP_NS}}}Body")
        response = etree.SubElement(body, f"{{{service.namespace}}}{service.naam}Response",
                                    nsmap={"m": service.namespace})
        repliek = _sub(response, "Repliek")
        ctx = _sub(repliek, "Context")
        _sub(ctx, "Naam", service.naam)
        _sub(ctx, "Versie", service.versie)
        bericht = _sub(ctx, "Bericht")
        _sub(bericht, "Type", "ANTWOORD")
        now = datetime.now(UTC)
        tijdstip = _sub(bericht, "Tijdstip")
        _sub(tijdstip, "Datum", now.strftime("%Y-%m-%d"))
        _sub(tijdstip, "Tijd", now.strftime("%H:%M:%S.000"))
        afzender = _sub(bericht, "Afzender")
        _sub(afzender, "Identificatie", "vip.vlaanderen.be")
        _sub(afzender, "Referte", f"magda-sim-{id(envelope):x}")
        ontvanger = _sub(bericht, "Ontvanger")
        _sub(ontvanger, "Identificatie", _text(context, "Bericht", "Afzender", "Identificatie"))
        _sub(ontvanger, "Referte", referte)
        _sub(ontvanger, "Hoedanigheid", _text(context, "Bericht", "Afzender", "Hoedanigheid"))

        def add_uitzonderingen(parent):
            container = _sub(parent, "Uitzonderingen")
            for code, kind in uitzonderingen:
                u = _sub(container, "Uitzondering")
                _sub(u, "Identificatie", code)
                _sub(u, "Oorsprong", "MAGDA" if code.startswith("9") else service.naam)
                _sub(u, "Type", kind)
                _sub(u, "Diagnose", DIAGNOSES.get(code, "Fout"))

        if uitzonderingen and level == 2:
            add_uitzonderingen(repliek)
            return _xml(envelope)
        antwoord = _sub(_sub(repliek, "Antwoorden"), "Antwoord")
        _sub(antwoord, "Referte", vraag_referte)
        if uitzonderingen:
            add_uitzonderingen(antwoord)
        if inhoud is not None:
            antwoord.append(inhoud)
        return _xml(envelope)


DIAGNOSES = {
    "30001": "Persoon niet gevonden",
    "30101": "Geen gegevens gevonden voor het gevraagde inkomensjaar",
    "40000": "Ongeldige vraag",
    "60006": "De bron antwoordde niet tijdig",
    "60007": "Het antwoord van de bron is onleesbaar",
    "99996": "Dienst tijdelijk niet beschikbaar",
}


def make_app(settings) -> MagdaSimulator:
    if is_production(settings):
        raise ValueError("The MAGDA simulator never runs with production settings.")
    return MagdaSimulator(settings)
