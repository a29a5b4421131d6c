"""The ``payment`` section of a dossier type: the budget code (and the days until due)."""

import pytest

from loket.catalogue.defaults import skeleton_definition
from loket.catalogue.validation import validate_definition


def definition(payment):
    found = skeleton_definition({"nl": "Huurpremie", "en": "Rent premium"}, "sociale-premie",
                                "sociale-dienst")
    found["payment"] = payment
    return found


def problems(app, payment) -> list[str]:
    return [str(p) for p in validate_definition(definition(payment), registry=app.registry)
            if "payment" in str(p)]


def test_a_budget_code_and_days_are_valid(app):
    assert problems(app, {"budget_code": "0900-00/64900000", "due_days": 30}) == []
    assert problems(app, {}) == []  # not filled in yet: staging is refused until it is


@pytest.mark.parametrize("payment", [
    {"budget_code": ""}, {"budget_code": "x" * 41}, {"budget_code": 900},
    {"budget_code": "0900", "due_days": 0}, {"budget_code": "0900", "due_days": "30"},
    {"budget_code": "0900", "rekening": "BE68539007547034"}, ["0900"],
])
def test_a_bad_section_is_refused(app, payment):
    assert problems(app, payment)
