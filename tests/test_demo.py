"""The demo data: what `make run` shows, on both databases."""

from sqlalchemy import func, select

from loket.db import utcnow
from loket.decisions import services
from loket.decisions.models import AgendaItem, Meeting
from loket.demo import load_demo_data
from loket.dossiers.models import Dossier


def test_demo_dossiers_look_applied_for_online(dbsession, app_settings, tmp_path):
    settings = {**app_settings, "loket.blob_dir": str(tmp_path)}
    # The demo loads dossiers into an empty database only; every test rolls back its own.
    assert dbsession.scalar(select(Dossier.id).limit(1)) is None
    loaded = load_demo_data(dbsession, settings)
    assert (loaded["dossiers"], loaded["agenda_items"], loaded["receipts"]) == (8, 1, 8)
    dossiers = {d.title: d for d in dbsession.scalars(select(Dossier))}
    heating = dossiers["Verwarmingstoelage"]
    assert heating.submitted is not None and heating.handler_id is None
    assert heating.prefill["status"] == "ok"
    assert heating.screening["outcome"] in ("pass", "fail", "unknown")
    assert {r["code"] for r in heating.screening["results"]}
    assert heating.due is not None  # the admissibility deadline runs
    assert load_demo_data(dbsession, settings)["dossiers"] == 0  # idempotent
    # Two permits whose decision was sent: Lotte's granted (a fee to charge), Sofie's refused.
    sent = {d.applicant.given_name: d for d in dossiers.values()
            if d.state == "beslissing_verzonden"}
    assert (sent["Lotte"].outcome, sent["Sofie"].outcome) == ("approved", "refused")
    on_agenda = next(d for d in dossiers.values() if d.state == "geagendeerd")
    [item] = dbsession.scalars(select(AgendaItem).where(AgendaItem.dossier_id == on_agenda.id))
    assert item.meeting.body.code == services.body_code_of(on_agenda) == "vast_bureau"
    assert item.meeting.starts > utcnow()
    bodies = services.ensure_bodies(dbsession)
    assert {m.role for m in bodies["college"].members} == {"chair", "member", "secretary"}
    assert len(bodies["college"].members) == 4  # not doubled by the second run
    assert dbsession.scalar(select(func.count()).select_from(Meeting).where(
        Meeting.starts > utcnow())) >= 4  # every body has coming meetings
