"""Finance's lists cost the same number of statements for a few rows as for many."""

from datetime import timedelta
from decimal import Decimal

import pytest

from loket.claims.models import BankStatement, Claim, IncomingPayment
from loket.claims.reference import for_number
from loket.i18n import local_now
from tests.test_query_counts import statements_of  # noqa: F401  (a fixture)


def _add(dbsession, factories, permit_type, permits_team, lotte, statement, n):
    for index in range(n):
        dossier = factories.dossier(applicant=lotte, team=permits_team, type_version=permit_type,
                                    state="te_betalen")
        claim = Claim(dossier_id=dossier.id, amount=Decimal("20.00"), reference="000000000000",
                      due=local_now().date() - timedelta(days=1), received=Decimal("5.00"))
        dbsession.add(claim)
        dbsession.flush()
        claim.reference = for_number(claim.id)
        dbsession.add(IncomingPayment(
            statement_id=statement.id, line_key=f"{statement.id}-{claim.id}-{index}",
            booked=local_now().date(), amount=Decimal("5.00"), reference=claim.reference,
            claim_id=claim.id, match="partial"))
    dbsession.flush()


# The counts of the three lists are one statement (they were three): the pages 8 → 6 (the
# payments' list 9 → 7: the claims its payments booked), the API's list of claims 6 → 4.
@pytest.mark.parametrize(("path", "budget"), [
    ("/vorderingen?lijst=open", 6), ("/vorderingen?lijst=te-laat", 6),
    ("/vorderingen?lijst=betalingen", 7), ("/api/v1/vorderingen", 4),
    ("/api/v1/vorderingen/betalingen", 4)])
def test_lists_do_not_grow_with_rows(path, budget, testapp, login, finance, dbsession, factories,
                                     permit_type, permits_team, lotte, municipality,
                                     statements_of):  # noqa: F811
    statement = BankStatement(format="coda", sha256="0" * 64)
    dbsession.add(statement)
    dbsession.flush()
    login(finance)
    _add(dbsession, factories, permit_type, permits_team, lotte, statement, 2)
    few = len(statements_of(path))
    _add(dbsession, factories, permit_type, permits_team, lotte, statement, 8)
    many = len(statements_of(path))
    assert few == many, (few, many)
    assert many <= budget
