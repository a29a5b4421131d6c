"""Check digits and format decide whether an account is valid; the bank registry only fills
in the BIC. A valid Belgian account of a bank the registry lacks (bank code 539) passes
everywhere an IBAN is asked."""

import random

import colander
import pytest

from loket.catalogue.validators import iban_validator
from loket.identity import iban
from loket.municipality.forms import MunicipalitySchema


def belgian(bban10: str) -> str:
    """A valid Belgian IBAN for the first ten digits of the account."""
    national = f"{bban10}{int(bban10) % 97 or 97:02d}"
    check = 98 - int(f"{national}111400") % 97  # "BE00" → 11 14 00
    return f"BE{check:02d}{national}"


def test_bank_code_539_is_valid_without_a_bic():
    assert iban.is_valid("BE68 5390 0754 7034")
    assert iban.bic_of("BE68539007547034") is None
    assert iban.bic_of("BE71096123456769") == "GKCCBEBB"


def test_generated_accounts_pass_and_every_single_digit_change_fails():
    rng = random.Random(16)
    for _ in range(60):
        number = belgian(f"{rng.randrange(10 ** 10):010d}")
        assert iban.is_valid(number), number
        for position in range(2, len(number)):
            for digit in "0123456789":
                if digit != number[position]:
                    changed = number[:position] + digit + number[position + 1:]
                    assert not iban.is_valid(changed), changed


@pytest.mark.parametrize("value", [
    "", " ", "BE", "BE68", "XX68539007547034", "BE6853900754703", "BE685390075470344",
    "be68 5390 0754 7034 ", "BE68539007547034\x00", "BE68\u0665390075470 34", "٣" * 16,
    "NL91ABNA0417164301", "GB82WEST1234569876543", None, 12, "B" * 100,
])
def test_junk_never_raises(value):
    expected = value == "be68 5390 0754 7034 "
    assert iban.is_valid(value) is expected


def test_foreign_accounts_follow_their_country_format():
    assert iban.is_valid("NL91ABNA0417164300") and not iban.needs_bic("NL91ABNA0417164300")
    assert iban.is_valid("CH9300762011623852957") and iban.needs_bic("CH9300762011623852957")
    assert iban.is_sepa("NL91ABNA0417164300") and not iban.is_sepa("BR1500000000000010932840814P2")


def test_the_citizens_form_and_the_municipality_take_bank_code_539():
    iban_validator(colander.SchemaNode(colander.String()), "BE68539007547034")
    with pytest.raises(colander.Invalid):
        iban_validator(colander.SchemaNode(colander.String()), "BE68539007547035")
    node = MunicipalitySchema()["iban"]
    node.validator(node, "BE68539007547034")
    with pytest.raises(colander.Invalid):
        node.validator(node, "BE68539007547035")
