"""Letters make themselves when the dossier takes the step: the decision letter when a meeting
or a delegate records the decision (signed by who decided), the receipt at submission, the
request for completion and the refusal of admissibility. No feature imports letters."""

from sqlalchemy import select

from loket.letters.models import TO_RENDER, TO_SIGN, Letter
from loket.security import Role, principals_for
from loket.workflow.engine import Actor, perform, workflow_of
from tests.decisions.conftest import on_agenda
from tests.letters.conftest import pdf_of, pdf_text, render_waiting


def letters_of(dbsession, dossier) -> list[Letter]:
    return list(dbsession.scalars(select(Letter).where(Letter.dossier_id == dossier.id)
                                  .order_by(Letter.id)))


def test_recording_a_meeting_makes_the_decision_letters(testapp, login, factories, dbsession,
                                                         held_meeting, college,
                                                         render_request):
    secretary = factories.staff(Role.SECRETARIAT, given_name="Karin")
    granted = on_agenda(factories, dbsession, held_meeting)
    refused = on_agenda(factories, dbsession, held_meeting)
    login(secretary)
    form = testapp.get(f"/zittingen/{held_meeting.id}").forms["notulen"]
    form[f"outcome-{granted.id}"] = "amended"
    form[f"text-{granted.id}"] = "De premie van 250 euro wordt toegekend."
    form[f"outcome-{refused.id}"] = "refused"
    assert form.submit().status_int == 302
    dbsession.expire_all()
    [to_grant] = letters_of(dbsession, granted.dossier)
    [to_refuse] = letters_of(dbsession, refused.dossier)
    assert (to_grant.kind, to_grant.status) == ("decision.granted", TO_RENDER)
    assert to_refuse.kind == "decision.refused"

    render_waiting(render_request)
    assert to_grant.status == TO_SIGN
    assert [(s.position, s.name, s.function) for s in to_grant.signatories] == [
        (1, "Luc Janssens", "burgemeester"), (2, "Hilde Goossens", "algemeen directeur")]
    text = pdf_text(pdf_of(render_request, to_grant))
    assert "De premie van 250 euro wordt toegekend." in text  # the amended article
    assert "besliste het college van burgemeester en schepenen" in text


def test_a_delegated_decision_is_signed_by_the_delegate(testapp, login, factories, dbsession,
                                                        team, handler, render_request):
    version = factories.type_version(decision={"body": "official"})
    dossier = factories.dossier(team=team, type_version=version, state="klaar_voor_beslissing")
    login(handler)
    form = testapp.get(f"/dossiers/{dossier.reference}/beslissing").forms["voorstel"]
    form["outcome"] = "refused"
    form["delegation_reference"] = "CBS 2025-01-13 punt 12"
    assert form.submit().status_int == 302
    [letter] = letters_of(dbsession, dossier)
    assert letter.kind == "decision.refused"
    render_waiting(render_request)
    assert [(s.user_id, s.function) for s in letter.signatories] == [
        (handler.id, "gemachtigd ambtenaar")]
    text = pdf_text(pdf_of(render_request, letter))
    assert "CBS 2025-01-13 punt 12" in text and "besliste de gemachtigde ambtenaar" in text


def _take(app, dbsession, dossier, purpose, user, comment=""):
    step = workflow_of(dossier).transition_for(purpose)
    perform(app.registry, dbsession, dossier, step.name,
            Actor(user, frozenset(principals_for(user))), None, comment=comment)


def test_steps_make_the_receipt_the_completion_request_and_the_refusal(
        app, dbsession, factories, submitted, handler, applicant):
    draft = factories.dossier(applicant=applicant, team=submitted.team, state="concept")
    _take(app, dbsession, draft, "application.submit", applicant)
    _take(app, dbsession, submitted, "completion.request", handler, "Het attest ontbreekt.")
    other = factories.dossier(team=submitted.team, type_version=submitted.type_version)
    _take(app, dbsession, other, "admissibility.refuse", handler, "Woont elders.")
    assert [letter.kind for letter in letters_of(dbsession, draft)] == ["receipt"]
    assert [letter.kind for letter in letters_of(dbsession, submitted)] == [
        "completion.request"]
    [refusal] = letters_of(dbsession, other)
    assert refusal.kind == "admissibility.refused" and refusal.details["step"]
    # A step without a letter makes none.
    _take(app, dbsession, submitted, "completion.answer", applicant, "Bij dezen.")
    assert len(letters_of(dbsession, submitted)) == 1
