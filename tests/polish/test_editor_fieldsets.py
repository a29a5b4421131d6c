"""The catalogue's text editor: each ``{nl, en}`` text is a fieldset named by its section, not
four fields all named "Nederlands" and four "Engels" under plain headers (issue 19, point 10).
Its axe check is tests/catalogue/test_browser.py."""

import pytest

from loket.catalogue import services
from loket.security import Role

PAGE = "/catalogus/testpremie/1/@@bewerken?deel=teksten"


@pytest.fixture
def page(testapp, login, factories, dbsession):
    login(factories.staff(Role.ADMIN))
    services.create_type(services.SystemActor(dbsession), "testpremie",
                         {"nl": "Test", "en": "Test"}, "sociale-premie", "sociale-dienst")
    return testapp.get(PAGE)


def _words(node) -> str:
    return " ".join(node.get_text(" ").split())


def _fieldsets(form):
    return [fs for fs in form.select("fieldset") if fs.find("legend", recursive=False)]


def test_each_text_is_a_fieldset_named_by_its_section(page):
    form = page.html.find("form", id="deel-teksten")
    fieldsets = _fieldsets(form)
    assert [_words(fs.find("legend", recursive=False)) for fs in fieldsets] == [
        "Titel", "Samenvatting", "Wie kan aanvragen", "Wat heb je nodig"]
    for fieldset in fieldsets:
        controls = fieldset.select("input[type=text], textarea")
        assert len(controls) == 2
        labels = [_words(form.find("label", attrs={"for": c["id"]})) for c in controls]
        assert labels == ["Nederlands", "Engels"]
    # Every text input belongs to one of them, and no header is a plain div any more.
    assert len(form.select("fieldset input[type=text], fieldset textarea")) == len(
        form.select("input[type=text], textarea")) == 8
    assert not form.select(".card-header")


def test_english_legends(testapp, page):
    testapp.get("/taal", {"kies": "en"})
    form = testapp.get(PAGE).html.find("form", id="deel-teksten")
    assert [_words(fs.find("legend", recursive=False)) for fs in _fieldsets(form)] == [
        "Title", "Summary", "Who can apply", "What to bring"]


def test_an_empty_text_is_reported_in_its_fieldset_and_nothing_changes(testapp, page,
                                                                      dbsession):
    before = services.get_type(dbsession, "testpremie").versions[0].definition
    form = page.forms["deel-teksten"]
    form.set("nl", "", index=0)
    response = form.submit("opslaan", status=400)
    title = _fieldsets(response.html.find("form", id="deel-teksten"))[0]
    assert title.select(".invalid-feedback")
    dbsession.expire_all()
    assert services.get_type(dbsession, "testpremie").versions[0].definition == before
