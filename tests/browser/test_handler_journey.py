"""The handler's back office end to end (issue #6): Els takes Jan's unassigned heating allowance,
declares it admissible, watches the automatic MAGDA checks (income and social status) arrive,
asks the financial service (internal) and FOD Sociale Zekerheid (external API) for advice;
Nadia answers in her own worklist, the advice simulator answers by callback, and Els moves the
dossier to "klaar voor beslissing". Everything over real HTTP, the worker run pass by pass."""

import re
import time
from datetime import date, timedelta

import pytest
import transaction
from playwright.sync_api import expect
from sqlalchemy import select

import tests.browser.conftest as browser_conftest
from loket.advice.models import AdviceRequest
from loket.checks.models import FINAL, CheckResult
from loket.db import get_tm_session
from loket.dossiers.models import Dossier
from loket.outbox.relay import Relay
from tests.browser.conftest import DESKTOP, Page, _page, log_in, running_loket

WAIT = 30  # seconds: the longest the worker or a simulator may take for one step


@pytest.fixture(scope="module")
def live(tmp_path_factory, app_settings):
    """Its own Loket (state stays here) with MAGDA and the external advice plug-in."""
    extra = {"loket.integrations.person_register": "magda",
             "loket.integrations.income": "magda-inkomen",
             "loket.integrations.magda.identificatie": "heidebeek.loket.test",
             "loket.integrations.magda.hoedanigheid": "1234",
             "loket.integrations.magda.purposes": "sociale-premie-aanvraag inkomenscontrole",
             "loket.integrations.magda.timeout": "3",
             "loket.integrations.advice": "advies-api",
             "loket.integrations.advies-api.api_key": "advies-test-key",
             "loket.simulators.advies.delay": "0.2"}
    made = []

    def make_simulators(settings):
        made.append(dispatcher := real_make_simulators(settings))
        return dispatcher

    def addresses(simulators):
        # The advice simulator was made before the issuer's address was known.
        made[0].apps["advies"].issuer = f"{simulators}/acmidm/op"
        return {"loket.integrations.magda.base_url": f"{simulators}/magda",
                "loket.integrations.advies-api.base_url": f"{simulators}/advies"}

    real_make_simulators = browser_conftest.make_simulators
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(browser_conftest, "make_simulators", make_simulators)
        with running_loket(tmp_path_factory.mktemp("live-handler"), app_settings, extra,
                           addresses) as running:
            yield running


@pytest.fixture(scope="module")
def relay(live):
    relay = Relay(live.app.registry)
    yield relay
    relay.close()


@pytest.fixture
def adviser(browser, live):
    """A second browser context, for the adviser persona."""
    yield from _page(browser, live, DESKTOP)


def log_in_checked(page: Page, persona_name: str):
    """Like ``log_in``, with the accessibility check on every page on the way."""
    page.visit("/")
    page.check_accessibility()
    log_in(page, persona_name)  # checks the simulator's persona page
    page.check_accessibility()  # where Loket lands the persona


def read(live, query):
    """``query(dbsession)`` in a fresh read-only transaction of the live app's database."""
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        return query(get_tm_session(live.app.registry["dbsession_factory"], manager))


def work_until(relay, done, what: str):
    """Run worker passes until ``done()``: the outbox's retries and the simulators' delays."""
    deadline = time.monotonic() + WAIT
    while not done():
        assert time.monotonic() < deadline, f"the worker did not get there: {what}"
        relay.process()
        time.sleep(0.1)


def checks_final(live, reference) -> bool:
    statuses = read(live, lambda db: db.scalars(select(CheckResult.status).join(
        Dossier, Dossier.id == CheckResult.dossier_id).where(Dossier.reference == reference))
        .all())
    return bool(statuses) and all(status in FINAL for status in statuses)


def advice_statuses(live, reference) -> list[str]:
    return read(live, lambda db: db.scalars(select(AdviceRequest.status).join(
        AdviceRequest.dossier).where(Dossier.reference == reference)
        .order_by(AdviceRequest.number)).all())


