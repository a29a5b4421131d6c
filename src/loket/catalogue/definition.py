"""The shape of a dossier type version's ``definition`` and its validation.

A definition is a plain JSON/YAML mapping. :func:`validate_definition` returns *every* problem,
each with its location (``form.steps[0].fields[2].type: unknown field type 'colour'``), so an
administrator fixes a file in one go. The shape (``?`` marks an optional key, ``{nl,en}`` a
text in Dutch and English)::

    title{nl,en}  summary{nl,en}  who_can_apply{nl,en}  what_to_bring{nl,en}
    team: team code (sociale-dienst, openbaar-domein, ...)
    workflow: a name from loket.workflow.definition.workflows()
    authentication: {minimum_acr: [ACM/IDM acr URNs accepted, e.g. urn:be:vlaanderen:authmech:eid]}
    magda_purpose?: the purpose (doel) of the person register prefill at the start of an
                    application; one of the setting loket.integrations.magda.purposes
                    (default: the setting loket.applications.magda_purpose)
    form:
      steps[]: {title{nl,en}, fields[]}
        field: {name, type, label{nl,en}, help{nl,en}?, required?,
                min?/max? (number, amount: a number; date: YYYY-MM-DD, today, today+N, today-N),
                max_length? (text, textarea, email, phone),
                choices[{value, label{nl,en}}] (choice),
                fields[] + min_items?/max_items? (repeat; no repeat inside a repeat),
                prefill?: {source: person_register, attribute: given_name | family_name |
                           birth_date | address | household},
                readonly_when_prefilled?: bool}
        types: text textarea number amount date choice yesno iban national_number address email
               phone repeat
        Names are unique across the whole form. Inside a repeat prefilled with ``household``
        the sub-fields may prefill given_name, family_name or birth_date of each member.
    documents[]: {code, title{nl,en}, help{nl,en}?, required, media_types (subset of
                  application/pdf, image/png, image/jpeg), max_size_mb (> 0, <= 20)}
    admissibility[]: {code, rule, text: {pass{nl,en}, fail{nl,en}}}
        rule: {type: domicile_in_municipality} | {type: age_at_least|age_at_most, years,
               field? (a date field: whose age; the applicant's when left out)} |
              {type: within_days_of, field (a date field), days} |
              {type: required_documents_present}
    checks_mode?: all (default: every check must pass) | any (one passing check is enough)
    checks[]: {code, type, ..., text: {pass, fail, pending}{nl,en}}
        {type: income_below, reference_year_offset (-5..0) | reference_year, threshold,
         increase_per_dependant?, household: bool}
        {type: social_status, status: BIM_BVT | BIM_BVT_IN_FAMILY | PCSA_AND_BIM_HELP |
         LIVING_WAGES_PCSA_HELP}
    deadlines[]: {code, title{nl,en}, days, start_state, stop_states[]}  (workflow states)
    decision: {body: college | gemeenteraad | vast_bureau | official,
               decision_template{nl}, letter_template{nl,en}, signature_required: bool,
               refusal_reasons[{code, text{nl,en}}]}
    amount: {direction: loket_pays | citizen_pays | none, rule}
        rule: {type: fixed, amount} | {type: per_person, amount, field (a repeat), ceiling?} |
              {type: percentage, percentage (0-100], field (an amount field), ceiling?} |
              {type: per_unit, amount, fields[] (number fields, multiplied), minimum?,
               ceiling?} | {type: none}
        Euro amounts are decimals, as strings ("26739.25") or numbers.
    dosis: {product_id, states: {<every workflow state>: <DOSIS VlaamsCode>},
            action_needed: [states where the citizen must act]}
    retention[]: {outcome: approved | refused | withdrawn | not_admissible, years,
                  then: destroy | archive}   (each outcome exactly once)

Texts may hold ``${placeholders}``: form field names and :data:`TEMPLATE_PLACEHOLDERS` in the
decision and letter templates; :data:`RESULT_PLACEHOLDERS` of the rule in a result text.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

FIELD_TYPES = ("text", "textarea", "number", "amount", "date", "choice", "yesno", "iban",
               "national_number",
               "address", "email", "phone", "repeat")
LANGUAGES = ("nl", "en")
PREFILL_SOURCES = ("person_register",)
# Which field type each person-register attribute fills.
PREFILL_ATTRIBUTES = {"given_name": "text", "family_name": "text", "birth_date": "date",
                      "address": "address", "household": "repeat"}
MEMBER_ATTRIBUTES = {"given_name": "text", "family_name": "text", "birth_date": "date"}
MEDIA_TYPES = ("application/pdf", "image/png", "image/jpeg")
MAX_SIZE_MB = 20
ACR_PREFIX = "urn:be:vlaanderen:authmech:"
ACR_MEANS = ("eid", "eidashigh", "itsme", "csamtotp", "csamsms", "eidassubstantial",
             "tlsclient", "kerberos", "password", "csampassword", "csamselfreg")
ACR_URNS = tuple(ACR_PREFIX + m for m in ACR_MEANS)
ADMISSIBILITY_RULES = ("domicile_in_municipality", "age_at_least", "age_at_most",
                       "within_days_of", "required_documents_present")
CHECK_TYPES = ("income_below", "social_status")
SOCIAL_STATUSES = ("BIM_BVT", "BIM_BVT_IN_FAMILY", "PCSA_AND_BIM_HELP",
                   "LIVING_WAGES_PCSA_HELP")
DECISION_BODIES = ("college", "gemeenteraad", "vast_bureau", "official")
AMOUNT_DIRECTIONS = ("loket_pays", "citizen_pays", "none")
AMOUNT_RULES = ("fixed", "per_person", "percentage", "per_unit", "none")
RETENTION_OUTCOMES = ("approved", "refused", "withdrawn", "not_admissible")
RETENTION_ACTIONS = ("destroy", "archive")
CHECKS_MODES = ("all", "any")
# What the decision and letter templates may use besides the form's top-level field names.
TEMPLATE_PLACEHOLDERS = ("reference", "applicant_name", "applicant_address", "type_title",
                         "amount", "decision_date", "submitted_date", "decision_body",
                         "refusal_reason", "municipality")
RESULT_PLACEHOLDERS = {
    "domicile_in_municipality": ("municipality",),
    "age_at_least": ("age", "years"),
    "age_at_most": ("age", "years"),
    "within_days_of": ("days", "date"),
    "required_documents_present": ("missing",),
    "income_below": ("year", "income", "threshold"),
    "social_status": ("status",),
}

# A dossier type's code is part of its URL; the view names of /catalogus are taken.
TYPE_CODE = re.compile(r"^[a-z0-9-]{2,64}$")
RESERVED_CODES = frozenset({"beheer", "nieuw", "importeren"})
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
TEAM_PATTERN = re.compile(r"^[a-z0-9-]{2,64}$")
RELATIVE_DATE = re.compile(r"^today(?:([+-])(\d{1,5}))?$")
PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
RESERVED_NAMES = frozenset({"csrf_token", "step", "stap"})

# The core of a definition; features add their sections (loket.catalogue.sections).
TOP_LEVEL_KEYS = ("title", "summary", "who_can_apply", "what_to_bring", "team", "workflow",
                  "authentication", "form", "documents", "admissibility", "decision", "amount",
                  "retention")
OPTIONAL_TOP_LEVEL = frozenset()
FIELD_COMMON_KEYS = ("name", "type", "label", "help", "required", "prefill",
                     "readonly_when_prefilled")
FIELD_EXTRA_KEYS = {
    "text": ("max_length",), "textarea": ("max_length",), "email": ("max_length",),
    "phone": ("max_length",), "number": ("min", "max"), "amount": ("min", "max"),
    "date": ("min", "max"), "choice": ("choices",), "yesno": (), "iban": (), "address": (),
    "national_number": (),
    "repeat": ("fields", "min_items", "max_items"),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition or an import file, and where."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class DefinitionError(ValueError):
    """A definition (or import file) is wrong; ``problems`` lists every :class:`Problem`."""

    def __init__(self, problems):
        super().__init__("; ".join(map(str, problems)))
        self.problems = list(problems)


# ---------------------------------------------------------------------------------------------
# Helpers other modules use to read a (valid) definition


def text(value, locale: str = "nl") -> str:
    """A ``{nl, en}`` text in ``locale``, Dutch when that language is missing."""
    if not isinstance(value, dict):
        return "" if value is None else str(value)
    return str(value.get(locale) or value.get("nl") or "")


def iter_fields(definition: dict):
    """Every field of the form, nested ones too: ``(location, field, parent_repeat)``."""
    steps = (definition.get("form") or {}).get("steps") or []
    for s, step in enumerate(steps if isinstance(steps, list) else []):
        fields = step.get("fields") if isinstance(step, dict) else None
        for f, field in enumerate(fields if isinstance(fields, list) else []):
            if not isinstance(field, dict):
                continue
            where = f"form.steps[{s}].fields[{f}]"
            yield where, field, None
            if field.get("type") == "repeat" and isinstance(field.get("fields"), list):
                for n, sub in enumerate(field["fields"]):
                    if isinstance(sub, dict):
                        yield f"{where}.fields[{n}]", sub, field


def top_level_fields(definition: dict) -> dict[str, dict]:
    """The form's fields outside repeats, by name."""
    return {f["name"]: f for _w, f, parent in iter_fields(definition)
            if parent is None and isinstance(f.get("name"), str)}


