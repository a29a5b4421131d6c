"""Letters on the shared heating-allowance dossier: a college with a mayor and a general
director who have logins, a recorded decision, and a request to render with (as the worker
has), on the test's own rolled-back session."""

from datetime import date

import pytest
from sqlalchemy import select

from loket.decisions import services as decisions
from loket.decisions.models import Decision
from loket.letters.models import TO_RENDER, Letter
from loket.letters.rendering import render_letter, worker_request
from loket.security import Role


@pytest.fixture
def render_request(app, dbsession):
    env = worker_request(app.registry, dbsession)
    yield env["request"]
    env["closer"]()


def render_waiting(request) -> list[Letter]:
    """Render every letter waiting in the session, as the worker job does."""
    letters = list(request.dbsession.scalars(select(Letter).where(Letter.status == TO_RENDER)
                                             .order_by(Letter.id)))
    for letter in letters:
        render_letter(request, letter)
    return letters


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
