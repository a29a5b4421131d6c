"""Issue 5's acceptance journey, on a phone in Dutch: Jan logs in through the ACM/IDM simulator,
applies for the energy premium with his details prefilled from MAGDA and one attachment, submits,
gets the confirmation and the PDF receipt; a handler asks for a missing document; Jan sees the
new status, sends the document, and the dossier is back with the handler. axe-core checks every
page on the way."""

import io
import re
from datetime import date, timedelta

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from sqlalchemy import select

from loket.integrations.acmidm.personas import BY_KEY
from loket.integrations.magda.models import MagdaConsultation
from loket.letters.rendering import job as letters_job
from tests.browser.conftest import PHONE, log_in, running_loket

JAN = BY_KEY["jan"].rrn
QUESTION = "Stuur ons een paar foto's van het geïsoleerde dak, van binnen en van buiten."
REFERENCE = re.compile(r"\b20\d\d-\d{6}\b")


@pytest.fixture(scope="module")
def live(tmp_path_factory, app_settings):
    """The browser tests' Loket with MAGDA's person register at the simulators."""
    extra = {"loket.integrations.person_register": "magda",
             "loket.integrations.magda.identificatie": "heidebeek.loket.test",
             "loket.integrations.magda.hoedanigheid": "1234",
             "loket.integrations.magda.purposes": "sociale-premie-aanvraag inkomenscontrole",
             "loket.integrations.magda.timeout": "5"}

    def addresses(simulators):
        return {"loket.integrations.magda.base_url": f"{simulators}/magda"}

    with running_loket(tmp_path_factory.mktemp("live-journey"), app_settings, extra,
                       addresses) as running:
        yield running


def small_pdf(path, title):
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    with open(path, "wb") as out:
        writer.write(out)
    return str(path)


