"""What "Mijn dossiers" shows of each dossier: drafts apart from submitted applications, each
with its status in plain words and what the citizen must do now.

Everything comes from the one list query (type version, team are joined) and the workflow
definitions in memory: no query per dossier.
"""

from dataclasses import dataclass
from datetime import date, datetime

from loket.dossiers.drafts import in_draft, kept_until
from loket.workflow.presentation import badge_of, localized, shown_state


@dataclass(frozen=True)
class Card:
    dossier: object
    type_title: str
    state_title: str
    badge: str  # the badge's style (never the outcome before it is told)
    citizen_text: str  # what the state means for the citizen, what happens next
    action_needed: bool  # the ball is in the citizen's court
    date: datetime  # submitted, or started for a draft
    kept_until: date | None  # drafts only

    @property
    def draft(self) -> bool:
        return in_draft(self.dossier)


def card(request, dossier) -> Card:
    locale = request.locale_name
    state = shown_state(dossier)
    type_title = (dossier.type_version.definition or {}).get("title") or {}
    draft = in_draft(dossier)
    return Card(
        dossier=dossier, type_title=localized(type_title, locale) or dossier.title,
        state_title=localized(state.title, locale), badge=badge_of(dossier),
        citizen_text=localized(state.citizen_text, locale),
        action_needed=state.waits_for == "applicant",
        date=dossier.created if draft else (dossier.submitted or dossier.created),
        kept_until=kept_until(request, dossier) if draft else None)


def cards(request, dossiers) -> dict[str, list[Card]]:
    all_cards = [card(request, d) for d in dossiers]
    return {"drafts": [c for c in all_cards if c.draft],
            "submitted": [c for c in all_cards if not c.draft]}
