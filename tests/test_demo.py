"""The demo data: what `make run` shows, on both databases."""

from sqlalchemy import select

from loket.demo import load_demo_data
from loket.dossiers.models import Dossier


def test_demo_dossiers_look_applied_for_online(dbsession, app_settings, tmp_path):
    settings = {**app_settings, "loket.blob_dir": str(tmp_path)}
    # The demo loads dossiers into an empty database only; every test rolls back its own.
    assert dbsession.scalar(select(Dossier.id).limit(1)) is None
    assert load_demo_data(dbsession, settings)["dossiers"] == 4
    dossiers = {d.title: d for d in dbsession.scalars(select(Dossier))}
    heating = dossiers["Verwarmingstoelage"]
    assert heating.submitted is not None and heating.handler_id is None
    assert heating.prefill["status"] == "ok"
    assert heating.screening["outcome"] in ("pass", "fail", "unknown")
    assert {r["code"] for r in heating.screening["results"]}
    assert heating.due is not None  # the admissibility deadline runs
    assert load_demo_data(dbsession, settings)["dossiers"] == 0  # idempotent
