"""Bank statements: CODA and camt.053 files with matched, partial, excess and unknown payments;
the same file twice, an overlapping file, a file in another format."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from loket.claims import statements
from loket.claims.models import IncomingPayment
from loket.claims.reference import for_number
from loket.dossiers.events import events_of
from loket.i18n import local_now
from loket.workflow.engine import Actor
from tests.claims import samples
from tests.claims.samples import Credit
from tests.conftest import csrf_token

FORMATS = {"coda": samples.coda, "camt053": samples.camt053}


@pytest.fixture
def issue(permit_handler, factories, permit_type, permits_team, lotte, dbsession, app):
    from types import SimpleNamespace

    from loket.claims import services

    def issue(amount="30.00", dossier=None):
        dossier = dossier or factories.dossier(
            applicant=lotte, team=permits_team, type_version=permit_type,
            state="beslissing_verzonden", data={"oppervlakte": 15, "aantal_dagen": 2})
        dossier.outcome = "approved"
        request = SimpleNamespace(dbsession=dbsession, registry=app.registry,
                                  user=permit_handler)
        actor = Actor(permit_handler, frozenset(
            __import__("loket.security", fromlist=["x"]).principals_for(permit_handler)))
        return services.issue(request, dossier, actor, amount=amount,
                              due=(local_now().date() + timedelta(days=30)).isoformat(),
                              version=None)

    return issue


def _import(testapp, data, filename="uittreksel"):
    return testapp.post("/vorderingen/importeren", {"csrf_token": csrf_token(testapp)},
                        upload_files=[("statement", filename, data)], status="*")


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_matched_partial_excess_and_unknown_payments(kind, testapp, login, finance, issue,
                                                     dbsession, municipality):
    paid, partly, over = issue(), issue(), issue()
    unknown = for_number(999999)  # valid, but no claim has it
    data = FORMATS[kind]([
        Credit(Decimal("30.00"), paid.reference), Credit(Decimal("10.00"), partly.reference),
        Credit(Decimal("45.00"), over.reference), Credit(Decimal("12.50"), unknown),
        Credit(Decimal("7.00"), None, "voor de zaal"),
        Credit(Decimal("30.00"), paid.reference, debit=True)])  # a debit: not a payment
    login(finance)
    assert _import(testapp, data).status_int == 302
    payments = {p.amount: p for p in dbsession.scalars(select(IncomingPayment))}
    assert len(payments) == 5
    assert (payments[Decimal("30.00")].match, payments[Decimal("30.00")].resolved) == (
        "matched", True)
    assert payments[Decimal("10.00")].match == "partial"
    assert payments[Decimal("45.00")].match == "over"
    assert payments[Decimal("12.50")].match == payments[Decimal("7.00")].match == "unmatched"
    assert (paid.status, paid.received, paid.dossier.state) == ("paid", Decimal("30.00"),
                                                                "betaald")
    assert (partly.status, partly.received, partly.dossier.state) == (
        "open", Decimal("10.00"), "te_betalen")
    assert (over.status, over.dossier.state) == ("paid", "betaald")
    # finance's list: the partial, the excess and the two unknown ones
    listed = testapp.get("/api/v1/vorderingen/betalingen").json["items"]
    assert sorted(p["match"] for p in listed) == ["over", "partial", "unmatched", "unmatched"]
    assert events_of(dbsession, paid.dossier, "claim.paid")
    page = testapp.get("/vorderingen?lijst=betalingen")
    assert "voor de zaal" in page.text


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_the_same_file_twice_pays_nothing_twice(kind, testapp, login, finance, issue,
                                                dbsession, municipality):
    claim = issue()
    data = FORMATS[kind]([Credit(Decimal("15.00"), claim.reference)])
    login(finance)
    assert _import(testapp, data).status_int == 302
    again = _import(testapp, data)
    assert again.status_int == 409
    assert again.html.select_one("#fout")
    assert claim.received == Decimal("15.00")
    assert dbsession.scalar(select(func.count()).select_from(IncomingPayment)) == 1


def test_a_line_in_an_overlapping_statement_is_booked_once(testapp, login, finance, issue,
                                                           dbsession, municipality):
    claim = issue()
    login(finance)
    # The bank names an entry by the same reference in every statement that carries it.
    first = samples.camt053([Credit(Decimal("15.00"), claim.reference, bank_reference="B-1")])
    second = samples.camt053([Credit(Decimal("15.00"), claim.reference, bank_reference="B-1"),
                              Credit(Decimal("15.00"), claim.reference,
                                     bank_reference="OTHER-1")],
                             statement_id="2026-336", message_id="MSG-2026-336")
    assert _import(testapp, first).status_int == 302
    assert _import(testapp, second).status_int == 302
    assert (claim.received, claim.status) == (Decimal("30.00"), "paid")
    assert dbsession.scalar(select(func.count()).select_from(IncomingPayment)) == 2


@pytest.mark.parametrize("data", [
    b"", b"hello world", b"\x89PNG\r\n\x1a\n", b"<html><body>no</body></html>",
    b"<?xml version='1.0'?><Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.08'/>",
    b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>",
    samples.camt053([Credit(Decimal("1.00"), for_number(5))]).replace(b"<Sts>BOOK</Sts>", b""),
    samples.coda([Credit(Decimal("1.00"), for_number(5))])[:-140],  # the trailer cut off
    samples.coda([Credit(Decimal("1.00"), for_number(5))]).replace(  # totals do not add up
        b"0000000001000", b"0000000002000", 1),
    b"0" * 127 + b"1\r\n",
])
def test_a_file_in_the_wrong_format_is_a_clear_error(data, testapp, login, finance, dbsession):
    login(finance)
    response = _import(testapp, data)
    assert response.status_int == 400
    assert response.html.select_one("#fout")
    assert dbsession.scalar(select(func.count()).select_from(IncomingPayment)) == 0


def test_readers_give_the_same_lines_for_both_formats():
    credits = [Credit(Decimal("30.00"), for_number(7)), Credit(Decimal("2.50"), None, "gift")]
    coda = statements.read(samples.coda(credits))
    camt = statements.read(samples.camt053(credits))
    assert coda.account == camt.account == samples.ACCOUNT
    for a, b in zip(coda.lines, camt.lines, strict=True):
        assert (a.amount, a.reference, a.communication, a.booked, a.payer_name,
                a.payer_account) == (b.amount, b.reference, b.communication, b.booked,
                                     b.payer_name, b.payer_account)
    assert coda.lines[0].booked == date(2026, 12, 2)


def test_camt053_samples_are_valid_against_the_official_schema():
    statements.validate_camt053(samples.camt053([Credit(Decimal("1.00"), for_number(1))]))


def test_finance_settles_what_did_not_match(testapp, login, finance, issue, dbsession,
                                            municipality):
    claim = issue()
    login(finance)
    _import(testapp, samples.coda([Credit(Decimal("30.00"), None, f"dossier {claim.id}"),
                                   Credit(Decimal("5.00"), None, "onbekend")]))
    unknown, stray = dbsession.scalars(select(IncomingPayment).order_by(IncomingPayment.id))
    token = csrf_token(testapp)
    bad = testapp.post(f"/vorderingen/betalingen/{unknown.id}", {
        "csrf_token": token, "action": "assign", "reference": "123"}, status=400)
    assert bad.html.select_one("#fout") and unknown.claim_id is None
    testapp.post(f"/vorderingen/betalingen/{unknown.id}", {
        "csrf_token": token, "action": "assign", "reference": f"+++{claim.reference}+++"},
        status=302)
    assert (unknown.match, claim.status, claim.dossier.state) == ("matched", "paid", "betaald")
    assert testapp.post(f"/vorderingen/betalingen/{stray.id}", {
        "csrf_token": token, "action": "resolve", "note": ""}, status=400)
    testapp.post(f"/vorderingen/betalingen/{stray.id}", {
        "csrf_token": token, "action": "resolve", "note": "Teruggestort"}, status=302)
    assert stray.resolved and stray.note == "Teruggestort"
    assert testapp.get("/api/v1/vorderingen/betalingen").json["items"] == []


def test_only_finance_reaches_the_lists(testapp, login, permit_handler, lotte):
    login(permit_handler)
    assert testapp.get("/vorderingen", status="*").status_int == 403
    login(lotte)
    assert testapp.get("/vorderingen", status="*").status_int == 403
    assert testapp.get("/api/v1/vorderingen", status="*").status_int == 403


def test_lists_of_open_and_overdue_claims(testapp, login, finance, issue, dbsession,
                                          municipality):
    late, current = issue(), issue()
    late.due = local_now().date() - timedelta(days=1)
    dbsession.flush()
    login(finance)
    open_ = testapp.get("/api/v1/vorderingen").json
    assert {c["id"] for c in open_["items"]} == {late.id, current.id}
    overdue = testapp.get("/api/v1/vorderingen?lijst=te-laat").json
    assert [c["id"] for c in overdue["items"]] == [late.id]
    assert overdue["counts"] == {"open": 2, "te-laat": 1, "betalingen": 0}
    assert testapp.get(f"/api/v1/vorderingen/{late.id}").json["payments"] == []
    page = testapp.get("/vorderingen?lijst=te-laat")
    assert late.dossier.reference in page.text and current.dossier.reference not in page.text


def test_a_file_too_large_for_a_statement_is_refused(testapp, login, finance, dbsession):
    login(finance)
    response = _import(testapp, b"0" * (5 * 1024 * 1024 + 1))
    assert response.status_int == 413 and response.html.select_one("#fout")
    assert dbsession.scalar(select(func.count()).select_from(IncomingPayment)) == 0
