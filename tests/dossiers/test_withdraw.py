"""Withdrawing: a confirmation page first, then the final step; not once decided."""

import pytest
from sqlalchemy import select

from loket.audit.models import AuditEvent
from loket.i18n import LOCALE_COOKIE
from loket.security import Role
from tests.conftest import csrf_token


@pytest.fixture
def own(testapp, login, factories):
    citizen = factories.citizen()
    dossier = factories.dossier(applicant=citizen, state="ingediend")
    login(citizen)
    testapp.set_cookie(LOCALE_COOKIE, "en")
    return dossier


def test_confirm_then_withdraw(testapp, own, dbsession):
    page = testapp.get(f"/dossiers/{own.reference}/stopzetten")
    assert "This cannot be undone." in page.text
    assert own.state == "ingediend"  # looking changes nothing
    form = page.forms["stopzetten"]
    form["comment"] = "Ik verhuis."
    response = form.submit(status=302)
    assert own.state == "stopgezet"
    assert "Your application was withdrawn." in response.follow().text
    event = dbsession.scalars(select(AuditEvent).where(
        AuditEvent.action == "dossier.transition", AuditEvent.object_id == own.reference)).one()
    assert event.details["transition"] == "stopzetten"


def test_a_decided_application_cannot_be_withdrawn(testapp, own):
    own.state = "goedgekeurd"
    testapp.get(f"/dossiers/{own.reference}/stopzetten", status=403)  # no step: no right
    page = testapp.get(f"/dossiers/{own.reference}")
    assert page.html.find("a", href=f"/dossiers/{own.reference}/stopzetten") is None


def test_a_stale_confirmation_changes_nothing(testapp, own):
    form = testapp.get(f"/dossiers/{own.reference}/stopzetten").forms["stopzetten"]
    form["version"] = str(own.version - 1)
    assert "changed by someone else" in form.submit(status=409).text
    assert own.state == "ingediend"


def test_without_csrf_token_nothing_happens(testapp, own):
    testapp.post(f"/dossiers/{own.reference}/stopzetten", {"version": own.version},
                 status=400)
    assert own.state == "ingediend"


def test_others_cannot_withdraw(testapp, login, own, factories):
    # The handler sees the dossier but may not withdraw it; another citizen learns nothing.
    for user, status in ((factories.citizen(), 404),
                         (factories.staff(Role.HANDLER, team=own.team), 403)):
        login(user)
        testapp.get(f"/dossiers/{own.reference}/stopzetten", status=status)
        testapp.post(f"/dossiers/{own.reference}/stopzetten",
                     {"csrf_token": csrf_token(testapp), "version": own.version},
                     status=status)
    assert own.state == "ingediend"
