"""One e-mail address for notifications: the ``/meldingen`` preference prefills the
application's e-mail field, the summary and ``/meldingen`` say where notifications go, and an
application's other address can become the notification address (issue 19, point 7)."""

import pytest
from sqlalchemy import select

from loket.audit.models import AuditEvent
from loket.main import main
from loket.notifications.models import NotificationPreference
from tests.applications.conftest import jan, login_as, magda_on, shipped  # noqa: F401
from tests.applications.helpers import (
    GOOD_STEPS,
    draft,
    dutch,
    fill_everything,
    start,
    submit_step,
)
from tests.notifications.conftest import NOTIFICATION_SETTINGS


@pytest.fixture(scope="module")
def app(app_settings):
    app = main({}, **app_settings, **NOTIFICATION_SETTINGS)
    yield app
    app.registry["db_engine"].dispose()


def _text(page) -> str:
    return " ".join(page.html.find("main").get_text(" ").split())


def _preference(dbsession, user):
    dbsession.expire_all()
    return dbsession.get(NotificationPreference, user.id)


def _audits(dbsession):
    return dbsession.scalars(select(AuditEvent).where(
        AuditEvent.action == "notifications.preferences_changed")).all()


def _prefer(dbsession, user, email, by_email=True):
    dbsession.add(NotificationPreference(user_id=user.id, by_email=by_email, by_sms=False,
                                         email=email, language="nl"))
    dbsession.flush()


def test_the_notification_address_is_the_application_s_first_answer_and_shown(
        testapp, dbsession, jan, magda_on):  # noqa: F811
    jan.email = "profiel@example.org"
    _prefer(dbsession, jan, "meldingen@example.org")
    path = start(testapp)
    step1 = testapp.get(f"{path}/aanvraag?stap=1")
    assert step1.html.select_one(".item-email input")["value"] == "meldingen@example.org"
    for number, values in GOOD_STEPS.items():  # keeping the prefilled address
        submit_step(testapp, path, number, {k: v for k, v in values.items() if k != "email"})
    summary = testapp.get(f"{path}/controleren")
    assert dutch("We send e-mails about this dossier to ${email}.",
                 email="meldingen@example.org") in _text(summary)
    assert not any((f.action or "").endswith("meldingsadres") for f in summary.forms.values())
    assert dutch("We send e-mails about your dossiers to ${email}.",
                 email="meldingen@example.org") in _text(testapp.get("/meldingen"))


def test_without_a_preference_the_profile_address_is_offered_and_can_be_adopted(
        testapp, dbsession, jan, magda_on):  # noqa: F811
    jan.email = "profiel@example.org"
    dbsession.flush()
    path = start(testapp)
    assert draft(dbsession, path).data["email"] == "profiel@example.org"
    fill_everything(testapp, path)  # types jan@example.org
    summary = testapp.get(f"{path}/controleren")
    text = _text(summary)
    assert dutch("We do not send you e-mails about your dossiers now.") in text
    assert dutch("You gave ${email} in your application. Do you want us to send e-mails about "
                 "your dossiers to that address too?", email="jan@example.org") in text
    form = next(f for f in summary.forms.values() if f.action.endswith("meldingsadres"))
    after = form.submit().follow()
    preference = _preference(dbsession, jan)
    assert (preference.by_email, preference.by_sms, preference.email) == (
        True, False, "jan@example.org")
    assert dutch("We send e-mails about this dossier to ${email}.",
                 email="jan@example.org") in _text(after)
    assert not any((f.action or "").endswith("meldingsadres") for f in after.forms.values())
    [audit] = _audits(dbsession)
    assert "jan@example.org" not in str(audit.details)  # the trail names fields, not addresses


def test_another_address_replaces_the_old_one_when_asked(testapp, dbsession, jan, magda_on):  # noqa: F811, E501
    _prefer(dbsession, jan, "oud@example.org")
    path = start(testapp)
    fill_everything(testapp, path)  # the e-mail field now says jan@example.org
    summary = testapp.get(f"{path}/controleren")
    assert dutch("We send e-mails about this dossier to ${email}.",
                 email="oud@example.org") in _text(summary)
    assert _preference(dbsession, jan).email == "oud@example.org"  # not changed by typing
    form = next(f for f in summary.forms.values() if f.action.endswith("meldingsadres"))
    form.submit(status=302)
    assert _preference(dbsession, jan).email == "jan@example.org"


def test_the_address_adopted_is_the_draft_s(testapp, dbsession, jan, magda_on):  # noqa: F811
    """Never one posted with the request."""
    _prefer(dbsession, jan, "oud@example.org")
    path = start(testapp)
    submit_step(testapp, path, 1, {"email": "jan@example.org"})
    summary = testapp.get(f"{path}/controleren")
    token = summary.html.select_one("input[name=csrf_token]")["value"]
    testapp.post(f"{path}/meldingsadres", {"csrf_token": token, "email": "x@evil.example"},
                 status=302)
    assert _preference(dbsession, jan).email == "jan@example.org"


def test_another_citizen_cannot_adopt_someone_s_address(testapp, dbsession, factories,
                                                       login_as, jan, magda_on):  # noqa: F811
    path = start(testapp)
    submit_step(testapp, path, 1, {"email": "jan@example.org"})
    other = login_as(factories.citizen())
    token = testapp.get("/meldingen").forms["meldingen"]["csrf_token"].value
    response = testapp.post(f"{path}/meldingsadres", {"csrf_token": token}, expect_errors=True)
    assert response.status_int in (403, 404)
    assert _preference(dbsession, other) is None
    assert _preference(dbsession, jan) is None
    assert _audits(dbsession) == []


def test_without_csrf_token_nothing_changes(testapp, dbsession, jan, magda_on):  # noqa: F811
    path = start(testapp)
    submit_step(testapp, path, 1, {"email": "jan@example.org"})
    response = testapp.post(f"{path}/meldingsadres", {}, expect_errors=True)
    assert response.status_int in (400, 403)
    assert _preference(dbsession, jan) is None
