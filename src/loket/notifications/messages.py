"""The words of a notification: e-mail (subject, text, HTML) and SMS, in the citizen's language.

One template per event, language and format under ``templates/messages/<language>/``:
``<event>.txt`` (blocks ``subject`` and ``body``), ``<event>.html`` and ``sms.txt``. Events:

- ``decided``: the new state tells the dossier's outcome (approved, refused) — the state
  after the decision letter was delivered, never the decided state before it;
- ``action_needed``: the new state waits for the applicant (completion requested, …);
- ``status_changed``: any other step.

Everything is rendered when the message is enqueued, so a redelivery sends the very same words
and the worker needs neither the dossier nor the templates. The national register number is
never part of the context.
"""

import re
from dataclasses import dataclass

import jinja2

from loket.workflow.presentation import localized

LANGUAGES = ("nl", "en")
EVENTS = ("decided", "action_needed", "status_changed")
SMS_TITLE_LENGTH = 40  # keeps an SMS within two segments

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("loket.notifications", "templates/messages"),
    autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,  # an included part ends its own last line
)


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str


def event_of(state, outcome: str | None = None) -> str:
    if outcome in state.told:
        return "decided"
    if state.waits_for == "applicant":
        return "action_needed"
    return "status_changed"


def message_context(dossier, state, language: str, *, municipality: str, public_url: str,
                    given_name: str = "") -> dict:
    """What every template may use. Only what the citizen sees on the dossier page anyway."""
    base = public_url.rstrip("/")
    told = dossier.outcome if dossier.outcome in state.told else None
    state = state.for_outcome(told)
    type_title = (dossier.type_version.definition or {}).get("title") or {}
    return {
        "event": event_of(state, told),
        "outcome": told,
        "municipality": municipality,
        "given_name": given_name,
        "reference": dossier.reference,
        "title": dossier.title,
        "type_title": localized(type_title, language) if type_title else "",
        "state_title": localized(state.title, language),
        "citizen_text": localized(state.citizen_text, language),
        "dossier_url": f"{base}/dossiers/{dossier.reference}/",
        "preferences_url": f"{base}/meldingen",
    }


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def render_email(context: dict, language: str) -> Email:
    folder = language if language in LANGUAGES else LANGUAGES[0]
    text = _env.get_template(f"{folder}/{context['event']}.txt")
    template_context = text.new_context(context)
    subject = "".join(text.blocks["subject"](template_context))
    body = "".join(text.blocks["body"](text.new_context(context)))
    html = _env.get_template(f"{folder}/{context['event']}.html").render(context)
    return Email(subject=_one_line(subject), text=body.strip() + "\n", html=html)


def render_sms(context: dict, language: str) -> str:
    folder = language if language in LANGUAGES else LANGUAGES[0]
    title = context["title"]
    if len(title) > SMS_TITLE_LENGTH:
        title = title[:SMS_TITLE_LENGTH - 1].rstrip() + "…"
    return _one_line(_env.get_template(f"{folder}/sms.txt").render({**context, "title": title}))
