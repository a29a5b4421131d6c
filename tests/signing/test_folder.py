"""/handtekenmap: what waits for whom, in signing order, per meeting; the rules of signing and
declining (only signatories, in order, once); previews. The platform's page itself is the
simulator's (tests/integrations/signing)."""

from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from loket.i18n import _
from loket.integrations.signing import OUTBOX_KIND, Platform
from loket.integrations.signing.client import DigitaalOndertekenen
from loket.letters.models import DECLINED, REFUSED, TO_RENDER, TO_SIGN, WAITING
from loket.letters.services import move
from loket.outbox.models import OutboxMessage
from loket.plugins.registry import Kind
from loket.security import Role
from loket.signing import services
from loket.signing.models import WITHDRAWN, SigningPackage
from tests.conftest import csrf_token
from tests.signing.conftest import started

WEB = "https://ondertekenen.example/web"


@pytest.fixture
def platform(plug_in):
    client = DigitaalOndertekenen({"base_url": "https://ondertekenen.example",
                                   "token_url": "https://acm.example/token"})
    return plug_in(Kind.SIGNING, Platform(client, WEB))


def test_the_folder_groups_per_meeting_and_shows_whose_turn_it_is(
        testapp, login, make_letter, college_meeting, luc, hilde):
    first = make_letter(college_meeting, title="Beslissing A")
    other = make_letter(title="Beslissing B")
    login(luc)
    page = testapp.get("/handtekenmap")
    assert page.headers["Cache-Control"] == "no-store"
    groups = page.html.select("section.signing-group")
    assert len(groups) == 2
    assert "Beslissing A" in groups[0].text and "Beslissing B" in groups[1].text
    assert page.html.find("input", {"name": "letter", "value": str(first.id)})
    assert page.html.find("input", {"name": "meeting", "value": str(college_meeting.id)})

    login(hilde)  # her turn comes after the mayor's: listed, not signable
    page = testapp.get("/handtekenmap")
    assert "Beslissing A" in page.text and "Luc Janssens" in page.text
    assert not page.html.find("input", {"name": "letter", "value": str(other.id)})


def test_signing_a_meeting_batch_sends_the_signatory_to_the_platform(
        testapp, login, dbsession, make_letter, college_meeting, luc, platform):
    letters = [make_letter(college_meeting, title=f"Beslissing {n}") for n in range(41)]
    outside = make_letter(title="Niet van deze zitting")
    for number, letter in enumerate([*letters, outside]):
        started(dbsession, letter, package=str(5000 + number))
    login(luc)
    response = testapp.post("/handtekenmap/tekenen", {
        "csrf_token": csrf_token(testapp), "meeting": str(college_meeting.id)}, status=303)
    target = urlparse(response.location)
    assert response.location.startswith(WEB + "/burgemeester@heidebeek.example?")
    query = parse_qs(target.query)
    assert sorted(query["packages"][0].split(",")) == sorted(
        str(5000 + n) for n in range(41))
    assert query["return_url"] == ["http://localhost/handtekenmap/?terug=1"]


def test_the_general_director_cannot_sign_before_the_mayor(
        testapp, login, dbsession, make_letter, hilde, platform, dutch):
    letter = make_letter()
    started(dbsession, letter)
    login(hilde)
    page = testapp.post("/handtekenmap/tekenen", {
        "csrf_token": csrf_token(testapp), "letter": str(letter.id)}, status=400)
    error = page.html.find(id="fout").text
    assert dutch(_("Letter ${title} waits for the signature of ${names} first.", mapping={
        "title": letter.title, "names": "Luc Janssens"})) in error
    assert [s.status for s in letter.signatories] == [WAITING, WAITING]


