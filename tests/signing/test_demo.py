"""The demo's decided dossier waits in the mayor's signing folder, then the director's."""

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
