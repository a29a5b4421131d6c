"""A granted premium is paid out: the handler stages the payment, finance (Pieter) approves
it, the worker hands it to the accounting simulator, which pays it and reports back by
callback; Jan sees "Uitbetaald" and gets a text message."""

import time

import pytest
import requests
import transaction
from sqlalchemy import select

from loket.db import get_tm_session
from loket.identity.models import User
from loket.notifications.models import NotificationPreference
from loket.outbox.relay import Relay
from tests.browser.conftest import DESKTOP, _page, log_in, running_loket

JAN_MOBILE = "+32470123456"


@pytest.fixture(scope="module")
def live(tmp_path_factory, app_settings):
    """The browser tests' Loket with the accounting package and SMS notifications chosen."""
    extra = {"loket.integrations.accounting": "boekhouding-api",
             "loket.integrations.boekhouding-api.api_key": "boekhouding-test-key",
             "loket.simulators.boekhouding.delay": "0",
             "loket.integrations.notification": "sms",
             "loket.integrations.sms.api_key": "sms-test-key",
             "loket.api.audience": "http://localhost/api"}

    def addresses(simulators):
        return {"loket.integrations.boekhouding-api.base_url": f"{simulators}/boekhouding",
                "loket.integrations.sms.base_url": f"{simulators}/sms"}

    with running_loket(tmp_path_factory.mktemp("live-payments"), app_settings, extra,
                       addresses) as running:
        with transaction.manager:
            dbsession = get_tm_session(running.app.registry["dbsession_factory"],
                                       transaction.manager)
            jan = dbsession.scalar(select(User).where(User.given_name == "Jan"))
            dbsession.add(NotificationPreference(user_id=jan.id, by_sms=True,
                                                 mobile=JAN_MOBILE, language="nl"))
        yield running


@pytest.fixture
def finance_desk(browser, live):
    """Pieter's own browser (the ACM/IDM simulator keeps Els's login in hers)."""
    yield from _page(browser, live, DESKTOP)


def settled(live, timeout=10.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        orders = requests.get(live.simulators + "/boekhouding/_control", timeout=5).json()[
            "orders"]
        if orders and orders[0]["callback_status"] is not None:
            return orders[0]
        time.sleep(0.2)
    state = requests.get(live.simulators + "/boekhouding/_control", timeout=5).json()
    raise AssertionError(f"the accounting simulator did not report back: {state}")


def test_a_granted_premium_is_paid_out(live, desktop, finance_desk, phone):
    # Els stages the payment of Jan's energy premium (bank code 539: valid, no BIC).
    log_in(desktop, "Els Maes")
    desktop.visit("/werkbank?lijst=team")
    row = desktop.locator("tbody tr", has_text="Jan Peeters").filter(has_text="Energiepremie")
    row.get_by_role("link").first.click()
    desktop.get_by_role("heading", level=2, name="Betaling").wait_for()
    reference = desktop.url.split("#")[0].rstrip("/").rsplit("/", 1)[1]
    assert desktop.get_by_label("Rekeningnummer (IBAN)").input_value() == "BE68 5390 0754 7034"
    desktop.check_accessibility()
    desktop.get_by_role("button", name="Betaling klaarzetten").click()
    desktop.get_by_role("status").wait_for()
    assert "Klaargezet, goed te keuren" in desktop.locator("#betaling").inner_text()

    # Pieter (finance) lands on his list and approves it.
    log_in(finance_desk, "Pieter De Smet")
    finance_desk.visit("/aanmelden")
    finance_desk.get_by_role("heading", level=1, name="Betalingen").wait_for()
    finance_desk.check_accessibility()
    finance_desk.get_by_label(f"Kies LOKET-{reference}-1").check()
    finance_desk.get_by_role("button", name="Gekozen opdrachten goedkeuren").click()
    finance_desk.get_by_role("status").wait_for()
    assert reference in finance_desk.locator("table").inner_text()

    # The worker hands the order over; the simulator pays it and calls Loket back.
    assert Relay(live.app.registry).process() >= 1
    order = settled(live)
    assert (order["status"], order["callback_status"]) == ("paid", 200)

    # The paid step notifies Jan by text message.
    Relay(live.app.registry).process()
    texts = [m for m in requests.get(live.simulators + "/sms/_messages", timeout=5).json()
             if m["to"] == JAN_MOBILE]
    assert texts and any(reference in m["text"] or "uitbetaald" in m["text"].lower()
                         for m in texts)

    # Jan sees it paid out.
    log_in(phone, "Jan Peeters")
    phone.visit(f"/dossiers/{reference}")
    assert "Uitbetaald" in phone.locator("main").inner_text()
    assert "op rekening BE68 •••• 7034 gestort" in phone.locator("#uitbetaling").inner_text()
    phone.check_accessibility()
