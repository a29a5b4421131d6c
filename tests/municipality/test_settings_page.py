"""The functional administrator edits the municipality's identity in the browser."""

import pytest

from loket.audit.models import AuditEvent
from loket.municipality.models import Municipality
from loket.security import Role
from tests.documents.corpus import PNG  # a real, decodable image

VALID = {
    "name": "Gemeente Heidebeek", "ocmw_name": "OCMW Heidebeek", "street": "Marktplein",
    "number": "1", "postcode": "3999", "city": "Heidebeek", "nis_code": "71999",
    "kbo_municipality": "0207.123.407", "kbo_ocmw": "0212567877",
    "iban": "BE10 0910 1234 5604", "bic": "GKCCBEBB", "email": "info@heidebeek.example",
    "phone": "+32 11 12 34 56", "website": "https://www.heidebeek.example",
    "college_weekday": "1", "college_time": "19:30", "vast_bureau_weekday": "1",
    "vast_bureau_time": "19:00",
}


def _fill(form, values):
    for key, value in values.items():
        form[key] = value


def test_admin_saves_the_identity_and_it_is_audited(testapp, login, factories, dbsession):
    login(factories.staff(Role.ADMIN))
    form = testapp.get("/beheer/gemeente").forms["gemeente"]
    _fill(form, VALID)
    form["upload"] = ("logo.png", PNG)
    form.submit("save", status=302)
    saved = dbsession.get(Municipality, 1)
    assert (saved.kbo_municipality, saved.iban, saved.college_time.hour) == (
        "0207123407", "BE10091012345604", 19)
    assert saved.logo_media_type == "image/png"
    assert dbsession.query(AuditEvent).filter_by(action="municipality.changed").count() == 1
    assert testapp.get("/logo").body == PNG
    assert "Gemeente Heidebeek" in testapp.get("/").text


@pytest.mark.parametrize("field,value", [("kbo_municipality", "0207123408"),
                                         ("iban", "BE10091012345605"), ("postcode", "123"),
                                         ("bic", "XX"), ("email", "geen-adres")])
def test_bad_values_are_refused_next_to_the_field(testapp, login, factories, dbsession, field,
                                                  value):
    login(factories.staff(Role.ADMIN))
    form = testapp.get("/beheer/gemeente").forms["gemeente"]
    _fill(form, {**VALID, field: value})
    response = form.submit("save", status=400)
    assert response.html.select(".is-invalid")
    assert form[field].value == value and response.forms["gemeente"][field].value == value
    assert dbsession.get(Municipality, 1) is None


def test_svg_logo_is_refused(testapp, login, factories, dbsession):
    login(factories.staff(Role.ADMIN))
    form = testapp.get("/beheer/gemeente").forms["gemeente"]
    _fill(form, VALID)
    form["upload"] = ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>')
    form.submit("save", status=400)
    assert dbsession.get(Municipality, 1) is None


def test_only_the_functional_administrator(testapp, login, factories):
    login(factories.staff(Role.HANDLER))
    testapp.get("/beheer/gemeente", status=403)
    testapp.get("/logo", status=404)  # public, but there is no logo yet
