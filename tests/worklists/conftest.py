"""Worklist fixtures: a team with two handlers, and dossiers in it."""

from datetime import timedelta
from types import SimpleNamespace

import pytest

from loket.db import utcnow
from loket.security import Role

TEXT_FORM = {"steps": [{"title": {"nl": "Aanvraag", "en": "Application"}, "fields": [
    {"name": "motivatie", "type": "textarea", "label": {"nl": "Motivatie", "en": "Reason"}},
    {"name": "iban", "type": "iban", "label": {"nl": "Rekening", "en": "Account"}},
]}]}


@pytest.fixture
def world(factories, dbsession):
    team, other_team = factories.team(), factories.team()
    els = factories.staff(Role.HANDLER, team=team, given_name="Els")
    bart = factories.staff(Role.HANDLER, team=team, given_name="Bart")
    stranger = factories.staff(Role.HANDLER, team=other_team, given_name="Vreemd")
    premium = factories.type_version(form=TEXT_FORM)
    today = utcnow().date()

    def dossier(team=team, **values):
        made = factories.dossier(team=team, type_version=premium)
        for name, value in values.items():
            setattr(made, name, value)
        made.submitted = made.submitted or utcnow() - timedelta(days=3)
        dbsession.flush()
        return made

    return SimpleNamespace(team=team, other_team=other_team, els=els, bart=bart,
                           stranger=stranger, premium=premium, today=today, dossier=dossier)
