"""A granted public-domain permit whose decision was sent: the handler may charge its fee."""

from importlib.resources import files

import pytest
import yaml

from loket.municipality.models import Municipality
from loket.security import Role

PERMIT = files("loket.catalogue").joinpath("shipped", "inname-openbaar-domein.yaml")
IBAN, BIC = "BE10091012345604", "GKCCBEBB"


@pytest.fixture
def municipality(dbsession):
    municipality = dbsession.get(Municipality, 1) or Municipality(id=1, name="Gemeente Heidebeek")
    municipality.name, municipality.iban, municipality.bic = "Gemeente Heidebeek", IBAN, BIC
    dbsession.add(municipality)
    dbsession.flush()
    return municipality


@pytest.fixture
def permit_type(factories):
    definition = yaml.safe_load(PERMIT.read_text())["versions"][0]["definition"]
    return factories.type_version(**definition)


@pytest.fixture
def permits_team(factories):
    return factories.team(name="Openbaar domein")


@pytest.fixture
def permit_handler(factories, permits_team):
    return factories.staff(Role.HANDLER, team=permits_team, given_name="Tom")


@pytest.fixture
def finance(factories):
    return factories.staff(Role.FINANCE, given_name="Pieter")


@pytest.fixture
def lotte(factories):
    return factories.citizen(given_name="Lotte", family_name="Wouters")


@pytest.fixture
def permit(factories, dbsession, permit_type, permits_team, lotte, municipality):
    """Granted, the decision sent: 15 m² for 2 days."""
    dossier = factories.dossier(applicant=lotte, team=permits_team, type_version=permit_type,
                                state="beslissing_verzonden", title="Inname openbaar domein",
                                data={"oppervlakte": 15, "aantal_dagen": 2})
    dossier.outcome = "approved"
    dbsession.flush()
    return dossier
