"""The structured reference: unique per claim, mod 97, and junk never raises."""

import pytest

from loket.claims import reference


def test_a_claims_reference_is_its_number_with_the_mod_97_check():
    assert reference.for_number(1) == "000000000101"
    assert reference.for_number(97) == "000000009797"  # remainder 0: check 97
    assert reference.display(reference.for_number(123456789)) == "+++012/3456/78939+++"


@pytest.mark.parametrize("text", ["+++010/8068/17183+++", "***010/8068/17183***",
                                  "010806817183", " 010 8068 17183 "])
def test_written_forms_of_a_valid_reference_are_read(text):
    assert reference.parse(text) == "010806817183"


@pytest.mark.parametrize("text", ["+++010/8068/17184+++", "010806817193", "01080681718",
                                  "0108068171833", "٠١٠٨٠٦٨١٧١٨٣", "", None, 42, "x" * 500,
                                  "+++000/0000/00000+++"])
def test_anything_else_is_no_reference(text):
    assert reference.parse(text) is None


def test_every_single_digit_change_is_caught():
    valid = reference.for_number(4242)
    for position in range(10):
        for digit in "0123456789":
            changed = valid[:position] + digit + valid[position + 1:]
            if changed != valid:
                assert reference.parse(changed) is None, changed


def test_numbers_outside_ten_digits_are_refused():
    with pytest.raises(ValueError):
        reference.for_number(0)
    with pytest.raises(ValueError):
        reference.for_number(10 ** 10)
