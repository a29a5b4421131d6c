"""The automatic first admissibility screening, when a dossier is submitted.

:func:`screen` evaluates the type's ``admissibility[]`` rules against what the dossier holds:
the person-register data the application flow recorded in ``dossier.prefill["person"]``
(``postcode``, ``nis``, ``municipality``, ``birth_date``; from MAGDA GeefPersoon), the form's
answers and the documents. Each rule gives ``pass``, ``fail`` or ``unknown`` (the data it needs
is missing, e.g. the prefill failed): a screening is advice to the handler and never rejects a
dossier by itself. :func:`on_submitted` stores it on ``dossier.screening`` each time the
dossier enters ``ingediend`` (the first submission and after every completion).
"""

import unicodedata
from datetime import date
from types import SimpleNamespace

from loket import audit
from loket.checks.texts import day, local_date
from loket.checks.texts import fill as fill_texts
from loket.db import utcnow
from loket.municipality import get_municipality
from loket.workflow.engine import workflow_of

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"
SUBMITTED = "submitted"  # the mark of the state a dossier is screened on entering

# Our own texts for an unknown outcome: the type's texts only cover pass and fail.
UNKNOWN_TEXTS = {
    "no_person": {
        "nl": "Niet automatisch na te gaan: de gegevens uit het rijksregister ontbreken "
              "(het ophalen bij de aanvraag lukte niet). Controleer dit zelf.",
        "en": "Could not be checked automatically: the national register data are missing "
              "(fetching them at the application failed). Check this yourself."},
    "no_domicile": {
        "nl": "Niet automatisch na te gaan: het adres uit het rijksregister of de NIS-code "
              "en postcode van de gemeente ontbreken. Controleer dit zelf.",
        "en": "Could not be checked automatically: the address from the national register or "
              "the municipality's NIS code and postcode are missing. Check this yourself."},
    "no_birth_date": {
        "nl": "Niet automatisch na te gaan: de geboortedatum ontbreekt of is ongeldig. "
              "Controleer dit zelf.",
        "en": "Could not be checked automatically: the date of birth is missing or invalid. "
              "Check this yourself."},
    "no_date": {
        "nl": "Niet automatisch na te gaan: de datum in de aanvraag ontbreekt of is ongeldig. "
              "Controleer dit zelf.",
        "en": "Could not be checked automatically: the date in the application is missing or "
              "invalid. Check this yourself."},
    "unknown_rule": {
        "nl": "Deze regel kan Loket niet automatisch nagaan. Controleer dit zelf.",
        "en": "Loket cannot check this rule automatically. Check this yourself."},
}