def test_handler_takes_a_dossier_to_ready_for_decision(live, relay, desktop, adviser):
    # Els finds Jan's heating allowance among the unassigned dossiers and takes it.
    log_in_checked(desktop, "Els Maes")
    desktop.visit("/werkbank")
    desktop.get_by_role("heading", level=1, name="Werkbank").wait_for()
    desktop.check_accessibility()
    lists = desktop.get_by_role("navigation", name="Werklijsten")
    lists.get_by_role("link", name=re.compile(r"^Niet toegewezen")).click()
    expect(lists.locator("[aria-current=page]")).to_contain_text("Niet toegewezen")
    desktop.check_accessibility()
    row = desktop.locator("tbody tr", has_text="Jan Peeters").filter(has_text="Verwarmingstoelage")
    reference = row.get_by_role("rowheader").inner_text().strip()
    assert reference.startswith("20")
    row.get_by_role("button", name=re.compile(r"^Neem dossier")).click()
    expect(desktop.get_by_role("link", name=reference, exact=True)).to_have_count(0)  # taken
    desktop.wait_for_load_state()
    desktop.check_accessibility()

    # She opens it from her own list: assigned to her, the admissibility panel waits for her.
    lists.get_by_role("link", name=re.compile(r"^Mijn dossiers")).click()
    expect(lists.locator("[aria-current=page]")).to_contain_text("Mijn dossiers")
    desktop.check_accessibility()
    desktop.get_by_role("link", name=reference, exact=True).click()
    desktop.get_by_role("heading", level=1, name="Verwarmingstoelage").wait_for()
    assert desktop.locator("#behandelaar").inner_text() == "Els Maes"
    desktop.check_accessibility()
    desktop.get_by_role("radio", name=re.compile(r"^Ontvankelijk")).check()
    desktop.get_by_role("button", name="Beslissing opslaan").click()
    desktop.get_by_role("status").first.wait_for()
    checks = desktop.locator("section", has=desktop.get_by_role(
        "heading", level=2, name="Automatische controles", exact=True))
    income = checks.locator("li", has=desktop.get_by_role("heading", level=3, name="Inkomen"))
    status = checks.locator("li", has=desktop.get_by_role(
        "heading", level=3, name=re.compile(r"^Sociaal statuut")))
    # Nothing is consulted yet: both checks wait for MAGDA, neither passes.
    assert "Wacht op de bron" in income.inner_text()
    assert "Wacht op de bron" in status.inner_text()
    desktop.check_accessibility()

    # The worker runs the MAGDA checks by itself; Els reloads and reads the results.
    work_until(relay, lambda: checks_final(live, reference), "the automatic checks")
    desktop.reload()
    assert "Wacht op de bron" not in checks.inner_text()
    text = income.inner_text()  # the reference year, the amount and the limit, with its source
    assert re.search(r"aanslagjaar 20\d\d .*belastbaar inkomen € \d[\d.]*", text), text
    assert "Voldaan" in text and "Bron: MAGDA GeefAanslagbiljetPersonenbelasting" in text, text
    text = status.inner_text()
    assert "Voldaan" in text and "verhoogde tegemoetkoming" in text, text
    assert "Bron: MAGDA GeefSociaalStatuut" in text, text
    desktop.check_accessibility()

    # Advice: the financial service (internal) and FOD Sociale Zekerheid (external API).
    due = (date.today() + timedelta(days=14)).isoformat()
    for service, question in [("Financiële dienst", "Is er een openstaande schuld?"),
                              ("FOD Sociale Zekerheid", "Heeft Jan een verhoogde tegemoetkoming?")]:
        form = desktop.locator("form#adviesvraag")
        form.get_by_label("Dienst", exact=True).select_option(label=service)
        form.get_by_label("Vraag", exact=True).fill(question)
        form.get_by_label("Advies verwacht tegen").fill(due)
        form.get_by_role("button", name="Advies vragen").click()
        desktop.get_by_role("heading", level=1, name=re.compile(r"^Adviesvraag \d")).wait_for()
        desktop.check_accessibility()  # the new request's page
        desktop.visit(f"/dossiers/{reference}")
        desktop.check_accessibility()
    advice = desktop.locator("section", has=desktop.get_by_role(
        "heading", level=2, name="Advies", exact=True))
    assert advice.locator("tbody tr").count() == 2
    assert advice.locator("tbody tr", has_text="Verwacht").count() == 2

    # Nadia (financial service) answers in her own worklist.
    log_in_checked(adviser, "Nadia Vermeulen")
    adviser.visit("/adviezen")
    adviser.get_by_role("heading", level=1, name="Adviesvragen").wait_for()
    adviser.check_accessibility()
    adviser.get_by_role("link", name=re.compile(re.escape(reference))).click()
    adviser.get_by_role("heading", level=2, name="Geef je advies").wait_for()
    adviser.check_accessibility()
    form = adviser.locator("form#advies")
    form.get_by_role("radio", name="Gunstig", exact=True).check()
    form.get_by_label("Toelichting", exact=True).fill("Geen openstaande schulden bij ons.")
    form.get_by_role("button", name="Advies versturen").click()
    expect(adviser.get_by_role("link", name=re.compile(re.escape(reference)))).to_have_count(0)
    adviser.wait_for_load_state()
    adviser.get_by_role("heading", level=1, name="Adviesvragen").wait_for()  # back in her list
    adviser.check_accessibility()

    # The worker sends the external request; the simulator answers by callback.
    work_until(relay, lambda: advice_statuses(live, reference) == ["answered", "answered"],
               "both advice answered")

    # Els sees both answers and moves the dossier on.
    desktop.reload()
    assert advice.locator("tbody tr", has_text="Beantwoord: Gunstig").count() == 2
    desktop.check_accessibility()
    step = desktop.locator("form.step-form", has=desktop.get_by_role(
        "button", name="Klaar voor beslissing"))
    step.get_by_role("textbox").fill("Beide adviezen gunstig.")
    step.get_by_role("button", name="Klaar voor beslissing").click()
    desktop.get_by_role("heading", level=2, name="Status: Klaar voor beslissing").wait_for()
    assert desktop.locator(".facts .badge--klaar_voor_beslissing").inner_text() == \
        "Klaar voor beslissing"
    desktop.check_accessibility()
