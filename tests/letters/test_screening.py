"""Screening for signatures: the rule per kind and type decides, the reason is kept; nobody to
sign is a clear problem on the letter (kept, tried again); the handler overrides with a reason
(audited), never after a signature, never without a reason."""

from sqlalchemy import select

from loket.decisions.models import DecidingBody
from loket.dossiers.events import events_of
from loket.letters import services
from loket.letters.models import READY, SIGNED, TO_RENDER, TO_SIGN
from tests.conftest import csrf_token
from tests.letters.conftest import record_decision, render_waiting


def test_the_types_rule_makes_a_completion_request_signed_by_the_body(
        render_request, dbsession, factories, college):
    version = factories.type_version(letters={"signatures": {"completion.request": "body"}})
    dossier = factories.dossier(type_version=version)
    from loket.completion.models import CompletionRequest

    dbsession.add(CompletionRequest(dossier_id=dossier.id, question="Het attest."))
    letter = services.create_letter(dbsession, dossier, "completion.request")
    render_waiting(render_request)
    assert letter.status == TO_SIGN and letter.needs_signature
    assert [s.name for s in letter.signatories] == ["Luc Janssens", "Hilde Goossens"]
    assert letter.screening_reason


def test_nobody_to_sign_keeps_the_letter_with_the_problem(app, dbsession, factories):
    """The college has no mayor with a login: the worker notes it on the letter, renders the
    others, and tries again later."""
    from loket.decisions.services import ensure_bodies

    ensure_bodies(dbsession)
    dossier = factories.dossier()
    record_decision(dbsession, dossier)
    letter = services.create_letter(dbsession, dossier, "decision.granted")
    from loket.letters.rendering import worker_request
    from loket.letters.screening import ScreeningFailed, screen

    try:
        screen(dbsession, letter)
        raise AssertionError("screening must fail")
    except ScreeningFailed as failed:
        env = worker_request(app.registry, dbsession)
        text = env["request"].localizer.translate(failed.message)
        env["closer"]()
    assert "College van burgemeester en schepenen" in text
    assert letter.status == TO_RENDER


def test_a_decision_letter_without_a_decision_is_not_made(render_request, dbsession,
                                                          factories):
    from loket.letters.context import MissingData

    letter = services.create_letter(dbsession, factories.dossier(), "decision.refused")
    try:
        render_waiting(render_request)
        raise AssertionError("rendering must fail")
    except MissingData as missing:
        assert "no decision" in str(missing.message)
    assert letter.status == TO_RENDER and letter.document_id is None


def test_the_handler_overrides_with_a_reason(testapp, login, handler, submitted, dbsession,
                                             college, render_request, letter_of_kind):
    letter = letter_of_kind("decision.granted")
    render_waiting(render_request)
    assert letter.status == TO_SIGN
    login(handler)
    page = testapp.get(f"/dossiers/{submitted.reference}")
    assert "Luc Janssens" in page.text and "brieven" in page.text
    url = f"/dossiers/{submitted.reference}/brieven/{letter.id}/screening"
    token = csrf_token(testapp)
    # No reason, or no choice: refused, nothing changed.
    for post in ({"needs_signature": "no", "reason": " "}, {"reason": "Geen"},
                 {"needs_signature": "no", "reason": "x" * 1001}):
        testapp.post(url, {**post, "csrf_token": token}, status=400)
        assert letter.status == TO_SIGN and len(letter.signatories) == 2
    testapp.post(url, {"needs_signature": "no", "reason": "Standaardbrief zonder handtekening",
                       "csrf_token": token}, status=302)
    assert (letter.status, letter.needs_signature, letter.signatories) == (READY, False, [])
    assert letter.screening_reason == "Standaardbrief zonder handtekening"
    [event] = events_of(dbsession, submitted, "letter.screening_overridden")
    assert (event.actor_id, event.details["reason"], event.details["needs_signature"]) == (
        handler.id, "Standaardbrief zonder handtekening", False)
    # And back: it must be signed after all.
    testapp.post(url, {"needs_signature": "yes", "reason": "Toch tekenen",
                       "csrf_token": token}, status=302)
    assert letter.status == TO_SIGN
    assert [s.function for s in letter.signatories] == ["burgemeester", "algemeen directeur"]
    timeline = testapp.get(f"/dossiers/{submitted.reference}").text
    assert "Toch tekenen" in timeline


def test_no_override_after_a_signature_nor_by_a_citizen(testapp, login, handler, submitted,
                                                       applicant, dbsession, render_request,
                                                       letter_of_kind):
    letter = letter_of_kind("decision.granted")
    render_waiting(render_request)
    letter.signatories[0].status = SIGNED
    dbsession.flush()
    url = f"/dossiers/{submitted.reference}/brieven/{letter.id}/screening"
    login(handler)
    testapp.post(url, {"needs_signature": "no", "reason": "Snel", "csrf_token":
                       csrf_token(testapp)}, status=400)
    assert letter.status == TO_SIGN and letter.needs_signature
    login(applicant)
    testapp.post(url, {"needs_signature": "no", "reason": "Snel", "csrf_token":
                       csrf_token(testapp)}, status=404)
    assert letter.status == TO_SIGN


def test_an_override_before_rendering_is_honoured(render_request, dbsession, letter_of_kind,
                                                  handler, college):
    """A receipt needs no signature; overridden, the type's deciding body (the vast bureau of
    the heating allowance) signs: its chair, then its secretary."""
    from loket.decisions.services import add_member

    _body, mayor, director = college
    vast_bureau = dbsession.scalar(select(DecidingBody).where(DecidingBody.code == "vast_bureau"))
    add_member(dbsession, vast_bureau, "Luc Janssens", "chair", user=mayor)
    add_member(dbsession, vast_bureau, "Hilde Goossens", "secretary", user=director)
    letter = letter_of_kind("receipt")
    render_request.user = handler
    services.override(render_request, letter, True, "Aangetekend en ondertekend verzenden")
    assert letter.status == TO_RENDER
    render_waiting(render_request)
    assert letter.status == TO_SIGN and letter.needs_signature
    assert [(s.name, s.function) for s in letter.signatories] == [
        ("Luc Janssens", "voorzitter van het vast bureau"),
        ("Hilde Goossens", "algemeen directeur")]


def test_a_declined_letter_is_rendered_again_as_a_new_version(render_request, dbsession,
                                                              letter_of_kind):
    from loket.letters.models import DECLINED, REFUSED

    letter = letter_of_kind("decision.granted")
    render_waiting(render_request)
    first = letter.document.current.sha256
    letter.signatories[0].status, letter.signatories[0].reason = REFUSED, "Tikfout"
    services.move(dbsession, letter, DECLINED, reason="Tikfout")
    services.move(dbsession, letter, TO_RENDER)
    dbsession.flush()
    render_waiting(render_request)
    assert letter.status == TO_SIGN
    assert [v.version for v in letter.document.versions] == [1, 2]
    assert letter.document.versions[0].sha256 == first
    assert [(s.position, s.status) for s in letter.signatories] == [(1, "waiting"),
                                                                    (2, "waiting")]
