"""MAGDA's SOAP messages: the ``Verzoek`` we send and the ``Repliek`` we get back.

Built and read after MAGDA's official request templates and schemas (``xsd/``, from the public
MAGDA-Mock repository; INTEGRATIONS.md §2.1)::

    Envelope/Body/<Naam xmlns=service namespace>/Verzoek          (children unqualified)
        Context/{Naam, Versie, Bericht/{Type=VRAAG, Tijdstip/{Datum, Tijd}, Afzender/{
            Identificatie, Referte, Hoedanigheid}}}
        Vragen/Vraag/{Referte, Inhoud/{Criteria, Bron?, Taal?}}   (per service, see SERVICES)

    Envelope/Body/<Naam>Response/Repliek
        Context, Antwoorden/Antwoord/{Referte, Inhoud?, Uitzonderingen? (level 3)},
        Uitzonderingen? (level 2)

Like the reference client, one reference goes in both ``Afzender/Referte`` and
``Vraag/Referte``: production echoes the question's, the mock server the sender's, so an
answer carrying any other reference belongs to another question.

Everything from the outside is parsed without DTDs, entities or network access; a document
that declares a DOCTYPE is refused outright.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from loket.i18n import LOCAL_TIME
from loket.plugins import kinds

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
BRUSSELS = LOCAL_TIME  # MAGDA dates its messages in Belgian time


@dataclass(frozen=True)
class Service:
    naam: str
    versie: str  # as sent: 02.02.0000
    namespace: str
    # Vraag/Inhoud after the Criteria, as the service's request schema has it.
    bron: str | None = None  # a fixed Bron, or "option" (GeefPersoon: RR or KSZ)
    taal: bool = True

    @property
    def short_version(self) -> str:  # 02.02
        return ".".join(self.versie.split(".")[:2])

    @property
    def path(self) -> str:  # the simulator's (and our default) path: GeefPersoon-02.02
        return f"{self.naam}-{self.short_version}"


GEEF_PERSOON = Service("GeefPersoon", "02.02.0000",
                       "http://magda.vlaanderen.be/persoon/soap/geefpersoon/v02_02",
                       bron="option")
# 02.02: the version of the official sample answers (namespace from their root element).
GEEF_GEZINSSAMENSTELLING = Service(
    "GeefGezinssamenstelling", "02.02.0000",
    "http://magda.vlaanderen.be/persoon/soap/geefgezinssamenstelling/v02_02")
GEEF_AANSLAGBILJET = Service(
    "GeefAanslagbiljetPersonenbelasting", "02.00.0000",
    "http://webservice.geefaanslagbiljetpersonenbelastingdienst-02_00.inkomen-02_00"
    ".vip.vlaanderen.be", bron="FODFIN")
# The request schema has Criteria only: no Bron, no Taal.
GEEF_SOCIAAL_STATUUT = Service("GeefSociaalStatuut", "03.00.0000",
                               "http://magda.vlaanderen.be/soczek/soap/geefsociaalstatuut/v03_00",
                               taal=False)
SERVICES = {s.naam: s for s in (GEEF_PERSOON, GEEF_GEZINSSAMENSTELLING, GEEF_AANSLAGBILJET,
                                 GEEF_SOCIAAL_STATUUT)}

# Uitzondering codes, from the diagnoses in MAGDA-Mock's sample answers and INTEGRATIONS.md §2.1.
NO_DATA_CODES = frozenset({
    "30001",  # Geen gegevens gevonden voor de vraag
    "30003",  # Onbestaande INSZ (KSZ)
    "30101",  # no data for the period asked
    "45008",  # Het gevraagde inkomensjaar bestaat niet (an INFORMATIE without Inhoud)
})
INVALID_INPUT_CODES = frozenset({"40000"})
UNAVAILABLE_CODES = frozenset({
    "60006",  # the source did not answer in time
    "60007",  # the source's answer was unreadable
    "99994",  # Onverwachte fout bij de bron
    "99996",  # Te veel gelijktijdige bevragingen
})


# --- exceptions -----------------------------------------------------------------------------

class MagdaError(kinds.SourceError):
    """A consultation that gave no usable answer. ``code`` is MAGDA's Uitzondering code, if
    any. Messages never carry personal data."""

    outcome = "error"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.code = code


class NoData(MagdaError, kinds.NoData):
    """The source knows nothing about this person or period (30001, 30003, 30101, 45008)."""

    outcome = "no_data"


class InvalidInput(MagdaError, kinds.InvalidInput):
    """MAGDA refused the question (40000)."""


class SourceUnavailable(MagdaError, kinds.SourceUnavailable):
    """MAGDA or its source did not answer usefully: timeout, down, HTTP error, 60006/60007/
    99994/99996."""


class Unreadable(SourceUnavailable, kinds.Unreadable):
    """An answer Loket cannot read: not XML, truncated, a SOAP fault, an unknown shape. Never
    "no data" and never a pass: the caller keeps its check pending and retries."""

    def __init__(self, reason: str, code: str | None = None):
        super().__init__(f"unreadable: {reason}", code or "unreadable")


class OtherQuestion(Unreadable):
    """The answer carries another question's reference."""

    def __init__(self):
        super().__init__("the answer belongs to another question", "other-question")


