"""Form polish: one error banner, the address help once, no required marks on read-only
prefilled fields, no empty household list promising members, and the documents step counted
like the others."""

import pytest

from tests.applications.conftest import jan, login_as, magda_on, shipped  # noqa: F401
from tests.applications.helpers import dutch, fill, start

BANNER = ("Some answers are not right yet. Look at the messages next to the fields; what you "
          "typed is kept.")


@pytest.fixture
def path(testapp, jan, magda_on):  # noqa: F811
    return start(testapp)


def _text(node) -> str:
    return " ".join(node.get_text(" ").split())


def test_one_error_banner(testapp, path):
    page = testapp.get(f"{path}/aanvraag?stap=1")
    failed = fill(page, {"email": "geen adres"}).submit("volgende", status=400)
    banners = failed.html.select("main [role=alert], main .alert-danger")
    assert [_text(b) for b in banners] == [dutch(BANNER)]
    assert "probleem met" not in failed.text  # Deform's own banner is gone


def test_address_help_once_and_no_required_marks_on_read_only_fields(testapp, path):
    page = testapp.get(f"{path}/aanvraag?stap=1")
    assert _text(page.html.find("main")).count("De brandstof moet geleverd zijn op dit adres.") == 1
    assert "Kerkstraat" in _text(page.html.find("main"))  # the address is read-only, prefilled
    assert not page.html.select("main .required")
    # An editable required field still carries `required` (and so its mark).
    assert page.html.select_one(".item-email input") is not None
    step4 = testapp.get(f"{path}/aanvraag?stap=4")
    assert step4.html.select_one(".item-iban input")["required"] == "required"


def test_no_empty_household_list_promising_members(testapp, path):
    text = _text(testapp.get(f"{path}/aanvraag?stap=2").html.find("main"))
    assert "volgens het rijksregister op je adres wonen" not in text
    assert "Volgens het rijksregister woont er niemand anders op je adres" in text


def test_the_documents_step_is_counted(testapp, path):
    text = _text(testapp.get(f"{path}/bijlagen").html.find("main"))
    assert "Stap 5 van 6: Documenten" in text
