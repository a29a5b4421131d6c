"""Sending with one button: ready decision letters for Jan (eBox consent) and Sofie (none),
one bulk "Verzenden" by the secretariat, the worker and the tracking job; Jan's letter read in
the simulated eBox, Sofie's printed, handed to bpost and delivered; the register shows both;
a letter returned to sender lands on the handler's worklist."""

import pytest
import requests
import transaction
from sqlalchemy import select

from loket.db import get_tm_session
from loket.documents.models import Document, DocumentVersion
from loket.dossiers.models import Dossier
from loket.identity.models import User
from loket.integrations.acmidm.personas import BY_KEY
from loket.letters.models import READY
from loket.letters.services import create_letter, move
from loket.outbox.relay import Relay
from loket.outbox.services import Policy
from loket.sending import tracking
from tests.browser.conftest import DESKTOP, Page, log_in, running_loket


def simulator_settings(base: str) -> dict:
    return {
        "loket.integrations.delivery": "documentendienst",
        "loket.integrations.documentendienst.base_url": base + "/documentendienst",
        "loket.integrations.documentendienst.token_url": base + "/documentendienst/token",
        "loket.integrations.documentendienst.client_id": "loket",
        "loket.integrations.documentendienst.client_secret": "documentendienst-secret",
        "loket.integrations.documentendienst.sender_organization_id": "0207123407",
        "loket.integrations.person_register": "magda",
        "loket.integrations.magda.base_url": base + "/magda",
        "loket.integrations.magda.identificatie": "heidebeek.loket.test",
        "loket.integrations.magda.hoedanigheid": "1234",
        "loket.integrations.magda.purposes": "sociale-premie-aanvraag inkomenscontrole",
    }


@pytest.fixture(scope="module")
def sending_live(tmp_path_factory, app_settings):
    with running_loket(tmp_path_factory.mktemp("sending"), app_settings,
                       from_simulators=simulator_settings) as running:
        yield running


@pytest.fixture
def as_persona(browser, sending_live):
    """``as_persona(name)``: a fresh browser window, logged in as that persona."""
    contexts = []

    def open_as(name):
        context = browser.new_context(viewport=DESKTOP, locale="nl-BE")
        contexts.append(context)
        page = Page(context.new_page(), sending_live)
        log_in(page, name)
        return page

    yield open_as
    for context in contexts:
        context.close()


def control(live, **switches):
    requests.post(live.simulators + "/documentendienst/_control", json=switches,
                  timeout=5).raise_for_status()


def ready_decision_letter(live, persona: str, state="goedgekeurd", kind="decision.granted"):
    """A signed decision letter, ready to send, on the persona's first dossier."""
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        session = get_tm_session(live.app.registry["dbsession_factory"], manager)
        user = session.scalar(select(User).where(User.rrn == BY_KEY[persona].rrn))
        dossier = session.scalars(select(Dossier).where(Dossier.applicant_id == user.id)
                                  .order_by(Dossier.id)).first()
        dossier.state = state
        store = live.app.registry["loket.blobstore"]
        from loket.demo import demo_pdf

        data = demo_pdf(f"Beslissing {dossier.reference}")
        number = 1 + max(d.number for d in dossier.documents)
        document = Document(dossier_id=dossier.id, number=number, title="Beslissing",
                            document_type="besluit", direction="out")
        document.versions.append(DocumentVersion(
            version=1, filename="beslissing.pdf", media_type="application/pdf",
            size=len(data), sha256=store.put(data)))
        session.add(document)
        session.flush()
        letter = create_letter(session, dossier, kind, title=f"Beslissing {dossier.title}")
        letter.document_id = document.id
        move(session, letter, READY)
        return dossier.reference


def work(live):
    """What the worker does meanwhile: deliver the outbox, then ask where the letters are."""
    relay = Relay(live.app.registry, policy=Policy(poll_interval=0.01), worker="browser:1:x")
    try:
        while relay.process():
            pass
    finally:
        relay.close()
    tracking.track(live.app.registry)


def test_one_press_sends_jan_to_his_ebox_and_sofie_on_paper(as_persona, sending_live):
    live = sending_live
    control(live, reset=True, clear=True, pace=0)
    jan = ready_decision_letter(live, "jan")
    sofie = next(iter(live.app.registry["dbsession_factory"]().scalars(
        select(Dossier.reference).join(User, Dossier.applicant_id == User.id)
        .where(User.rrn == BY_KEY["sofie"].rrn, Dossier.state == "goedgekeurd"))))

    page = as_persona("Karin Willems")
    page.visit("/verzendregister")
    ready = page.locator("#klaar")
    jan_row = ready.get_by_role("row").filter(has_text=jan)
    sofie_row = ready.get_by_role("row").filter(has_text=sofie)
    assert "eBox" in jan_row.inner_text() and "toestemming" in jan_row.inner_text()
    assert "papier" in sofie_row.inner_text() and "aangetekend" in sofie_row.inner_text()
    page.check_accessibility()
    page.get_by_role("button", name="Verzenden").click()
    page.wait_for_load_state()
    assert page.locator("#voortgang").is_visible()
    page.check_accessibility()

    work(live)

    # The simulated Documentendienst: Jan's letter read in his eBox, Sofie's delivered.
    simulated = requests.get(live.simulators + "/documentendienst/_control", timeout=5).json()
    by_channel = {m["deliveryChannel"]: m for m in simulated["messages"]}
    assert by_channel["EBOX"]["status"] == "READ"
    assert [e["status"] for e in by_channel["PAPER"]["statusHistory"]] == [
        "ACCEPTED", "PRINTED", "HANDED_TO_BPOST", "DELIVERED"]

    page.visit("/verzendregister")
    register = page.locator("#verzendregister")
    jan_line = register.get_by_role("row").filter(has_text=jan).inner_text()
    sofie_line = register.get_by_role("row").filter(has_text=sofie).inner_text()
    assert "gelezen" in jan_line
    assert "afgeleverd" in sofie_line and "JJBEA" in sofie_line and "Afgiftebewijs" in sofie_line
    page.visit(f"/dossiers/{sofie}/verzending")
    assert "accepted → printed → at_bpost → delivered" in page.content()
    page.check_accessibility()

    # Only now, the decision delivered, does Jan's dossier show it sent.
    page = as_persona("Jan Peeters")
    page.visit(f"/dossiers/{jan}")
    letters = page.locator("#brieven")
    assert "naar je eBox" in letters.inner_text()
    page.check_accessibility()


def test_a_returned_letter_lands_on_the_handlers_worklist(as_persona, sending_live):
    live = sending_live
    control(live, reset=True, clear=True, pace=0, paper_outcome="address_unknown")
    reference = ready_decision_letter(live, "sofie", state="geweigerd",
                                      kind="decision.refused")
    page = as_persona("Karin Willems")
    page.visit(f"/dossiers/{reference}/verzending")
    page.get_by_role("button", name="Verzenden").first.click()
    page.wait_for_load_state()
    work(live)
    page = as_persona("Els Maes")
    page.visit("/werkbank?lijst=teruggestuurd")
    assert reference in page.content()
    page.visit(f"/dossiers/{reference}/verzending")
    assert "adres onbekend" in page.content()
    assert page.get_by_role("button", name="Opnieuw verzenden").is_visible()
    page.check_accessibility()
