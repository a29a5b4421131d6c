"""Letters in a real browser: the worker renders the demo's receipts; Tom sees them on Lotte's
permit and overrides the screening with a reason; An edits the wording and previews it on
Sofie's decided dossier. Every page passes axe."""

import transaction
from sqlalchemy import select

from loket.db import get_tm_session
from loket.dossiers.models import Dossier
from loket.letters.models import Letter
from loket.letters.rendering import job
from tests.browser.conftest import log_in


def _dossier(live, title, kind):
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        db = get_tm_session(live.app.registry["dbsession_factory"], manager)
        dossier = db.scalar(select(Dossier).where(Dossier.title == title))
        [letter] = [letter for letter in db.scalars(select(Letter).where(
            Letter.dossier_id == dossier.id)) if letter.kind == kind]
        return dossier.reference, dossier.type_version.dossier_type.code, letter.id


def test_the_handler_sees_and_overrides_the_letters(live, desktop):
    """Tom's permit dossier: its receipt needs no signature; he overrides, and the college's
    mayor and general director must sign it."""
    job(live.app.registry)
    reference, _type_code, letter_id = _dossier(live, "Inname openbaar domein", "receipt")
    log_in(desktop, "Tom Jacobs")
    desktop.visit(f"/dossiers/{reference}")
    article = desktop.locator(f"#brief-{letter_id}")
    article.get_by_role("heading", name="Ontvangstbewijs", exact=False).wait_for()
    text = article.inner_text()
    assert "klaar om te verzenden" in text
    assert "Deze soort brief heeft geen handtekening nodig." in text
    desktop.check_accessibility()

    article.get_by_text("Screening aanpassen").click()
    article.get_by_label("Ja, hij moet ondertekend worden").check()
    article.get_by_label("Reden").fill("Aangetekend te versturen: met handtekening")
    article.get_by_role("button", name="Aanpassen").click()
    desktop.wait_for_load_state()
    article = desktop.locator(f"#brief-{letter_id}")
    assert "wacht op handtekeningen" in article.inner_text()
    assert "Luc Janssens, burgemeester: wacht" in article.inner_text()
    assert "Hilde Goossens, algemeen directeur: wacht" in article.inner_text()
    assert "Screening van de brief aangepast" in desktop.locator("#tijdlijn").inner_text()
    desktop.check_accessibility()


def test_the_administrator_edits_and_previews_a_letter(live, desktop):
    job(live.app.registry)
    reference, type_code, _letter = _dossier(live, "Geboortepremie", "decision.granted")
    log_in(desktop, "An Mertens")
    desktop.visit(f"/catalogus/{type_code}/1/@@brieven?soort=decision.granted")
    desktop.get_by_role("heading", name="Brieven van versie 1").wait_for()
    desktop.check_accessibility()
    desktop.get_by_label("Tekst (Nederlands)").fill("Beste {{ recipient.name }},\n\n{{ bedrag }}")
    desktop.get_by_label("Voorbeeld op dossier (nummer)").fill(reference)
    # An unknown variable: the page names it and its line (no new tab for a refusal).
    desktop.locator("form#brief-bewerken").evaluate("form => form.removeAttribute('target')")
    desktop.get_by_role("button", name="Voorbeeld (pdf)").evaluate(
        "button => button.removeAttribute('formtarget')")
    desktop.get_by_role("button", name="Voorbeeld (pdf)").click()
    desktop.wait_for_load_state()
    assert 'regel 3: onbekende variabele "bedrag"' in desktop.locator("#brief-fouten").inner_text()
    desktop.check_accessibility()