def code_problems(code) -> list[Problem]:
    """What is wrong with ``code`` as a dossier type's code."""
    if not isinstance(code, str) or not TYPE_CODE.match(code):
        return [Problem("code", f"{code!r} is not a valid code: 2 to 64 lower case letters, "
                                "digits and -")]
    if code in RESERVED_CODES:
        return [Problem("code", f"{code!r} is reserved")]
    return []


def parse_relative_date(value, today: date | None = None) -> date:
    """A date bound: ``YYYY-MM-DD``, ``today``, ``today+N`` or ``today-N`` (days)."""
    if isinstance(value, date):
        return value
    match = RELATIVE_DATE.match(str(value))
    if match:
        today = today or date.today()
        sign, days = match.groups()
        offset = int(days or 0)
        return today + timedelta(days=-offset if sign == "-" else offset)
    return date.fromisoformat(str(value))


def to_decimal(value) -> Decimal:
    """An amount from a definition (string or number) as a Decimal; ValueError if not one."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError("not a number")
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError("not a number") from exc
    if not result.is_finite():
        raise ValueError("not a number")
    return result


def normalise(value):
    """The definition as JSON can store it: dates as ISO strings, tuples as lists.

    YAML reads ``2026-01-01`` as a date; the database column is JSON."""
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalise(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


