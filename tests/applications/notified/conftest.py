"""A Loket whose e-mail channel is a real SMTP server (aiosmtpd) on a free port."""

import pytest

from loket.main import main
from tests.integrations.test_email import Server
from tests.notifications.conftest import NOTIFICATION_SETTINGS


@pytest.fixture(scope="module")
def smtp():
    server = Server()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def app(app_settings, smtp):
    settings = {**NOTIFICATION_SETTINGS, "loket.integrations.email.port": str(smtp.port)}
    app = main({}, **app_settings, **settings)
    yield app
    app.registry["db_engine"].dispose()
