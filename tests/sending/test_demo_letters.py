"""The demo's decision letters: Sofie's approved birth premium waits in the register."""

from sqlalchemy import select

from loket.demo import load_demo_data
from loket.letters.models import READY, Letter


def test_the_demo_has_a_decision_letter_ready_to_send(dbsession, app_settings, tmp_path):
    loaded = load_demo_data(dbsession, {**app_settings, "loket.blob_dir": str(tmp_path)})
    assert loaded["letters"] == 1
    # Besides the receipts (loket.letters renders them in the worker).
    [letter] = dbsession.scalars(select(Letter).where(Letter.kind != "receipt")).all()
    assert (letter.status, letter.kind) == (READY, "decision.granted")
    assert letter.dossier.applicant.given_name == "Sofie"
    assert letter.document.document_type == "besluit" and letter.document.direction == "out"
    assert load_demo_data(dbsession, {**app_settings, "loket.blob_dir": str(tmp_path)})[
        "letters"] == 0