def _date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _plain(name: str | None) -> str:
    """A place name for comparison: no accents, case, hyphens or "Gemeente"/"Stad"."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    words = text.replace("-", " ").split()
    if words and words[0] in ("gemeente", "stad", "ocmw"):
        words = words[1:]
    return " ".join(words)


def place_name(municipality) -> str:
    """How texts name the municipality: "Heidebeek", not "Gemeente Heidebeek"."""
    if municipality.city:
        return municipality.city
    name = municipality.name or ""
    for prefix in ("Gemeente ", "Stad "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _person(dossier) -> dict | None:
    prefill = dossier.prefill or {}
    person = prefill.get("person")
    if prefill.get("status") not in (None, "ok") or not isinstance(person, dict):
        return None
    return person


# --- the rules: each returns (outcome, placeholder values, unknown text key) -----------------

def _domicile(rule, dossier, municipality, today):
    values = {"municipality": place_name(municipality)}
    person = _person(dossier)
    if person is None:
        return UNKNOWN, values, "no_person"
    # The NIS code names the municipality exactly; a postcode can cover several municipalities
    # (and a municipality have several postcodes), so it decides only when names agree too.
    if municipality.nis_code and person.get("nis"):
        return (PASS if person["nis"] == municipality.nis_code else FAIL), values, None
    same_name = bool(person.get("municipality")) and \
        _plain(person["municipality"]) in {_plain(municipality.city), _plain(municipality.name)}
    if municipality.postcode and person.get("postcode"):
        if person["postcode"] == municipality.postcode or same_name:
            return PASS, values, None
        return FAIL, values, None
    if person.get("municipality") and (municipality.city or municipality.name):
        return (PASS if same_name else FAIL), values, None
    return UNKNOWN, values, "no_domicile"


def _age(rule, dossier, municipality, today):
    years = int(rule.get("years", 0))
    values = {"years": years}
    if rule.get("field"):
        born = _date((dossier.data or {}).get(rule["field"]))
    else:
        person = _person(dossier)
        if person is None:
            return UNKNOWN, values, "no_person"
        born = _date(person.get("birth_date"))
    if born is None or born > today:
        return UNKNOWN, values, "no_birth_date"
    age = age_on(born, today)
    values["age"] = age
    ok = age >= years if rule["type"] == "age_at_least" else age <= years
    return (PASS if ok else FAIL), values, None


def _within_days(rule, dossier, municipality, today):
    days = int(rule.get("days", 0))
    values = {"days": days}
    when = _date((dossier.data or {}).get(rule.get("field")))
    if when is None:
        return UNKNOWN, values, "no_date"
    values["date"] = day(when)
    # A date after the submission (an event still to come) is within the period too.
    return (PASS if (today - when).days <= days else FAIL), values, None


def _documents(rule, dossier, municipality, today):
    present = {d.document_type for d in dossier.documents}
    missing = [d for d in dossier.type_version.definition.get("documents") or []
               if d.get("required") and d.get("code") not in present]
    joined = {language: ", ".join(str((d.get("title") or {}).get(language)
                                      or (d.get("title") or {}).get("nl") or d.get("code"))
                                  for d in missing) for language in ("nl", "en")}
    return (FAIL if missing else PASS), {"missing": joined}, None


RULES = {
    "domicile_in_municipality": _domicile,
    "age_at_least": _age,
    "age_at_most": _age,
    "within_days_of": _within_days,
    "required_documents_present": _documents,
}


def screen(dossier, municipality, today: date) -> dict:
    """The screening of ``dossier`` on ``today`` (the submission day): ``{"at", "outcome",
    "results": [{code, rule, outcome, text: {nl, en}}]}``. The outcome is ``fail`` when a rule
    fails, else ``unknown`` when one could not be checked, else ``pass``."""
    results = []
    for entry in dossier.type_version.definition.get("admissibility") or []:
        rule = entry.get("rule") or {}
        evaluate = RULES.get(rule.get("type"))
        if evaluate is None:
            outcome, values, unknown = UNKNOWN, {}, "unknown_rule"
        else:
            outcome, values, unknown = evaluate(rule, dossier, municipality, today)
        texts = entry.get("text") or {}
        text = UNKNOWN_TEXTS[unknown] if outcome == UNKNOWN else fill_texts(
            texts.get(outcome), values)
        results.append({"code": entry.get("code"), "rule": rule.get("type"),
                        "outcome": outcome, "text": dict(text)})
    outcomes = {r["outcome"] for r in results}
    overall = FAIL if FAIL in outcomes else UNKNOWN if UNKNOWN in outcomes else PASS
    return {"at": utcnow().isoformat(), "outcome": overall, "results": results}


def on_submitted(event):
    """AfterTransition: screen a dossier that enters its workflow's submitted state."""
    if not workflow_of(event.dossier).is_marked(event.dossier.state, SUBMITTED):
        return
    dossier = event.dossier
    # Rules about time count from the first submission, also after a completion.
    today = local_date(dossier.submitted or utcnow())
    municipality = get_municipality(SimpleNamespace(dbsession=event.dbsession,
                                                    registry=event.registry))
    dossier.screening = screen(dossier, municipality, today)
    audit.write(event.dbsession, "dossier.screened", "dossier", dossier.reference,
                outcome=dossier.screening["outcome"])
