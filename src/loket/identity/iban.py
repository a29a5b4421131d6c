"""Bank accounts (IBAN): check digits and each country's format decide validity; a bank
registry only fills in the BIC.

python-stdnum's Belgian check also demands that the bank code is in its registry, so a valid
account of a bank it does not list yet (bank code 539, for one) was refused. Here the ISO 13616
check digits (mod 97), the country's length and pattern, and for Belgium the national check
digits (the BBAN's first ten digits mod 97) are the whole test.
"""

from stdnum import iban as stdnum_iban
from stdnum.be import iban as be_iban
from stdnum.exceptions import ValidationError

# The countries of the SEPA credit transfer scheme (EPC list). Outside the EEA the payer's
# bank needs the BIC too.
EEA = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
    "IS", "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK"})
SEPA_OUTSIDE_EEA = frozenset({"AD", "AL", "CH", "GB", "GI", "MC", "MD", "ME", "MK", "RS", "SM",
                              "VA"})


def compact(value: str) -> str:
    """Without spaces, dots or dashes, upper case."""
    return stdnum_iban.compact(value) if isinstance(value, str) else ""


def is_valid(value: str) -> bool:
    number = compact(value)
    if not number or len(number) > 34 or not number.isascii() or not number.isalnum():
        return False
    try:
        stdnum_iban.validate(number, check_country=False)
    except ValidationError:
        return False
    if number.startswith("BE"):
        digits = number[4:]
        check = int(digits[:10]) % 97 or 97
        return int(digits[10:]) == check
    return True


def is_sepa(value: str) -> bool:
    return compact(value)[:2] in EEA | SEPA_OUTSIDE_EEA


def needs_bic(value: str) -> bool:
    """A SEPA transfer to an account outside the EEA names the creditor's bank (BIC)."""
    return compact(value)[:2] in SEPA_OUTSIDE_EEA


def bic_of(value: str) -> str | None:
    """The BIC of the account's bank, when the registry knows it (Belgian banks)."""
    number = compact(value)
    if not number.startswith("BE") or not is_valid(number):
        return None
    return be_iban.to_bic(number) or None


def formatted(value: str) -> str:
    """In groups of four, as people read it: BE68 5390 0754 7034."""
    return stdnum_iban.format(compact(value))


def masked(value: str) -> str:
    """For lists and logs that hint at an account without showing it: BE68 •••• 7034."""
    number = compact(value)
    if len(number) < 8:
        return ""
    return f"{number[:4]} •••• {number[-4:]}"
