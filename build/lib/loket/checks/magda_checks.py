"""What one automatic check asks MAGDA and what its answer means.

:func:`evaluate` runs one ``checks[]`` entry of a dossier's type and returns a
:class:`Finding` (status, source, details with the human texts). It lets MAGDA's
``SourceUnavailable``/``MagdaError`` through: the caller keeps the check pending and retries.
A definite "no data" answer becomes the final status ``no_data``: never a pass.

**Income** (``income_below``). MAGDA's criterion is the *income year* (``Inkomensjaar``); the
tax bill of income year N is that of *tax year* (aanslagjaar) N + 1. A type's
``reference_year`` and ``reference_year_offset`` (added to the submission year) name the
income year; texts show both ("aanslagjaar 2025 (inkomsten 2024)"). The income is the sum of
the configured IPCAL codes on the tax bill (``A7270``, joint taxable income).

With ``household: true`` the household is what GeefGezinssamenstelling gives on the day of the
check, and:

* household income = the applicant's taxable income plus that of every other *adult* member
  (18 or older on the submission date), each tax bill counted once (married or legally
  cohabiting partners share one bill: same article number);
* an adult member of whom FOD Financiën has no tax bill for that year counts as no income, and
  the text says how many there were, so the handler can ask;
* dependants (for ``increase_per_dependant``) = the minors, plus the adult members other than
  a partner who have no taxable income of their own. Minors' tax bills are not asked: data
  minimisation.

Every question (the applicant's and each member's) is a MAGDA consultation with its own log row.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from loket.catalogue.definition import to_decimal
from loket.checks.models import FAILED, NO_DATA, PASSED
from loket.checks.screening import age_on
from loket.checks.texts import day, euro, fill
from loket.integrations.magda.soap import (
    GEEF_AANSLAGBILJET,
    GEEF_GEZINSSAMENSTELLING,
    GEEF_SOCIAAL_STATUUT,
    NoData,
)

DEFAULT_PURPOSE = "inkomenscontrole"
ADULT_AGE = 18
# GeefGezinssamenstelling's Relatie values that make a member the applicant's partner.
PARTNER_RELATIONS = frozenset({"PARTNER", "ECHTGENOOT", "ECHTGENOTE",
                               "WETTELIJK_SAMENWONENDE", "WETTELIJK SAMENWONENDE"})


@dataclass(frozen=True)
class Finding:
    status: str  # pass | fail | no_data
    source: str
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Asking:
    """Who asks what about whom: the consultation's context, the same for every question."""

    magda: object  # loket.integrations.magda.consult.Magda
    dbsession: object
    insz: str
    dossier_reference: str
    submitted_on: date
    purpose: str = DEFAULT_PURPOSE

    def ask(self, method, *args, insz=None):
        return getattr(self.magda, method)(
            self.dbsession, insz or self.insz, *args, purpose=self.purpose, actor=None,
            dossier_reference=self.dossier_reference)


def source_of(*services) -> str:
    return "MAGDA " + " + ".join(f"{s.naam} {s.short_version}" for s in services)


def income_year(check: dict, submitted_on: date) -> int:
    if check.get("reference_year"):
        return int(check["reference_year"])
    return submitted_on.year + int(check.get("reference_year_offset") or 0)


def _income(check: dict, asking: Asking) -> Finding:
    year = income_year(check, asking.submitted_on)
    household = bool(check.get("household"))
    services = (GEEF_AANSLAGBILJET, GEEF_GEZINSSAMENSTELLING) if household else (
        GEEF_AANSLAGBILJET,)
    source = source_of(*services)
    years = {"income_year": year, "tax_year": year + 1}
    try:
        bill = asking.ask("geef_aanslagbiljet", year)
    except NoData:
        return Finding(NO_DATA, source, {**years, **_texts(NO_BILL, years)})
    income, articles = bill.taxable_income, {bill.article_number}
    dependants = without_bill = members = 0
    if household:
        for member in asking.ask("geef_gezinssamenstelling"):
            if member.insz == asking.insz or not member.insz:
                continue
            members += 1
            if member.birth_date and age_on(member.birth_date, asking.submitted_on) < ADULT_AGE:
                dependants += 1
                continue
            try:
                own = asking.ask("geef_aanslagbiljet", year, insz=member.insz)
            except NoData:
                own = None
                without_bill += 1
            if own is not None and own.article_number and own.article_number in articles:
                continue  # a joint bill, already counted
            if own is not None and own.taxable_income > 0:
                income += own.taxable_income
                articles.add(own.article_number)
            elif (member.relation or "").upper() not in PARTNER_RELATIONS:
                dependants += 1
    base = to_decimal(check["threshold"])
    increase = to_decimal(check.get("increase_per_dependant") or 0) if household else Decimal(0)
    limit = base + increase * dependants
    status = PASSED if income <= limit else FAILED
    details = {**years, "income": str(income), "threshold": str(limit),
               "base_threshold": str(base), "household": household,
               "household_members": members, "dependants": dependants,
               "members_without_tax_bill": without_bill}
    values = {"year": year, "income": euro(income), "threshold": euro(limit)}
    summary = fill(INCOME_SUMMARY[status], {**values, "tax_year": year + 1})
    if household:
        summary = {lang: summary[lang] + fill(HOUSEHOLD_NOTE, {
            "members": members, "dependants": dependants})[lang] + (
            fill(WITHOUT_BILL_NOTE, {"count": without_bill})[lang] if without_bill else "")
            for lang in summary}
    return Finding(status, source, {**details, "summary": summary,
                                    "text": fill(check["text"][status], values)})


