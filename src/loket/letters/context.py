"""What a letter's wording and layout read: the parts every letter has (letterhead, recipient,
reference, date, signatories) and the data of this package's own kinds (the decision, the
objection term, the request for completion, the reason a dossier is not admissible, the
receipt's answers).

A kind's context raises :class:`MissingData` when the dossier lacks what the letter needs
(a decision letter for a dossier without a decision): the letter is not made, and the preview
says why.
"""

import re
from datetime import date, timedelta

from pyramid.threadlocal import get_current_request
from sqlalchemy import select

from loket.catalogue.definition import top_level_fields
from loket.completion.models import CompletionRequest
from loket.decisions.models import DecidingBody, Decision
from loket.decisions.services import OFFICIAL
from loket.i18n import _, format_amount, format_date, local_now, text
from loket.identity.models import User
from loket.letters import wording
from loket.municipality.models import Municipality
from loket.workflow.models import HistoryEntry

DELEGATE = {"nl": "de gemachtigde ambtenaar", "en": "the delegated official"}


def language_of(letter) -> str:
    """Letters are in Dutch (the administrative language); a receipt follows the language
    the citizen applied in."""
    language = (letter.details or {}).get("language")
    return language if language in wording.LANGUAGES else "nl"


class MissingData(Exception):
    """The dossier lacks what this letter needs; ``message`` is a translation string."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _person_fields(definition: dict) -> dict[str, str]:
    """The form's fields the person register fills in: attribute → field name."""
    found = {}
    for name, field in top_level_fields(definition).items():
        prefill = field.get("prefill") or {}
        if prefill.get("source") == "person_register" and prefill.get("attribute"):
            found.setdefault(prefill["attribute"], name)
    return found


def recipient(dossier) -> dict:
    """The citizen's name and postal address as the application holds them (prefilled from
    the person register, or typed when it was down); the account's name otherwise."""
    data = dossier.data or {}
    fields = _person_fields(dossier.type_version.definition)
    applicant = dossier.applicant
    given = data.get(fields.get("given_name", ""), "") or (applicant.given_name if applicant
                                                           else "")
    family = data.get(fields.get("family_name", ""), "") or (applicant.family_name if applicant
                                                             else "")
    name = f"{given} {family}".strip()
    address = data.get(fields.get("address", "")) or {}
    lines = []
    if isinstance(address, dict) and address.get("street"):
        box = f" bus {address['box']}" if address.get("box") else ""
        lines.append(f"{address['street']} {address.get('number', '')}{box}".strip())
        lines.append(f"{address.get('postcode', '')} {address.get('municipality', '')}".strip())
    return {"name": name, "lines": lines}


def municipality_values(m: Municipality) -> dict:
    """The letterhead: the municipality's identity (``request.municipality``: its row, or the
    settings' name and KBO before the administrator filled it in)."""
    street = " ".join(p for p in (m.street, m.number) if p)
    place = " ".join(p for p in (m.postcode, m.city) if p)
    return {"name": m.name or "", "ocmw_name": m.ocmw_name or "",
            "address": ", ".join(p for p in (street, place) if p),
            "email": m.email or "", "phone": m.phone or "", "website": m.website or "",
            "kbo": m.kbo_municipality or "", "kbo_ocmw": m.kbo_ocmw or ""}


def common(municipality: Municipality, letter, language: str,
           today: date | None = None) -> dict:
    """The variables every letter has."""
    dossier = letter.dossier
    definition = dossier.type_version.definition
    today = today or local_now().date()
    applicant = dossier.applicant
    team = dossier.team
    return {
        "reference": dossier.reference,
        "type_title": text(definition.get("title"), language) or dossier.title,
        "applicant_name": applicant.name if applicant else "",
        "recipient": recipient(dossier),
        "municipality": municipality_values(municipality),
        "team": {"name": team.title_in(language) if team else ""},
        "today": format_date(today, language),
        "submitted": format_date(dossier.submitted, language) if dossier.submitted else "",
        "answers": dict(dossier.data or {}),
        "amount": "", "decision": None, "objection": None, "completion": None, "reason": "",
        "_today": today,
    }


# -- decisions ------------------------------------------------------------------------------


