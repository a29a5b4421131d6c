"""Choosing the DOSIS plug-in: its options, its key, its checks."""

import os
import stat
from pathlib import Path

import pytest
from joserfc.jwk import RSAKey
from pyramid.exceptions import ConfigurationError

from loket.integrations.dosis import PLUGIN, check
from loket.integrations.dosis.keys import create_key_file, load_key, private_key
from loket.main import main
from loket.plugins.registry import configured
from tests.integrations.dosis.conftest import BRON


def test_dosis_is_configured(dosis_app):
    state = configured(dosis_app.registry)["dosis"]
    assert state.plugin is PLUGIN
    assert state.options["bron"] == BRON
    assert state.options["scope"] == "DosisImport"
    assert state.options["timeout"] == 1.0


@pytest.mark.parametrize(("key", "value", "message"), [
    ("bron", "heidebeek", "loket.integrations.dosis.bron"),
    ("token_url", "ftp://example", "loket.integrations.dosis.token_url"),
    ("base_url", "https://user:pw@dosis.example", "loket.integrations.dosis.base_url"),
    ("private_key_file", "", "private_key"),
    ("private_key", "geen sleutel", "loket.integrations.dosis.private_key"),
])
def test_wrong_options_stop_the_start(dosis_settings, key, value, message):
    with pytest.raises(ConfigurationError, match=message):
        main({}, **{**dosis_settings, f"loket.integrations.dosis.{key}": value})


def test_key_from_pem_text(dosis_key_file):
    pem = Path(dosis_key_file).read_text()
    key = private_key({"private_key": pem}, production=True)
    assert key.kid == load_key(dosis_key_file).kid


def test_development_key_is_made_once_and_private(tmp_path):
    path = tmp_path / "var" / "dosis.pem"
    first = private_key({"private_key_file": str(path), "generate_key": True}, production=False)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = private_key({"private_key_file": str(path), "generate_key": True}, production=False)
    assert again.kid == first.kid
    assert [p.name for p in path.parent.iterdir()] == ["dosis.pem"]  # no temporary files left


def test_production_never_makes_a_key(tmp_path):
    with pytest.raises(ConfigurationError, match="generate_key"):
        private_key({"private_key_file": str(tmp_path / "k.pem"), "generate_key": True},
                    production=True)
    assert not (tmp_path / "k.pem").exists()


def test_a_public_key_cannot_sign(tmp_path):
    path = tmp_path / "public.pem"
    path.write_bytes(RSAKey.generate_key(2048, private=True).as_pem(private=False))
    with pytest.raises(ConfigurationError, match="public key"):
        private_key({"private_key_file": str(path)}, production=False)


def test_existing_key_file_is_kept(tmp_path):
    path = tmp_path / "k.pem"
    create_key_file(path)
    before = path.read_bytes()
    create_key_file(path)
    assert path.read_bytes() == before


def test_check_reports_reachability(dosis, dosis_app):
    options = configured(dosis_app.registry)["dosis"].options
    assert check(options) == {"status": "ok"}
    dosis.control(down=True)
    assert check(options) == {"status": "error", "error": "HTTPError", "http_status": 503}
    dosis.control(down=False)
    assert check({**options, "bron": "urn://elders"}) == {"status": "error",
                                                          "error": "UnknownBron"}
    assert check({**options, "client_id": "onbekend"}) == {"status": "error",
                                                          "error": "Refused", "http_status": 401}


def test_check_on_an_unreachable_address(dosis_app):
    options = configured(dosis_app.registry)["dosis"].options
    result = check({**options, "token_url": "http://127.0.0.1:9/token"})
    assert result == {"status": "error", "error": "ConnectionError"}


def test_public_health_endpoint_includes_dosis(dosis, dosis_testapp):
    body = dosis_testapp.get("/-/health").json
    assert body["integrations"]["dosis"]["status"] == "ok"
