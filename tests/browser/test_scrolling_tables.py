"""Issue 19, point 10: a scrolling table can be reached and scrolled by keyboard (axe's
scrollable-region-focusable), on a phone where the MAGDA log does not fit."""

from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import log_in


def test_the_magda_log_table_scrolls_by_keyboard(phone):
    log_in(phone, "An Mertens")
    phone.visit("/beheer/magda-log")
    wrapper = phone.locator("table").first.locator("xpath=..")
    assert wrapper.get_attribute("tabindex") == "0"
    assert wrapper.get_attribute("aria-label") or wrapper.get_attribute("aria-labelledby")
    result = Axe().run(phone.page, options={"runOnly": ["scrollable-region-focusable"]})
    assert result.response["violations"] == []
    phone.check_accessibility()
