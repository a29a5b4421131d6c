"""Fees and objections end to end (issue #16): Tom charges Lotte's permit fee; her dossier page
shows the payment request with an EPC QR code that decodes (zxing-cpp, from the image) to the
municipality's IBAN, the amount and her structured reference; Pieter imports a camt.053 statement
with that reference, the claim is paid and the permit moves on ("Betaald"). Sofie objects online
to her refused permit; the linked objection appears in Tom's team list."""

import base64
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
import transaction
from playwright.sync_api import expect
from sqlalchemy import select

from loket.catalogue.services import get_type
from loket.db import get_tm_session, utcnow
from loket.demo import HEIDEBEEK, steps_to
from loket.dossiers.models import Dossier, next_reference
from loket.identity.models import Team, User
from loket.workflow.definition import workflows
from loket.workflow.models import HistoryEntry
from tests.browser.conftest import DESKTOP, _page, log_in, running_loket
from tests.claims import samples
from tests.claims.qr import decode_png
from tests.claims.samples import Credit


@pytest.fixture(scope="module")
def live(tmp_path_factory, app_settings):
    """Its own Loket: the dossiers made here stay out of the other journeys."""
    with running_loket(tmp_path_factory.mktemp("live-fees"), app_settings) as running:
        yield running


@contextmanager
def session(live):
    with transaction.manager:
        yield get_tm_session(live.app.registry["dbsession_factory"], transaction.manager)


def decided_permit(live, persona_given_name: str, outcome: str, data: dict) -> str:
    """A public-domain permit of the persona whose decision was sent two days ago."""
    with session(live) as dbsession:
        version = get_type(dbsession, "inname-openbaar-domein").current()
        workflow = workflows()[version.workflow]
        user = dbsession.scalar(select(User).where(User.given_name == persona_given_name))
        team = dbsession.scalar(select(Team).where(Team.code == "openbaar-domein"))
        when = utcnow() - timedelta(days=20)
        dossier = Dossier(reference=next_reference(dbsession, when.year),
                          type_version_id=version.id, title="Inname openbaar domein",
                          state="beslissing_verzonden", outcome=outcome, applicant_id=user.id,
                          team_id=team.id, data=data, created=when, submitted=when)
        dbsession.add(dossier)
        dbsession.flush()
        path = steps_to(workflow, "goedgekeurd" if outcome == "approved" else "geweigerd")
        path.append(workflow.transitions["beslissing_verzenden"])
        state = workflow.initial
        for number, step in enumerate(path):
            sent = step.name == "beslissing_verzenden"
            dbsession.add(HistoryEntry(
                dossier_id=dossier.id, transition=step.name, from_state=state,
                to_state=step.target, actor_id=None,
                occurred=utcnow() - timedelta(days=2) if sent else when + timedelta(hours=number)))
            state = step.target
        return dossier.reference


@pytest.fixture
def second(browser, live):
    yield from _page(browser, live, DESKTOP)


def test_lotte_pays_her_permit_fee_with_the_qr_code_and_the_permit_is_issued(
        live, desktop, phone, second):
    reference = decided_permit(live, "Lotte", "approved",
                               {"oppervlakte": 10, "aantal_dagen": 3, "soort_inname": "container"})
    # Tom charges the fee: the type's rule proposes € 1 × 10 m² × 3 days.
    log_in(desktop, "Tom Jacobs")
    desktop.visit(f"/dossiers/{reference}")
    desktop.get_by_role("link", name="Retributie aanrekenen").click()
    expect(desktop.get_by_label("Bedrag (euro)")).to_have_value("30,00")
    desktop.check_accessibility()
    desktop.get_by_role("button", name="Retributie aanrekenen").click()
    expect(desktop.locator("#retributie")).to_contain_text("+++")
    desktop.check_accessibility()

    # Lotte, on her phone, scans the QR code of her payment request.
    log_in(phone, "Lotte Wouters")
    phone.visit(f"/dossiers/{reference}")
    panel = phone.locator("#retributie")
    expect(panel).to_contain_text("Te betalen voor")
    phone.check_accessibility()
    structured = panel.locator(".claim__reference").inner_text().strip()
    image = panel.get_by_role("img", name="QR-code om € 30,00 te betalen met je bankapp")
    source = image.get_attribute("src")
    fields = decode_png(base64.b64decode(source.split(",", 1)[1]))
    assert fields["iban"] == HEIDEBEEK["iban"] and fields["bic"] == HEIDEBEEK["bic"]
    assert fields["amount"] == Decimal("30.00")
    assert f"+++{fields['reference'][:3]}/{fields['reference'][3:7]}/" \
           f"{fields['reference'][7:]}+++" == structured
    # …and the screenshot of the image decodes too, as a banking app's camera would read it.
    assert decode_png(image.screenshot())["reference"] == fields["reference"]

    # Her bank pays; Pieter imports the camt.053 statement that carries her reference.
    statement = samples.camt053([Credit(Decimal("30.00"), fields["reference"]),
                                 Credit(Decimal("12.00"), None, "waarborg zaal")],
                                account=HEIDEBEEK["iban"])
    log_in(second, "Pieter De Smet")
    second.visit("/vorderingen")
    expect(second.locator("#vorderingen")).to_contain_text(reference)
    second.check_accessibility()
    second.get_by_label("CODA- of camt.053-bestand").set_input_files(files=[{
        "name": "uittreksel.xml", "mimeType": "application/xml", "buffer": statement}])
    second.get_by_role("button", name="Importeren").click()
    expect(second.get_by_text("Uittreksel ingelezen: 2 betalingen geboekt")).to_be_visible()
    expect(second.locator("#betalingen")).to_contain_text("waarborg zaal")  # unmatched: listed
    expect(second.locator("#betalingen")).not_to_contain_text(reference)
    second.check_accessibility()

    # Paid: the permit moves on, and Lotte sees it.
    phone.visit(f"/dossiers/{reference}")
    expect(phone.locator("#retributie")).to_contain_text("Betaald op")
    expect(phone.get_by_text("We hebben je betaling ontvangen.").first).to_be_visible()


def test_sofie_objects_online_and_the_objection_lands_in_the_teams_list(live, phone, desktop):
    reference = decided_permit(live, "Sofie", "refused", {"soort_inname": "werfkeet"})
    log_in(phone, "Sofie Claes")
    phone.visit(f"/dossiers/{reference}")
    phone.get_by_role("link", name="Bezwaar indienen").click()
    phone.check_accessibility()
    phone.get_by_label("Waarom ben je het niet eens met de beslissing?").fill(
        "De werfkeet staat op mijn eigen oprit, niet op de stoep.")
    phone.get_by_role("button", name="Bezwaar indienen").click()
    expect(phone.get_by_text("Het bezwaar is geregistreerd als")).to_be_visible()
    objection = phone.url.rstrip("/").rsplit("/", 1)[1]
    expect(phone.locator("#bezwaren")).to_contain_text(reference)  # linked back
    phone.check_accessibility()

    log_in(desktop, "Tom Jacobs")
    desktop.visit("/werkbank?lijst=bezwaren")
    row = desktop.get_by_role("row").filter(has_text=objection)
    expect(row).to_be_visible()
    desktop.check_accessibility()
    desktop.visit(f"/dossiers/{reference}")
    expect(desktop.locator("#bezwaren")).to_contain_text(objection)
