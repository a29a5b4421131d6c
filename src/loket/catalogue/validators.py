"""Colander types and validators for the citizen's form: IBAN, phone, postcode, amounts.

Messages are loket translation strings, so a citizen reads them in Dutch or English.
"""

import re
from decimal import ROUND_HALF_UP

import colander

from loket.i18n import _
from loket.identity import iban, insz
from loket.settings import accepts_test_numbers

_PHONE_NOISE = re.compile(r"[\s./()\-]")
_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
_NUMBER_NOISE = re.compile(r"[\s\u00a0\u202f€]")
# What LocaleDecimal reads, after the noise is gone: digits with one decimal separator
# (1420,5 or 1420.50), or points grouping threes with an optional decimal comma (1.420,50).
_PLAIN_NUMBER = re.compile(r"^-?[0-9]+([.,][0-9]+)?$")
_GROUPED_NUMBER = re.compile(r"^-?[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?$")
_MAX_NUMBER_LENGTH = 40
POSTCODE = re.compile(r"^[1-9][0-9]{3}$")


def normalise_phone(value: str) -> str | None:
    """``value`` in E.164 (``+32470123456``), or None when it is no phone number.

    Belgian numbers may be written nationally: 9 digits for a fixed line (``02 123 45 67``,
    Liège's ``04 …`` too), 10 for a mobile (``0470 12 34 56``); others need ``+`` or ``00``
    and their country code."""
    raw = _PHONE_NOISE.sub("", value or "")
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    if raw.startswith("+"):
        digits = raw[1:]
        if not digits.isdigit() or not 8 <= len(digits) <= 15 or digits[0] == "0":
            return None
        if digits.startswith("32") and not _belgian("0" + digits[2:]):
            return None
        return "+" + digits
    if raw.isdigit() and raw.startswith("0") and _belgian(raw):
        return "+32" + raw[1:]
    return None


def _belgian(national: str) -> bool:
    if len(national) == 9:
        return national[1] != "0"
    return len(national) == 10 and national[:3] in ("046", "047", "048", "049")


def phone_validator(node, value):
    if normalise_phone(value) is None:
        raise colander.Invalid(node, _(
            "Enter a Belgian phone number (for example 0470 12 34 56) or an international "
            "one that starts with + and the country code."))


def phone_preparer(value):
    if not isinstance(value, str):
        return value
    return normalise_phone(value) or value


def iban_preparer(value):
    return iban.compact(value) if isinstance(value, str) else value


def iban_validator(node, value):
    if not iban.is_valid(value):
        raise colander.Invalid(node, _(
            "This is not a valid IBAN account number (for example BE71 0961 2345 6769)."))


def national_number_preparer(value):
    return insz.normalise(value) if isinstance(value, str) else value


def is_test_number(value: str) -> bool:
    return 61 <= int(value[2:4]) <= 72


@colander.deferred
def national_number_validator(node, kw):
    """A national register (or BIS) number with valid check digits; MAGDA's test numbers only
    where the settings accept them (never in production)."""
    request = kw.get("request")
    accept_test = request is not None and accepts_test_numbers(request.registry.settings)

    def validate(node, value):
        if not insz.is_valid(value):
            raise colander.Invalid(node, _(
                "This is not a valid national register number: 11 digits, for example "
                "85.07.30-033.28 (on the back of your identity card)."))
        if is_test_number(value) and not accept_test:
            raise colander.Invalid(node, _("This is a test number, not a real national "
                                           "register number."))

    return validate


def postcode_validator(node, value):
    if not POSTCODE.match(value or ""):
        raise colander.Invalid(node, _("A Belgian postcode has four digits."))


class LocaleDecimal(colander.Decimal):
    """A decimal as people type it in Flanders: ``1.420,50``, ``1420,5``, ``1420.50``, and
    ``1.000`` or ``2.500.000`` for a thousand and two and a half million (a point before
    groups of three digits groups them; it is a decimal point only elsewhere)."""

    def __init__(self, quant=None):
        super().__init__(quant=quant, rounding=ROUND_HALF_UP if quant else None)

    def deserialize(self, node, cstruct):
        if isinstance(cstruct, str) and cstruct.strip():
            cleaned = _NUMBER_NOISE.sub("", cstruct)
            # Anything else ("1,000.00.00", "NaN", "Infinity", "1e999") is refused, never
            # read as some other number.
            if len(cleaned) > _MAX_NUMBER_LENGTH or not (
                    _PLAIN_NUMBER.match(cleaned) or _GROUPED_NUMBER.match(cleaned)):
                raise colander.Invalid(node, colander._('"${val}" is not a number',
                                                        mapping={"val": cstruct[:40]}))
            if "," in cleaned:
                cleaned = cleaned.replace(".", "").replace(",", ".")
            elif _THOUSANDS.match(cleaned):
                cleaned = cleaned.replace(".", "")
            cstruct = cleaned
        return super().deserialize(node, cstruct)
