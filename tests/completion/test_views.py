"""The citizen answers on the dossier page: exactly what is asked, one upload per requested
document, clear messages on bad input with the typed answer kept, and nothing changed then."""

import pytest
from sqlalchemy import func, select

from loket.demo import demo_pdf
from loket.documents.models import Document
from loket.i18n import LOCALE_COOKIE
from loket.security import Role
from tests.completion.conftest import QUESTION
from tests.conftest import csrf_token


def _documents(dbsession):
    return dbsession.scalar(select(func.count()).select_from(Document))


@pytest.fixture
def page(testapp, login, asked):
    login(asked["citizen"])
    testapp.set_cookie(LOCALE_COOKIE, "en")  # English msgids: the texts of the code
    return testapp.get(f"/dossiers/{asked['dossier'].reference}")


def test_panel_shows_exactly_what_is_asked(page, asked):
    panel = page.html.find(id="vervollediging")
    text = panel.get_text(" ", strip=True)
    assert QUESTION in text
    assert "Invoice" in text and "With the delivery date." in text
    assert asked["due"].strftime("%d/%m/%Y") in text
    form = page.forms["vervollediging"]
    assert form.action.endswith(f"/dossiers/{asked['dossier'].reference}/vervollediging")
    assert form.fields["upload"][0].attrs["accept"] == "application/pdf,image/png"
    assert page.html.find("button", {"name": "send"}).get_text(strip=True) == \
        "Send the completion"
    assert "Action needed from you." in page.text


def test_answer_with_the_document(page, asked, dbsession):
    form = page.forms["vervollediging"]
    form["answer"] = "Hierbij de factuur."
    form["upload"] = ("factuur.pdf", demo_pdf("factuur"))
    response = form.submit("send", status=302)
    assert response.location.endswith(f"/dossiers/{asked['dossier'].reference}/")
    assert asked["dossier"].state == "ingediend"
    assert asked["completion"].answer == "Hierbij de factuur."
    document = dbsession.scalars(select(Document)).one()
    assert (document.document_type, document.direction) == ("factuur", "in")
    after = response.follow()
    assert "We received your completion" in after.text
    assert after.html.find(id="vervollediging") is None


TYPED = "Mijn uitleg die niet verloren mag gaan."


@pytest.mark.parametrize("filename,data,answer,message", [
    ("factuur.pdf", b"just text pretending to be a PDF", TYPED, "type of file is not accepted"),
    ("factuur.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10), TYPED, "too large"),
    ("leeg.pdf", b"", TYPED, "The file is empty."),
    (None, None, "", "explain in your answer why you cannot"),  # nothing sent, nothing said
])
def test_bad_input_keeps_the_answer_and_changes_nothing(page, asked, dbsession, filename,
                                                        data, answer, message):
    form = page.forms["vervollediging"]
    if filename is not None:
        form["upload"] = (filename, data)
    form["answer"] = answer
    response = form.submit("send", status=400)
    field = response.html.find(class_="item-document_factuur")
    assert message in field.get_text(" ", strip=True)  # next to the field
    again = response.forms["vervollediging"]
    assert again["answer"].value == answer  # what was typed is kept
    assert again["upload"].value == ""  # files are chosen again, never half-kept
    assert "Choose your files again" in response.text
    assert asked["dossier"].state == "vervollediging_gevraagd"
    assert asked["completion"].answered is None
    assert _documents(dbsession) == 0


def test_a_stale_form_changes_nothing(page, asked, dbsession, testapp, app):
    form = page.forms["vervollediging"]
    form["answer"] = "Te laat"
    form["version"] = str(asked["dossier"].version - 1)
    response = form.submit("send", status=409)
    assert "changed by someone else" in response.text
    assert asked["dossier"].state == "vervollediging_gevraagd"


def test_staff_cannot_use_the_citizens_form(testapp, login, asked, factories):
    # Staff who may see the dossier are refused; anyone else learns nothing of it.
    for user, status in ((asked["handler"], 403), (factories.staff(Role.SECRETARIAT), 403),
                         (factories.citizen(), 404)):
        login(user)
        testapp.post(f"/dossiers/{asked['dossier'].reference}/vervollediging",
                     {"csrf_token": csrf_token(testapp), "version": asked["dossier"].version,
                      "answer": "Niet van mij"}, status=status)
    assert asked["dossier"].state == "vervollediging_gevraagd"
    assert asked["completion"].answered is None


def test_no_form_when_nothing_is_asked(testapp, login, world):
    login(world["citizen"])
    page = testapp.get(f"/dossiers/{world['dossier'].reference}")
    assert "vervollediging" not in page.forms
    token = page.html.find("input", {"name": "csrf_token"})["value"]
    testapp.post(f"/dossiers/{world['dossier'].reference}/vervollediging",
                 {"csrf_token": token, "version": world["dossier"].version, "answer": "x"},
                 status=400)


def test_staff_page_shows_the_request_and_the_answer(testapp, login, page, asked):
    form = page.forms["vervollediging"]
    form["answer"] = "Ik heb enkel een kasticket."
    form.submit("send", status=302)
    login(asked["handler"])
    staff_page = testapp.get(f"/dossiers/{asked['dossier'].reference}")
    panel = staff_page.html.find(id="vervollediging-staff-titel").parent
    text = panel.get_text(" ", strip=True)
    assert QUESTION in text and "Ik heb enkel een kasticket." in text
