"""The MAGDA checks end to end: a handler declares a dossier admissible, the real outbox relay
delivers the checks to the MAGDA simulator over HTTP, the results land with their source."""

from decimal import Decimal

import pytest

from loket.checks.models import FAILED, NO_DATA, PASSED, PENDING
from loket.outbox.models import DEAD, RETRYING
from tests.checks.conftest import BIM, INCOME, drain
from tests.fixtures.magda import JAN, LOTTE, SOFIE


def test_jan_low_income_and_bim_passes_and_handling_starts(use_magda, committed, outbox,
                                                            relay):
    dossier_id = committed.admissible_dossier(JAN, [INCOME, BIM])
    pending = committed.results(dossier_id)
    assert {c: r.status for c, r in pending.items()} == {"inkomen": PENDING, "bim": PENDING}
    assert drain(relay, outbox) == 2
    results = committed.results(dossier_id)
    income, bim = results["inkomen"], results["bim"]
    assert income.status == PASSED and bim.status == PASSED
    # 2026 - 2 = income year 2024, tax year 2025: Jan's € 23 400.
    assert income.details["income_year"] == 2024 and income.details["tax_year"] == 2025
    assert Decimal(income.details["income"]) == Decimal("23400")
    assert income.details["summary"]["nl"] == (
        "aanslagjaar 2025 (inkomsten 2024), belastbaar inkomen € 23.400 — niet boven de "
        "grens van € 26.000")
    assert income.details["text"]["nl"] == "Inkomen 2024: € 23.400, grens € 26.000."
    assert income.source == "MAGDA GeefAanslagbiljetPersonenbelasting 02.00"
    assert bim.source == "MAGDA GeefSociaalStatuut 03.00" and bim.checked is not None
    assert bim.details["has_status"] is True and bim.attempts == 1
    # Every question in the legal log, as the system, for the dossier, with the purpose.
    log = committed.magda_log(dossier_id)
    assert [(e.service, e.subject_insz, e.actor, e.purpose, e.outcome) for e in log] == [
        ("GeefAanslagbiljetPersonenbelasting", JAN, "system", "inkomenscontrole", "ok"),
        ("GeefSociaalStatuut", JAN, "system", "inkomenscontrole", "ok")]
    assert committed.dossier(dossier_id).state == "in_behandeling"


def test_sofie_above_the_threshold_is_flagged(use_magda, committed, outbox, relay):
    dossier_id = committed.admissible_dossier(SOFIE, [INCOME, BIM])
    drain(relay, outbox)
    results = committed.results(dossier_id)
    assert results["inkomen"].status == FAILED
    assert results["inkomen"].details["summary"]["nl"].endswith(
        "€ 31.500 — boven de grens van € 26.000")
    assert results["bim"].status == FAILED
    # Final results, so the handling starts: the handler weighs the failed checks.
    assert committed.dossier(dossier_id).state == "in_behandeling"


def test_household_income_and_dependants(use_magda, committed, outbox, relay):
    """Sofie's household: partner Bart (no tax bill: counted as no income, not a dependant)
    and two children (dependants, whose tax bills are never asked)."""
    check = {**INCOME, "household": True, "threshold": "26739.25",
             "increase_per_dependant": "4950.18"}
    dossier_id = committed.admissible_dossier(SOFIE, [check])
    drain(relay, outbox)
    income = committed.results(dossier_id)["inkomen"]
    assert income.status == PASSED  # € 31 500 <= 26 739.25 + 2 × 4 950.18
    assert income.details["dependants"] == 2 and income.details["household_members"] == 3
    assert income.details["members_without_tax_bill"] == 1
    assert income.details["threshold"] == "36639.61"
    assert "1 volwassen gezinslid" in income.details["summary"]["nl"]
    assert income.source == ("MAGDA GeefAanslagbiljetPersonenbelasting 02.00 + "
                             "GeefGezinssamenstelling 02.02")
    services = [(e.service, e.outcome) for e in committed.magda_log(dossier_id)]
    assert services == [("GeefAanslagbiljetPersonenbelasting", "ok"),
                        ("GeefGezinssamenstelling", "ok"),
                        ("GeefAanslagbiljetPersonenbelasting", "no_data")]  # Bart only


