"""Issue 3's acceptance journey: a functional administrator creates a premium type in the
browser and publishes it; a citizen then sees it in the catalogue and opens its form. No code."""

from datetime import date

from tests.browser.conftest import log_in


def test_admin_creates_and_publishes_a_type_and_a_citizen_sees_its_form(browser, live):
    from tests.browser.conftest import DESKTOP, PHONE, Page

    admin = Page(browser.new_context(viewport=DESKTOP, locale="nl-BE").new_page(), live)
    log_in(admin, "An Mertens")
    admin.visit("/catalogus/@@nieuw")
    admin.check_accessibility()
    admin.get_by_label("Code").fill("huurpremie")
    admin.get_by_label("Nederlands").fill("Huurpremie")
    admin.get_by_label("Engels").fill("Rent premium")
    admin.get_by_label("Werkstroom").select_option("sociale-premie")
    admin.get_by_label("Team dat de dossiers behandelt").select_option("sociale-dienst")
    admin.get_by_role("button", name="Type aanmaken").click()
    admin.wait_for_load_state()
    assert admin.url.endswith("/catalogus/huurpremie/1/bewerken")
    admin.check_accessibility()

    admin.visit("/catalogus/huurpremie/1/@@publiceren")
    admin.check_accessibility()
    admin.locator("input[name=date]").fill(date.today().isoformat())
    admin.get_by_role("button", name="Publiceren").click()
    admin.wait_for_load_state()
    assert "Versie 1 is gepubliceerd" in admin.content()
    admin.context.close()

    citizen = Page(browser.new_context(viewport=PHONE, locale="nl-BE").new_page(), live)
    citizen.visit("/catalogus/")
    assert citizen.get_by_role("link", name="Huurpremie").count() >= 1
    citizen.check_accessibility()
    log_in(citizen, "Jan Peeters")
    citizen.visit("/catalogus/huurpremie/aanvragen")
    citizen.check_accessibility()
    citizen.get_by_role("button", name="Aanvraag starten").click()
    citizen.wait_for_load_state()
    citizen.check_accessibility()
    assert citizen.locator("form input, form select, form textarea").count() > 2
    assert "Huurpremie" in citizen.content()
    citizen.context.close()