class PurposeRefused(MagdaError, kinds.PurposeRefused):
    """No purpose (finality) or one outside the configured list: refused before any call."""

    outcome = "refused"


class LogWriteFailed(MagdaError):
    """The legal log row could not be written: the answer is not used."""


# --- messages ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Uitzondering:
    identificatie: str
    oorsprong: str
    type: str  # FOUT | WAARSCHUWING | INFORMATIE
    diagnose: str

    @property
    def is_error(self) -> bool:
        return self.type == "FOUT"


@dataclass
class Reply:
    """A parsed Repliek: the level-2 and level-3 Uitzonderingen and the Inhoud of our
    Antwoord (None when there is none)."""

    referte: str | None
    uitzonderingen: list[Uitzondering] = field(default_factory=list)  # level 2
    antwoord_referte: str | None = None
    antwoord_uitzonderingen: list[Uitzondering] = field(default_factory=list)  # level 3
    inhoud: etree._Element | None = None

    @property
    def all_uitzonderingen(self) -> list[Uitzondering]:
        return self.uitzonderingen + self.antwoord_uitzonderingen

    @property
    def warnings(self) -> list[Uitzondering]:
        return [u for u in self.all_uitzonderingen if not u.is_error]

    @property
    def codes(self) -> set[str]:
        return {u.identificatie for u in self.all_uitzonderingen}


def new_reference() -> str:
    return str(uuid.uuid4())


def _sub(parent, tag: str, text: str | None = None):
    element = etree.SubElement(parent, tag)
    if text is not None:
        element.text = text
    return element


def add_criteria(parent, criteria: dict):
    """Criteria from a dict: strings become text, dicts nested elements, lists repeats."""
    for name, value in criteria.items():
        if isinstance(value, dict):
            add_criteria(_sub(parent, name), value)
        elif isinstance(value, (list, tuple)):
            for item in value:
                add_criteria(parent, {name: item})
        elif value is not None:
            _sub(parent, name, str(value))


def tijd(moment: datetime) -> str:
    # Always .000: the reference client's comment says some services refuse other millisecond
    # forms (or none), and all of them accept .000.
    return moment.strftime("%H:%M:%S") + ".000"


def build_request(service: Service, *, identificatie: str, hoedanigheid: str, referte: str,
                  criteria: dict, bron: str | None = None, taal: str = "nl",
                  now: datetime | None = None) -> bytes:
    """The SOAP envelope of one question, shaped like the service's official template."""
    now = (now or datetime.now(BRUSSELS)).astimezone(BRUSSELS)
    envelope = etree.Element(f"{{{SOAP_NS}}}Envelope", nsmap={"soapenv": SOAP_NS})
    _sub(envelope, f"{{{SOAP_NS}}}Header")
    body = _sub(envelope, f"{{{SOAP_NS}}}Body")
    operation = etree.SubElement(body, f"{{{service.namespace}}}{service.naam}",
                                 nsmap={"web": service.namespace})
    verzoek = _sub(operation, "Verzoek")
    context = _sub(verzoek, "Context")
    _sub(context, "Naam", service.naam)
    _sub(context, "Versie", service.versie)
    bericht = _sub(context, "Bericht")
    _sub(bericht, "Type", "VRAAG")
    tijdstip = _sub(bericht, "Tijdstip")
    _sub(tijdstip, "Datum", now.strftime("%Y-%m-%d"))
    _sub(tijdstip, "Tijd", tijd(now))
    afzender = _sub(bericht, "Afzender")
    _sub(afzender, "Identificatie", identificatie)
    _sub(afzender, "Referte", referte)
    _sub(afzender, "Hoedanigheid", hoedanigheid)
    vraag = _sub(_sub(verzoek, "Vragen"), "Vraag")
    _sub(vraag, "Referte", referte)
    inhoud = _sub(vraag, "Inhoud")
    add_criteria(_sub(inhoud, "Criteria"), criteria)
    source = bron if service.bron == "option" else service.bron
    if source:
        _sub(inhoud, "Bron", source)
    if service.taal:
        _sub(inhoud, "Taal", taal)
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


# --- parsing ----------------------------------------------------------------------------------

def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=True,
                           remove_pis=True)


class UnsafeXML(ValueError):
    pass


