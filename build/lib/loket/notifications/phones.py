"""Phone numbers as people type them, checked against the numbering plans (``phonenumbers``,
Google's libphonenumber metadata) and stored in E.164.

Belgian numbers may be written nationally (``0470 12 34 56``, ``011 12 34 56``), with ``+32``
or ``0032``; other countries need their international prefix. Junk never raises: it is simply
not a phone number.
"""

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

DEFAULT_REGION = "BE"
# What people write around the digits. Letters are refused outright: libphonenumber would
# read "0800 FLOWERS" as a vanity number, which is never what a citizen means here.
_TYPED = re.compile(r"^\+?[0-9 ()./\-\u00a0]{6,30}$")
_SMS_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


@dataclass(frozen=True)
class PhoneNumber:
    e164: str  # "+32470123456": what is stored and sent to the SMS gateway
    region: str | None  # "BE"
    can_receive_sms: bool  # mobile, or a plan that does not tell mobile from fixed (US)
    display: str  # "0470 12 34 56" for Belgian numbers, "+31 6 12345678" otherwise


def parse_phone(text, default_region: str = DEFAULT_REGION) -> PhoneNumber | None:
    """The number ``text`` stands for, or ``None`` when it is not a valid phone number."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not _TYPED.match(text):
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    region = phonenumbers.region_code_for_number(number)
    style = (PhoneNumberFormat.NATIONAL if region == default_region
             else PhoneNumberFormat.INTERNATIONAL)
    return PhoneNumber(
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        region=region,
        can_receive_sms=phonenumbers.number_type(number) in _SMS_TYPES,
        display=phonenumbers.format_number(number, style),
    )


def is_e164(text) -> bool:
    """Strictly E.164 (what a gateway accepts): ``+``, country code, digits, and valid."""
    return (isinstance(text, str) and re.fullmatch(r"\+[1-9][0-9]{6,14}", text) is not None
            and parse_phone(text) is not None)
