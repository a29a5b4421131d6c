"""A feature package registers a root child, a dossier child, a worklist, a workflow
condition, a local role and a definition section without editing ``src/loket``."""

import pytest
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationConflictError

from loket.catalogue.defaults import skeleton_definition
from loket.catalogue.validation import validate_definition
from loket.main import main
from loket.workflow.conditions import conditions
from loket.workflow.engine import role_principals
from loket.worklists.queries import Filters, Viewer, lists, worklist
from tests.extension import ROLE


@pytest.fixture(scope="module")
def app(app_settings):
    """Loket with the feature package added by a setting, the suite's fixtures on top."""
    app = main({}, **app_settings, **{"loket.includes": "tests.extension"})
    yield app
    app.registry["db_engine"].dispose()


@pytest.fixture
def extended(app):
    return app


def test_a_root_child(testapp):
    assert testapp.get("/proeven").json == {"proeven": []}


def test_a_dossier_child_with_the_dossiers_permissions(testapp, factories, login, dbsession):
    from loket.identity.models import User

    dossier = factories.dossier()
    assert testapp.get(f"/dossiers/{dossier.reference}/proefstukken",
                       status="*").status_int in (302, 404)  # anonymous: not for them
    login(dbsession.get(User, dossier.applicant_id))
    assert testapp.get(f"/dossiers/{dossier.reference}/proefstukken").json == {
        "dossier": dossier.reference}


def test_a_worklist(extended, factories, dbsession):
    team = factories.team()
    trial = factories.dossier(team=team, title="Proef 1")
    factories.dossier(team=team, title="Verwarmingstoelage")
    assert lists(extended.registry)[-1] == "proef"
    page = worklist(dbsession, Viewer(0, [team.id]), Filters(list="proef"))
    assert [row.id for row in page.rows] == [trial.id]


def test_a_workflow_condition(extended, factories):
    ready = conditions(extended.registry)["proef_klaar"]
    assert ready(factories.dossier(data={"proef": "klaar"})) is None
    assert ready(factories.dossier(data={})) is not None


def test_a_local_role(extended, factories):
    dossier = factories.dossier()
    assert role_principals(dossier, ROLE, extended.registry) == [f"user:{dossier.applicant_id}"]


def test_a_definition_section(extended):
    definition = skeleton_definition({"nl": "Proef", "en": "Trial"}, "sociale-premie",
                                     "sociale-dienst", extended.registry)
    assert definition["proef"] == {"aantal": 1}
    assert validate_definition(definition, registry=extended.registry) == []
    definition["proef"] = {"aantal": 12}
    assert [p.location for p in validate_definition(definition, registry=extended.registry)] \
        == ["proef.aantal"]


def test_two_features_claiming_one_name_conflict():
    def one(config):
        config.add_root_child("dossiers", object)

    def other(config):
        config.add_root_child("dossiers", dict)

    with pytest.raises(ConfigurationConflictError), Configurator(settings={}) as config:
        config.include("loket.resources")
        config.include(one)
        config.include(other)
