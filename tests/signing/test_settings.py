"""Production settings: a signing platform needs trust roots."""

import pytest


def test_production_with_a_signing_platform_needs_trust_roots(app_settings):
    from pyramid.config import Configurator
    from pyramid.exceptions import ConfigurationError

    from loket.signing import includeme

    settings = {**app_settings, "loket.environment": "production",
                "loket.integrations.signing": "digitaal-ondertekenen"}
    with pytest.raises(ConfigurationError, match="loket.signing.trust_roots"):
        includeme(Configurator(settings=settings))
