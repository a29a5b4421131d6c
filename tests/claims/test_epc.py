"""The EPC QR code: rendered to PNG and decoded again, it names the right account, amount and
reference (EPC069-12 version 002)."""

from decimal import Decimal

import pytest

from loket.claims import epc, reference
from tests.claims.qr import decode_png


def test_the_code_decodes_to_the_account_amount_and_reference():
    ogm = reference.for_number(31)
    code = epc.qr_code("Gemeente Heidebeek", "BE10 0910 1234 5604", "GKCCBEBB", Decimal("30.00"),
                       ogm)
    assert code.error == "M" and code.version <= 13
    fields = decode_png(epc.png(code))
    assert fields["service"] == "BCD" and fields["version"] == "002"
    assert fields["identification"] == "SCT"
    assert (fields["bic"], fields["name"], fields["iban"]) == (
        "GKCCBEBB", "Gemeente Heidebeek", "BE10091012345604")
    assert fields["amount"] == Decimal("30.00")
    assert fields["reference"] == ogm
    assert reference.parse(fields["reference"]) == ogm


def test_a_code_without_a_valid_reference_is_refused():
    with pytest.raises(ValueError):
        epc.qr_code("Gemeente", "BE10091012345604", "", Decimal("1"), "000000000102")


@pytest.mark.parametrize("text", ["", "BCD", "hello\nworld", "XYZ\n002\n1\nSCT\n\nA\nB\nEUR1\n\nR"])
def test_what_is_not_an_epc_payload_is_said_so(text):
    with pytest.raises(ValueError):
        epc.payload(text)
