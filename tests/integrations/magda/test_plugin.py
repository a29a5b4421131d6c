"""Choosing the MAGDA plug-ins: options, one shared client, the health check."""

import pytest
from pyramid.exceptions import ConfigurationError

from loket.integrations.magda import INCOME_PLUGIN, PLUGIN, check
from loket.integrations.magda.consult import get_magda
from loket.integrations.magda.soap import GEEF_PERSOON
from loket.main import main
from loket.plugins.registry import configured
from tests.fixtures.magda import PURPOSES, magda_options


@pytest.fixture
def magda_settings(app_settings, magda_sim):
    return {**app_settings,
            "loket.integrations.person_register": "magda",
            "loket.integrations.income": "magda-inkomen",
            "loket.integrations.magda.base_url": magda_sim.url,
            "loket.integrations.magda.identificatie": "heidebeek.loket.test",
            "loket.integrations.magda.hoedanigheid": "1234",
            "loket.integrations.magda.purposes": PURPOSES,
            "loket.integrations.magda.timeout": "1"}


def test_both_plugins_share_one_client(magda_settings, magda_sim):
    app = main({}, **magda_settings)
    try:
        states = configured(app.registry)
        assert states["magda"].plugin is PLUGIN
        assert states["magda-inkomen"].plugin is INCOME_PLUGIN
        assert states["magda-inkomen"].options == states["magda"].options
        magda = get_magda(app.registry)
        assert magda.purposes == {"sociale-premie-aanvraag", "inkomenscontrole"}
        assert magda.client.url(GEEF_PERSOON) == magda_sim.url + "/GeefPersoon-02.02"
        assert check(states["magda-inkomen"].options)["status"] == "ok"
    finally:
        app.registry["db_engine"].dispose()


@pytest.mark.parametrize(("key", "value", "message"), [
    ("purposes", "", "loket.integrations.magda.purposes"),
    ("purposes", "Sociale Premie", "loket.integrations.magda.purposes"),
    ("sign_body", "true", "loket.integrations.magda.signing_cert_file: Required with sign_body"),
    ("base_url", "", "loket.integrations.magda.url.GeefPersoon"),
    ("url.GeefNiets", "http://x", "loket.integrations.magda.url.GeefNiets"),
    ("cert_file", "/nonexistent.pem", "loket.integrations.magda.cert_file"),
    ("identificatie", "", "loket.integrations.magda.identificatie"),
])
def test_wrong_options_stop_the_start(magda_settings, key, value, message):
    with pytest.raises(ConfigurationError, match=message):
        main({}, **{**magda_settings, f"loket.integrations.magda.{key}": value})


def test_income_alone_still_validates_the_shared_options(magda_settings):
    settings = {k: v for k, v in magda_settings.items()
                if k != "loket.integrations.person_register"}
    settings["loket.integrations.magda.purposes"] = ""
    with pytest.raises(ConfigurationError, match="purposes"):
        main({}, **settings)


def test_per_service_urls(magda_sim):
    options = magda_options("", **{"url.GeefPersoon": "https://magda.example/GP",
                                   "url.GeefGezinssamenstelling": "https://magda.example/GG",
                                   "url.GeefAanslagbiljetPersonenbelasting": "https://m.ex/A",
                                   "url.GeefSociaalStatuut": "https://m.ex/S"})
    assert options["endpoints"]["GeefPersoon"] == "https://magda.example/GP"


def test_check_reports_down_and_unreachable(magda_sim):
    options = magda_options(magda_sim.url)
    assert check(options) == {"status": "ok", "http_status": 405}
    assert check(magda_options("http://127.0.0.1:9/magda"))["status"] == "error"
