"""The catalogue in Debian's chromium: repeating groups work under the Content-Security-Policy,
and the pages pass axe-core's WCAG 2.1 AA checks."""

import pytest

from loket.identity.sessions import COOKIE_NAME
from tests.browser.conftest import Page

pytestmark = pytest.mark.browser

PAGES = [
    "/catalogus", "/catalogus/verwarmingstoelage", "/catalogus/@@beheer", "/catalogus/@@nieuw",
    "/catalogus/@@importeren", "/catalogus/verwarmingstoelage/1",
    "/catalogus/verwarmingstoelage/2/@@bewerken",
    "/catalogus/verwarmingstoelage/2/@@bewerken?deel=teksten",
    "/catalogus/verwarmingstoelage/2/@@bewerken?deel=bedragen",
    "/catalogus/verwarmingstoelage/2/@@bewerken?deel=formulier",
    "/catalogus/verwarmingstoelage/2/@@bewerken?deel=formulier&lijst=form.steps.2.fields&item=0",
    "/catalogus/verwarmingstoelage/2/@@bewerken?deel=documenten",
    "/catalogus/verwarmingstoelage/2/@@bewerken?deel=termijnen&lijst=deadlines&item=0",
    "/catalogus/verwarmingstoelage/2/@@bewerken?deel=geavanceerd",
    "/catalogus/verwarmingstoelage/2/@@publiceren",
    "/catalogus/verwarmingstoelage/2/@@voorbeeld?stap=2",
]


@pytest.fixture
def admin_page(browser, live_catalogue):
    base_url, token = live_catalogue
    context = browser.new_context(locale="nl-BE")
    context.add_cookies([{"name": COOKIE_NAME, "value": token, "url": base_url}])
    page = Page(context.new_page(), type("Live", (), {"url": base_url})())
    errors = []
    page.page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


def test_repeating_group_add_and_remove(admin_page):
    page = admin_page.visit("/catalogus/geboortepremie/1/@@voorbeeld?stap=2")
    items = page.locator(".deform-seq-item")
    assert items.count() == 1
    page.get_by_role("button", name="Kind toevoegen").click()
    assert items.count() == 2
    page.get_by_role("button", name="Verwijderen").last.click()
    assert items.count() == 1
    admin_page.check_accessibility()


def test_catalogue_pages_are_accessible(admin_page):
    for path in PAGES:
        admin_page.visit(path)
        admin_page.check_accessibility()
    # A step checked with errors, too (past the browser's own checks of required fields).
    page = admin_page.visit("/catalogus/verwarmingstoelage/2/@@voorbeeld?stap=3")
    page.evaluate("document.querySelectorAll('[required]').forEach("
                  "e => e.removeAttribute('required'))")
    page.get_by_role("button", name="Deze stap controleren").click()
    page.wait_for_load_state()
    assert page.locator(".invalid-feedback").count() > 0
    admin_page.check_accessibility()
