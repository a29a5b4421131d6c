"""The Belgian structured reference (gestructureerde mededeling, OGM/VCS): ten digits and a
mod-97 check (97 when the remainder is 0), written ``+++123/4567/89012+++``."""

import re

from stdnum.be import ogm_vcs

BASE_DIGITS = 10
_SEPARATORS = re.compile(r"[\s+/*.-]")


def for_number(number: int) -> str:
    """The 12 digits of the reference of claim ``number`` (unique per claim: the claim's id
    is the base)."""
    if not 0 < number < 10 ** BASE_DIGITS:
        raise ValueError("a claim number has one to ten digits")
    base = f"{number:0{BASE_DIGITS}d}"
    return base + ogm_vcs.calc_check_digits(base)


def parse(value) -> str | None:
    """The 12 digits of a valid reference in ``value`` (``+++…+++``, ``***…***``, spaces or
    slashes allowed), or None: never raises."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    digits = _SEPARATORS.sub("", value)
    if len(digits) != 12 or not digits.isascii() or not digits.isdigit():
        return None
    return digits if ogm_vcs.is_valid(digits) else None


def display(reference: str) -> str:
    """``+++123/4567/89012+++``."""
    return f"+++{ogm_vcs.format(reference)}+++"
