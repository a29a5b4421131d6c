"""/beheer/magda-log: the administrator searches the legal log; the number stays out of URLs."""

from loket.integrations.magda.models import MagdaConsultation
from loket.security import Role
from tests.fixtures.magda import JAN, PURPOSE, SOFIE


def add_rows(dbsession, actor):
    for n, (insz, service, dossier) in enumerate([
            (JAN, "GeefPersoon", "2026-000001"), (SOFIE, "GeefPersoon", "2026-000002"),
            (JAN, "GeefAanslagbiljetPersonenbelasting", "2026-000001")]):
        dbsession.add(MagdaConsultation(
            actor=f"user:{actor.id}", subject_insz=insz, service=service, version="02.02.0000",
            dossier_reference=dossier, purpose=PURPOSE,
            reference=f"00000000-0000-4000-8000-00000000000{n}", outcome="ok"))
    dbsession.flush()


def search(testapp, **fields):
    page = testapp.get("/beheer/magda-log")
    form = page.forms["magda-log"]
    assert form.method.upper() == "POST"
    for name, value in fields.items():
        form[name] = value
    return form.submit("search", status="*")


def urls_of(response) -> list[str]:
    html = response.html
    return ([response.request.url] + [a.get("href", "") for a in html.find_all("a")]
            + [f.get("action", "") for f in html.find_all("form")])


def test_admin_searches_by_number(testapp, login, factories, dbsession):
    admin = login(factories.staff(Role.ADMIN))
    add_rows(dbsession, admin)
    response = search(testapp, insz="85.63.14-153.04")
    assert response.status_int == 200
    body = response.text
    assert body.count("2026-000001") == 2 and "2026-000002" not in body
    assert "856314•••••" in body
    assert JAN not in body.replace('value="85631415304"', "")  # only echoed in the form field
    for url in urls_of(response):
        assert JAN not in url and "856314" not in url


def test_search_by_dossier_and_service(testapp, login, factories, dbsession):
    admin = login(factories.staff(Role.ADMIN))
    add_rows(dbsession, admin)
    response = search(testapp, dossier_reference="2026-000001",
                      service="GeefAanslagbiljetPersonenbelasting")
    assert response.text.count("GeefAanslagbiljetPersonenbelasting 02.02.0000") == 1
    assert "2026-000002" not in response.text


def test_search_by_dates(testapp, login, factories, dbsession):
    admin = login(factories.staff(Role.ADMIN))
    add_rows(dbsession, admin)
    response = search(testapp, date_from="2000-01-01", date_to="2000-12-31")
    assert "2026-000001" not in response.text


def test_invalid_number_is_refused(testapp, login, factories):
    login(factories.staff(Role.ADMIN))
    response = search(testapp, insz="85631415305")
    assert response.status_int == 400


def test_latest_consultations_without_content(testapp, login, factories, dbsession):
    admin = login(factories.staff(Role.ADMIN))
    add_rows(dbsession, admin)
    page = testapp.get("/beheer/magda-log")
    assert "2026-000002" in page.text and JAN not in page.text


def test_handler_may_not(testapp, login, factories):
    login(factories.staff(Role.HANDLER))
    testapp.get("/beheer/magda-log", status=403)
    testapp.post("/beheer/magda-log", {"insz": JAN}, status=403)


def test_anonymous_may_not(testapp):
    response = testapp.get("/beheer/magda-log", status="*")
    assert response.status_int in (302, 303, 401, 403)
