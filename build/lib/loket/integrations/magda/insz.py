"""INSZ (national register / BIS number) check, MAGDA test (TST) numbers included.

11 digits; the last two are 97 − (the first nine mod 97), or for people born in 2000 or later
97 − ("2" + the first nine mod 97). Unlike python-stdnum, months 61–72 (TST numbers) and BIS
months are accepted: only the check digits are verified.
"""

import re

DIGITS = re.compile(r"^[0-9]{11}$")


def normalise(value: str) -> str:
    """Drop the usual separators (85.63.14-153.04 → 85631415304)."""
    return re.sub(r"[\s.\-]", "", value or "")


def is_valid(value: str) -> bool:
    if not isinstance(value, str) or not DIGITS.match(value):
        return False
    first, check = value[:9], int(value[9:])
    return check in (97 - int(first) % 97, 97 - int("2" + first) % 97)


def make(first_nine: str, born_2000_or_later: bool = False) -> str:
    """A valid number from its first nine digits (for test data)."""
    base = int(("2" if born_2000_or_later else "") + first_nine)
    return f"{first_nine}{97 - base % 97:02d}"


def masked(value: str) -> str:
    """For screens that need to hint at a number without showing it: 856314•••••."""
    return (value or "")[:6] + "•" * 5 if value else ""
