"""Advice pages speak like people: the form's labels instead of field names, amounts and
dates formatted, an outside service by its title."""

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from loket.advice import panel
from loket.advice.external import ExternalService
from loket.advice.models import AdviceRequest
from loket.advice.panel import asked_of
from loket.demo import load_demo_data
from loket.dossiers.models import Dossier
from loket.identity.models import Team, User


@pytest.fixture
def demo(dbsession, app_settings):
    load_demo_data(dbsession, app_settings)
    users = {u.given_name: u for u in dbsession.scalars(select(User))}
    heating = dbsession.scalars(select(Dossier).where(Dossier.title == "Verwarmingstoelage")).one()
    return users, heating


def _text(node) -> str:
    return " ".join(node.get_text(" ").split())


def test_the_request_form_lists_the_forms_labels(testapp, login, demo):
    users, heating = demo
    heating.state = "in_behandeling"  # advice is asked while the dossier is handled
    login(users["Els"])
    form = testapp.get(f"/dossiers/{heating.reference}").html.find("form", id="adviesvraag")
    labels = [_text(label) for label in form.select(".item-fields label")]
    assert labels == ["Brandstof", "Aantal geleverde liter", "Bedrag van de factuur"]


def test_the_advice_page_formats_what_is_shared(testapp, login, dbsession, demo):
    users, heating = demo
    team = dbsession.scalars(select(Team).where(Team.code != heating.team.code)).first()
    advice = AdviceRequest(dossier_id=heating.id, number=9, channel="internal", team_id=team.id,
                           question="Klopt het bedrag?", due=date(2099, 1, 31),
                           shared={"fields": ["factuurbedrag", "brandstof"], "documents": []})
    dbsession.add(advice)
    dbsession.flush()
    login(users["Els"])
    shared = _text(testapp.get(f"/dossiers/{heating.reference}/adviezen/9").html
                   .find("section", attrs={"aria-labelledby": "gedeeld-titel"}))
    assert "Bedrag van de factuur € 1.420,00" in shared
    assert "Brandstof Gasolie verwarming (stookolie)" in shared  # the choice by its label
    assert "1420" not in shared and "Factuurbedrag" not in shared


def test_an_outside_service_is_named_by_its_title(monkeypatch):
    service = ExternalService("fod-sociale-zekerheid", "FOD Sociale Zekerheid", "c", "k")
    monkeypatch.setattr(panel, "external_services", lambda registry: {service.code: service})
    request = SimpleNamespace(registry=None)
    advice = SimpleNamespace(team=None, service="fod-sociale-zekerheid", email=None)
    assert asked_of(request, advice) == "FOD Sociale Zekerheid"
    gone = SimpleNamespace(team=None, service="opgeheven-dienst", email=None)
    assert asked_of(request, gone) == "opgeheven-dienst"  # a service no longer configured