def parse_xml(data: bytes) -> etree._Element:
    """Parse outside XML: no DTD (a DOCTYPE is refused), no entities, no network."""
    try:
        root = etree.fromstring(data, parser=safe_parser())
    except etree.XMLSyntaxError as error:
        raise UnsafeXML("not well-formed XML (truncated?)") from error
    if root is None:
        raise UnsafeXML("empty document")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise UnsafeXML("a DOCTYPE is not allowed")
    return root


def _local(element) -> str:
    return etree.QName(element).localname


def child(element, name: str):
    """The first child of ``element`` with local name ``name`` (any namespace)."""
    if element is None:
        return None
    for item in element:
        if isinstance(item.tag, str) and _local(item) == name:
            return item
    return None


def children(element, name: str) -> list:
    if element is None:
        return []
    return [item for item in element if isinstance(item.tag, str) and _local(item) == name]


def path(element, *names):
    for name in names:
        element = child(element, name)
    return element


def text(element, *names) -> str | None:
    found = path(element, *names)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _uitzonderingen(element) -> list[Uitzondering]:
    return [Uitzondering(identificatie=text(u, "Identificatie") or "",
                         oorsprong=text(u, "Oorsprong") or "",
                         type=(text(u, "Type") or "FOUT").upper(),
                         diagnose=text(u, "Diagnose") or "")
            for u in children(child(element, "Uitzonderingen"), "Uitzondering")]


def parse_reply(data: bytes, service: Service, referte: str | None = None) -> Reply:
    """A reply body → :class:`Reply`. Anything but the service's Repliek raises
    :class:`Unreadable` with the reason; another question's reference :class:`OtherQuestion`."""
    try:
        root = parse_xml(data)
    except UnsafeXML as error:
        raise Unreadable(str(error)) from None
    if _local(root) != "Envelope":
        raise Unreadable(f"not a SOAP envelope but <{_local(root)}>")
    body = child(root, "Body")
    fault = child(body, "Fault")
    if fault is not None:
        # The fault string may quote what we sent: only the code is kept.
        raise Unreadable(f"SOAP fault {text(fault, 'faultcode') or ''}".strip())
    elements = [e for e in (body if body is not None else []) if isinstance(e.tag, str)]
    response = elements[0] if elements else None
    if response is None or _local(response) != f"{service.naam}Response":
        found = f"<{_local(response)}>" if response is not None else "an empty Body"
        raise Unreadable(f"expected <{service.naam}Response>, got {found}")
    repliek = child(response, "Repliek")
    context = child(repliek, "Context")
    if context is None:
        raise Unreadable(f"no Repliek/Context in the {service.naam} answer")
    if text(context, "Naam") != service.naam:
        raise Unreadable(f"the answer is for another service ({text(context, 'Naam')})")
    reply = Reply(referte=text(context, "Bericht", "Ontvanger", "Referte"),
                  uitzonderingen=_uitzonderingen(repliek))
    if referte is not None and reply.referte not in (None, referte):
        raise OtherQuestion()
    antwoorden = child(repliek, "Antwoorden")
    if antwoorden is not None:
        antwoord = child(antwoorden, "Antwoord")
        if antwoord is None:
            raise Unreadable("Antwoorden without an Antwoord")
        reply.antwoord_referte = text(antwoord, "Referte")
        if referte is not None and reply.antwoord_referte != referte:
            raise OtherQuestion()
        reply.antwoord_uitzonderingen = _uitzonderingen(antwoord)
        reply.inhoud = child(antwoord, "Inhoud")
    return reply


def raise_for_uitzonderingen(reply: Reply):
    """The exception the reply's FOUT Uitzonderingen (level 2 first) call for."""
    for uitzondering in reply.all_uitzonderingen:
        if not uitzondering.is_error:
            continue
        code = uitzondering.identificatie
        if code in NO_DATA_CODES:
            raise NoData("MAGDA has no data for this question", code)
        if code in INVALID_INPUT_CODES:
            raise InvalidInput("MAGDA refused the question as invalid", code)
        if code in UNAVAILABLE_CODES:
            raise SourceUnavailable("MAGDA or its source is unavailable", code)
        # Not a code we know: never a pass and never "no data"; retried, the code shown.
        raise SourceUnavailable(f"MAGDA answered with error {code}", code)
    if reply.inhoud is None:
        if reply.codes & NO_DATA_CODES:
            code = sorted(reply.codes & NO_DATA_CODES)[0]
            raise NoData("MAGDA has no data for this question", code)
        if reply.all_uitzonderingen:
            raise Unreadable("no Inhoud (Uitzondering "
                             + ", ".join(sorted(reply.codes)) + ")")
        raise Unreadable("no Inhoud and no Uitzondering")
