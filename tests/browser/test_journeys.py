"""A citizen and a handler log in through the ACM/IDM simulator and use Loket in a browser."""

import re

from tests.browser.conftest import log_in

NOT_FOUND = "Pagina niet gevonden"


def test_home_page_reflows_at_320_px(browser, live):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(live.url + "/")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.keyboard.press("Tab")  # the skip link comes first and is visible on focus
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()
    context.close()


def test_citizen_sees_only_own_dossiers(phone):
    phone.visit("/")
    phone.check_accessibility()
    log_in(phone, "Jan Peeters")
    assert phone.url.endswith("/mijn-dossiers")
    phone.check_accessibility()
    cards = phone.locator(".dossier-card")
    titles = sorted(cards.locator(".dossier-card__title").all_inner_texts())
    # His two dossiers (and any draft another test of this live Loket started for him), never
    # Sofie's birth premium or Lotte's permit.
    assert {"Mantelzorgpremie", "Verwarmingstoelage"} <= set(titles)
    assert not {"Geboortepremie", "Inname openbaar domein"} & set(titles)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    phone.get_by_role("link", name="Verwarmingstoelage").click()
    phone.get_by_role("heading", name="Verwarmingstoelage").wait_for()
    assert "Factuur of leveringsbewijs" in phone.content()
    phone.check_accessibility()

    # Someone else's dossier (Sofie's) does not exist for Jan.
    phone.visit("/mijn-dossiers")
    own = {phone.url}
    reference = re.search(r"20\d\d-\d{6}", phone.locator(".dossier-card__meta").first.inner_text())
    assert reference
    for number in range(1, 5):
        candidate = f"{reference.group(0)[:5]}{number:06d}"
        response = phone.page.goto(f"{phone.live.url}/dossiers/{candidate}")
        if response.status == 404:
            assert NOT_FOUND in phone.content()
            phone.check_accessibility()
        else:
            own.add(candidate)
    assert len(own) == 3  # the list page and his two dossiers


def test_citizen_adds_a_document(phone, tmp_path):
    log_in(phone, "Jan Peeters")
    phone.get_by_role("link", name="Verwarmingstoelage").click()
    phone.get_by_role("link", name="Document toevoegen").click()
    phone.check_accessibility()

    fake = tmp_path / "factuur.pdf"
    fake.write_bytes(b"MZ this is not a PDF at all" * 10)
    phone.get_by_label("Titel").fill("Factuur stookolie")
    phone.locator("input[type=file]").set_input_files(str(fake))
    phone.get_by_role("button", name="Opladen").click()
    phone.get_by_role("alert").wait_for()
    assert "niet aanvaard" in phone.get_by_role("alert").inner_text()
    assert phone.get_by_label("Titel").input_value() == "Factuur stookolie"
    phone.check_accessibility()

    real = tmp_path / "factuur-echt.pdf"
    from loket.demo import demo_pdf

    real.write_bytes(demo_pdf("Factuur"))
    phone.locator("input[type=file]").set_input_files(str(real))
    phone.get_by_role("button", name="Opladen").click()
    phone.get_by_role("status").wait_for()
    assert "Factuur stookolie" in phone.content()
    phone.check_accessibility()


def test_handler_sees_the_teams_dossiers(desktop):
    log_in(desktop, "Els Maes")
    assert desktop.url.endswith("/werkbank")
    desktop.check_accessibility()
    rows = desktop.locator("tbody tr")
    text = rows.all_inner_texts()
    # Jan's (two, and his granted energy premium waiting to be paid), Sofie's, and the dossier
    # on the vast bureau's agenda.
    assert len(text) == 5
    assert any("Ahmed El Amrani" in row for row in text)
    assert not any("Inname openbaar domein" in row for row in text)  # another team's
    desktop.locator("tbody tr a").first.click()
    desktop.get_by_role("heading", level=1).wait_for()
    desktop.check_accessibility()
    desktop.visit("/mijn-dossiers")
    assert "Niet toegelaten" in desktop.content() or desktop.title()


def test_language_can_be_switched_to_english(desktop):
    desktop.visit("/")
    desktop.get_by_role("link", name="English").click()
    assert desktop.locator("html").get_attribute("lang") == "en"
    assert desktop.get_by_role("link", name="Log in").first.is_visible()
    desktop.check_accessibility()
