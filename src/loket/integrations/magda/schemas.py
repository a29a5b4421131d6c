"""MAGDA's official request and response schemas (``xsd/``, see its README), compiled once.

The simulator refuses questions that do not validate; the tests hold every question Loket
sends and every simulator answer to them.
"""

from functools import cache
from pathlib import Path

from lxml import etree

XSD = Path(__file__).parent / "xsd"

REQUEST = {
    "GeefPersoon": "request/GeefPersoonDienst-02.02/WebService/GeefPersoon.xsd",
    "GeefGezinssamenstelling":
        "request/GeefGezinssamenstellingDienst-02.02/WebService/GeefGezinssamenstelling.xsd",
    "GeefAanslagbiljetPersonenbelasting": "request/GeefAanslagbiljetPersonenbelastingDienst-02.00/"
                                          "WebService/GeefAanslagbiljetPersonenbelasting.xsd",
    "GeefSociaalStatuut":
        "request/GeefSociaalStatuutDienst-03.00/WebService/GeefSociaalStatuut.xsd",
}
RESPONSE = {
    "GeefPersoon": "response/Persoon.GeefPersoonDienst-02.02/WebService/GeefPersoonResponse.xsd",
    "GeefGezinssamenstelling": "response/Persoon.GeefGezinssamenstellingDienst-02.02/WebService/"
                               "GeefGezinssamenstellingResponse.xsd",
    "GeefAanslagbiljetPersonenbelasting":
        "response/Inkomen.GeefAanslagbiljetPersonenbelastingDienst-02.00/WebService/"
        "GeefAanslagbiljetPersonenbelastingResponse.xsd",
    "GeefSociaalStatuut": "response/SocZek.GeefSociaalStatuutDienst-03.00/WebService/"
                          "GeefSociaalStatuutResponse.xsd",
}


@cache
def _schema(relative: str) -> etree.XMLSchema:
    # Local files only: imports resolve relative to the schema, never over the network.
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(XSD / relative), parser=parser))


def request_schema(naam: str) -> etree.XMLSchema:
    return _schema(REQUEST[naam])


def response_schema(naam: str) -> etree.XMLSchema:
    return _schema(RESPONSE[naam])


def errors(schema: etree.XMLSchema, element) -> list[str]:
    """The schema's complaints about ``element`` (the operation element, not the envelope);
    empty when it validates."""
    document = etree.ElementTree(etree.fromstring(etree.tostring(element)))
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
