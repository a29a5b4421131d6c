"""``/meldingen``: a citizen chooses e-mail, SMS, both or neither, and the addresses to use."""

import pytest
from sqlalchemy import select

from loket.audit.models import AuditEvent
from loket.notifications.models import NotificationPreference
from loket.security import Role

PAGE = "/meldingen"


def _form(testapp):
    return testapp.get(PAGE).forms["meldingen"]


def _preference(dbsession, user):
    dbsession.expire_all()
    return dbsession.get(NotificationPreference, user.id)


def _audits(dbsession):
    return dbsession.scalars(select(AuditEvent).where(
        AuditEvent.action == "notifications.preferences_changed")).all()


def test_first_visit_is_prefilled_from_the_acm_profile(testapp, login, factories, dbsession):
    citizen = login(factories.citizen())
    citizen.email = "jan.peeters@example.org"
    dbsession.flush()
    form = _form(testapp)
    assert form["email"].value == "jan.peeters@example.org"
    assert form["channel"].value == "none"
    assert form["language"].value == "nl"
    assert form["mobile"].value == ""
    assert _preference(dbsession, citizen) is None  # looking saves nothing


def test_sms_with_an_invalid_number_is_refused_in_dutch_and_nothing_is_saved(
        testapp, login, factories, dbsession):
    citizen = login(factories.citizen())
    form = _form(testapp)
    form["channel"] = "sms"
    form["mobile"] = "0470 12 34 5"
    response = form.submit("save", status=400)
    assert "Dit is geen geldig telefoonnummer" in response.text
    assert response.forms["meldingen"]["mobile"].value == "0470 12 34 5"  # kept to correct
    assert _preference(dbsession, citizen) is None
    assert _audits(dbsession) == []


def test_sms_to_a_landline_is_refused(testapp, login, factories, dbsession):
    citizen = login(factories.citizen())
    form = _form(testapp)
    form["channel"] = "sms"
    form["mobile"] = "011 12 34 56"
    response = form.submit("save", status=400)
    assert "Dit nummer kan geen sms ontvangen" in response.text
    assert _preference(dbsession, citizen) is None


@pytest.mark.parametrize("channel,field,message", [
    ("email", "email", "Vul het e-mailadres in"),
    ("sms", "mobile", "Vul het gsm-nummer in"),
    ("both", "mobile", "Vul het gsm-nummer in"),
])
def test_a_chosen_channel_needs_its_address(testapp, login, factories, dbsession, channel,
                                            field, message):
    citizen = login(factories.citizen())
    form = _form(testapp)
    form["channel"] = channel
    form["email"] = "" if field == "email" else "jan@example.org"
    form["mobile"] = "" if field == "mobile" else "0470 12 34 56"
    response = form.submit("save", status=400)
    assert message in response.text
    assert _preference(dbsession, citizen) is None


def test_invalid_email_address_is_refused(testapp, login, factories, dbsession):
    citizen = login(factories.citizen())
    form = _form(testapp)
    form["channel"] = "email"
    form["email"] = "jan at example"
    response = form.submit("save", status=400)
    assert "Dit is geen geldig e-mailadres" in response.text
    assert _preference(dbsession, citizen) is None


def test_valid_choice_is_saved_normalised_and_audited(testapp, login, factories, dbsession):
    citizen = login(factories.citizen())
    form = _form(testapp)
    form["channel"] = "both"
    form["email"] = " jan.peeters@example.org "
    form["mobile"] = "+32 (0)470 12 34 56"
    form["language"] = "en"
    response = form.submit("save", status=302)
    assert response.location.endswith(PAGE)
    saved = _preference(dbsession, citizen)
    assert (saved.by_email, saved.by_sms, saved.email, saved.mobile, saved.language) == (
        True, True, "jan.peeters@example.org", "+32470123456", "en")
    page = response.follow()
    assert "Je keuzes voor meldingen zijn bewaard" in page.text
    form = page.forms["meldingen"]
    assert (form["channel"].value, form["mobile"].value, form["language"].value) == (
        "both", "0470 12 34 56", "en")
    [audit] = _audits(dbsession)
    assert (audit.actor_id, audit.object_type, audit.object_id) == (
        citizen.id, "user", str(citizen.id))
    assert audit.details["channels"] == ["email", "sms"]
    # Which fields changed, never the address or the number themselves.
    assert "example.org" not in str(audit.details) and "470" not in str(audit.details)


def test_only_the_chosen_channels_addresses_are_kept(testapp, login, factories, dbsession):
    citizen = login(factories.citizen())
    form = _form(testapp)
    form["channel"] = "email"
    form["email"] = "jan@example.org"
    form["mobile"] = "0470 12 34 56"
    form.submit("save", status=302)
    saved = _preference(dbsession, citizen)
    assert (saved.channels, saved.email, saved.mobile) == (["email"], "jan@example.org", None)

    form = _form(testapp)
    form["channel"] = "none"
    form.submit("save", status=302)
    saved = _preference(dbsession, citizen)
    assert (saved.channels, saved.email, saved.mobile) == ([], None, None)
    assert [a.details["changed"] for a in _audits(dbsession)][-1] == ["by_email", "email"]


def test_another_citizen_neither_sees_nor_changes_them(testapp, login, factories, dbsession):
    anna = login(factories.citizen(given_name="Anna"))
    form = _form(testapp)
    form["channel"] = "both"
    form["email"] = "anna@example.org"
    form["mobile"] = "0496 11 22 33"
    form.submit("save", status=302)

    bert = login(factories.citizen(given_name="Bert"))
    page = testapp.get(PAGE)
    assert "anna@example.org" not in page.text and "0496 11 22 33" not in page.text
    form = page.forms["meldingen"]
    form["channel"] = "email"
    form["email"] = "bert@example.org"
    form.submit("save", status=302)
    assert _preference(dbsession, anna).email == "anna@example.org"
    assert _preference(dbsession, anna).mobile == "+32496112233"
    assert _preference(dbsession, bert).email == "bert@example.org"
    # There is no address of anyone else's preferences to try.
    testapp.get(f"{PAGE}/{anna.id}", status=404)


def test_staff_get_403(testapp, login, factories):
    login(factories.staff(Role.HANDLER))
    testapp.get(PAGE, status=403)
    testapp.post(PAGE, {"channel": "none", "language": "nl"}, status=403)


def test_anonymous_visitors_are_sent_to_log_in(testapp):
    response = testapp.get(PAGE, status=302)
    assert "/aanmelden" in response.location


def test_post_without_csrf_token_is_refused(testapp, login, factories, dbsession):
    citizen = login(factories.citizen())
    testapp.get(PAGE)
    testapp.post(PAGE, {"channel": "email", "email": "jan@example.org", "language": "nl",
                        "save": "save"}, status=400)
    assert _preference(dbsession, citizen) is None


def test_english_page(testapp, login, factories):
    login(factories.citizen())
    testapp.set_cookie("loket_taal", "en")
    page = testapp.get(PAGE)
    assert "How do you want to hear about changes in your dossiers?" in page.text
    assert "By text message (SMS)" in page.text
