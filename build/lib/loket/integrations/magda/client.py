"""The MAGDA SOAP client: one POST per question, typed answers.

This module only talks to MAGDA; the purpose check and the legal log are in
:mod:`loket.integrations.magda.consult`, which is what the rest of Loket calls.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import requests

from loket.integrations.magda import soap, wssecurity
from loket.integrations.magda.soap import (
    GEEF_AANSLAGBILJET,
    GEEF_GEZINSSAMENSTELLING,
    GEEF_PERSOON,
    GEEF_SOCIAAL_STATUUT,
    MagdaError,
    NoData,
    Service,
    SourceUnavailable,
    child,
    children,
    path,
    text,
)

# IPCAL code of the "gezamenlijk belastbaar inkomen" on the tax bill [I: to confirm with
# MAGDA's code list, MGWIKI/499974512]. Configurable: ``ipcal_codes``.
DEFAULT_IPCAL_CODES = ("A7270",)


@dataclass(frozen=True)
class Address:
    street: str | None
    number: str | None
    box: str | None
    postcode: str | None
    nis_code: str | None
    municipality: str | None


@dataclass(frozen=True)
class HouseholdMember:
    insz: str
    given_names: str
    family_name: str
    birth_date: date | None
    relation: str | None  # e.g. REFERENTIEPERSOON, ECHTGENOOT, KIND


@dataclass(frozen=True)
class Person:
    insz: str
    given_names: str
    family_name: str
    birth_date: date | None
    gender: str | None  # M | V | None
    address: Address | None
    source: str | None = None  # Persoon@Bron (RR, KSZ)
    warnings: tuple = ()


@dataclass(frozen=True)
class TaxItem:
    code: str
    cents: int

    @property
    def euro(self) -> Decimal:
        return Decimal(self.cents) / 100


@dataclass(frozen=True)
class TaxBill:
    income_year: int
    fiscal_status: str | None
    article_number: str | None
    items: tuple[TaxItem, ...] = field(default_factory=tuple)
    taxable_income: Decimal = Decimal(0)  # in euro: the sum of the requested codes


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _names(element, plural: str, singular: str) -> str:
    found = child(element, plural)
    parts = [(e.text or "").strip() for e in children(found, singular)]
    if not parts and found is not None and found.text:
        parts = [found.text.strip()]
    return " ".join(p for p in parts if p)


class MagdaClient:
    """``options``: the deserialised :class:`~loket.integrations.magda.options.MagdaOptions`."""

    def __init__(self, options: dict, session: requests.Session | None = None):
        self.options = options
        self.session = session or requests.Session()
        self.session.trust_env = False  # no proxy or .netrc from the environment
        if options.get("cert_file"):
            self.session.cert = ((options["cert_file"], options["key_file"])
                                 if options.get("key_file") else options["cert_file"])
        self.session.verify = options.get("ca_bundle") or True
        self.signing = None
        if options.get("sign_body"):
            with open(options["signing_key_file"], "rb") as key, \
                    open(options["signing_cert_file"], "rb") as cert:
                self.signing = (key.read(), cert.read())

    def url(self, service: Service) -> str:
        return self.options["endpoints"][service.naam]

    def call(self, service: Service, criteria: dict, *, referte: str, bron: str | None = None,
             timeout: float | None = None) -> soap.Reply:
        """One question. Returns the parsed reply; raises NoData, InvalidInput,
        SourceUnavailable or MagdaError for the answer's errors."""
        vraag_referte = soap.new_reference()
        body = soap.build_request(
            service, identificatie=self.options["identificatie"],
            hoedanigheid=self.options["hoedanigheid"], referte=referte,
            vraag_referte=vraag_referte, criteria=criteria, bron=bron,
            taal=self.options["taal"])
        if self.signing is not None:
            body = wssecurity.sign_body(body, *self.signing)
        try:
            response = self.session.post(
                self.url(service), data=body, timeout=timeout or self.options["timeout"],
                headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
                allow_redirects=False)
        except requests.Timeout:
            raise SourceUnavailable(f"MAGDA {service.naam}: timeout") from None
        except requests.RequestException as error:
            raise SourceUnavailable(
                f"MAGDA {service.naam}: not reachable ({type(error).__name__})") from None
        if response.status_code != 200 and not (
                response.status_code == 500 and b"Fault" in response.content[:2000]):
            raise SourceUnavailable(f"MAGDA {service.naam}: HTTP {response.status_code}")
        reply = soap.parse_reply(response.content, service)
        soap.raise_for_uitzonderingen(reply)
        if reply.antwoord_referte not in (None, vraag_referte):
            raise MagdaError(f"MAGDA {service.naam}: the answer is for another question")
        if reply.inhoud is None:
            raise NoData(f"MAGDA {service.naam}: no answer")
        return reply

    # --- services -------------------------------------------------------------------------

    def geef_persoon(self, insz: str, *, referte: str, timeout: float | None = None) -> Person:
        reply = self.call(GEEF_PERSOON, {"INSZ": insz}, referte=referte,
                          bron=self.options["persoon_bron"], timeout=timeout)
        persoon = child(reply.inhoud, "Persoon")
        if persoon is None:
            raise NoData("MAGDA GeefPersoon: no Persoon")
        naam = child(persoon, "Naam")
        adres = path(persoon, "Adressen", "Hoofdverblijfplaats")
        address = None
        if adres is not None:
            address = Address(
                street=text(adres, "Straat", "Naam") or text(adres, "Straatnaam"),
                number=text(adres, "Huisnummer"), box=text(adres, "Busnummer"),
                postcode=text(adres, "PostCode") or text(adres, "Postcode"),
                nis_code=text(adres, "Gemeente", "NISCode") or text(adres, "NISCodeGemeente"),
                municipality=text(adres, "Gemeente", "Naam"))
        return Person(
            insz=text(persoon, "INSZ") or insz,
            given_names=_names(naam, "Voornamen", "Voornaam"),
            family_name=_names(naam, "Achternamen", "Achternaam"),
            birth_date=_date(text(persoon, "Geboorte", "Datum")),
            gender=text(persoon, "Geslacht", "Code"),
            address=address, source=persoon.get("Bron"),
            warnings=tuple(reply.warnings))

    def geef_gezinssamenstelling(self, insz: str, *, referte: str,
                                 timeout: float | None = None) -> list[HouseholdMember]:
        reply = self.call(GEEF_GEZINSSAMENSTELLING, {"INSZ": insz}, referte=referte,
                          timeout=timeout)
        leden = path(reply.inhoud, "Gezin", "Leden")
        return [HouseholdMember(
            insz=text(lid, "INSZ") or "",
            given_names=_names(child(lid, "Naam"), "Voornamen", "Voornaam"),
            family_name=_names(child(lid, "Naam"), "Achternamen", "Achternaam"),
            birth_date=_date(text(lid, "Geboorte", "Datum")),
            relation=text(lid, "Relatie"))
            for lid in children(leden, "Lid")]

    def geef_aanslagbiljet(self, insz: str, inkomensjaar: int, *, referte: str,
                           timeout: float | None = None) -> TaxBill:
        codes = tuple(self.options["ipcal_codes"])
        reply = self.call(GEEF_AANSLAGBILJET, {"INSZ": insz, "Inkomensjaar": str(inkomensjaar),
                                               "IPCALCodes": {"Code": list(codes)}},
                          referte=referte, bron="FODFIN", timeout=timeout)
        biljet = path(reply.inhoud, "Aanslagbiljetten", "Aanslagbiljet")
        if biljet is None:
            biljet = child(reply.inhoud, "Aanslagbiljet")
        if biljet is None:
            raise NoData("MAGDA GeefAanslagbiljetPersonenbelasting: no tax bill")
        items = []
        for item in children(child(biljet, "Items"), "Item"):
            code, value = text(item, "Code"), text(item, "Waarde")
            try:
                items.append(TaxItem(code or "", int(value or "")))
            except ValueError:
                raise SourceUnavailable(
                    "MAGDA GeefAanslagbiljetPersonenbelasting: unreadable amount") from None
        total = sum((i.euro for i in items if i.code in codes), Decimal(0))
        return TaxBill(income_year=int(text(biljet, "Inkomensjaar") or inkomensjaar),
                       fiscal_status=text(biljet, "FiscaleStatus"),
                       article_number=text(biljet, "Artikelnummer"),
                       items=tuple(items), taxable_income=total)

    def geef_sociaal_statuut(self, insz: str, naam: str, datum: date, *, referte: str,
                             timeout: float | None = None) -> bool:
        reply = self.call(GEEF_SOCIAAL_STATUUT, {"INSZ": insz, "SociaalStatuut": {
            "Naam": naam, "Datum": {"Datum": datum.isoformat()}}}, referte=referte,
            timeout=timeout)
        statuut = path(reply.inhoud, "Persoon", "SociaalStatuut")
        if statuut is None:
            statuut = child(reply.inhoud, "SociaalStatuut")
        code = text(statuut, "Resultaat", "Code")
        if code not in ("0", "1"):
            raise SourceUnavailable("MAGDA GeefSociaalStatuut: no result code")
        return code == "1"

    def check(self) -> dict:
        """Reachability of the GeefPersoon URL: any HTTP answer but a 5xx will do (a GET on a
        SOAP endpoint is usually 405)."""
        url = self.url(GEEF_PERSOON)
        try:
            response = self.session.get(url, timeout=self.options["timeout"],
                                        allow_redirects=False)
        except requests.RequestException as error:
            return {"status": "error", "error": type(error).__name__}
        if response.status_code >= 500:
            return {"status": "error", "error": "HTTP error", "http_status": response.status_code}
        return {"status": "ok", "http_status": response.status_code}
