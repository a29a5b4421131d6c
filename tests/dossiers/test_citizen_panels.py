"""The citizen page's panels ask only what the dossier's history leaves open: no objection
before the decision was sent, no fee before it was charged, no payment before it was staged;
whether there is an objection, a fee, a payment or a letter to show is asked in one statement
(dossiers.panels.has_rows), and a panel reads its table only when there is."""

from datetime import timedelta
from decimal import Decimal

import pytest

from loket.db import utcnow
from loket.payments.models import SENT, PaymentOrder
from loket.workflow.models import HistoryEntry
from tests.test_query_counts import recorded

PANEL_TABLES = ("objections", "claims", "payment_orders", "dispatches")


@pytest.fixture
def page_statements(testapp, dbsession, app):
    """One citizen page, how many statements asked whether the panels' tables hold rows of
    the dossier (all of them at once), and the panels' tables each other statement read."""
    def page_statements(dossier):
        testapp.get(f"/dossiers/{dossier.reference}")  # the session settles
        dbsession.flush()
        dbsession.expunge_all()
        with recorded(app.registry["db_engine"]) as statements:
            page = testapp.get(f"/dossiers/{dossier.reference}")
        dbsession.expunge_all()
        tables = [tuple(t for t in PANEL_TABLES if f" {t}." in s or f"FROM {t} " in s)
                  for s in statements]
        presence = sum(1 for t in tables if t == PANEL_TABLES)
        return page, presence, [t for t in tables if t and t != PANEL_TABLES]

    return page_statements


def _walk(dbsession, dossier, *steps):
    start = utcnow() - timedelta(days=len(steps) + 1)
    for i, (transition, source, target) in enumerate(steps):
        dbsession.add(HistoryEntry(dossier_id=dossier.id, transition=transition,
                                   from_state=source, to_state=target,
                                   occurred=start + timedelta(days=i)))
    dossier.state = steps[-1][2]
    dbsession.flush()


DECIDED = [("indienen", "concept", "ingediend"),
           ("ontvankelijk_verklaren", "ingediend", "ontvankelijk"),
           ("behandeling_starten", "ontvankelijk", "in_behandeling"),
           ("klaar_voor_beslissing", "in_behandeling", "klaar_voor_beslissing"),
           ("agenderen", "klaar_voor_beslissing", "geagendeerd"),
           ("goedkeuren", "geagendeerd", "goedgekeurd"),
           ("beslissing_verzenden", "goedgekeurd", "beslissing_verzonden")]
PAYMENT = ("betaling_voorbereiden", "beslissing_verzonden", "klaar_voor_betaling")


def test_before_the_decision_is_sent_no_panel_reads_its_table(login, factories, dbsession,
                                                              page_statements):
    citizen = factories.citizen()
    dossier = factories.dossier(applicant=citizen)
    _walk(dbsession, dossier, *DECIDED[:-1])
    dossier.outcome = "approved"
    dbsession.flush()
    login(citizen)
    page, presence, read = page_statements(dossier)
    assert (presence, read) == (1, [])
    assert page.html.find(id="bezwaren") is None


def test_after_the_decision_was_sent_objections_and_payments_are_asked_once(
        login, factories, dbsession, page_statements):
    citizen = factories.citizen()
    dossier = factories.dossier(applicant=citizen)
    _walk(dbsession, dossier, *DECIDED, PAYMENT)
    dossier.outcome = "approved"
    dbsession.flush()
    login(citizen)
    page, presence, read = page_statements(dossier)
    # Whether there are objections, payments or letters: one statement, and none to read (the
    # panel offers to object all the same).
    assert (presence, read) == (1, [])
    assert page.html.find(id="bezwaren").find("a", class_="button")
    assert page.html.find(id="uitbetaling") is None


def test_a_sent_payment_order_is_shown(login, factories, dbsession, page_statements):
    citizen = factories.citizen()
    dossier = factories.dossier(applicant=citizen)
    _walk(dbsession, dossier, *DECIDED, PAYMENT)
    dossier.outcome = "approved"
    dbsession.add(PaymentOrder(
        dossier_id=dossier.id, number=1, end_to_end_id=f"LOKET-{dossier.reference}-1",
        amount=Decimal("250.00"), creditor_name="Test", iban="BE68539007547034",
        remittance="premie", due_date=utcnow().date(), budget_code="64900000",
        status=SENT))
    dbsession.flush()
    login(citizen)
    page, presence, read = page_statements(dossier)
    assert presence == 1
    assert ("payment_orders",) in read  # there are: the orders are read
    assert page.html.find(id="uitbetaling")


def test_the_handler_comes_with_the_dossier(testapp, login, factories, dbsession, app):
    citizen = factories.citizen()
    alone, handled = factories.dossier(applicant=citizen), factories.dossier(applicant=citizen)
    handler = factories.staff(given_name="Els")
    handled.handler_id = handler.id
    dbsession.flush()
    login(citizen)
    counts = []
    for dossier in (alone, handled):
        testapp.get(f"/dossiers/{dossier.reference}")
        dbsession.expunge_all()
        with recorded(app.registry["db_engine"]) as statements:
            page = testapp.get(f"/dossiers/{dossier.reference}")
        counts.append(len(statements))
    assert handler.name in page.text
    assert counts[0] == counts[1]
