"""Letters in a real browser: the worker renders the demo's letters; Els sees them on Sofie's
approved birth premium (the decision letter needs no signature by the type's rule) and
overrides the screening with a reason; An edits the wording and previews it on the dossier.
Every page passes axe."""

import transaction
from sqlalchemy import select

from loket.db import get_tm_session
from loket.dossiers.models import Dossier
from loket.letters.models import Letter
from loket.letters.rendering import job
from tests.browser.conftest import log_in


def _sofies_dossier(live):
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        db = get_tm_session(live.app.registry["dbsession_factory"], manager)
        dossier = db.scalar(select(Dossier).where(Dossier.title == "Geboortepremie"))
        [letter] = [letter for letter in db.scalars(select(Letter).where(
            Letter.dossier_id == dossier.id)) if letter.kind == "decision.granted"]
        return dossier.reference, dossier.type_version.dossier_type.code, letter.id


def test_the_handler_sees_and_overrides_the_letters(live, desktop):
    job(live.app.registry)
    reference, type_code, letter_id = _sofies_dossier(live)
    log_in(desktop, "Els Maes")
    desktop.visit(f"/dossiers/{reference}")
    panel = desktop.locator("#brieven")
    panel.get_by_role("heading", name="Beslissing: goedgekeurd", exact=False).wait_for()
    text = panel.inner_text()
    assert "klaar om te verzenden" in text
    assert "Volgens het dossiertype hebben de beslissingen geen handtekening nodig." in text
    desktop.check_accessibility()

    article = desktop.locator(f"#brief-{letter_id}")
    article.get_by_text("Screening aanpassen").click()
    article.get_by_label("Ja, hij moet ondertekend worden").check()
    article.get_by_label("Reden").fill("Aangetekend te versturen: met handtekening")
    article.get_by_role("button", name="Aanpassen").click()
    desktop.wait_for_load_state()
    article = desktop.locator(f"#brief-{letter_id}")
    assert "wacht op handtekeningen" in article.inner_text()
    assert "Els Maes, gemachtigd ambtenaar: wacht" in article.inner_text()
    assert "Screening van de brief aangepast" in desktop.locator("#tijdlijn").inner_text()
    desktop.check_accessibility()


def test_the_administrator_edits_and_previews_a_letter(live, desktop):
    job(live.app.registry)
    reference, type_code, _letter = _sofies_dossier(live)
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
