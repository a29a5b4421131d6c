"""The sample statement files read the same in both formats."""

from decimal import Decimal
from pathlib import Path

import pytest

from loket.claims import statements
from loket.claims.reference import for_number

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("name, kind", [("statement.cod", "coda"),
                                        ("statement.camt053.xml", "camt053")])
def test_the_sample_files_hold_four_credits(name, kind):
    statement = statements.read((FIXTURES / name).read_bytes())
    assert (statement.format, statement.account) == (kind, "BE10091012345604")
    assert [(line.amount, line.reference) for line in statement.lines] == [
        (Decimal("30.00"), for_number(1)), (Decimal("10.00"), for_number(2)),
        (Decimal("45.00"), for_number(3)), (Decimal("12.50"), None)]
    assert statement.lines[3].communication == "huur zaal De Linde"