def test_only_signatories_sign(testapp, login, dbsession, factories, make_letter, platform):
    letter = make_letter()
    started(dbsession, letter)
    alderman = factories.staff(Role.SIGNATORY, given_name="Schepen")
    login(alderman)
    page = testapp.post("/handtekenmap/tekenen", {
        "csrf_token": csrf_token(testapp), "letter": str(letter.id)}, status=400)
    assert letter.title in page.html.find(id="fout").text
    handler = factories.staff(Role.HANDLER)
    login(handler)  # not even the folder
    testapp.get("/handtekenmap", status=403)
    testapp.post("/handtekenmap/tekenen", {"csrf_token": csrf_token(testapp),
                                           "letter": str(letter.id)}, status=403)


def test_a_second_signature_by_the_same_person_is_refused(
        testapp, login, dbsession, make_letter, luc, platform):
    letter = make_letter()
    started(dbsession, letter)
    letter.signatories[0].status = "signed"
    dbsession.flush()
    login(luc)
    page = testapp.post("/handtekenmap/tekenen", {
        "csrf_token": csrf_token(testapp), "letter": str(letter.id)}, status=400)
    assert letter.title in page.html.find(id="fout").text


def test_bad_selections_are_refused_with_nothing_changed(
        testapp, login, dbsession, make_letter, luc, platform):
    letter = make_letter()  # not handed to the platform yet
    login(luc)
    token = csrf_token(testapp)
    for form in ({}, {"letter": "²"}, {"letter": "99999999"}, {"letter": str(letter.id)},
                 {"meeting": "12345"}):
        testapp.post("/handtekenmap/tekenen", {"csrf_token": token, **form}, status=400)
    assert letter.status == TO_SIGN
    assert not dbsession.scalars(select(OutboxMessage)).all()


def test_declining_sends_the_letter_back_and_withdraws_the_package(
        testapp, login, dbsession, make_letter, luc, platform):
    letter = make_letter()
    package = started(dbsession, letter, package="7001")
    login(luc)
    token = csrf_token(testapp)
    testapp.post("/handtekenmap/weigeren", {"csrf_token": token, "letter": str(letter.id),
                                            "reason": "  "}, status=400)
    testapp.post("/handtekenmap/weigeren", {"csrf_token": token, "letter": str(letter.id),
                                            "reason": "x" * 1001}, status=400)
    assert letter.status == TO_SIGN
    testapp.post("/handtekenmap/weigeren", {"csrf_token": token, "letter": str(letter.id),
                                            "reason": "Het bedrag klopt niet."}, status=302)
    assert letter.status == DECLINED
    assert letter.signatories[0].status == REFUSED
    assert letter.signatories[0].reason == "Het bedrag klopt niet."
    assert package.status == WITHDRAWN
    message = dbsession.scalars(select(OutboxMessage)).one()
    assert message.kind == OUTBOX_KIND
    assert message.payload == {"action": "withdraw", "package": "7001"}
    # Declined once: a second decline is refused.
    testapp.post("/handtekenmap/weigeren", {"csrf_token": token, "letter": str(letter.id),
                                            "reason": "Nog eens"}, status=400)


def test_preview_is_for_the_letters_signatories_only(testapp, login, factories, make_letter,
                                                     hilde):
    letter = make_letter()
    login(hilde)
    response = testapp.get(f"/handtekenmap/voorbeeld?brief={letter.id}")
    assert response.content_type == "application/pdf"
    assert response.body.startswith(b"%PDF-")
    login(factories.staff(Role.SIGNATORY))
    testapp.get(f"/handtekenmap/voorbeeld?brief={letter.id}", status=404)
    testapp.get("/handtekenmap/voorbeeld?brief=abc", status=404)


def test_no_platform_configured_is_a_clear_error(testapp, login, dbsession, make_letter, luc):
    letter = make_letter()
    started(dbsession, letter)
    login(luc)
    testapp.post("/handtekenmap/tekenen", {"csrf_token": csrf_token(testapp),
                                           "letter": str(letter.id)}, status=503)


