"""A handler takes a step in Loket; the outbox worker pushes the status to DOSIS; the citizen
sees it in Mijn Burgerprofiel (the simulator's page), logged in through ACM/IDM."""

import re

import pytest

from loket.integrations.dosis.simulator import OAUTH_PATH
from loket.outbox.relay import Relay
from tests.browser.conftest import log_in, running_loket

BRON = "urn://heidebeek/loket"


@pytest.fixture(scope="module")
def live(tmp_path_factory, app_settings):
    """Like the browser tests' Loket, but choosing DOSIS (with a key made on first use)."""
    directory = tmp_path_factory.mktemp("live-dosis")
    extra = {"loket.integrations.status_publishing": "dosis",
             "loket.integrations.dosis.client_id": "loket-heidebeek",
             "loket.integrations.dosis.bron": BRON,
             "loket.integrations.dosis.private_key_file": str(directory / "dosis-key.pem"),
             "loket.integrations.dosis.generate_key": "true"}

    def addresses(simulators):
        return {"loket.integrations.dosis.token_url": f"{simulators}/dosis{OAUTH_PATH}",
                "loket.integrations.dosis.base_url": f"{simulators}/dosis"}

    with running_loket(directory, app_settings, extra, addresses) as running:
        yield running


def test_status_change_reaches_mijn_burgerprofiel(live, desktop, phone):
    # The handler declares Jan's heating allowance admissible.
    log_in(desktop, "Els Maes")
    jan = desktop.locator("tbody tr", has_text="Jan Peeters").filter(has_text="Verwarmingstoelage")
    jan.get_by_role("link").click()
    desktop.get_by_role("heading", level=1, name="Verwarmingstoelage").wait_for()
    reference = desktop.url.rstrip("/").rsplit("/", 1)[1]
    assert reference.startswith("20")
    desktop.get_by_role("radio", name=re.compile(r"^Ontvankelijk")).check()
    desktop.get_by_role("button", name="Beslissing opslaan").click()
    desktop.get_by_role("status").wait_for()
    desktop.check_accessibility()

    # The worker delivers the push (one pass of the outbox relay).
    assert Relay(live.app.registry).process() >= 1

    # Jan opens Mijn Burgerprofiel and logs in through ACM/IDM.
    phone.goto(live.simulators + "/dosis/mbp")
    assert phone.locator("html").get_attribute("lang") == "nl"
    phone.check_accessibility()
    phone.get_by_role("link", name="Aanmelden").click()
    phone.check_accessibility()  # the ACM/IDM persona page
    phone.get_by_label("Jan Peeters").check()
    phone.get_by_role("button", name="Aanmelden").click()
    phone.get_by_role("heading", level=1, name="Mijn dossiers").wait_for()
    phone.check_accessibility()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    card = phone.locator(".dossier", has_text=reference)
    assert card.locator(".dossier__title").inner_text() == "Verwarmingstoelage"
    assert card.locator(".dossier__status").inner_text() == "Ontvankelijk"
    assert card.locator(".dossier__phase").inner_text() == "Behandeling"
    link = card.get_by_role("link", name=f"Bekijk dossier {reference} bij Gemeente Heidebeek")
    assert link.get_attribute("href") == f"{live.url}/dossiers/{reference}"
    # Sofie's dossiers are not Jan's business; another source's dossier of his is shown.
    assert phone.locator(".dossier", has_text="Geboortepremie").count() == 0
    assert phone.locator(".dossier", has_text="Mijn VerbouwPremie").count() == 1

    # The link back leads to Loket (which asks Jan to log in there).
    link.click()
    phone.wait_for_load_state()
    assert phone.url.startswith(live.simulators + "/acmidm/op/v1/auth") or \
        phone.url.startswith(live.url)


def test_admin_sees_the_integrations_page(live, desktop):
    log_in(desktop, "An Mertens")
    desktop.visit("/beheer/koppelingen")
    section = desktop.locator("section", has=desktop.get_by_role(
        "heading", name="DOSIS (Mijn Burgerprofiel)"))
    section.wait_for()
    assert "badge--goedgekeurd" in section.locator(".integration__check").inner_html()
    assert "dosis-key.pem" not in desktop.content()  # a *_key_file setting is masked
    desktop.check_accessibility()