def _social_status(check: dict, asking: Asking) -> Finding:
    source = source_of(GEEF_SOCIAAL_STATUUT)
    status_name = check["status"]
    values = {"status": status_name, "date": day(asking.submitted_on)}
    details = {"status": status_name, "date": asking.submitted_on.isoformat()}
    try:
        has_status = asking.ask("geef_sociaal_statuut", status_name, asking.submitted_on)
    except NoData:
        return Finding(NO_DATA, source, {**details, **_texts(NO_STATUS, values)})
    status = PASSED if has_status else FAILED
    return Finding(status, source, {
        **details, "has_status": has_status,
        "summary": fill(STATUS_SUMMARY[status], values),
        "text": fill(check["text"][status], values)})


EVALUATORS = {"income_below": _income, "social_status": _social_status}


def evaluate(check: dict, asking: Asking) -> Finding:
    return EVALUATORS[check["type"]](check, asking)


def _texts(texts: dict, values: dict) -> dict:
    filled = fill(texts, values)
    return {"summary": filled, "text": filled}


# --- texts (stored with the result, in both languages) ----------------------------------------

INCOME_SUMMARY = {
    PASSED: {"nl": "aanslagjaar ${tax_year} (inkomsten ${year}), belastbaar inkomen "
                   "€ ${income} — niet boven de grens van € ${threshold}",
             "en": "tax year ${tax_year} (income ${year}), taxable income € ${income} — not "
                   "above the limit of € ${threshold}"},
    FAILED: {"nl": "aanslagjaar ${tax_year} (inkomsten ${year}), belastbaar inkomen "
                   "€ ${income} — boven de grens van € ${threshold}",
             "en": "tax year ${tax_year} (income ${year}), taxable income € ${income} — above "
                   "the limit of € ${threshold}"},
}
HOUSEHOLD_NOTE = {
    "nl": " (gezin: ${members} andere gezinsleden, ${dependants} personen ten laste)",
    "en": " (household: ${members} other members, ${dependants} dependants)"}
WITHOUT_BILL_NOTE = {
    "nl": "; voor ${count} volwassen gezinslid/gezinsleden vond FOD Financiën geen "
          "aanslagbiljet: als geen inkomen geteld",
    "en": "; FPS Finance has no tax bill for ${count} adult household member(s): counted as "
          "no income"}
NO_BILL = {
    "nl": "Geen aanslagbiljet gevonden voor aanslagjaar ${tax_year} (inkomsten ${income_year}). "
          "Het inkomen kon niet automatisch gecontroleerd worden: vraag het na bij de "
          "aanvrager.",
    "en": "No tax bill found for tax year ${tax_year} (income ${income_year}). The income "
          "could not be checked automatically: ask the applicant."}
STATUS_SUMMARY = {
    PASSED: {"nl": "sociaal statuut ${status} op ${date}: ja",
             "en": "social status ${status} on ${date}: yes"},
    FAILED: {"nl": "sociaal statuut ${status} op ${date}: nee",
             "en": "social status ${status} on ${date}: no"},
}
NO_STATUS = {
    "nl": "De Kruispuntbank van de Sociale Zekerheid kent geen gegevens over deze persoon "
          "(sociaal statuut ${status} op ${date}). Vraag het na bij de aanvrager.",
    "en": "The Crossroads Bank for Social Security has no data on this person (social status "
          "${status} on ${date}). Ask the applicant."}
