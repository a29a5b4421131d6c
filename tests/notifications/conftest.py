"""A Loket with both notification channels configured (the plug-ins' endpoints are never
called here: enqueueing is all these tests see; delivery is tested in tests/integrations)."""

import pytest

from loket.main import main

NOTIFICATION_SETTINGS = {
    "loket.integrations.notification": "email sms",
    "loket.integrations.email.host": "127.0.0.1",
    "loket.integrations.email.port": "9",
    "loket.integrations.email.tls": "none",
    "loket.integrations.email.from_address": "loket@heidebeek.example",
    "loket.integrations.sms.base_url": "http://127.0.0.1:9/sms",
    "loket.integrations.sms.api_key": "test-key",
}


@pytest.fixture(scope="session")
def app(app_settings):
    app = main({}, **app_settings, **NOTIFICATION_SETTINGS)
    yield app
    app.registry["db_engine"].dispose()
