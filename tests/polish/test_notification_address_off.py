"""Without an e-mail channel the application says nothing about notification e-mails and the
address cannot be adopted (issue 19, point 7)."""

from loket.notifications.models import NotificationPreference
from tests.applications.conftest import jan, login_as, magda_on, shipped  # noqa: F401
from tests.applications.helpers import fill_everything, start


def test_no_email_channel_no_question(testapp, dbsession, jan, magda_on):  # noqa: F811
    jan.email = "profiel@example.org"
    dbsession.flush()
    path = start(testapp)
    step1 = testapp.get(f"{path}/aanvraag?stap=1")
    assert step1.html.select_one(".item-email input")["value"] == "profiel@example.org"
    fill_everything(testapp, path)
    summary = testapp.get(f"{path}/controleren")
    assert summary.html.select_one("#meldingen") is None
    token = summary.html.select_one("input[name=csrf_token]")["value"]
    testapp.post(f"{path}/meldingsadres", {"csrf_token": token}, status=302)
    dbsession.expire_all()
    assert dbsession.get(NotificationPreference, jan.id) is None