def test_the_folder_lets_its_forms_end_on_the_platform_page(testapp, login, make_letter, luc,
                                                            platform):
    make_letter()
    login(luc)
    policy = testapp.get("/handtekenmap").headers["Content-Security-Policy"]
    assert policy.endswith("form-action 'self' https://ondertekenen.example")
    assert "script-src 'self' 'nonce-" in policy and "unsafe-inline" not in policy


def test_the_folder_and_a_batch_cost_the_same_queries_for_3_or_30_letters(
        app, testapp, login, dbsession, make_letter, college_meeting, luc, platform):
    from tests.test_query_counts import recorded

    login(luc)
    token = csrf_token(testapp)
    engine = app.registry["db_engine"]
    seen = []
    for count in (3, 30):
        letters = [make_letter(college_meeting) for _ in range(count)]
        for letter in letters:
            started(dbsession, letter)
        dbsession.expunge_all()
        with recorded(engine) as folder:
            testapp.get("/handtekenmap")
        with recorded(engine) as batch:
            testapp.post("/handtekenmap/tekenen", {
                "csrf_token": token, "meeting": str(college_meeting.id)}, status=303)
        seen.append((len(folder), len(batch)))
        for letter in letters:  # out of the way of the next round
            dbsession.merge(letter).status = "cancelled"
        dbsession.flush()
    assert seen[0] == seen[1] and seen[0][0] <= 10 and seen[0][1] <= 8, seen


def test_a_declined_letter_rendered_again_goes_to_the_platform_again(
        app, testapp, login, dbsession, make_letter, luc, platform):
    letter = make_letter()
    assert services.queue_submissions(app.registry, dbsession=dbsession) == {
        "signing_submitted": 1}
    package = dbsession.scalars(select(SigningPackage)).one()
    services.submitted(app.registry, package.id, "8001", "8002", dbsession)
    login(luc)
    testapp.post("/handtekenmap/weigeren", {"csrf_token": csrf_token(testapp),
                                            "letter": str(letter.id),
                                            "reason": "Verkeerd adres."}, status=302)
    assert services.queue_submissions(app.registry, dbsession=dbsession) == {
        "signing_submitted": 0}
    # The secretariat corrects it; the letters package renders it again for both signatures.
    move(dbsession, letter, TO_RENDER)
    move(dbsession, letter, TO_SIGN)
    for signatory in letter.signatories:
        signatory.status, signatory.reason = WAITING, ""
    assert services.queue_submissions(app.registry, dbsession=dbsession) == {
        "signing_submitted": 1}
    assert (package.status, package.package) == ("pending", None)
    kinds = [m.payload["action"] for m in dbsession.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id))]
    assert kinds == ["submit", "withdraw", "submit"]


def test_declined_before_the_platform_made_the_package(
        app, testapp, login, dbsession, make_letter, luc, platform):
    letter = make_letter()
    services.queue_submissions(app.registry, dbsession=dbsession)
    package = dbsession.scalars(select(SigningPackage)).one()
    package.status = "in_progress"  # as if started; then declined before the deliverer ends
    package.package = None
    dbsession.flush()
    login(luc)
    testapp.post("/handtekenmap/weigeren", {"csrf_token": csrf_token(testapp),
                                            "letter": str(letter.id),
                                            "reason": "Fout\x00"}, status=400)
    testapp.post("/handtekenmap/weigeren", {"csrf_token": csrf_token(testapp),
                                            "letter": str(letter.id),
                                            "reason": "Fout\x07"}, status=400)
    testapp.post("/handtekenmap/weigeren", {"csrf_token": csrf_token(testapp),
                                            "letter": str(letter.id), "reason": "Fout"},
                 status=302)
    assert package.status == WITHDRAWN
    services.submitted(app.registry, package.id, "9001", "9002", dbsession)
    actions = [(m.payload["action"], m.payload.get("package")) for m in dbsession.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id))]
    assert actions == [("submit", None), ("withdraw", "9001")]