def test_magda_down_stays_pending_is_retried_then_passes(use_magda, committed, outbox,
                                                         relay):
    dossier_id = committed.admissible_dossier(JAN, [INCOME])
    use_magda.control(down=True)
    assert relay.process() == 1
    row = committed.results(dossier_id)["inkomen"]
    assert row.status == PENDING and row.attempts == 1 and row.checked is None
    assert row.last_error == ("check inkomen: MAGDA GeefAanslagbiljetPersonenbelasting: "
                              "HTTP 503")
    assert JAN not in row.last_error
    [message] = [m for m in outbox.all() if m.kind == "checks.magda"]
    assert message.status == RETRYING and JAN not in (message.last_error or "")
    assert committed.dossier(dossier_id).state == "ontvankelijk"  # never passed, never moved
    # The failed consultation is in the legal log too.
    assert [e.outcome for e in committed.magda_log(dossier_id)] == ["error"]

    relay.process()  # not due yet: backoff
    assert committed.results(dossier_id)["inkomen"].attempts == 1
    use_magda.control(reset=True)
    outbox.make_due()
    drain(relay, outbox)
    row = committed.results(dossier_id)["inkomen"]
    assert row.status == PASSED and row.attempts == 2 and row.last_error is None
    assert [e.outcome for e in committed.magda_log(dossier_id)] == ["error", "ok"]
    assert committed.dossier(dossier_id).state == "in_behandeling"


def test_source_error_code_is_retried_not_passed(use_magda, committed, outbox, relay):
    dossier_id = committed.admissible_dossier(JAN, [BIM])
    use_magda.control(uitzondering="60006", times=1)
    relay.process()
    assert committed.results(dossier_id)["bim"].status == PENDING
    outbox.make_due()
    drain(relay, outbox)
    assert committed.results(dossier_id)["bim"].status == PASSED


def test_no_tax_bill_is_a_clear_non_pass(use_magda, committed, outbox, relay):
    dossier_id = committed.admissible_dossier(LOTTE, [INCOME])
    drain(relay, outbox)
    row = committed.results(dossier_id)["inkomen"]
    assert row.status == NO_DATA
    assert row.details["summary"]["nl"].startswith(
        "Geen aanslagbiljet gevonden voor aanslagjaar 2025 (inkomsten 2024)")
    assert [e.outcome for e in committed.magda_log(dossier_id)] == ["no_data"]


def test_a_tax_bill_without_the_income_code_never_passes(use_magda, committed, outbox, relay):
    from loket.integrations.magda.simulator import KINDS

    dossier_id = committed.admissible_dossier(KINDS["tax_bill_without_income"], [INCOME])
    drain(relay, outbox)
    row = committed.results(dossier_id)["inkomen"]
    assert row.status == NO_DATA and row.details["items"] == {}
    assert "vermeldt het belastbaar inkomen niet" in row.details["summary"]["nl"]


@pytest.mark.parametrize("switch", ["truncated", "fault", "unknown_shape", "other_referte"])
def test_an_unreadable_answer_stays_pending_with_its_reason(use_magda, committed, outbox,
                                                            relay, switch):
    dossier_id = committed.admissible_dossier(JAN, [BIM])
    use_magda.control(**{switch: True})
    relay.process()
    row = committed.results(dossier_id)["bim"]
    assert row.status == PENDING and row.last_error.startswith("check bim: unreadable: ")
    assert [e.outcome for e in committed.magda_log(dossier_id)] == ["error"]
    use_magda.control(reset=True)
    outbox.make_due()
    drain(relay, outbox)
    assert committed.results(dossier_id)["bim"].status == PASSED


def test_checks_mode_any_and_all(use_magda, committed, outbox, relay, app):
    from loket.checks.runner import overall

    any_id = committed.admissible_dossier(SOFIE, [INCOME, {**BIM, "status": "BIM_BVT"}],
                                          checks_mode="any")
    jan_id = committed.admissible_dossier(JAN, [INCOME, {**BIM, "status":
                                                         "PCSA_AND_BIM_HELP"}],
                                          checks_mode="any")
    all_id = committed.admissible_dossier(JAN, [INCOME, {**BIM, "status":
                                                         "PCSA_AND_BIM_HELP"}])
    drain(relay, outbox, rounds=20)
    outcomes = {}
    for name, dossier_id in (("sofie-any", any_id), ("jan-any", jan_id), ("jan-all", all_id)):
        dossier = committed.dossier(dossier_id)
        with app.registry["dbsession_factory"]() as session:
            dossier = session.get(type(dossier), dossier_id)
            outcomes[name] = overall(dossier, list(committed.results(dossier_id).values()))
    assert outcomes == {"sofie-any": FAILED, "jan-any": PASSED, "jan-all": FAILED}


def test_purpose_not_configured_is_a_dead_letter_and_stays_pending(
        use_magda, committed, outbox, relay, app, monkeypatch):
    monkeypatch.setitem(app.registry.settings, "loket.checks.purpose", "marketing")
    dossier_id = committed.admissible_dossier(JAN, [INCOME])
    relay.process()
    row = committed.results(dossier_id)["inkomen"]
    assert row.status == PENDING and "purpose" in row.last_error
    assert [m.status for m in outbox.all() if m.kind == "checks.magda"] == [DEAD]
    assert use_magda.requests_made() == 0
