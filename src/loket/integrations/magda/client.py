"""The MAGDA SOAP client: one POST per question, answers read as the official schemas define
them (``xsd/response``).

This module only talks to MAGDA; the purpose check and the legal log are in
:mod:`loket.integrations.magda.consult`, which is what the rest of Loket calls.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

import requests

from loket.integrations.magda import soap, wssecurity
from loket.integrations.magda.soap import (
    GEEF_AANSLAGBILJET,
    GEEF_GEZINSSAMENSTELLING,
    GEEF_PERSOON,
    GEEF_SOCIAAL_STATUUT,
    Service,
    SourceUnavailable,
    Unreadable,
    child,
    children,
    path,
    text,
)

# IPCAL code(s) of the taxable income the income rules compare (``ipcal_codes``). 7555 is
# what MAGDA's reference client asks by default (with 7557) and the code on most official
# sample tax bills; taken as the joint taxable income ("gezamenlijk belastbaar inkomen").
# [I] to confirm with MAGDA's code table (wiki page 499974512) at onboarding.
DEFAULT_IPCAL_CODES = ("7555",)
GENDERS = {"1": "M", "2": "V"}
PARTIAL_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")


def partial_date(value: str | None) -> str | None:
    """MAGDA's OnvolledigeDatum kept as precise as it is: 1950-00-00 → "1950", 1950-03-00 →
    "1950-03", 0000-00-00 → None; a full date stays YYYY-MM-DD."""
    match = PARTIAL_DATE.match(value or "")
    if not match:
        return None
    year, month, day = match.groups()
    if year == "0000":
        return None
    if month == "00":
        return year
    if day == "00":
        return f"{year}-{month}"
    return f"{year}-{month}-{day}"


def _full_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Address:
    street: str | None
    house_number: str | None
    box: str | None
    postcode: str | None
    municipality: str | None
    nis_code: str | None

    def as_json(self) -> dict:
        return {"street": self.street, "house_number": self.house_number, "box": self.box,
                "postcode": self.postcode, "municipality": self.municipality,
                "nis_code": self.nis_code}


@dataclass(frozen=True)
class Person:
    insz: str
    family_name: str
    given_names: tuple[str, ...]
    birth: str | None  # YYYY-MM-DD | YYYY-MM | YYYY | None, as precise as the register
    gender: str | None  # M | V | None
    address: Address | None  # the main residence
    source: str | None = None  # Persoon@Bron (RR, KSZ)
    warnings: tuple = ()

    @property
    def birth_date(self) -> date | None:
        """The birth date when the register has it complete."""
        return _full_date(self.birth)

    @property
    def given_name(self) -> str:
        return " ".join(self.given_names)

    def as_json(self) -> dict:
        return {"insz": self.insz, "family_name": self.family_name,
                "given_names": list(self.given_names), "birth_date": self.birth,
                "gender": self.gender,
                "address": self.address.as_json() if self.address else None}


@dataclass(frozen=True)
class HouseholdMember:
    insz: str
    family_name: str
    given_names: tuple[str, ...]
    birth: str | None
    relation: str | None  # Positie/Code as in the message: 01 head, 02 spouse, 03 child, …
    relation_description: str | None = None

    @property
    def birth_date(self) -> date | None:
        return _full_date(self.birth)

    @property
    def given_name(self) -> str:
        return " ".join(self.given_names)

    def as_json(self) -> dict:
        return {"insz": self.insz, "family_name": self.family_name,
                "given_names": list(self.given_names), "relation": self.relation}


@dataclass(frozen=True)
class TaxBill:
    year: int
    article_number: str | None
    fiscal_status: str | None  # GevraagdePersoon/FiscaleStatus/Code
    items: dict = field(default_factory=dict)  # Item Code → Waarde, exactly as in the message
    # In euro: the sum of the configured codes (cents in the message, A = the person, B = the
    # partner on a joint bill); None when none of them is on the bill — never 0.
    taxable_income_eur: Decimal | None = None

    @property
    def income_year(self) -> int:
        return self.year

    def as_json(self) -> dict:
        income = self.taxable_income_eur
        return {"year": self.year, "items": dict(self.items),
                "taxable_income_eur": float(income) if income is not None else None}


@dataclass(frozen=True)
class SocialStatus:
    name: str
    applies: bool  # Resultaat/Code 1 (van toepassing) or 0
    description: str | None = None
    periods: tuple[tuple[str, str | None], ...] = ()  # (begin, end or None)
    status_code: str | None = None  # Status/Code, e.g. SSH00047


def _names(element, plural: str, singular: str) -> tuple[str, ...]:
    return tuple(t for t in ((e.text or "").strip() for e in
                             children(child(element, plural), singular)) if t)


def _taalstring(element, name: str) -> str | None:
    return text(element, name, "String")


def _address(hoofd) -> Address | None:
    if hoofd is None:
        return None
    return Address(
        street=_taalstring(hoofd, "Straatnaam")
        or _taalstring(hoofd, "NietGestandaardiseerdeStraatnaam"),
        house_number=text(hoofd, "Huisnummer"), box=text(hoofd, "Busnummer"),
        postcode=text(hoofd, "Postcode"),
        municipality=_taalstring(hoofd, "Gemeentenaam")
        or _taalstring(hoofd, "NietGestandaardiseerdeGemeentenaam"),
        nis_code=text(hoofd, "NISCodeGemeente"))


def _cents(value: str) -> Decimal:
    try:
        return Decimal(int(value.strip())) / 100
    except (ValueError, InvalidOperation):
        raise Unreadable("a tax bill amount is not a whole number of cents") from None


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

    def request_body(self, service: Service, criteria: dict, referte: str) -> bytes:
        """The question as sent (before signing)."""
        return soap.build_request(
            service, identificatie=self.options["identificatie"],
            hoedanigheid=self.options["hoedanigheid"], referte=referte, criteria=criteria,
            bron=self.options.get("persoon_bron", "RR"), taal=self.options.get("taal", "nl"))

    def call(self, service: Service, criteria: dict, *, referte: str,
             timeout: float | None = None) -> soap.Reply:
        """One question. Returns the parsed reply with its Inhoud; raises NoData,
        InvalidInput, SourceUnavailable (Unreadable, OtherQuestion) for everything else."""
        body = self.request_body(service, criteria, referte)
        if self.signing is not None:
            body = wssecurity.sign_body(body, *self.signing,
                                        **wssecurity.settings_of(self.options))
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
                response.status_code == 500 and b"Fault" in response.content[:4000]):
            raise SourceUnavailable(f"MAGDA {service.naam}: HTTP {response.status_code}")
        reply = soap.parse_reply(response.content, service, referte)
        soap.raise_for_uitzonderingen(reply)
        return reply

    # --- services -------------------------------------------------------------------------

    def geef_persoon(self, insz: str, *, referte: str, timeout: float | None = None) -> Person:
        reply = self.call(GEEF_PERSOON, {"INSZ": insz}, referte=referte, timeout=timeout)
        persoon = child(reply.inhoud, "Persoon")
        if persoon is None:
            raise Unreadable("GeefPersoon: Inhoud without Persoon")
        naam = child(persoon, "Naam")
        return Person(
            insz=text(persoon, "INSZ") or insz,
            family_name=" ".join(_names(naam, "Achternamen", "Achternaam")),
            given_names=_names(naam, "Voornamen", "Voornaam"),
            birth=partial_date(text(persoon, "Geboorte", "Datum")),
            gender=GENDERS.get(text(persoon, "Geslacht", "Code") or ""),
            address=_address(path(persoon, "Adressen", "Hoofdverblijfplaats")),
            source=persoon.get("Bron"), warnings=tuple(reply.warnings))

    def geef_gezinssamenstelling(self, insz: str, *, referte: str,
                                 timeout: float | None = None) -> list[HouseholdMember]:
        reply = self.call(GEEF_GEZINSSAMENSTELLING, {"INSZ": insz}, referte=referte,
                          timeout=timeout)
        leden = child(reply.inhoud, "Gezinsleden")
        members = children(leden, "Gezinslid")
        if not members:  # the schema requires at least one: this is not "nobody"
            raise Unreadable("GeefGezinssamenstelling: Inhoud without Gezinsleden/Gezinslid")
        return [HouseholdMember(
            insz=text(lid, "INSZ") or "",
            family_name=" ".join(_names(child(lid, "Naam"), "Achternamen", "Achternaam")),
            given_names=_names(child(lid, "Naam"), "Voornamen", "Voornaam"),
            birth=partial_date(text(lid, "Geboortedatum")),
            relation=text(lid, "Positie", "Code"),
            relation_description=text(lid, "Positie", "Omschrijving"))
            for lid in members]

    def ipcal_codes(self) -> tuple[str, ...]:
        return tuple(self.options.get("ipcal_codes") or DEFAULT_IPCAL_CODES)

    def geef_aanslagbiljet(self, insz: str, inkomensjaar: int, *, referte: str,
                           timeout: float | None = None) -> TaxBill:
        codes = self.ipcal_codes()
        reply = self.call(GEEF_AANSLAGBILJET, {
            "INSZ": insz, "Inkomensjaar": str(inkomensjaar),
            "IPCALCodes": {"IPCALCode": list(codes)}}, referte=referte, timeout=timeout)
        biljet = child(reply.inhoud, "AanslagbiljetPersonenbelasting")
        if biljet is None:
            raise Unreadable("GeefAanslagbiljetPersonenbelasting: Inhoud without "
                             "AanslagbiljetPersonenbelasting")
        items: dict[str, str] = {}
        for item in children(child(biljet, "Items"), "Item"):
            code, value = text(item, "Code"), text(item, "Waarde")
            if code is None or value is None:
                raise Unreadable("a tax bill item without Code or Waarde")
            items[code] = value
        # Item codes carry the person's letter before the IPCAL code: A7555 (the person asked
        # about or the first on a joint bill), B7555 (the partner on it).
        wanted = [value for code, value in items.items() if code[-4:] in codes]
        income = sum((_cents(v) for v in wanted), Decimal(0)) if wanted else None
        year = text(biljet, "Inkomensjaar")
        return TaxBill(year=int(year) if year and year.isdigit() else inkomensjaar,
                       article_number=text(biljet, "Artikelnummer"),
                       fiscal_status=text(biljet, "GevraagdePersoon", "FiscaleStatus", "Code"),
                       items=items, taxable_income_eur=income)

    def geef_sociaal_statuut(self, insz: str, naam: str | Iterable[str], datum: date, *,
                             referte: str, timeout: float | None = None) -> list[SocialStatus]:
        names = [naam] if isinstance(naam, str) else list(naam)
        reply = self.call(GEEF_SOCIAAL_STATUUT, {"INSZ": insz, "SocialeStatuten": {
            "SociaalStatuut": [{"Naam": n, "Datum": {"Datum": datum.isoformat()}}
                               for n in names]}}, referte=referte, timeout=timeout)
        statuten = path(reply.inhoud, "Persoon", "SocialeStatuten")
        if statuten is None:
            raise Unreadable("GeefSociaalStatuut: no Persoon/SocialeStatuten")
        result = []
        for statuut in children(statuten, "SociaalStatuut"):
            code = text(statuut, "Resultaat", "Code")
            if code not in ("0", "1"):
                raise Unreadable("GeefSociaalStatuut: a result code other than 0 or 1")
            result.append(SocialStatus(
                name=text(statuut, "Naam") or "", applies=code == "1",
                description=text(statuut, "Resultaat", "Omschrijving"),
                periods=tuple((text(p, "Begindatum"), text(p, "Einddatum"))
                              for p in children(child(statuut, "Periodes"), "Periode")),
                status_code=text(statuut, "Status", "Code")))
        if not result:
            raise Unreadable("GeefSociaalStatuut: SocialeStatuten without SociaalStatuut")
        return result

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
