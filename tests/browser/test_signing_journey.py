"""The signing folder in a real browser: after the college's decisions the letters wait in
Luc's (the mayor's) folder; he signs the meeting's batch with his eID on the platform's page
(the Digitaal Ondertekenen simulator: real PAdES signatures), then Hilde (the general
director) does; the dossier shows both valid signatures with their functions."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

import pytest
import transaction
from sqlalchemy import select

from loket.db import get_tm_session, utcnow
from loket.decisions.models import Decision, Meeting
from loket.decisions.services import ensure_bodies
from loket.identity.models import Team, User
from loket.letters.models import READY, TO_SIGN, Letter, LetterSignatory
from loket.outbox.relay import Relay
from loket.signing import services
from tests.browser.conftest import DESKTOP, Page, log_in, running_loket
from tests.factories import Factories
from tests.fixtures.outbox import FAST


@pytest.fixture(scope="module")
def live(tmp_path_factory, app_settings):
    directory = tmp_path_factory.mktemp("live-signing")
    prefix = "loket.integrations.digitaal-ondertekenen."
    extra = {"loket.integrations.signing": "digitaal-ondertekenen",
             prefix + "client_id": "loket-ondertekenen",
             prefix + "client_secret": "loket-ondertekenen-secret"}

    def addresses(simulators):
        return {prefix + "base_url": f"{simulators}/ondertekenen",
                prefix + "web_url": f"{simulators}/ondertekenen/web",
                prefix + "token_url": f"{simulators}/acmidm/op/v1/token"}

    with running_loket(directory, app_settings, extra, addresses) as running:
        yield running


def letters_to_sign(live, count: int) -> list[int]:
    """Yesterday's college decided ``count`` dossiers: their letters wait for the mayor, then
    the general director (the demo personas, whose test eID certificates the simulator has)."""
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        dbsession = get_tm_session(live.app.registry["dbsession_factory"], manager)
        factories = Factories(dbsession, live.app.registry["loket.blobstore"])
        people = [dbsession.scalar(select(User).where(User.email == email)) for email in (
            "burgemeester@heidebeek.example", "algemeen.directeur@heidebeek.example")]
        team = dbsession.scalar(select(Team).where(Team.code == "sociale-dienst"))
        held = utcnow() - timedelta(days=1)
        meeting = Meeting(body_id=ensure_bodies(dbsession)["college"].id, starts=held,
                          agenda_closes=held - timedelta(days=2), status="held")
        dbsession.add(meeting)
        dbsession.flush()
        ids = []
        for number in range(count):
            dossier = factories.dossier(team=team, state="goedgekeurd")
            decision = Decision(dossier_id=dossier.id, body_code="college",
                                meeting_id=meeting.id, decided_on=held.date(),
                                outcome="approved", title=f"Beslissing {number}",
                                final_text="Toegekend.")
            document = factories.document(dossier, title=f"Beslissing {number}")
            dbsession.add(decision)
            dbsession.flush()
            letter = Letter(dossier_id=dossier.id, dossier=dossier, kind="decision.granted",
                            status=TO_SIGN, title=f"Beslissing {dossier.reference}",
                            details={"decision": decision.id}, document=document,
                            needs_signature=True)
            for position, (user, function) in enumerate(
                    zip(people, ("burgemeester", "algemeen directeur"), strict=True), 1):
                letter.signatories.append(LetterSignatory(
                    position=position, user_id=user.id, name=user.name, function=function))
            dbsession.add(letter)
            dbsession.flush()
            ids.append(letter.id)
        return ids


def collect(registry) -> dict:
    """The worker job, in a thread of its own: pyHanko runs its own event loop, and this
    thread has Playwright's."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(services.collect, registry).result()


def sign_the_batch(page, count: int):
    page.visit("/handtekenmap")
    page.get_by_role("heading", level=1, name="Handtekenmap").wait_for()
    page.check_accessibility()
    page.get_by_role("button", name=f"Alle {count} brieven van deze zitting ondertekenen").click()
    page.get_by_role("button", name="Teken met eID").click()  # the platform's page
    page.get_by_role("status").wait_for()  # back in the folder
    page.check_accessibility()


def test_luc_signs_the_meeting_batch_then_hilde(live, browser, desktop, phone):
    registry = live.app.registry
    letters = letters_to_sign(live, 3)
    assert services.queue_submissions(registry) == {"signing_submitted": 3}
    relay = Relay(registry, policy=replace(FAST), worker="signing-browser:1:a")
    assert relay.process() == 3

    log_in(desktop, "Luc Janssens")
    sign_the_batch(desktop, 3)
    assert collect(registry) == {"signing_collected": 3}
    desktop.visit("/handtekenmap")
    desktop.get_by_text("Er wacht niets op je handtekening.").wait_for()

    log_in(phone, "Hilde Goossens")
    sign_the_batch(phone, 3)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    collect(registry)
    relay.close()

    manager = transaction.TransactionManager(explicit=True)
    with manager:
        dbsession = get_tm_session(registry["dbsession_factory"], manager)
        states = {dbsession.get(Letter, number).status for number in letters}
        reference = dbsession.get(Letter, letters[0]).dossier.reference
    assert states == {READY}

    context = browser.new_context(viewport=DESKTOP, locale="nl-BE")
    els = Page(context.new_page(), live)
    log_in(els, "Els Maes")
    els.visit(f"/dossiers/{reference}")
    panel = els.locator("#handtekeningen")
    rows = panel.locator("tr.signature--valid")
    assert rows.count() == 2
    assert "Luc Janssens" in rows.nth(0).inner_text() and "burgemeester" in rows.nth(0).inner_text()
    assert "Hilde Goossens" in rows.nth(1).inner_text()
    assert "algemeen directeur" in rows.nth(1).inner_text()
    assert "Geldig" in panel.inner_text()
    els.check_accessibility()
    context.close()
