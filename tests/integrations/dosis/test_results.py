"""The worker job that polls DOSIS's processing results: an upload DOSIS accepted and then
refused becomes a dead outbox message on /beheer/berichten."""

import logging

import pytest

from loket.i18n import LOCALE_COOKIE
from loket.integrations.dosis.client import upload_id
from loket.integrations.dosis.deliver import deliver
from loket.integrations.dosis.results import JOB_NAME, poll_results
from loket.outbox.models import DEAD, DELIVERED
from loket.security import Role
from loket.worker import worker_jobs
from loket.workflow.engine import perform
from tests.integrations.dosis.conftest import BRON, JAN, actor, as_claimed, pushes

REASON = "Product 100103 is niet gekend voor bron urn://heidebeek/loket"


@pytest.fixture
def delivered(dosis_app, dbsession, premium, context):
    """Jan's dossier declared admissible: its push delivered (DOSIS answered 200)."""
    dossier, handler = premium
    perform(dosis_app.registry, dbsession, dossier, "ontvankelijk_verklaren", actor(handler),
            dossier.version)
    [row] = pushes(dbsession)
    deliver(as_claimed(row), context)
    row.status = DELIVERED
    dbsession.flush()
    return row


def poll(dosis_app, dbsession, context):
    return poll_results(dosis_app.registry, BRON, context.http, dbsession=dbsession)


def test_the_job_is_registered_with_the_interval_setting(dosis_app):
    interval, _job = worker_jobs(dosis_app.registry)[JOB_NAME]
    assert interval == 300.0


def test_a_processed_upload_stays_delivered(dosis, dosis_app, dbsession, context, delivered):
    assert poll(dosis_app, dbsession, context) == {"dosis_refused_uploads": 0}
    dbsession.refresh(delivered)
    assert delivered.status == DELIVERED


def test_a_refused_upload_becomes_a_dead_message_on_the_outbox_page(
        dosis, dosis_app, dbsession, context, premium, dosis_testapp, dosis_login, factories,
        caplog):
    dosis.control(refuse_processing=f"{REASON} (agent {JAN})")
    dossier, handler = premium
    perform(dosis_app.registry, dbsession, dossier, "ontvankelijk_verklaren", actor(handler),
            dossier.version)
    [row] = pushes(dbsession)
    deliver(as_claimed(row), context)  # 200: accepted for processing
    row.status = DELIVERED
    dbsession.flush()

    with caplog.at_level(logging.DEBUG):
        assert poll(dosis_app, dbsession, context) == {"dosis_refused_uploads": 1}
        assert poll(dosis_app, dbsession, context) == {"dosis_refused_uploads": 0}  # once
    dbsession.refresh(row)
    assert row.status == DEAD
    assert REASON in row.last_error and JAN not in row.last_error
    assert upload_id(row.idempotency_key) in caplog.text and JAN not in caplog.text

    dosis_testapp.set_cookie(LOCALE_COOKIE, "en")
    dosis_login(factories.staff(Role.ADMIN))
    page = dosis_testapp.get("/beheer/berichten")
    assert REASON in page.text and dossier.reference in page.text and JAN not in page.text


def test_a_refusal_resolved_by_a_resend_is_left_alone(dosis, dosis_app, dbsession, context,
                                                      delivered):
    # DOSIS still lists an old failure of this upload, but its newest result is a success.
    number = delivered.payload["Identificatie"]["DossierNummer"]
    upload = upload_id(delivered.idempotency_key)
    older = dosis.app.result({"Bron": BRON, "DossierNummer": number}, upload,
                             dosis.app.clients["loket-heidebeek-test"], REASON, [REASON])
    older["TijdstipVerwerking"] = "2000-01-01T00:00:00+00:00"
    with dosis.app.lock:
        dosis.app.uploads["ander-" + upload] = {**older, "UploadId": upload}
    assert poll(dosis_app, dbsession, context) == {"dosis_refused_uploads": 0}
    dbsession.refresh(delivered)
    assert delivered.status == DELIVERED


def test_dosis_down_is_logged_and_changes_nothing(dosis, dosis_app, dbsession, context,
                                                  delivered, caplog):
    dosis.control(down=True)
    with caplog.at_level(logging.WARNING):
        assert poll(dosis_app, dbsession, context) == {"dosis_polls_failed": 1}
    assert "503" in caplog.text
    dbsession.refresh(delivered)
    assert delivered.status == DELIVERED


def test_unreadable_failures_are_skipped(dosis, dosis_app, dbsession, context, delivered):
    with dosis.app.lock:
        dosis.app.uploads["x"] = {"Identificatie": {"Bron": BRON}, "UploadId": "geen-uuid",
                                  "Succes": False, "client": "loket-heidebeek-test"}
    assert poll(dosis_app, dbsession, context) == {"dosis_refused_uploads": 0}
