"""Translations: complete and current Dutch catalogues, the language switch, and Deform's and
Colander's messages in Dutch.

The compiled catalogues (.mo) are build output: `make install` (and so `make test`) runs
`make i18n-compile` first.
"""

import re
import subprocess
import sys
from pathlib import Path

import colander
import deform
import pytest
from babel.messages.pofile import read_po
from pyramid import testing
from pyramid.threadlocal import manager

from loket.i18n import LOCALE_COOKIE

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "src" / "loket" / "locale"
PLACEHOLDER = re.compile(r"\$\{\w+\}")


def read_catalog(path):
    with open(path, "rb") as f:
        return read_po(f)


def messages(catalog):
    """The real entries of a catalogue: no header, no obsolete entries."""
    return [m for m in catalog if m.id]


def msgid(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def untranslated(catalog) -> list[str]:
    return [
        msgid(m) for m in messages(catalog)
        if m.fuzzy or not all(m.string if isinstance(m.string, tuple) else (m.string,))
    ]


def placeholder_mismatches(catalog) -> list[str]:
    return [
        msgid(m) for m in messages(catalog)
        if sorted(PLACEHOLDER.findall(msgid(m))) != sorted(PLACEHOLDER.findall(
            m.string if isinstance(m.string, str) else m.string[0]))
    ]


# -- the loket catalogue -------------------------------------------------------------------


def test_every_loket_message_has_a_dutch_translation():
    catalog = read_catalog(LOCALE_DIR / "nl" / "LC_MESSAGES" / "loket.po")
    assert messages(catalog), "the Dutch catalogue is empty"
    assert untranslated(catalog) == [], "untranslated or fuzzy in nl/loket.po"
    assert placeholder_mismatches(catalog) == [], "${placeholders} lost in translation"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """What `make i18n-extract` extracts from the sources right now."""
    pot = tmp_path_factory.mktemp("i18n") / "loket.pot"
    result = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "--quiet", "extract",
         "-F", str(ROOT / "babel.cfg"), "-o", str(pot), "src/loket"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    return {msgid(m) for m in messages(read_catalog(pot))}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_catalogues_are_up_to_date_with_the_sources(extracted, language):
    catalog = read_catalog(LOCALE_DIR / language / "LC_MESSAGES" / "loket.po")
    known = {msgid(m) for m in messages(catalog)}
    missing = sorted(extracted - known)
    assert extracted, "the extractor found no messages (babel.cfg?)"
    assert missing == [], (
        f"{language}/loket.po lacks these msgids: run `make i18n-extract` and translate them: "
        + "; ".join(missing)
    )


# -- Deform's and Colander's Dutch overrides -------------------------------------------------


@pytest.mark.parametrize("package", [deform, colander], ids=["deform", "colander"])
def test_dutch_overrides_cover_every_deform_and_colander_message(package):
    domain = package.__name__
    pot = read_catalog(Path(package.__file__).parent / "locale" / f"{domain}.pot")
    ours = read_catalog(LOCALE_DIR / "nl" / "LC_MESSAGES" / f"{domain}.po")
    assert untranslated(ours) == []
    assert placeholder_mismatches(ours) == []
    assert {msgid(m) for m in messages(pot)} <= {msgid(m) for m in messages(ours)}


def test_compiled_catalogues_are_current():
    stale = []
    for po in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            stale.append(str(po.relative_to(ROOT)))
    assert stale == [], "compile the catalogues: make i18n-compile"


# -- the pages -------------------------------------------------------------------------------


def test_home_page_is_dutch_by_default(testapp):
    page = testapp.get("/")
    assert '<html lang="nl">' in page.text
    assert "Naar de inhoud" in page.text
    assert "Aanmelden" in page.text
    assert "Zo werkt het" in page.text
    assert "Skip to content" not in page.text


def test_language_switch_to_english_and_back(testapp):
    response = testapp.get("/taal", params={"kies": "en", "terug": "/"}, status=302)
    assert response.location.endswith("/")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{LOCALE_COOKIE}=en;")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert testapp.cookies.get(LOCALE_COOKIE) == "en"

    page = testapp.get("/")
    assert '<html lang="en">' in page.text
    assert "Skip to content" in page.text
    assert "How it works" in page.text
    assert "Naar de inhoud" not in page.text
    # The switch offers the other language, marked up as Dutch.
    assert page.html.find("a", hreflang="nl", lang="nl").text == "Nederlands"

    testapp.get("/taal", params={"kies": "nl"}, status=302)
    assert '<html lang="nl">' in testapp.get("/").text


def test_unknown_language_keeps_dutch(testapp):
    response = testapp.get("/taal", params={"kies": "xx"}, status=302)
    assert "Set-Cookie" not in response.headers
    testapp.set_cookie(LOCALE_COOKIE, "xx")
    assert '<html lang="nl">' in testapp.get("/").text


# -- Deform forms ----------------------------------------------------------------------------


class RequiredSchema(colander.Schema):
    name = colander.SchemaNode(colander.String(), title="Name")
    amount = colander.SchemaNode(colander.Integer(), title="Amount", missing=0)


@pytest.fixture
def request_in(app):
    """A request for ``language`` as the current Pyramid request, as during a real page."""
    pushed = []

    def request_in(language):
        cookies = {LOCALE_COOKIE: language} if language != "nl" else {}
        request = testing.DummyRequest(cookies=cookies)
        request.registry = app.registry
        manager.push({"request": request, "registry": app.registry})
        pushed.append(request)
        return request

    yield request_in
    for _ in pushed:
        manager.pop()


def failed_form(controls):
    form = deform.Form(RequiredSchema(), buttons=("submit",))
    with pytest.raises(deform.ValidationFailure) as failure:
        form.validate(controls)
    return failure.value.render()


def test_deform_required_error_is_dutch(request_in):
    request = request_in("nl")
    assert request.locale_name == "nl"
    html = failed_form([("name", ""), ("amount", "veel")])
    # Colander's "Required", from our override (Colander's own nl says just "Verplicht").
    assert "Dit veld is verplicht." in html
    assert '"veel" is geen getal' in html
    # Loket's one error banner instead of Deform's summary.
    assert "Sommige antwoorden kloppen nog niet." in html
    assert "Er is een probleem met" not in html
    assert ">Required<" not in html
    assert "There was a problem with your submission" not in html


def test_deform_required_error_is_english_when_chosen(request_in):
    request_in("en")
    html = failed_form([("name", "")])
    assert "Required" in html
    assert "Some answers are not right yet." in html
    assert "verplicht" not in html


@pytest.mark.parametrize("language", ["nl", "en"])
def test_dates_and_times_read_as_babel_writes_them(language):
    """The numeric patterns are formatted without Babel: the same text as Babel's, in Belgian
    time, across the change to and from summer time and for dates before the year 1000."""
    from datetime import UTC, date, datetime, timedelta

    from babel.dates import format_date as babel_date
    from babel.dates import format_datetime as babel_datetime

    from loket.i18n import (
        DATE_PATTERN,
        LOCAL_TIME,
        TIME_PATTERN,
        babel_locale,
        format_date,
        format_datetime,
        format_time,
    )

    locale = babel_locale(language)
    moments = [datetime(2026, 3, 29, 0, 30, tzinfo=UTC) + timedelta(minutes=47 * i)
               for i in range(40)]
    moments += [datetime(2026, 10, 25, 0, 5, 9, tzinfo=UTC), datetime(2026, 12, 31, 23, 30),
                datetime(987, 1, 2, 3, 4, 5, tzinfo=UTC)]
    for moment in moments:
        shown = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
        assert format_date(moment, language) == babel_date(
            shown.astimezone(LOCAL_TIME).date(), DATE_PATTERN, locale=locale)
        assert format_datetime(moment, language) == babel_datetime(
            shown, f"{DATE_PATTERN} {TIME_PATTERN}", tzinfo=LOCAL_TIME, locale=locale)
        assert format_datetime(moment, language, seconds=True) == babel_datetime(
            shown, f"{DATE_PATTERN} {TIME_PATTERN}:ss", tzinfo=LOCAL_TIME, locale=locale)
        assert format_time(moment, language) == babel_datetime(
            shown, TIME_PATTERN, tzinfo=LOCAL_TIME, locale=locale)
    assert format_date(date(2026, 2, 3), language) == "03/02/2026"
    assert format_datetime(date(2026, 2, 3), language) == "03/02/2026"
    assert format_date(None) == format_datetime(None) == format_time(None) == ""


@pytest.mark.parametrize("language", ["nl", "en"])
def test_amounts_read_as_babel_writes_them(language):
    """The currency pattern is parsed once per language: the same text as Babel's own
    format_currency, with and without cents, negative, large and rounded."""
    from decimal import Decimal

    from babel import Locale
    from babel.numbers import format_currency

    from loket.i18n import babel_locale, format_amount

    name = babel_locale(language)
    whole_pattern = Locale.parse(name).currency_formats["standard"].pattern.replace(".00", "")
    for text in ("0", "0.5", "1", "12.3", "750", "750.00", "26739.25", "-42.10", "1000000",
                 "999999.995", "0.004"):
        amount = Decimal(text)
        babel = format_currency(amount, "EUR", locale=name).replace("\xa0", " ")
        assert format_amount(amount, language) == babel
        if amount == amount.to_integral_value():
            babel = format_currency(amount, "EUR", format=whole_pattern, locale=name,
                                    currency_digits=False).replace("\xa0", " ")
        assert format_amount(amount, language, whole=True) == babel
    assert format_amount(Decimal("750"), "nl", whole=True) == "€ 750"
    assert format_amount("geen bedrag") == "geen bedrag"


def test_local_days_reach_the_ends_of_the_calendar():
    """'From' and 'until' filters take any date a form accepts: the first and the last day
    there is give moments a database stores, not an overflow."""
    from datetime import UTC, date, datetime

    from loket.i18n import LOCAL_TIME, end_of_local_day, start_of_local_day

    assert start_of_local_day(date.min).astimezone(UTC) == datetime.min.replace(tzinfo=UTC)
    assert end_of_local_day(date.max).astimezone(UTC).year == 9999
    assert end_of_local_day(date(2026, 3, 28)) == datetime(2026, 3, 29, tzinfo=LOCAL_TIME)
    assert start_of_local_day(date(2026, 3, 29)).utcoffset().total_seconds() == 3600
