"""The wording of a letter: a subject and a body per letter kind, per dossier-type version.

The functional administrator edits them in the dossier type's definition (section
``letters.templates``, ``{kind: {subject: {nl, en}, body: {nl, en}}}``; a kind without its own
wording uses :data:`DEFAULTS`), so a running dossier keeps the wording of its version. Each text
is a Jinja2 template rendered in a sandbox with strict undefined variables: a name outside
:data:`VARIABLES` is refused when the type is published and at the preview
(:func:`static_problems`), an unknown attribute at the preview on a real dossier
(:func:`render`) — with the kind, part, line and variable.

The body is plain text: a blank line starts a new paragraph. What a kind always holds (the
decision's articles, how to object, the answers of a receipt), the closing and the signatures
are the layout's (``templates/``), not the administrator's, so no wording can leave them out.
"""

import functools
import re
from dataclasses import dataclass

from jinja2 import StrictUndefined, TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment

from loket.decisions.drafting import render_sandboxed
from loket.i18n import _

KEY = "letters"
PARTS = ("subject", "body")
LANGUAGES = ("nl", "en")
MAX_TEXT = 20000  # characters of one part

# What a wording may use (:mod:`loket.letters.context` fills them in).
VARIABLES = frozenset({
    "reference", "type_title", "applicant_name", "recipient", "municipality", "team", "today",
    "submitted", "decision", "objection", "completion", "reason", "amount", "answers",
})

_GREETING = {"nl": "Geachte {{ recipient.name }},", "en": "Dear {{ recipient.name }},"}


def _letter(subject_nl, subject_en, body_nl, body_en) -> dict:
    return {"subject": {"nl": subject_nl, "en": subject_en},
            "body": {"nl": f"{_GREETING['nl']}\n\n{body_nl}",
                     "en": f"{_GREETING['en']}\n\n{body_en}"}}


DEFAULTS = {
    "receipt": _letter(
        "Ontvangstbewijs van je aanvraag {{ reference }}",
        "Receipt of your application {{ reference }}",
        "We hebben je aanvraag {{ type_title }} ontvangen op {{ submitted }}. Hieronder vind "
        "je wat je ons bezorgde. Vermeld altijd het nummer {{ reference }} als je ons over deze "
        "aanvraag contacteert.",
        "We received your application {{ type_title }} on {{ submitted }}. Below is what you "
        "sent us. Always mention the number {{ reference }} when you contact us about this "
        "application."),
    "completion.request": _letter(
        "Vraag om je aanvraag {{ reference }} aan te vullen",
        "Request to complete your application {{ reference }}",
        "We bekeken je aanvraag {{ type_title }}. Om ze te kunnen behandelen, hebben we nog het "
        "volgende nodig.{% if completion.due %} Bezorg het ons uiterlijk op "
        "{{ completion.due }}.{% endif %} Je kan antwoorden en documenten toevoegen in je "
        "dossier op het e-loket. Zolang we wachten op je antwoord, staat de termijn stil.",
        "We looked at your application {{ type_title }}. To handle it we still need the "
        "following.{% if completion.due %} Please send it by {{ completion.due }}.{% endif %} "
        "You can answer and add documents in your dossier on the e-counter. While we wait for "
        "your answer, the time limit stands still."),
    "completion.reminder": _letter(
        "Herinnering: vul je aanvraag {{ reference }} aan",
        "Reminder: complete your application {{ reference }}",
        "Op {{ completion.requested }} vroegen we je om je aanvraag {{ type_title }} aan te "
        "vullen. We hebben nog geen antwoord ontvangen.{% if completion.due %} Bezorg het ons "
        "uiterlijk op {{ completion.due }}.{% endif %} Zonder je antwoord kunnen we je aanvraag "
        "niet verder behandelen.",
        "On {{ completion.requested }} we asked you to complete your application "
        "{{ type_title }}. We have not received an answer yet.{% if completion.due %} Please "
        "send it by {{ completion.due }}.{% endif %} Without your answer we cannot handle your "
        "application further."),
    "admissibility.refused": _letter(
        "Je aanvraag {{ reference }} is niet ontvankelijk",
        "Your application {{ reference }} is not admissible",
        "We bekeken je aanvraag {{ type_title }} van {{ submitted }}. Ze is niet ontvankelijk: "
        "we kunnen ze niet behandelen om de reden hieronder.",
        "We looked at your application {{ type_title }} of {{ submitted }}. It is not "
        "admissible: we cannot handle it for the reason below."),
    "decision.granted": _letter(
        "Beslissing over je aanvraag {{ reference }}: goedgekeurd",
        "Decision on your application {{ reference }}: approved",
        "Op {{ decision.decided_on }} besliste {{ decision.decided_by }} over je aanvraag "
        "{{ type_title }}. Je aanvraag is goedgekeurd.{% if amount %} Je krijgt "
        "{{ amount }}.{% endif %} Hieronder lees je de beslissing.",
        "On {{ decision.decided_on }}, {{ decision.decided_by }} decided on your application "
        "{{ type_title }}. Your application was approved.{% if amount %} You will "
        "receive {{ amount }}.{% endif %} The decision follows below."),
    "decision.refused": _letter(
        "Beslissing over je aanvraag {{ reference }}: geweigerd",
        "Decision on your application {{ reference }}: refused",
        "Op {{ decision.decided_on }} besliste {{ decision.decided_by }} over je aanvraag "
        "{{ type_title }}. Je aanvraag is geweigerd. Hieronder lees je de beslissing en de "
        "redenen. Ben je het er niet mee eens, dan kan je bezwaar indienen tot en met "
        "{{ objection.until }}.",
        "On {{ decision.decided_on }}, {{ decision.decided_by }} decided on your application "
        "{{ type_title }}. Your application was refused. The decision and its reasons "
        "follow below. If you disagree, you can object until {{ objection.until }} "
        "inclusive."),
}

