"""Application test fixtures: the shipped types, a citizen logged in with eID, and MAGDA's
simulator over real HTTP as the app's person register."""

import secrets

import pytest

from loket.catalogue.services import load_shipped
from loket.identity.models import Team, WebSession
from loket.identity.sessions import COOKIE_NAME, _hash
from loket.integrations.magda.client import MagdaClient
from loket.integrations.magda.consult import Magda
from loket.plugins.registry import Kind
from tests.fixtures.magda import JAN, magda_options

EID = "urn:be:vlaanderen:authmech:eid"
TYPE = "verwarmingstoelage"


@pytest.fixture
def shipped(dbsession):
    for code, name in (("sociale-dienst", "Sociale dienst"),
                       ("openbaar-domein", "Openbaar domein")):
        if dbsession.query(Team).filter_by(code=code).first() is None:
            dbsession.add(Team(code=code, name=name))
    dbsession.flush()
    load_shipped(dbsession)


@pytest.fixture
def login_as(testapp, dbsession):
    """Log ``user`` in with the given means (acr), as the OIDC callback would."""

    def login_as(user, acr=EID):
        token = secrets.token_urlsafe(32)
        data = {"user_id": user.id, **({"acr": acr} if acr else {})}
        dbsession.add(WebSession(id=_hash(token), data=data, user_id=user.id))
        dbsession.flush()
        testapp.set_cookie(COOKIE_NAME, token)
        return user

    return login_as


@pytest.fixture
def magda_on(magda_sim, plug_in):
    """The app's MAGDA is the simulator (with the purpose list of the tests)."""
    options = magda_options(magda_sim.url)
    plug_in(Kind.PERSON_REGISTER, Magda(MagdaClient(options), options["purposes"]))
    return magda_sim


@pytest.fixture
def jan(factories, login_as, shipped):
    return login_as(factories.citizen(given_name="Jan", family_name="Peeters", rrn=JAN))
