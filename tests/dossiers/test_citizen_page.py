"""The citizen's dossier page: the statuses in plain words, what happens next, documents sent
and received, deadlines, who handles it — and nothing meant for staff only."""

from datetime import timedelta

import pytest

from loket.db import utcnow
from loket.i18n import LOCALE_COOKIE
from loket.security import Role
from loket.workflow.models import HistoryEntry


@pytest.fixture
def handled(factories, dbsession):
    """A dossier in handling, with an assigned handler, history, and documents both ways."""
    team = factories.team(name="Sociale dienst")
    citizen = factories.citizen()
    handler = factories.staff(Role.HANDLER, team=team, given_name="Els")
    type_version = factories.type_version(deadlines=[
        {"code": "beslissing", "title": {"nl": "Beslissing nemen", "en": "Take the decision"},
         "days": 60, "start_state": "ontvankelijk", "stop_states": ["goedgekeurd"]}])
    dossier = factories.dossier(applicant=citizen, team=team, type_version=type_version,
                                state="in_behandeling")
    dossier.handler_id = handler.id
    dossier.submitted = utcnow() - timedelta(days=5)
    dossier.screening = {"outcome": "fail", "results": [{"text": {"nl": "SCREENINGGEHEIM"}}]}
    start = utcnow() - timedelta(days=5)
    for i, (transition, source, target, actor, comment) in enumerate([
        ("indienen", "concept", "ingediend", citizen, ""),
        ("ontvankelijk_verklaren", "ingediend", "ontvankelijk", handler, "INTERNE NOTITIE"),
        ("behandeling_starten", "ontvankelijk", "in_behandeling", None, ""),
    ]):
        dbsession.add(HistoryEntry(dossier_id=dossier.id, transition=transition,
                                   from_state=source, to_state=target, comment=comment,
                                   actor_id=actor.id if actor else None,
                                   occurred=start + timedelta(days=i)))
    factories.document(dossier, title="Factuur mazout")
    receipt = factories.document(dossier, title="Ontvangstbewijs")
    receipt.direction = "out"
    dbsession.flush()
    return {"citizen": citizen, "handler": handler, "dossier": dossier}


def test_statuses_next_step_documents_and_handler(testapp, login, handled):
    login(handled["citizen"])
    page = testapp.get(f"/dossiers/{handled['dossier'].reference}")
    text = page.html.get_text(" ", strip=True)
    history = page.html.find(id="verloop-titel").parent.get_text(" ", strip=True)
    # Each step: the date and what the state means, in plain Dutch, newest first.
    assert history.index("Je dossier wordt behandeld") < history.index(
        "Je aanvraag is volledig en ontvankelijk") < history.index("We hebben je aanvraag")
    assert (utcnow() - timedelta(days=5)).strftime("%d/%m/%Y") in history
    status = page.html.find(id="status-titel").parent.get_text(" ", strip=True)
    assert "In behandeling" in status and "Soms vragen we advies" in status
    assert "Sociale dienst" in status and handled["handler"].name in status
    documents = page.html.find(id="documenten-titel").parent
    received, sent = documents.find_all("ul")
    assert "Ontvangstbewijs" in received.text and "Factuur mazout" not in received.text
    assert "Factuur mazout" in sent.text
    deadlines = page.html.find(id="termijnen-titel").parent.get_text(" ", strip=True)
    assert "Beslissing nemen" in deadlines
    # Staff-only information stays on the staff page.
    assert "SCREENINGGEHEIM" not in text and "INTERNE NOTITIE" not in text
    assert handled["handler"].name + " (" not in text  # who took a step is not shown
    assert page.html.find("input", {"name": "transition", "value": "stopzetten"}) is None
    assert page.html.find("a", href=f"/dossiers/{handled['dossier'].reference}/stopzetten")
    assert page.html.find("a", href=f"/raadplegingen?dossier={handled['dossier'].reference}")


def test_the_citizens_own_words_are_shown(testapp, login, factories, dbsession):
    citizen = factories.citizen()
    dossier = factories.dossier(applicant=citizen, state="ingediend")
    dbsession.add(HistoryEntry(dossier_id=dossier.id, transition="vervolledigen",
                               from_state="vervollediging_gevraagd", to_state="ingediend",
                               comment="Mijn eigen uitleg", actor_id=citizen.id))
    dbsession.flush()
    login(citizen)
    page = testapp.get(f"/dossiers/{dossier.reference}")
    assert "Mijn eigen uitleg" in page.html.find(id="verloop-titel").parent.text


def test_a_draft_says_until_when_it_is_kept(testapp, login, factories):
    citizen = factories.citizen()
    draft = factories.dossier(applicant=citizen, state="concept")
    login(citizen)
    testapp.set_cookie(LOCALE_COOKIE, "en")
    page = testapp.get(f"/dossiers/{draft.reference}")
    kept = (draft.modified + timedelta(days=30)).strftime("%d/%m/%Y")
    assert f"We keep your draft until {kept}" in page.text
    assert page.html.find("a", href=f"/dossiers/{draft.reference}/aanvraag")
    assert "Action needed from you." in page.text


def test_someone_elses_dossier_is_404(testapp, login, handled, factories):
    login(factories.citizen())
    testapp.get(f"/dossiers/{handled['dossier'].reference}", status=404)