def fits_the_phone(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"{page.url} scrolls sideways ({width} px)"


def look(page):
    """Every page the citizen sees: no axe violations, no sideways scrolling."""
    page.wait_for_load_state()
    page.check_accessibility()
    fits_the_phone(page)


def test_citizen_applies_and_completes_the_dossier(live, phone, desktop, tmp_path):
    # Find the premium in the catalogue and ask to apply: Loket wants a login first.
    phone.visit("/catalogus/")
    assert phone.locator("html").get_attribute("lang") == "nl"
    look(phone)
    phone.get_by_role("link", name="Energiepremie", exact=True).first.click()
    phone.get_by_role("heading", level=1, name="Energiepremie").wait_for()
    look(phone)
    phone.get_by_role("link", name="Aanvragen", exact=True).click()
    phone.wait_for_load_state()
    assert phone.url.startswith(live.simulators + "/acmidm/")
    look(phone)  # the simulator's persona page
    phone.get_by_label("Jan Peeters").check()
    phone.get_by_role("button", name="Aanmelden").click()
    phone.get_by_role("heading", level=1, name="Aanvragen: Energiepremie").wait_for()
    look(phone)
    phone.get_by_role("button", name="Aanvraag starten").click()

    # Step 1: his name comes from the national register, shown as such and read-only.
    phone.get_by_role("heading", name=re.compile(r"^Stap 1 van")).wait_for()
    look(phone)
    for label, value in (("Voornaam", "Jan"), ("Familienaam", "Peeters")):
        item = phone.locator(".form-label", has_text=label).locator("..")
        assert item.locator(".form-control-static").inner_text().strip() == value
        assert "Ingevuld uit het rijksregister" in item.inner_text()
        assert item.locator("input").count() == 0  # read-only: shown, not editable
    phone.get_by_label("E-mailadres").fill("jan.peeters@example.org")
    phone.get_by_label("Telefoonnummer").fill("0470 12 34 56")
    phone.get_by_role("button", name="Volgende").click()

    # Step 2: his address is prefilled too, but he may change it (the work's address).
    phone.get_by_role("heading", name=re.compile(r"^Stap 2 van 6")).wait_for()
    look(phone)
    assert "Ingevuld uit het rijksregister" in phone.locator("#aanvraag").inner_text()
    assert phone.get_by_label("Straat").input_value() == "Kerkstraat"
    assert phone.get_by_label("Postcode").input_value() == "3999"
    assert phone.get_by_label("Gemeente").input_value() == "Heidebeek"
    phone.get_by_label("Eigenaar").check()
    phone.get_by_role("button", name="Volgende").click()

    # Step 3: the work.
    phone.get_by_role("heading", name=re.compile(r"^Stap 3 van 6")).wait_for()
    look(phone)
    phone.get_by_label("Dak- of zoldervloerisolatie").check()
    phone.get_by_label("Naam van de aannemer").fill("Dakwerken Vos bv")
    phone.get_by_label("Datum van de eindfactuur").fill(
        (date.today() - timedelta(days=20)).isoformat())
    phone.get_by_label("Bedrag van de factuur met btw").fill("2.450,00")
    phone.get_by_role("button", name="Volgende").click()

    # Step 4: payment.
    phone.get_by_role("heading", name=re.compile(r"^Stap 4 van 6")).wait_for()
    look(phone)
    phone.get_by_label("Rekeningnummer (IBAN)").fill("BE71 0961 2345 6769")
    phone.get_by_label("Naam van de rekeninghouder").fill("Jan Peeters")
    phone.get_by_role("button", name="Volgende").click()

    # Documents: one attachment, the contractor's final invoice.
    phone.get_by_role("heading", level=2, name="Stap 5 van 6: Documenten").wait_for()
    look(phone)
    invoice = small_pdf(tmp_path / "eindfactuur.pdf", "Eindfactuur Dakwerken Vos")
    phone.get_by_label(re.compile(r"^Bestand\s*: Eindfactuur")).set_input_files(invoice)
    phone.get_by_role("button", name=re.compile(r"^Opladen\s*: Eindfactuur")).click()
    phone.get_by_role("link", name="eindfactuur.pdf").wait_for()
    look(phone)
    phone.get_by_role("link", name="Volgende: Controleren en indienen").click()

    # The summary: everything to check, the prefilled answers still marked as such.
    phone.get_by_role("heading", level=2, name="Controleer je aanvraag").wait_for()
    look(phone)
    summary = phone.locator("main").inner_text()
    assert phone.locator("main .alert--error").count() == 0
    for shown in ("Jan", "Peeters", "jan.peeters@example.org", "Dakwerken Vos bv",
                  "Kerkstraat", "Eindfactuur van de aannemer: eindfactuur.pdf"):
        assert shown in summary
    assert summary.count("(Ingevuld uit het rijksregister)") >= 2
    phone.get_by_role("button", name="Indienen").click()

    # The confirmation with the reference number, and the PDF receipt.
    phone.get_by_role("heading", level=1, name="We hebben je aanvraag ontvangen").wait_for()
    look(phone)
    status = phone.get_by_role("status").inner_text()
    reference = REFERENCE.search(status).group(0)
    assert "Energiepremie" in status
    # The worker renders the receipt (a letter); until then the page says it is coming.
    assert "We maken je ontvangstbewijs klaar" in phone.locator("main").inner_text()
    assert letters_job(live.app.registry)["letters_rendered"] >= 1
    phone.get_by_role("link", name="Vernieuwen").click()
    with phone.expect_download() as download_info:
        phone.get_by_role("link", name="Download je ontvangstbewijs (PDF)").click()
    receipt = download_info.value.path().read_bytes()
    assert receipt.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(receipt)).pages)
    assert reference in text
    assert "eindfactuur.pdf" in text

    # The person register was consulted for the prefill, and the legal log says so.
    with live.app.registry["dbsession_factory"]() as db:
        rows = db.scalars(select(MagdaConsultation).where(
            MagdaConsultation.dossier_reference == reference)).all()
        assert [(r.service, r.purpose, r.outcome, r.subject_insz) for r in rows] == [
            ("GeefPersoon", "sociale-premie-aanvraag", "ok", JAN)]

    phone.get_by_role("link", name="Naar je dossier").click()
    phone.get_by_role("heading", level=1, name="Energiepremie").wait_for()
    look(phone)
    assert phone.locator("#status-titel").inner_text() == "Status: Ingediend"

    # A handler asks for photos of the work (a staff page on a desktop, its own browser).
    handler = desktop
    log_in(handler, "Els Maes")
    handler.check_accessibility()
    handler.visit(f"/dossiers/{reference}")
    handler.get_by_role("heading", level=1, name="Energiepremie").wait_for()
    handler.check_accessibility()
    panel = handler.locator("#ontvankelijkheid")
    panel.get_by_role("radio", name=re.compile(r"^Vervollediging vragen")).check()
    panel.get_by_label("Toelichting voor de aanvrager").fill(QUESTION)
    panel.get_by_role("checkbox", name="Foto's van de werken").check()
    panel.get_by_role("button", name="Beslissing opslaan").click()
    handler.get_by_role("status").wait_for()
    handler.check_accessibility()
    assert "Vervollediging gevraagd" in handler.locator("main").inner_text()

    # Jan sees the new status in plain Dutch and exactly what is asked.
    phone.reload()
    look(phone)
    assert phone.locator("#status-titel").inner_text() == "Status: Vervollediging gevraagd"
    assert "Actie nodig van jou." in phone.get_by_role("note").first.inner_text()
    assert "Bekijk de vraag en vul je dossier aan." in phone.get_by_role("note").first.inner_text()
    asked = phone.locator("#vervollediging")
    assert asked.locator("blockquote").inner_text() == QUESTION
    assert asked.locator("li").all_inner_texts() == ["Foto's van de werken"]

    # He answers and sends a photo of the work.
    photo = tmp_path / "dak.png"
    Image.new("RGB", (64, 48), (180, 90, 40)).save(photo)
    asked.get_by_label("Je antwoord").fill("Hierbij een foto van het dak na de werken.")
    asked.get_by_label("Foto's van de werken").set_input_files(str(photo))
    asked.get_by_role("button", name="Aanvulling versturen").click()
    phone.get_by_role("status").filter(has_text="We hebben je aanvulling ontvangen").wait_for()
    look(phone)

    # The dossier is back with the handler: submitted again, the municipality's turn.
    assert phone.locator("#status-titel").inner_text() == "Status: Ingediend"
    facts = phone.locator(".status-panel .facts").inner_text()
    assert "Wie is aan zet\nDe gemeente" in facts, facts
    assert phone.locator("#vervollediging").count() == 0
    assert phone.get_by_role("link", name="Foto's van de werken").count() == 1
    phone.get_by_role("link", name="Mijn dossiers").first.click()
    phone.get_by_role("heading", level=1, name="Mijn dossiers").wait_for()
    look(phone)
    card = phone.locator(".dossier-card", has_text=reference)
    assert card.locator(".dossier-card__title").inner_text() == "Energiepremie"
    assert card.locator(".badge").text_content() == "Status: Ingediend"

    handler.reload()
    handler.check_accessibility()
    staff = handler.locator("main").inner_text()
    assert "Status\nIngediend" in staff
    assert "Hierbij een foto van het dak na de werken." in staff
    assert "Nog niet beantwoord" not in staff
