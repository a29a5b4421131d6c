"""The completion services: asking changes state, stores and audits; a bad request changes
nothing; the legal clock stands still while the citizen answers."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from loket.audit.models import AuditEvent
from loket.completion.models import CompletionRequest
from loket.completion.services import (
    CompletionRefused,
    Upload,
    answer_completion,
    open_request,
    request_completion,
)
from loket.db import utcnow
from loket.demo import demo_pdf
from loket.documents.files import check_upload
from loket.documents.models import Document
from loket.workflow.deadlines import dossier_deadlines
from loket.workflow.engine import TransitionConflict, TransitionForbidden, workflow_of
from loket.workflow.presentation import history_of
from tests.completion.conftest import QUESTION, service_request


def _count(dbsession, model):
    return dbsession.scalar(select(func.count()).select_from(model))


def _deadline(dbsession, dossier):
    [deadline] = dossier_deadlines(dossier, history_of(dbsession, dossier),
                                   workflow_of(dossier), utcnow())
    return deadline


def test_request_changes_state_stores_and_audits(dbsession, asked):
    dossier, completion = asked["dossier"], asked["completion"]
    assert dossier.state == "vervollediging_gevraagd"
    assert open_request(dbsession, dossier) is completion
    assert completion.question == QUESTION
    assert completion.document_codes == ["factuur"]
    assert completion.due == asked["due"]
    assert completion.requested_by_id == asked["handler"].id
    assert history_of(dbsession, dossier)[-1].comment == QUESTION
    event = dbsession.scalars(select(AuditEvent).where(
        AuditEvent.action == "completion.requested")).one()
    assert event.object_id == dossier.reference
    assert event.details["documents"] == ["factuur"]
    assert QUESTION not in str(event.details)  # the handler's words stay out of the audit


def test_the_deadline_waits_for_the_citizen(dbsession, asked):
    assert _deadline(dbsession, asked["dossier"]).running_suspension


@pytest.mark.parametrize("question,codes,due_days,message", [
    ("   ", [], None, "Say what the applicant"),
    (QUESTION, ["paspoort"], None, "Unknown document type: paspoort"),
    (QUESTION, [], 0, "after today"),
    ("x" * 4001, [], None, "too long"),
])
def test_a_bad_request_changes_nothing(app, dbsession, world, question, codes, due_days,
                                       message):
    dossier = world["dossier"]
    due = utcnow().date() + timedelta(days=due_days) if due_days is not None else None
    request = service_request(app, dbsession, world["handler"])
    with pytest.raises(CompletionRefused) as refused:
        request_completion(request, dossier, question, codes, due, dossier.version)
    assert message in refused.value.message.interpolate()
    assert dossier.state == "ingediend"
    assert _count(dbsession, CompletionRequest) == 0


def test_a_stale_version_or_a_citizen_cannot_ask(app, dbsession, world):
    dossier = world["dossier"]
    with pytest.raises(TransitionConflict):
        request_completion(service_request(app, dbsession, world["handler"]), dossier,
                           QUESTION, [], None, dossier.version - 1)
    with pytest.raises(TransitionForbidden):
        request_completion(service_request(app, dbsession, world["citizen"]), dossier,
                           QUESTION, [], None, dossier.version)
    assert dossier.state == "ingediend"
    assert _count(dbsession, CompletionRequest) == 0


def test_answer_stores_documents_and_gives_the_dossier_back(app, dbsession, asked):
    dossier = asked["dossier"]
    request = service_request(app, dbsession, asked["citizen"])
    invoice = Upload("factuur", check_upload(demo_pdf("factuur"), "factuur.pdf"))
    completion, added = answer_completion(request, dossier, " Hierbij de factuur. ", [invoice],
                                          dossier.version)
    assert dossier.state == "ingediend"
    assert completion.answer == "Hierbij de factuur."
    assert completion.answered is not None
    assert open_request(dbsession, dossier) is None
    [document] = added
    assert (document.document_type, document.direction, document.title) == (
        "factuur", "in", "Factuur")
    assert history_of(dbsession, dossier)[-1].transition == "vervolledigen"
    assert not _deadline(dbsession, dossier).running_suspension  # the clock runs again
    assert _deadline(dbsession, dossier).suspended_days >= 0
    event = dbsession.scalars(select(AuditEvent).where(
        AuditEvent.action == "completion.answered")).one()
    assert event.details["documents"] == [document.number]


def test_answer_without_the_document_or_an_explanation_is_refused(app, dbsession, asked):
    dossier = asked["dossier"]
    request = service_request(app, dbsession, asked["citizen"])
    with pytest.raises(CompletionRefused) as refused:
        answer_completion(request, dossier, "", [], dossier.version)
    assert "explain in your answer" in refused.value.message.interpolate()
    assert dossier.state == "vervollediging_gevraagd"
    assert asked["completion"].answered is None
    # An explanation instead of the document is an answer.
    answer_completion(request, dossier, "Ik heb geen factuur, enkel een kasticket.", [],
                      dossier.version)
    assert dossier.state == "ingediend"


def test_the_handler_cannot_answer_for_the_citizen(app, dbsession, asked):
    dossier = asked["dossier"]
    request = service_request(app, dbsession, asked["handler"])
    with pytest.raises(TransitionForbidden):
        answer_completion(request, dossier, "Ingevuld door de behandelaar", [], dossier.version)
    assert dossier.state == "vervollediging_gevraagd"
    assert _count(dbsession, Document) == 0


def test_no_answer_without_an_open_request(app, dbsession, world):
    request = service_request(app, dbsession, world["citizen"])
    with pytest.raises(CompletionRefused):
        answer_completion(request, world["dossier"], "Antwoord", [], world["dossier"].version)
