"""The demo's decided dossier waits in the mayor's signing folder, then the director's."""

import pytest
from sqlalchemy import select

from loket.demo import load_demo_data
from loket.identity.models import User
from loket.signing import services


def test_the_demo_letter_waits_for_luc_then_hilde(dbsession, app_settings, tmp_path):
    loaded = load_demo_data(dbsession, {**app_settings, "loket.blob_dir": str(tmp_path)})
    assert loaded["letters_to_sign"] == 1
    luc = dbsession.scalar(select(User).where(User.email == "burgemeester@heidebeek.example"))
    hilde = dbsession.scalar(select(User).where(
        User.email == "algemeen.directeur@heidebeek.example"))
    [mine] = services.folder(dbsession, luc)
    assert mine.turn and mine.meeting is not None and mine.signatory.function == "burgemeester"
    [hers] = services.folder(dbsession, hilde)
    assert not hers.turn and hers.before == "Luc Janssens"
    assert load_demo_data(dbsession, {**app_settings, "loket.blob_dir": str(tmp_path)})[
        "letters_to_sign"] == 0


def test_production_with_a_signing_platform_needs_trust_roots(app_settings):
    from pyramid.config import Configurator
    from pyramid.exceptions import ConfigurationError

    from loket.signing import includeme

    settings = {**app_settings, "loket.environment": "production",
                "loket.integrations.signing": "digitaal-ondertekenen"}
    with pytest.raises(ConfigurationError, match="loket.signing.trust_roots"):
        includeme(Configurator(settings=settings))
