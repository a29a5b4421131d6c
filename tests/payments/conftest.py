"""A granted heating allowance whose decision letter was sent: the handler stages its
payment, finance approves it, the accounting package pays it."""

from datetime import date
from decimal import Decimal

import pytest

from loket.decisions.models import Decision
from loket.integrations.accounting.api import AccountingApi
from loket.municipality.models import Municipality
from loket.plugins.registry import Kind
from loket.security import Role
from tests.conftest import csrf_token


@pytest.fixture
def granted(submitted, dbsession):
    """The shared heating-allowance dossier (IBAN BE68 5390 0754 7034: bank code 539, which
    python-stdnum's bank registry lacks), decided and its decision letter sent."""
    submitted.state, submitted.outcome = "beslissing_verzonden", "approved"
    dbsession.add(Decision(dossier_id=submitted.id, body_code="college",
                           decided_on=date(2026, 2, 2), outcome="approved",
                           title="Verwarmingstoelage", final_text="Toegekend.",
                           amount=Decimal("284.10")))
    dbsession.flush()
    return submitted


@pytest.fixture(autouse=True)
def municipality(dbsession):
    """Who pays: the municipality's account (Belfius, BIC known)."""
    found = dbsession.get(Municipality, 1) or Municipality(id=1, name="Gemeente Heidebeek")
    found.iban, found.bic, found.kbo_municipality = "BE10091012345604", "GKCCBEBB", "0207123407"
    dbsession.add(found)
    dbsession.flush()
    return found


@pytest.fixture
def finance(factories):
    return factories.staff(Role.FINANCE, given_name="Pieter")


@pytest.fixture
def colleague(factories):
    return factories.staff(Role.FINANCE, given_name="Sara")


@pytest.fixture
def accounting(plug_in):
    """The accounting API plug-in as the settings would choose it."""
    return plug_in(Kind.ACCOUNTING, AccountingApi(title="Boekhoudpakket",
                                                  client_id="boekhouding"))


def stage_form(testapp, dossier, **changes):
    form = {"csrf_token": csrf_token(testapp), "version": str(dossier.version),
            "amount": "284,10", "creditor_name": "Jan Peeters", "iban": "BE68 5390 0754 7034",
            "bic": "", **changes}
    return form
