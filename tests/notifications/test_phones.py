"""Phone numbers as citizens type them: Belgian mobile and landline, international E.164."""

import pytest

from loket.notifications.phones import is_e164, parse_phone


@pytest.mark.parametrize("typed,e164,sms", [
    ("0470 12 34 56", "+32470123456", True),
    ("0470123456", "+32470123456", True),
    ("0470/12.34.56", "+32470123456", True),
    ("+32 470 12 34 56", "+32470123456", True),
    ("+32 (0)470 12 34 56", "+32470123456", True),
    ("0032 470 12 34 56", "+32470123456", True),
    ("  0496-12-34-56 ", "+32496123456", True),
    ("02 279 22 11", "+3222792211", False),  # Brussels landline
    ("011 12 34 56", "+3211123456", False),  # Hasselt landline
    ("+32 9 210 10 10", "+3292101010", False),  # Ghent landline
    ("+31 6 12345678", "+31612345678", True),  # Dutch mobile
    ("0031 6 12345678", "+31612345678", True),
    ("+44 7911 123456", "+447911123456", True),  # UK mobile
    ("+33 6 12 34 56 78", "+33612345678", True),  # French mobile
    ("+1 202 555 0143", "+12025550143", True),  # US: fixed or mobile, cannot tell
])
def test_valid_numbers_become_e164(typed, e164, sms):
    number = parse_phone(typed)
    assert number is not None
    assert number.e164 == e164
    assert number.can_receive_sms is sms


def test_belgian_numbers_are_displayed_nationally():
    assert parse_phone("+32470123456").display == "0470 12 34 56"
    assert parse_phone("+31612345678").display == "+31 6 12345678"


@pytest.mark.parametrize("typed", [
    "0470 12 34 5",  # a digit short
    "0470 12 34 567",  # a digit too many
    "0400 12 34 56",  # no such mobile range
    "+32 470 12 34 5",
    "+31 6 1234567",
    "+999 123 456 789",  # no such country code
    "12345",
    "0800 FLOWERS",  # letters are refused, not read as a vanity number
    "jan@example.org",
    "+32 470 12 34 56 ext. 3",
])
def test_changed_digits_and_wrong_numbers_fail(typed):
    assert parse_phone(typed) is None


@pytest.mark.parametrize("junk", [
    None, "", "   ", "+", "++32470123456", "\x00", "0470\n123456",
    "٠٤٧٠١٢٣٤٥٦", "０４７０１２３４５６",  # digits of other scripts
    "+" + "9" * 200, "0" * 10_000, "<script>alert(1)</script>", "💬", 470123456, b"0470123456",
    ["0470123456"], {"to": "0470123456"}, 0.5,
])
def test_junk_never_raises(junk):
    assert parse_phone(junk) is None
    assert is_e164(junk) is False


def test_e164_is_strict():
    assert is_e164("+32470123456")
    assert not is_e164("0470123456")
    assert not is_e164("+32 470 12 34 56")
    assert not is_e164("0032470123456")
    assert not is_e164("+32400123456")  # E.164-shaped but no such number
