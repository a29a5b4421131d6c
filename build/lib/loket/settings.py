"""Settings: the .ini file, secrets from the environment, and what production refuses."""

import os
from urllib.parse import urlsplit

from pyramid.exceptions import ConfigurationError
from pyramid.settings import asbool

# Secrets and per-installation values that production takes from the environment.
ENVIRONMENT_OVERRIDES = {
    "LOKET_DATABASE_URL": "sqlalchemy.url",
    "LOKET_BLOB_DIR": "loket.blob_dir",
    "LOKET_ACMIDM_ISSUER": "loket.acmidm.issuer",
    "LOKET_ACMIDM_CLIENT_ID": "loket.acmidm.client_id",
    "LOKET_ACMIDM_CLIENT_SECRET": "loket.acmidm.client_secret",
    "LOKET_PUBLIC_URL": "loket.public_url",
    "LOKET_SMTP_PASSWORD": "loket.integrations.email.password",
    "LOKET_SMS_API_KEY": "loket.integrations.sms.api_key",
    "LOKET_DOSIS_PRIVATE_KEY": "loket.integrations.dosis.private_key",
    "LOKET_API_AUDIENCE": "loket.api.audience",
}

REQUIRED = ("sqlalchemy.url", "loket.blob_dir", "loket.acmidm.issuer",
            "loket.acmidm.client_id", "loket.acmidm.client_secret", "loket.public_url")


def is_production(settings) -> bool:
    return settings.get("loket.environment", "production") == "production"


# MAGDA's test national register numbers (month 61-72): accepted in forms outside production
# unless switched off; production refuses to switch them on.
TEST_NUMBERS = "loket.accept_test_national_numbers"


def accepts_test_numbers(settings) -> bool:
    return asbool(settings.get(TEST_NUMBERS, not is_production(settings)))


def load(settings: dict) -> dict:
    settings = dict(settings)
    for variable, key in ENVIRONMENT_OVERRIDES.items():
        if os.environ.get(variable):
            settings[key] = os.environ[variable]
    missing = [key for key in REQUIRED if not settings.get(key)]
    if missing:
        raise ConfigurationError(
            "Missing settings: " + ", ".join(missing)
            + " (set them in the .ini file or through the LOKET_* environment variables)"
        )
    if is_production(settings):
        check_production(settings)
    return settings


def check_production(settings):
    """Production never talks to a simulator, never offers persona login, always uses TLS."""
    problems = []
    simulator_keys = sorted(k for k in settings if k.startswith("loket.simulators"))
    if simulator_keys:
        problems.append(f"simulators cannot be enabled in production ({', '.join(simulator_keys)})")
    for key in ("loket.acmidm.issuer", "loket.public_url"):
        url = urlsplit(settings[key])
        if url.scheme != "https":
            problems.append(f"{key} must be an https URL")
        if url.hostname in ("localhost", "127.0.0.1", "::1"):
            problems.append(f"{key} must not point at this machine (a simulator)")
    if not asbool(settings.get("loket.session.secure", True)):
        problems.append("loket.session.secure cannot be false in production")
    if asbool(settings.get(TEST_NUMBERS, False)):
        problems.append(f"{TEST_NUMBERS} cannot be true in production")
    if problems:
        raise ConfigurationError("Refusing to start in production: " + "; ".join(problems))
    settings["loket.session.secure"] = "true"
    settings["loket.hsts"] = "true"
