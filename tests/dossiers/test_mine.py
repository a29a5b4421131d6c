"""Mijn dossiers: drafts apart from submitted applications, what to do now, only one's own."""

from datetime import timedelta

from loket.i18n import LOCALE_COOKIE


def test_drafts_apart_with_action_and_status(testapp, login, factories):
    citizen = factories.citizen()
    draft = factories.dossier(applicant=citizen, state="concept")
    waiting = factories.dossier(applicant=citizen, state="vervollediging_gevraagd")
    handled = factories.dossier(applicant=citizen, state="in_behandeling")
    someone_elses = factories.dossier(state="ingediend")
    login(citizen)
    testapp.set_cookie(LOCALE_COOKIE, "en")
    page = testapp.get("/mijn-dossiers")
    drafts = page.html.find(id="concepten-titel").parent
    submitted = page.html.find(id="aanvragen-titel").parent
    assert draft.reference in drafts.text and draft.reference not in submitted.text
    kept = (draft.modified + timedelta(days=30)).strftime("%d/%m/%Y")
    assert f"We keep your draft until {kept}" in drafts.text
    assert drafts.find("a", href=f"/dossiers/{draft.reference}/aanvraag")
    cards = {c.find("span", class_="dossier-card__meta").text.split()[1]: c
             for c in submitted.find_all("li", class_="dossier-card")}
    assert set(cards) == {waiting.reference, handled.reference}
    assert cards[waiting.reference].find(class_="alert").find("strong").text == \
        "Action needed from you."
    assert "Read the request and complete your dossier" in cards[waiting.reference].text
    assert cards[handled.reference].find(class_="alert") is None
    assert "In progress" in cards[handled.reference].text
    assert someone_elses.reference not in page.text
    assert page.html.find("a", href="/raadplegingen")


def test_no_dossiers(testapp, login, factories):
    login(factories.citizen())
    testapp.set_cookie(LOCALE_COOKIE, "en")
    assert "You have no dossiers yet." in testapp.get("/mijn-dossiers").text


def test_staff_have_no_mijn_dossiers(testapp, login, factories):
    login(factories.staff())
    testapp.get("/mijn-dossiers", status=403)
