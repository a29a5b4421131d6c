"""What "Mijn dossiers" shows of each dossier: drafts apart from submitted applications, each
with its status in plain words and what the citizen must do now.

Everything comes from the one list query (type version, team are joined) and the workflow
definitions in memory: no query per dossier.
"""

from dataclasses import dataclass
from datetime import date, datetime

from loket.applications.services import kept_until
from loket.workflow.engine import workflow_of
from loket.workflow.presentation import localized

DRAFT = "concept"


@dataclass(frozen=True)
class Card:
    dossier: object
    type_title: str
    state_title: str
    citizen_text: str  # what the state means for the citizen, what happens next
    action_needed: bool  # the ball is in the citizen's court
    date: datetime  # submitted, or started for a draft
    kept_until: date | None  # drafts only


def card(request, dossier) -> Card:
    locale = request.locale_name
    state = workflow_of(dossier).states[dossier.state]
    type_title = (dossier.type_version.definition or {}).get("title") or {}
    draft = dossier.state == DRAFT
    return Card(
        dossier=dossier, type_title=localized(type_title, locale) or dossier.title,
        state_title=localized(state.title, locale),
        citizen_text=localized(state.citizen_text, locale),
        action_needed=state.waits_for == "applicant",
        date=dossier.created if draft else (dossier.submitted or dossier.created),
        kept_until=kept_until(request, dossier) if draft else None)


def cards(request, dossiers) -> dict[str, list[Card]]:
    all_cards = [card(request, d) for d in dossiers]
    return {"drafts": [c for c in all_cards if c.dossier.state == DRAFT],
            "submitted": [c for c in all_cards if c.dossier.state != DRAFT]}