_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


class WordingError(Exception):
    """A wording that cannot be used: ``message`` (a translation string) names the kind, the
    part, the line and the variable."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Wording:
    subject: str
    paragraphs: list[str]


def wording_of(definition: dict, kind: str, default: dict | None = None) -> dict | None:
    """The version's own wording of ``kind``, else the kind's registered default, else this
    package's (None: the kind has none)."""
    own = ((definition.get(KEY) or {}).get("templates") or {}).get(kind)
    return own or default or DEFAULTS.get(kind)


def _sources(kind: str, wording: dict):
    for part in PARTS:
        texts = wording.get(part)
        if isinstance(texts, str):
            texts = {"nl": texts}
        for language in LANGUAGES:
            if isinstance(texts, dict) and language in texts:
                yield f"{kind} {part} ({language})", texts[language]


def _line_of(source: str, name: str) -> int:
    for number, line in enumerate(source.splitlines(), 1):
        if re.search(rf"\b{re.escape(name)}\b", line):
            return number
    return 1


def known_variables(kind: str, registry=None) -> frozenset:
    """What a wording of ``kind`` may name: the common variables and the kind's own."""
    from pyramid.threadlocal import get_current_registry

    from loket.letters.kinds import letter_kinds

    registered = letter_kinds(registry or get_current_registry()).get(kind)
    return VARIABLES | frozenset(registered.variables if registered else ())


def static_problems(kind: str, wording: dict, known: frozenset | None = None) -> list:
    """Syntax errors and unknown variables of one kind's wording, without a dossier."""
    known = known if known is not None else known_variables(kind)
    problems = []
    for where, source in _sources(kind, wording):
        if not isinstance(source, str):
            problems.append(_("${where}: must be a text.", mapping={"where": where}))
            continue
        if len(source) > MAX_TEXT:
            problems.append(_("${where}: longer than ${max} characters.",
                              mapping={"where": where, "max": MAX_TEXT}))
            continue
        try:
            parsed = _parsed(source)
        except TemplateSyntaxError as exc:
            problems.append(_("${where}, line ${line}: ${error}",
                              mapping={"where": where, "line": exc.lineno,
                                       "error": exc.message}))
            continue
        for name in sorted(meta.find_undeclared_variables(parsed) - known):
            problems.append(_("${where}, line ${line}: unknown variable \"${name}\".",
                              mapping={"where": where, "line": _line_of(source, name),
                                       "name": name}))
    return problems


@functools.lru_cache(maxsize=256)
def _parsed(source: str):
    return _ENV.parse(source)


def _render_one(where: str, source: str, values: dict) -> str:
    return render_sandboxed(where, source, values, error=WordingError)


def _text(texts, language: str) -> str:
    if isinstance(texts, str):
        return texts
    texts = texts or {}
    return texts.get(language) or texts.get("nl") or ""


def render(kind: str, wording: dict, values: dict, language: str = "nl") -> Wording:
    """The subject and the body's paragraphs for one letter; raises :class:`WordingError`."""
    problems = static_problems(kind, wording, VARIABLES | frozenset(values))
    if problems:
        raise WordingError(problems[0])
    subject = _render_one(f"{kind} subject ({language})", _text(wording.get("subject"),
                                                                 language), values)
    body = _render_one(f"{kind} body ({language})", _text(wording.get("body"), language),
                       values)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
    return Wording(" ".join(subject.split()), paragraphs)


# -- the definition sections ``letters`` and ``objection`` ----------------------------------

SIGNING_RULES = ("none", "decision", "body")


def validate(check, value, context):
    """``letters``: ``templates`` (wording per kind) and ``signatures`` (a rule per kind)."""
    if check.mapping(value, KEY, ("templates", "signatures")) is None:
        return
    templates = value.get("templates") or {}
    if not isinstance(templates, dict):
        check.add(f"{KEY}.templates", "must be a mapping of letter kinds")
        templates = {}
    for kind, wording in templates.items():
        where = f"{KEY}.templates.{kind}"
        if check.mapping(wording, where, PARTS, PARTS) is None:
            continue
        for part in PARTS:
            check.texts(wording, part, where, languages=("nl",))
        for problem in static_problems(kind, wording):
            check.add(where, problem.interpolate())
    signatures = value.get("signatures") or {}
    if not isinstance(signatures, dict):
        check.add(f"{KEY}.signatures", "must be a mapping of letter kinds")
        return
    for kind, rule in signatures.items():
        if rule not in SIGNING_RULES:
            check.add(f"{KEY}.signatures.{kind}",
                      f"{rule!r} is not one of {', '.join(SIGNING_RULES)}")


OBJECTION_KEY = "objection"
DEFAULT_OBJECTION_DAYS = 30


def validate_objection(check, value, context):
    """``objection``: ``days`` within which the citizen may object to a decision."""
    if check.mapping(value, OBJECTION_KEY, ("days",), ("days",)) is None:
        return
    check.integer(value, "days", OBJECTION_KEY, minimum=1, maximum=365)


def objection_days(definition: dict) -> int:
    days = (definition.get(OBJECTION_KEY) or {}).get("days")
    return days if isinstance(days, int) and not isinstance(days, bool) and days > 0 \
        else DEFAULT_OBJECTION_DAYS
