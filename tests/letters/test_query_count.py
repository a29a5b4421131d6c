"""The letters panel and timeline cost the same number of statements for one letter or six:
no query per letter."""

from tests.letters.conftest import render_waiting
from tests.test_query_counts import recorded


def test_the_letters_cost_no_query_per_letter(app, testapp, login, handler, submitted,
                                              render_request, letter_of_kind):
    path = f"/dossiers/{submitted.reference}"
    login(handler)
    letter_of_kind("decision.granted")
    render_waiting(render_request)
    render_request.dbsession.flush()
    testapp.get(path)
    with recorded(app.registry["db_engine"]) as one:
        testapp.get(path)
    for _ in range(5):  # only letters: other kinds bring their packages' rows along
        letter_of_kind("receipt")
    render_waiting(render_request)
    render_request.dbsession.flush()
    testapp.get(path)
    with recorded(app.registry["db_engine"]) as six:
        page = testapp.get(path)
    assert len(page.html.find(id="brieven").find_all("article")) == 6
    assert len(six) == len(one), "\n".join(six)
