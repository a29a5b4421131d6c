"""MAGDA's SOAP messages: the ``Verzoek`` we send and the ``Repliek`` we get back.

Envelope shape after INTEGRATIONS.md §2.1 (Informatievlaanderen/MAGDA-Mock templates)::

    Envelope/Body/<Naam xmlns=service namespace>/Verzoek
        Context/{Naam, Versie, Bericht/{Type=VRAAG, Tijdstip/{Datum, Tijd}, Afzender/{
            Identificatie, Referte, Hoedanigheid}}}
        Vragen/Vraag/{Referte, Inhoud/{Criteria, Bron?, Taal}}

    Envelope/Body/<Naam>Response/Repliek
        Context, Uitzonderingen? (level 2), Antwoorden/Antwoord/{Referte, Uitzonderingen?
        (level 3), Inhoud}

Everything from the outside is parsed without DTDs, entities or network access; a document
that declares a DOCTYPE is refused outright.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from loket.i18n import local, local_now

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"


@dataclass(frozen=True)
class Service:
    naam: str
    versie: str  # as sent: 02.02.0000
    namespace: str

    @property
    def short_version(self) -> str:  # 02.02
        return ".".join(self.versie.split(".")[:2])

    @property
    def path(self) -> str:  # the simulator's (and our default) path: GeefPersoon-02.02
        return f"{self.naam}-{self.short_version}"


GEEF_PERSOON = Service("GeefPersoon", "02.02.0000",
                       "http://magda.vlaanderen.be/persoon/soap/geefpersoon/v02_02")
GEEF_GEZINSSAMENSTELLING = Service(
    "GeefGezinssamenstelling", "02.02.0000",
    "http://magda.vlaanderen.be/persoon/soap/geefgezinssamenstelling/v02_02")  # [I] namespace
GEEF_AANSLAGBILJET = Service(
    "GeefAanslagbiljetPersonenbelasting", "02.00.0000",
    "http://webservice.geefaanslagbiljetpersonenbelastingdienst-02_00.inkomen-02_00"
    ".vip.vlaanderen.be")
GEEF_SOCIAAL_STATUUT = Service("GeefSociaalStatuut", "03.00.0000",
                               "http://magda.vlaanderen.be/soczek/soap/geefsociaalstatuut/v03_00")
SERVICES = {s.naam: s for s in (GEEF_PERSOON, GEEF_GEZINSSAMENSTELLING, GEEF_AANSLAGBILJET,
                                 GEEF_SOCIAAL_STATUUT)}

# Uitzondering codes (MAGDA-Mock's MagdaConnectorImpl and mock data).
NO_DATA_CODES = frozenset({"30001", "30101"})
INVALID_INPUT_CODES = frozenset({"40000"})
UNAVAILABLE_CODES = frozenset({"60006", "60007", "99996"})


# --- exceptions -----------------------------------------------------------------------------

class MagdaError(Exception):
    """A consultation that gave no usable answer. ``code`` is MAGDA's Uitzondering code, if
    any. Messages never carry personal data."""

    outcome = "error"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.code = code


class NoData(MagdaError):
    """The source knows nothing about this person (30001, 30101)."""

    outcome = "no_data"


class InvalidInput(MagdaError):
    """MAGDA refused the question (40000)."""


class SourceUnavailable(MagdaError):
    """MAGDA or its source did not answer usefully: timeout, down, HTTP error, unreadable
    reply, 60006/60007/99996."""


class PurposeRefused(MagdaError):
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


def build_request(service: Service, *, identificatie: str, hoedanigheid: str, referte: str,
                  vraag_referte: str, criteria: dict, bron: str | None = None,
                  taal: str = "nl", now: datetime | None = None) -> bytes:
    """The SOAP envelope of one question."""
    now = local(now) if now else local_now()
    envelope = etree.Element(f"{{{SOAP_NS}}}Envelope", nsmap={"soapenv": SOAP_NS})
    _sub(envelope, f"{{{SOAP_NS}}}Header")
    body = _sub(envelope, f"{{{SOAP_NS}}}Body")
    operation = etree.SubElement(body, f"{{{service.namespace}}}{service.naam}",
                                 nsmap={"m": service.namespace})
    verzoek = _sub(operation, "Verzoek")
    context = _sub(verzoek, "Context")
    _sub(context, "Naam", service.naam)
    _sub(context, "Versie", service.versie)
    bericht = _sub(context, "Bericht")
    _sub(bericht, "Type", "VRAAG")
    tijdstip = _sub(bericht, "Tijdstip")
    _sub(tijdstip, "Datum", now.strftime("%Y-%m-%d"))
    _sub(tijdstip, "Tijd", now.strftime("%H:%M:%S") + f".{now.microsecond // 1000:03d}")
    afzender = _sub(bericht, "Afzender")
    _sub(afzender, "Identificatie", identificatie)
    _sub(afzender, "Referte", referte)
    _sub(afzender, "Hoedanigheid", hoedanigheid)
    vraag = _sub(_sub(verzoek, "Vragen"), "Vraag")
    _sub(vraag, "Referte", vraag_referte)
    inhoud = _sub(vraag, "Inhoud")
    add_criteria(_sub(inhoud, "Criteria"), criteria)
    if bron:
        _sub(inhoud, "Bron", bron)
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
        raise UnsafeXML("not well-formed XML") from error
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
    return found.text.strip()


def _uitzonderingen(element) -> list[Uitzondering]:
    return [Uitzondering(identificatie=text(u, "Identificatie") or "",
                         oorsprong=text(u, "Oorsprong") or "",
                         type=(text(u, "Type") or "FOUT").upper(),
                         diagnose=text(u, "Diagnose") or "")
            for u in children(child(element, "Uitzonderingen"), "Uitzondering")]


def parse_reply(data: bytes, service: Service) -> Reply:
    """A reply body → :class:`Reply`. Unreadable or unexpected → SourceUnavailable."""
    try:
        root = parse_xml(data)
    except UnsafeXML as error:
        raise SourceUnavailable(f"MAGDA reply unreadable: {error}") from None
    if _local(root) != "Envelope":
        raise SourceUnavailable("MAGDA reply is not a SOAP envelope")
    body = child(root, "Body")
    fault = child(body, "Fault")
    if fault is not None:
        raise SourceUnavailable("MAGDA answered with a SOAP fault")
    response = body[0] if body is not None and len(body) else None
    repliek = child(response, "Repliek")
    if repliek is None:
        raise SourceUnavailable(f"MAGDA reply has no Repliek for {service.naam}")
    context = child(repliek, "Context")
    if text(context, "Naam") not in (None, service.naam):
        raise SourceUnavailable("MAGDA reply is for another service")
    reply = Reply(referte=text(context, "Bericht", "Ontvanger", "Referte"),
                  uitzonderingen=_uitzonderingen(repliek))
    antwoord = path(repliek, "Antwoorden", "Antwoord")
    if antwoord is not None:
        reply.antwoord_referte = text(antwoord, "Referte")
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
        raise MagdaError(f"MAGDA answered with error {code}", code)
