"""The plug-in registry: a chosen plug-in must implement its kind; every configured plug-in is
probed on /-/health and shown on /beheer/koppelingen; callers ask for a kind."""

import pytest
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationError

from loket.main import main
from loket.plugins import kinds
from loket.plugins.registry import Channel, Kind, Plugin, activate, implementation
from tests.fixtures.magda import PURPOSES


def _activate(plugin, **settings):
    with Configurator(settings={"loket.environment": "test", **settings}) as config:
        config.include("loket.health")
        config.include("loket.plugins")
        config.add_integration(plugin)
        activate(config)
    return config.registry


def test_a_plugin_that_does_not_implement_its_kind_is_refused():
    wrong = Plugin(Kind.PERSON_REGISTER, "half", "Half a register",
                   setup=lambda config, options: Channel(outbox_kind="x"))
    with pytest.raises(ConfigurationError, match="does not implement PersonRegister"):
        _activate(wrong, **{"loket.integrations.person_register": "half"})


def test_callers_get_the_chosen_implementation_or_not_configured():
    class Register:
        def describe(self, *questions):
            return "test"

        def geef_persoon(self, dbsession, insz, **kw):
            return None

        def geef_gezinssamenstelling(self, dbsession, insz, **kw):
            return []

    register = Register()
    plugin = Plugin(Kind.PERSON_REGISTER, "test", "Test", setup=lambda config, options: register,
                    check=lambda options: {"status": "ok"})
    registry = _activate(plugin, **{"loket.integrations.person_register": "test"})
    assert implementation(registry, Kind.PERSON_REGISTER) is register
    assert registry["loket.health.integration_checks"]["test"]({}) == {"status": "ok"}
    with pytest.raises(kinds.NotConfigured):
        implementation(registry, Kind.INCOME)


def test_health_probes_magda_and_the_advice_service(app_settings, magda_sim):
    app = main({}, **app_settings, **{
        "loket.integrations.person_register": "magda",
        "loket.integrations.income": "magda-inkomen",
        "loket.integrations.magda.base_url": magda_sim.url,
        "loket.integrations.magda.identificatie": "heidebeek.loket.test",
        "loket.integrations.magda.hoedanigheid": "1234",
        "loket.integrations.magda.purposes": PURPOSES,
        "loket.integrations.advice": "advies-api",
        "loket.integrations.advies-api.base_url": "http://127.0.0.1:9/advies",
        "loket.integrations.advies-api.api_key": "k",
    })
    try:
        checks = app.registry["loket.health.probes"]()
        assert checks["magda"]["status"] == "ok" and checks["magda-inkomen"]["status"] == "ok"
        assert checks["advies-api"]["status"] == "error"  # nothing listens on port 9
    finally:
        app.registry["db_engine"].dispose()