def decision_of(dbsession, letter) -> Decision:
    """The decision the letter tells: the one it names, else the dossier's latest."""
    number = (letter.details or {}).get("decision")
    decision = dbsession.get(Decision, number) if isinstance(number, int) else None
    if decision is None or decision.dossier_id != letter.dossier_id:
        decision = dbsession.scalar(select(Decision).where(
            Decision.dossier_id == letter.dossier_id).order_by(Decision.id.desc()).limit(1))
    if decision is None:
        raise MissingData(_("This dossier has no decision yet."))
    return decision


def _section(final_text: str, heading: str, following: str | None) -> str:
    pattern = rf"^{heading}\s*$(.*?)" + (rf"^{following}\s*$" if following else r"\Z")
    found = re.search(pattern, final_text, re.MULTILINE | re.DOTALL)
    return found.group(1).strip() if found else ""


def articles_of(decision: Decision) -> list[str]:
    """The operative part, as the decision recorded it (amended articles included)."""
    part = _section(decision.final_text, "Besluit", None)
    articles = [re.sub(r"^Artikel \d+\.\s*", "", line).strip()
                for line in part.splitlines() if line.strip()]
    return articles or [decision.title]


def decided_by(dbsession, decision: Decision, language: str) -> tuple[str, str]:
    """The body's name and the phrase "the college of …" that decided."""
    if decision.body_code == OFFICIAL:
        phrase = DELEGATE[language if language in DELEGATE else "nl"]
        return phrase, phrase
    body = dbsession.scalar(select(DecidingBody).where(DecidingBody.code == decision.body_code))
    name = body.name(language) if body else decision.body_code
    article = "the" if language == "en" else ("de" if decision.body_code in (
        "gemeenteraad", "raad_maatschappelijk_welzijn") else "het")
    return name, f"{article} {name[:1].lower()}{name[1:]}"


def decision_context(dbsession, letter) -> dict:
    language = language_of(letter)
    decision = decision_of(dbsession, letter)
    body, phrase = decided_by(dbsession, decision, language)
    today = local_now().date()
    days = wording.objection_days(letter.dossier.type_version.definition)
    return {
        "decision": {
            "id": decision.id, "title": decision.title, "outcome": decision.outcome,
            "body": body, "decided_by": phrase,
            "decided_on": format_date(decision.decided_on, language),
            "motivation": _section(decision.final_text, "Motivering", "Besluit"),
            "articles": articles_of(decision),
            "delegation_reference": decision.delegation_reference or "",
        },
        "amount": format_amount(decision.amount, language) if decision.amount is not None
        else "",
        # The term runs from the day after the letter; the letter says the last day.
        "objection": {"days": days,
                      "until": format_date(today + timedelta(days=days), language),
                      "to": body if decision.body_code != OFFICIAL else ""},
    }


# -- admissibility and completion -----------------------------------------------------------


def _step_comment(dbsession, letter) -> str:
    number = (letter.details or {}).get("step")
    entry = dbsession.get(HistoryEntry, number) if isinstance(number, int) else None
    if entry is None or entry.dossier_id != letter.dossier_id:
        return ""
    return entry.comment or ""


def refusal_context(dbsession, letter) -> dict:
    reason = _step_comment(dbsession, letter)
    if not reason:
        raise MissingData(_("The step that refused the dossier gave no reason."))
    return {"reason": reason}


def completion_context(dbsession, letter) -> dict:
    language = language_of(letter)
    request = dbsession.scalar(select(CompletionRequest).where(
        CompletionRequest.dossier_id == letter.dossier_id)
        .order_by(CompletionRequest.id.desc()).limit(1))
    if request is None:
        raise MissingData(_("No completion was requested for this dossier."))
    return {"completion": {
        "question": request.question,
        "due": format_date(request.due, language) if request.due else "",
        "requested": format_date(request.requested, language),
        "documents": list(request.document_codes or ()),
    }}


# -- the receipt ----------------------------------------------------------------------------


def receipt_context(dbsession, letter) -> dict:
    """The answers and documents as the summary page showed them (``applications``)."""
    from loket.applications.receipt import receipt_values

    return {"receipt": receipt_values(get_current_request(), letter.dossier)}


def signer_names(dbsession, user_ids) -> dict[int, str]:
    rows = dbsession.execute(select(User.id, User.given_name, User.family_name)
                             .where(User.id.in_(set(user_ids))))
    return {row.id: f"{row.given_name} {row.family_name}".strip() for row in rows}
