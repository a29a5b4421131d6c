"""Letters on the shared heating-allowance dossier: a college with a mayor and a general
director who have logins, a recorded decision, and a request to render with (as the worker
has), on the test's own rolled-back session."""

from datetime import date

import pytest

from loket.decisions import services as decisions
from loket.decisions.models import Decision
from loket.security import Role

# What other packages' tests use too lives in the letters fixture plug-in; its helpers are
# imported from here by this directory's tests.
from tests.fixtures.letters import (  # noqa: F401
    pdf_of,
    pdf_text,
    render_waiting,
    render_waiting_letters,
)


@pytest.fixture
def college(dbsession, factories):
    """The college with Luc Janssens (mayor) and Hilde Goossens (general director)."""
    bodies = decisions.ensure_bodies(dbsession)
    mayor = factories.staff(Role.SIGNATORY, given_name="Luc")
    director = factories.staff(Role.SIGNATORY, Role.SECRETARIAT, given_name="Hilde")
    body = bodies["college"]
    decisions.add_member(dbsession, body, "Luc Janssens", "chair", "burgemeester", mayor)
    decisions.add_member(dbsession, body, "Hilde Goossens", "secretary", "algemeen directeur",
                         director)
    dbsession.flush()
    return body, mayor, director


def record_decision(dbsession, dossier, outcome="approved", body_code="college",
                    recorded_by=None, amount=None) -> Decision:
    decision = Decision(
        dossier_id=dossier.id, body_code=body_code, decided_on=date(2026, 3, 2),
        outcome=outcome, title=f"Verwarmingstoelage {dossier.reference}",
        final_text="Verwarmingstoelage\n\nMotivering\nDe aanvrager voldoet aan het reglement."
                   "\n\nBesluit\nArtikel 1. De toelage van 150 euro wordt toegekend."
                   "\nArtikel 2. Het bedrag wordt binnen 30 dagen betaald.",
        amount=amount, recorded_by_id=recorded_by.id if recorded_by else None,
        delegation_reference="DEL-2026-04" if body_code == "official" else None)
    dbsession.add(decision)
    dbsession.flush()
    return decision


@pytest.fixture
def letter_of_kind(dbsession, factories, submitted, college, handler):
    """``letter_of_kind(kind)``: a letter of ``kind`` on the shared dossier, with what that
    kind needs (a decision, a completion request, a refusal with its reason)."""
    from loket.completion.models import CompletionRequest
    from loket.letters import services
    from loket.workflow.models import HistoryEntry

    def make(kind):
        details = {}
        if kind.startswith("decision."):
            record_decision(dbsession, submitted, "approved" if kind.endswith("granted")
                            else "refused")
        elif kind.startswith("completion."):
            dbsession.add(CompletionRequest(
                dossier_id=submitted.id, question="Bezorg het attest van je huisbaas.",
                document_codes=[], due=date(2026, 4, 15), requested_by_id=handler.id))
        elif kind == "admissibility.refused":
            entry = HistoryEntry(dossier_id=submitted.id, transition="onontvankelijk_verklaren",
                                 from_state="ingediend", to_state="onontvankelijk",
                                 actor_id=handler.id,
                                 comment="Je woont niet in Heidebeek.")
            dbsession.add(entry)
            dbsession.flush()
            details["step"] = entry.id
        dbsession.flush()
        return services.create_letter(dbsession, submitted, kind, **details)

    return make


@pytest.fixture
def municipality(dbsession):
    from loket.municipality.models import Municipality

    row = dbsession.get(Municipality, 1) or Municipality(id=1)
    row.name, row.street, row.number, row.postcode, row.city = (
        "Gemeente Heidebeek", "Kerkstraat", "1", "3999", "Heidebeek")
    row.kbo_municipality, row.email, row.phone = ("0207500123", "info@heidebeek.example",
                                                  "011 12 34 56")
    dbsession.add(row)
    dbsession.flush()
    return row


@pytest.fixture
def held_meeting(dbsession, college):
    """A college meeting that started an hour ago (its agenda closed two days before)."""
    from datetime import timedelta

    from loket.db import utcnow
    from loket.decisions.models import Meeting

    starts = utcnow() - timedelta(hours=1)
    meeting = Meeting(body_id=college[0].id, starts=starts,
                      agenda_closes=starts - timedelta(days=2), status="agenda_closed")
    dbsession.add(meeting)
    dbsession.flush()
    return meeting
