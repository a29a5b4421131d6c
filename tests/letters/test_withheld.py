"""A decision letter is not the applicant's to read until it is delivered: its outcome reaches
them with the letter (the page, the download and the JSON list alike); staff see it at once."""

from loket.letters import models, services
from tests.letters.conftest import render_waiting


def _document_url(letter):
    return f"/dossiers/{letter.dossier.reference}/documenten/{letter.document.number}"


def test_the_decision_letter_waits_for_its_delivery(testapp, login, applicant, handler,
                                                    letter_of_kind, render_request, dbsession,
                                                    municipality):
    letter = letter_of_kind("decision.granted")
    render_waiting(render_request)
    assert letter.document.withheld
    url = _document_url(letter)
    login(applicant)
    page = testapp.get(f"/dossiers/{letter.dossier.reference}")
    assert url not in page.text
    testapp.get(url + "/download", status=404)
    listed = testapp.get(f"/api/v1/dossiers/{letter.dossier.reference}/documenten").json
    assert letter.document.number not in {d.get("number") for d in listed["items"]}
    login(handler)
    testapp.get(url + "/download", status=200)

    for status in (models.READY, models.SENDING, models.DELIVERED):
        if letter.status != status:
            services.move(dbsession, letter, status)
    assert not letter.document.withheld
    login(applicant)
    assert url in testapp.get(f"/dossiers/{letter.dossier.reference}").text
    testapp.get(url + "/download", status=200)


def test_a_receipt_is_the_applicants_at_once(testapp, login, applicant, letter_of_kind,
                                             render_request, municipality):
    letter = letter_of_kind("receipt")
    render_waiting(render_request)
    assert not letter.document.withheld
    login(applicant)
    testapp.get(_document_url(letter) + "/download", status=200)


def test_whether_a_kind_is_withheld_is_the_kinds_own_flag(app):
    from loket.letters.kinds import letter_kinds

    kinds = letter_kinds(app.registry)
    assert kinds["decision.granted"].withheld and kinds["decision.refused"].withheld
    assert not any(kinds[code].withheld for code in kinds if not code.startswith("decision."))
