from datetime import timedelta

import pytest

from loket.db import utcnow
from loket.decisions import services
from loket.decisions.models import Meeting
from loket.security import Role
from tests.conftest import csrf_token


@pytest.fixture
def secretary(factories):
    return factories.staff(Role.SECRETARIAT, given_name="Karin")


@pytest.fixture
def ready(factories, submitted, dbsession):
    """The shared heating-allowance dossier, ready for the college's decision."""
    submitted.state = "klaar_voor_beslissing"
    dbsession.flush()
    return submitted


@pytest.fixture
def bodies(dbsession):
    return services.ensure_bodies(dbsession)


@pytest.fixture
def held_meeting(dbsession, bodies):
    """A college meeting that started an hour ago (its agenda closed two days before)."""
    starts = utcnow() - timedelta(hours=1)
    meeting = Meeting(body_id=bodies["college"].id, starts=starts,
                      agenda_closes=starts - timedelta(days=2), status="agenda_closed")
    dbsession.add(meeting)
    dbsession.flush()
    return meeting


def on_agenda(factories, dbsession, meeting, dossier=None, **values):
    """A dossier proposed to ``meeting`` (as the service does, without the page)."""
    dossier = dossier or factories.dossier(state="geagendeerd")
    dossier.state = "geagendeerd"
    item = services._add_item(dbsession, meeting, dossier, title=f"Beslissing {dossier.reference}",
                              motivation="Voldoet aan het reglement.",
                              articles=["De premie wordt toegekend."], **values)
    return item


def form_token(testapp):
    return csrf_token(testapp)
