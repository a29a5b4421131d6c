"""Language, texts and time as people read them.

Dutch by default, English as second language; Deform and Colander follow the same locale. The
database stores UTC: every page, PDF and message shows Belgian time through ``local``, and
dates, times and amounts are formatted by Babel for the request's language. Data carries its
own ``{nl, en}`` texts; ``text`` picks the one of the current language.

Kernel module: it imports only the standard library, Pyramid and Babel.
"""

import functools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from babel import Locale
from babel.numbers import format_decimal, parse_pattern
from pyramid.i18n import TranslationStringFactory

_ = TranslationStringFactory("loket")

LANGUAGES = {"nl": "Nederlands", "en": "English"}
DEFAULT_LOCALE = "nl"
LOCALE_COOKIE = "loket_taal"
# Flemish Dutch, and British English: day before month, as the Dutch pages write it.
BABEL_LOCALES = {"nl": "nl_BE", "en": "en_GB"}

# The municipality's clock: legal deadlines, meetings and what people read are in Belgian time.
LOCAL_TIME = ZoneInfo("Europe/Brussels")

# All digits, the same in both languages: formatted directly (Babel parses its pattern and
# locale on every call, a tenth of a page with a dozen dates). tests/test_i18n.py holds them
# equal to Babel's output for these patterns.
DATE_PATTERN = "dd/MM/yyyy"
TIME_PATTERN = "HH:mm"


def locale_negotiator(request) -> str:
    # Dutch unless the visitor chose otherwise: a Flemish administration speaks Dutch first,
    # whatever language the browser happens to be set to.
    locale = request.cookies.get(LOCALE_COOKIE)
    return locale if locale in LANGUAGES else DEFAULT_LOCALE


def babel_locale(locale: str | None) -> str:
    return BABEL_LOCALES.get(locale or DEFAULT_LOCALE, BABEL_LOCALES[DEFAULT_LOCALE])


def text(value, locale: str | None = DEFAULT_LOCALE) -> str:
    """A ``{nl, en}`` text in ``locale``, Dutch when that language is missing; anything else as
    a string (``None`` as empty)."""
    if not isinstance(value, dict):
        return "" if value is None else str(value)
    return str(value.get(locale or DEFAULT_LOCALE) or value.get(DEFAULT_LOCALE) or "")


# -- time ------------------------------------------------------------------------------------

def local(moment: datetime) -> datetime:
    """A stored moment as Belgian wall-clock time (a naive moment is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TIME)


def local_now() -> datetime:
    return datetime.now(LOCAL_TIME)


def local_date(moment: datetime | date) -> date:
    """The Belgian calendar day of a moment (a date is already a day)."""
    return local(moment).date() if isinstance(moment, datetime) else moment


def start_of_local_day(day: date) -> datetime:
    """Midnight in Brussels of ``day``, as an aware moment (for 'from … to …' filters); the
    first day a date can name starts at the first moment there is (in UTC, which stores it)."""
    if day == date.min:
        return datetime.min.replace(tzinfo=UTC)
    return datetime(day.year, day.month, day.day, tzinfo=LOCAL_TIME)


def end_of_local_day(day: date) -> datetime:
    """When the Belgian ``day`` ends: the next midnight (for 'until … included' filters, as
    ``moment < end``); the last day a date can name ends at the last moment there is."""
    if day == date.max:
        return datetime.max.replace(tzinfo=LOCAL_TIME)
    return start_of_local_day(day + timedelta(days=1))


def format_date(value: datetime | date | None, locale: str | None = DEFAULT_LOCALE) -> str:
    """``28/03/2026``: a moment by its Belgian day."""
    if value is None:
        return ""
    day = local_date(value)
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def format_datetime(value: datetime | None, locale: str | None = DEFAULT_LOCALE,
                    seconds: bool = False) -> str:
    """``28/03/2026 10:46`` in Belgian time."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return format_date(value, locale)
    moment = local(value)
    shown = f"{format_date(moment)} {moment.hour:02d}:{moment.minute:02d}"
    return f"{shown}:{moment.second:02d}" if seconds else shown


def format_time(value: datetime | None, locale: str | None = DEFAULT_LOCALE) -> str:
    if value is None:
        return ""
    moment = local(value)
    return f"{moment.hour:02d}:{moment.minute:02d}"


# -- numbers ---------------------------------------------------------------------------------

def _decimal(value) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value).strip())


def format_amount(value, locale: str | None = DEFAULT_LOCALE, whole: bool = False) -> str:
    """``€ 26.739,25`` (Dutch) or ``€26,739.25`` (English); with ``whole``, a round amount
    without cents (``€ 750``). A value that is no number comes back as it is."""
    if value is None or value == "":
        return ""
    try:
        amount = _decimal(value)
    except (InvalidOperation, ValueError):
        return str(value)
    whole = whole and amount == amount.to_integral_value()
    babel, pattern = _currency_pattern(babel_locale(locale), whole)
    formatted = pattern.apply(amount, babel, currency="EUR", currency_digits=not whole)
    # A plain space, as typed: texts, e-mails and searches match what people write.
    return formatted.replace("\xa0", " ")


@functools.cache
def _currency_pattern(name: str, whole: bool):
    """Babel's locale and currency pattern, parsed once (``format_currency`` parses both on
    every call: a third of a list of amounts)."""
    babel = Locale.parse(name)
    pattern = babel.currency_formats["standard"]
    return babel, parse_pattern(pattern.pattern.replace(".00", "")) if whole else pattern


def format_number(value, locale: str | None = DEFAULT_LOCALE) -> str:
    try:
        return format_decimal(_decimal(value), locale=babel_locale(locale))
    except (InvalidOperation, ValueError):
        return str(value)


def format_size(size: int, locale: str | None = DEFAULT_LOCALE) -> str:
    """A file size as people read it: whole kilobytes (at least 1), megabytes with one
    decimal in the language's notation (``1,4 MB`` in Dutch)."""
    kilobytes = size / 1024
    if kilobytes < 1024:
        return f"{max(1, round(kilobytes))} kB"
    megabytes = format_decimal(round(kilobytes / 1024, 1), format="#,##0.0",
                               locale=babel_locale(locale))
    return f"{megabytes} MB"


# Template filters: each takes the request's language; ``loket.web`` hands them to Jinja2.
FILTERS = {
    "text": text,
    "date": format_date,
    "datetime": format_datetime,
    "time": format_time,
    "amount": format_amount,
    "number": format_number,
    "filesize": format_size,
}


def includeme(config):
    config.set_locale_negotiator(locale_negotiator)
    # Later entries win: our Dutch overrides for Deform and Colander come last.
    config.add_translation_dirs("colander:locale/", "deform:locale/", "loket:locale/")
