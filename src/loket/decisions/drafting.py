"""The draft decision, written from the dossier type's decision template.

The template (definition section ``decision_draft``) has a title, the legal grounds, the
motivation and the operative part as a list of articles, each a Jinja2 text rendered in a
sandbox with strict undefined variables. A template that names an unknown variable is refused
when the type is published (:func:`validate`) and at the preview on a real dossier
(:func:`render`), with the part, line and variable: never while a meeting is prepared.

The rendered texts are plain text; pages escape them like any other text.
"""

import functools
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, meta
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from loket.i18n import _, format_amount, format_date

KEY = "decision_draft"
PARTS = ("title", "grounds", "motivation")  # each one text; ``articles`` is a list of texts

# What a template may use. ``answers`` is the application's form data; ``facts`` the checks
# and advice as (title, detail, date, source); ``amount`` a formatted euro amount or "".
VARIABLES = frozenset({
    "reference", "applicant_name", "dossier_title", "type_title", "body", "municipality",
    "amount", "answers", "facts", "today", "submitted",
})

DEFAULT = {
    "title": "{{ type_title }}: beslissing over de aanvraag {{ reference }} van "
             "{{ applicant_name }}",
    "grounds": "Het decreet over het lokaal bestuur van 22 december 2017, artikel 56 "
               "(bevoegdheid van het {{ body }}).\nHet reglement {{ type_title }} van "
               "{{ municipality }}.",
    "motivation": "{{ applicant_name }} vroeg op {{ submitted }} een {{ type_title|lower }} "
                  "aan (dossier {{ reference }}).\n"
                  "{% for fact in facts %}- {{ fact.title }}: {{ fact.detail }}"
                  "{% if fact.date %} ({{ fact.date }}){% endif %}\n{% endfor %}"
                  "De aanvraag voldoet aan de voorwaarden van het reglement.",
    "articles": [
        "{% if amount %}Aan {{ applicant_name }} wordt een {{ type_title|lower }} van "
        "{{ amount }} toegekend.{% else %}De aanvraag {{ reference }} van {{ applicant_name }} "
        "wordt goedgekeurd.{% endif %}",
        "{% if amount %}Het bedrag wordt binnen 30 dagen betaald.{% else %}Deze beslissing "
        "wordt aan de aanvrager bezorgd.{% endif %}",
    ],
}

_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


class DraftError(Exception):
    """The template cannot be used: ``message`` (a translation string) names part, line and
    variable."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass
class Draft:
    title: str
    grounds: str
    facts: str
    motivation: str
    articles: list[str]
    amount: Decimal | None = None
    problems: list = field(default_factory=list)


def template_of(definition: dict) -> dict:
    return definition.get(KEY) or DEFAULT


def _sources(template: dict):
    for part in PARTS:
        yield part, template.get(part, "")
    for i, article in enumerate(template.get("articles") or ()):
        yield f"articles[{i + 1}]", article


def _line_of(source: str, name: str) -> int:
    for number, line in enumerate(source.splitlines(), 1):
        if re.search(rf"\b{re.escape(name)}\b", line):
            return number
    return 1


def static_problems(template: dict) -> list:
    """Syntax errors and unknown variables, without a dossier (publication, preview)."""
    problems = []
    for part, source in _sources(template):
        if not isinstance(source, str):
            problems.append(_("${part}: must be a text.", mapping={"part": part}))
            continue
        try:
            parsed = _ENV.parse(source)
        except TemplateSyntaxError as exc:
            problems.append(_("${part}, line ${line}: ${error}",
                              mapping={"part": part, "line": exc.lineno, "error": exc.message}))
            continue
        for name in sorted(meta.find_undeclared_variables(parsed) - VARIABLES):
            problems.append(_("${part}, line ${line}: unknown variable \"${name}\".",
                              mapping={"part": part, "line": _line_of(source, name),
                                       "name": name}))
    return problems


def validate(check, value, context):
    """The definition section: a mapping of title, grounds, motivation and articles."""
    where = KEY
    if check.mapping(value, where, ("title", "grounds", "motivation", "articles"),
                     ("title", "motivation", "articles")) is None:
        return
    if not isinstance(value.get("articles"), list) or not value["articles"]:
        check.add(f"{where}.articles", "give at least one article")
        return
    for problem in static_problems(value):
        check.add(where, problem.interpolate() if hasattr(problem, "interpolate") else problem)


def fixed_amount(definition: dict) -> Decimal | None:
    rule = (definition.get("amount") or {}).get("rule") or {}
    if rule.get("type") != "fixed":
        return None
    try:
        return Decimal(str(rule.get("amount")))
    except InvalidOperation:
        return None


def variables(dossier, *, body_name: str, municipality: str, facts: list[dict],
              amount: Decimal | None, today: date) -> dict:
    applicant = dossier.applicant
    definition = dossier.type_version.definition
    title = definition.get("title") or {}
    return {
        "reference": dossier.reference,
        "applicant_name": applicant.name if applicant else "",
        "dossier_title": dossier.title,
        "type_title": title.get("nl", dossier.title) if isinstance(title, dict) else str(title),
        "body": body_name,
        "municipality": municipality,
        "amount": format_amount(amount, "nl") if amount is not None else "",
        "answers": dict(dossier.data or {}),
        "facts": facts,
        "today": format_date(today, "nl"),
        "submitted": format_date(dossier.submitted, "nl") if dossier.submitted else "",
    }


@functools.lru_cache(maxsize=256)
def _compiled(source: str):
    """Compiled once per text: a meeting's drafts and letters share their templates."""
    return _ENV.from_string(source)


def render_sandboxed(part: str, source: str, values: dict, error=None) -> str:
    """``source`` rendered in the sandbox; any problem raises ``error`` (default
    :class:`DraftError`) naming ``part``, the template line and the variable. The letters'
    wording renders through here too."""
    error = error or DraftError
    try:
        return _compiled(source).render(values).strip()
    except UndefinedError as exc:
        raise error(_("${part}, line ${line}: ${error}",
                      mapping={"part": part, "line": _runtime_line(),
                               "error": exc.message})) from exc
    except SecurityError as exc:
        raise error(_("${part}: not allowed in a template: ${error}",
                      mapping={"part": part, "error": str(exc)})) from exc
    except Exception as exc:  # noqa: BLE001 - any template error must be a clear refusal
        raise error(_("${part}, line ${line}: ${error}",
                      mapping={"part": part, "line": _runtime_line(),
                               "error": type(exc).__name__})) from exc


def _runtime_line() -> int:
    """The template line of the exception being handled (Jinja2 rewrites the traceback so
    its frames carry the template's lines)."""
    tb, line = sys.exc_info()[2], 1
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def render(template: dict, values: dict, amount: Decimal | None = None) -> Draft:
    """The draft for one dossier; raises :class:`DraftError` on the first problem."""
    problems = static_problems(template)
    if problems:
        raise DraftError(problems[0])
    facts = "\n".join(f"- {f['title']}: {f['detail']}" + (f" ({f['date']})" if f.get("date")
                                                         else "")
                      for f in values.get("facts", ()))
    return Draft(
        title=render_sandboxed("title", template["title"], values),
        grounds=render_sandboxed("grounds", template.get("grounds", ""), values),
        facts=facts,
        motivation=render_sandboxed("motivation", template["motivation"], values),
        articles=[render_sandboxed(f"articles[{i + 1}]", a, values)
                  for i, a in enumerate(template["articles"])],
        amount=amount,
    )
