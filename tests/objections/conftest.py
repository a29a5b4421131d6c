"""A refused public-domain permit whose decision was sent five days ago, and the shipped
objection type."""

from datetime import timedelta
from importlib.resources import files

import pytest
import yaml

from loket.catalogue.models import PUBLISHED, DossierType, DossierTypeVersion
from loket.db import utcnow
from loket.security import Role
from loket.workflow.models import HistoryEntry

SHIPPED = files("loket.catalogue").joinpath("shipped")


def _definition(name):
    return yaml.safe_load(SHIPPED.joinpath(name).read_text())["versions"][0]["definition"]


@pytest.fixture
def objection_type(dbsession):
    from loket.catalogue.services import get_type

    existing = get_type(dbsession, "bezwaar")
    if existing is not None:
        return existing
    dossier_type = DossierType(code="bezwaar")
    dbsession.add(dossier_type)
    dbsession.add(DossierTypeVersion(dossier_type=dossier_type, number=1, status=PUBLISHED,
                                     definition=_definition("bezwaar.yaml")))
    dbsession.flush()
    return dossier_type


@pytest.fixture
def team(factories):
    return factories.team(name="Openbaar domein")


@pytest.fixture
def officer(factories, team):
    return factories.staff(Role.HANDLER, team=team, given_name="Tom")


@pytest.fixture
def sofie(factories):
    return factories.citizen(given_name="Sofie", family_name="Claes")


def sent(dbsession, dossier, days_ago=5):
    dossier.state, dossier.outcome = "beslissing_verzonden", "refused"
    dbsession.add(HistoryEntry(dossier_id=dossier.id, transition="beslissing_verzenden",
                               from_state="geweigerd", to_state="beslissing_verzonden",
                               occurred=utcnow() - timedelta(days=days_ago)))
    dbsession.flush()
    return dossier


@pytest.fixture
def refused(factories, dbsession, team, sofie, objection_type):
    permit_type = factories.type_version(**_definition("inname-openbaar-domein.yaml"))
    dossier = factories.dossier(applicant=sofie, team=team, type_version=permit_type,
                                state="geweigerd", title="Inname openbaar domein")
    return sent(dbsession, dossier)
