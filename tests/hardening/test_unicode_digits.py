"""Numbers in paths and queries are ASCII digits: "²" and "٣" pass ``str.isdigit`` but are no
identifier (``int("²")`` raises), so each place that reads one answers 404/400, never 500."""

import pytest

from loket.security import Role

SUPERSCRIPT_TWO = "%C2%B2"  # "²"
ARABIC_THREE = "%D9%A3"  # "٣"


@pytest.fixture
def staff(login, factories, dbsession):
    from loket.catalogue.services import load_shipped

    load_shipped(dbsession)
    user = factories.staff(Role.ADMIN)
    for role in (Role.SECRETARIAT, Role.HANDLER):
        user.roles.append(type(user.roles[0])(role=role))
    dbsession.flush()
    return login(user)


@pytest.mark.parametrize("digit", [SUPERSCRIPT_TWO, ARABIC_THREE])
@pytest.mark.parametrize("url", [
    "/zittingen/{d}",
    "/api/v1/zittingen/{d}",
    "/catalogus/verwarmingstoelage/{d}",
    "/beheer/berichten?na={d}",
    "/beheer/berichten?status=dead&na={d}",
])
def test_unicode_digits_are_no_identifiers(testapp, staff, url, digit):
    response = testapp.get(url.format(d=digit), status="*", expect_errors=True)
    assert response.status_int < 500, (url, response.status_int)


@pytest.mark.parametrize("number", [2**31, 2**40, 2**63 - 1])
def test_an_id_beyond_the_columns_range_is_no_object(testapp, login, factories, number):
    # PostgreSQL's integer columns hold 32 bits: a larger id would be "integer out of range".
    citizen = factories.citizen()
    dossier = factories.dossier(applicant=citizen)
    login(citizen)
    testapp.get(f"/api/v1/dossiers/{dossier.reference}/documenten/{number}", status=404)
    testapp.get(f"/dossiers/{dossier.reference}/documenten/{number}", status=404)
