"""A Loket that notifies citizens by e-mail and pushes statuses to DOSIS (nothing is
delivered here: the outbox rows are what these tests see), and the handler's dossier."""

import pytest

from loket.integrations.dosis.keys import create_key_file
from loket.main import main
from tests.notifications.conftest import NOTIFICATION_SETTINGS


@pytest.fixture(scope="session")
def app(app_settings, tmp_path_factory):
    key_file = tmp_path_factory.mktemp("dosis-key") / "key.pem"
    create_key_file(key_file)
    app = main({}, **app_settings, **NOTIFICATION_SETTINGS, **{
        "loket.integrations.status_publishing": "dosis",
        "loket.integrations.dosis.client_id": "loket-test",
        "loket.integrations.dosis.bron": "urn://heidebeek/loket",
        "loket.integrations.dosis.private_key_file": str(key_file),
        "loket.integrations.dosis.token_url": "http://127.0.0.1:9/token",
        "loket.integrations.dosis.base_url": "http://127.0.0.1:9/dosis",
    })
    yield app
    app.registry["db_engine"].dispose()
