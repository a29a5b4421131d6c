"""Attachments, the summary, submission (once, however often it is sent) and the purge."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from loket.applications import purge
from loket.audit.models import AuditEvent
from loket.db import utcnow
from loket.demo import demo_pdf
from loket.documents.models import Document
from loket.dossiers.models import Dossier
from loket.worker import worker_jobs
from loket.workflow.models import HistoryEntry
from tests.applications.helpers import draft, dutch, fill_everything, form_posting_to, start
from tests.documents.corpus import PNG  # a real, decodable image
from tests.fixtures.letters import render_waiting_letters


@pytest.fixture
def path(testapp, jan, magda_on):
    return start(testapp)


def upload(testapp, path, name, content, status=302):
    page = testapp.get(f"{path}/bijlagen")
    form = next(f for f in page.forms.values()
                if f.action.endswith("bijlagen") and "bestand" in f.fields)
    form["bestand"] = (name, content)
    return form.submit("opladen", status=status)


def documents_of(dbsession, path):
    return list(dbsession.scalars(select(Document).where(
        Document.dossier_id == draft(dbsession, path).id, Document.direction == "in")))


def test_a_disguised_file_is_refused_next_to_the_field(testapp, dbsession, path):
    page = upload(testapp, path, "factuur.pdf", b"<html><script>alert(1)</script></html>",
                  status=400)
    message = page.html.select_one("#bestand-factuur-fout").get_text(strip=True)
    assert message == dutch("This type of file is not accepted here, whatever its name says. "
                            "Accepted: ${types}.", types="PDF, PNG, JPEG")
    assert page.html.select_one("#bestand-factuur")["aria-invalid"] == "true"
    assert documents_of(dbsession, path) == []


def test_an_oversized_file_is_refused(testapp, dbsession, path):
    page = upload(testapp, path, "factuur.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10),
                  status=400)
    message = page.html.select_one("#bestand-factuur-fout").get_text(strip=True)
    assert message == dutch("The file is too large: at most ${size} MB.", size="1")
    assert documents_of(dbsession, path) == []


def test_upload_replace_and_remove(testapp, dbsession, path):
    upload(testapp, path, "factuur.pdf", demo_pdf("Factuur"))
    upload(testapp, path, "foto van de factuur.png", PNG)  # replaces: a new version
    [document] = documents_of(dbsession, path)
    assert document.document_type == "factuur"
    assert [v.media_type for v in document.versions] == ["application/pdf", "image/png"]
    assert document.current.filename == "foto-van-de-factuur.png"
    page = testapp.get(f"{path}/bijlagen")
    form = next(f for f in page.forms.values() if "verwijderen" in f.fields)
    form.submit("verwijderen", status=302)
    assert documents_of(dbsession, path) == []


def test_summary_lists_every_answer_formatted_with_links(testapp, dbsession, path):
    fill_everything(testapp, path)
    upload(testapp, path, "factuur.pdf", demo_pdf("Factuur"))
    page = testapp.get(f"{path}/controleren")
    text = page.html.select_one("main").get_text(" ", strip=True)
    for shown in ("Jan", "Peeters", "Kerkstraat 12, 3999 Heidebeek", "jan@example.org",
                  "Gasolie verwarming (stookolie)", "€ 1.234,56", "1.000",
                  "BE71 0961 2345 6769", "Nee", "factuur.pdf"):
        assert shown in text, shown
    delivery = (utcnow().date() - timedelta(days=10)).strftime("%d/%m/%Y")
    assert delivery in text
    links = {a["href"] for a in page.html.select("main a")}
    for number in (1, 2, 3, 4):
        assert f"{path}/aanvraag?stap={number}" in links
    assert f"{path}/bijlagen" in links
    assert dutch("Your application cannot be submitted yet:") not in text


def test_an_incomplete_application_is_not_submitted(testapp, dbsession, path):
    page = testapp.get(f"{path}/controleren")
    assert dutch("Your application cannot be submitted yet:") in page.text
    response = form_posting_to(page, "controleren").submit(status=400)
    assert dutch("Your application is not complete yet.") in response.text
    assert dutch("Add this document.") in response.text
    dossier = draft(dbsession, path)
    assert dossier.state == "concept" and dossier.submitted is None


def test_submit_once_however_often_it_is_sent(app, testapp, dbsession, path, jan):
    fill_everything(testapp, path)
    upload(testapp, path, "factuur.pdf", demo_pdf("Factuur"))
    form = form_posting_to(testapp.get(f"{path}/controleren"), "controleren")
    first = form.submit(status=302)
    assert first.location.endswith(f"{path}/ontvangen")
    second = form.submit(status=302)  # pressed twice, or replayed
    assert second.location.endswith(f"{path}/ontvangen")
    dossier = draft(dbsession, path)
    assert dossier.state == "ingediend" and dossier.submitted is not None
    transitions = dbsession.scalars(select(HistoryEntry.transition).where(
        HistoryEntry.dossier_id == dossier.id)).all()
    assert transitions == ["indienen"]
    assert dbsession.scalar(select(func.count()).select_from(Dossier).where(
        Dossier.applicant_id == jan.id)) == 1
    page = first.follow()
    assert dossier.reference in page.text
    assert f'href="{path}"' in page.text or f'href="{path}/"' in page.text
    # The receipt is a letter the worker renders: being prepared until it exists.
    assert not [d for d in dossier.documents if d.document_type == "ontvangstbewijs"]
    assert "We maken je ontvangstbewijs klaar" in page.text
    render_waiting_letters(app, dbsession)
    page = testapp.get(f"{path}/ontvangen")
    dbsession.expire(dossier, ["documents"])
    [receipt] = [d for d in dossier.documents if d.document_type == "ontvangstbewijs"]
    assert receipt.direction == "out"
    assert f"{path}/documenten/{receipt.number}/download" in page.text
    # The form pages of a submitted application lead to the dossier.
    assert testapp.get(f"{path}/aanvraag?stap=1", status=302).location.endswith("ontvangen")


def test_a_stale_version_changes_nothing(testapp, dbsession, path):
    fill_everything(testapp, path)
    upload(testapp, path, "factuur.pdf", demo_pdf("Factuur"))
    form = form_posting_to(testapp.get(f"{path}/controleren"), "controleren")
    form["versie"] = "1"
    response = form.submit(status=302)
    assert response.location.endswith(f"{path}/controleren")
    assert draft(dbsession, path).submitted is None


def test_untouched_drafts_are_purged(testapp, dbsession, app, path, factories):
    kept = factories.dossier(state="concept")
    submitted = factories.dossier(state="ingediend")
    old = utcnow() - timedelta(days=31)
    for dossier in (draft(dbsession, path), kept, submitted):
        dbsession.execute(Dossier.__table__.update().where(Dossier.id == dossier.id)
                          .values(modified=old if dossier is not kept else utcnow()))
    reference = path.rsplit("/", 1)[-1]
    assert purge.purge_drafts(dbsession, utcnow(), 30) == [reference]
    assert dbsession.scalar(select(Dossier.id).where(Dossier.reference == reference)) is None
    assert dbsession.get(Dossier, kept.id) is not None
    assert dbsession.get(Dossier, submitted.id) is not None
    event = dbsession.scalars(select(AuditEvent).where(
        AuditEvent.action == "application.draft_purged")).one()
    assert event.object_id == reference and event.actor_id is None
    assert purge.purge_drafts(dbsession, utcnow(), 30) == []  # idempotent
    assert "applications.purge_drafts" in worker_jobs(app.registry)
