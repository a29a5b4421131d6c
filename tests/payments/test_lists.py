"""Finance's lists: keyset pages of 50, and a fixed number of statements whatever the number
of orders (no query per row)."""

from decimal import Decimal

import pytest

from loket.payments.models import PaymentOrder
from tests.test_query_counts import recorded

BUDGET = 9  # session, user, roles, counts, the page, the staging users … (a fixed number)


def many_orders(factories, dbsession, count, applicant, team, type_version, handler):
    orders = []
    for n in range(count):
        dossier = factories.dossier(applicant=applicant, team=team, type_version=type_version,
                                    state="klaar_voor_betaling")
        order = PaymentOrder(dossier_id=dossier.id, number=1,
                             end_to_end_id=f"LOKET-{dossier.reference}-1",
                             amount=Decimal("10.00") + n, creditor_name=f"Begunstigde {n}",
                             iban="BE68539007547034", remittance=f"dossier {dossier.reference}",
                             due_date=dossier.created.date(), budget_code="0900",
                             staged_by_id=handler.id)
        dbsession.add(order)
        orders.append(order)
    dbsession.flush()
    return orders


def statements(testapp, dbsession, app, path):
    testapp.get(path)
    dbsession.flush()
    dbsession.expunge_all()
    with recorded(app.registry["db_engine"]) as found:
        testapp.get(path)
    return found


@pytest.mark.parametrize("path", ["/betalingen", "/api/v1/betalingen"])
def test_the_list_costs_the_same_for_few_and_many(testapp, login, finance, factories,
                                                  dbsession, app, applicant, team,
                                                  heating_type, handler, path):
    login(finance)
    many_orders(factories, dbsession, 2, applicant, team, heating_type, handler)
    few = statements(testapp, dbsession, app, path)
    many_orders(factories, dbsession, 30, applicant, team, heating_type,
                factories.staff(given_name="Ander"))
    many = statements(testapp, dbsession, app, path)
    assert len(few) == len(many) <= BUDGET, "\n".join(s[:160] for s in many)


def test_pages_of_fifty_follow_each_other(testapp, login, finance, factories, dbsession,
                                          applicant, team, heating_type, handler):
    orders = many_orders(factories, dbsession, 51, applicant, team, heating_type, handler)
    login(finance)
    first = testapp.get("/api/v1/betalingen").json
    assert len(first["orders"]) == 50 and first["counts"]["te-keuren"] == 51
    second = testapp.get(first["links"]["next"].replace("http://localhost", "")).json
    assert [o["id"] for o in second["orders"]] == [orders[-1].end_to_end_id]
    assert "next" not in second["links"]
    page = testapp.get("/betalingen")
    assert page.html.find("a", rel="next") is not None
    testapp.get("/betalingen?na=%C2%B2&lijst=bestaat-niet", status=200)  # junk: first page
