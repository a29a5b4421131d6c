"""A dossier waiting for its applicant: the handler asked for an invoice (factuur)."""

from datetime import timedelta

import pytest
from pyramid import testing

from loket.db import utcnow
from loket.security import Role
from loket.workflow.models import HistoryEntry

DOCUMENTS = [{"code": "factuur", "title": {"nl": "Factuur", "en": "Invoice"},
              "help": {"nl": "Met de datum van levering.", "en": "With the delivery date."},
              "required": True, "media_types": ["application/pdf", "image/png"],
              "max_size_mb": 10}]
DEADLINES = [{"code": "ontvankelijkheid",
              "title": {"nl": "Ontvankelijkheid", "en": "Admissibility"}, "days": 30,
              "start_state": "ingediend",
              "stop_states": ["ontvankelijk", "onontvankelijk"]}]
QUESTION = "Bezorg de factuur van de levering van 12 januari."


def service_request(app, dbsession, user):
    """A request as the services see it: the app's registry, the test's session, a user."""
    request = testing.DummyRequest()
    request.registry = app.registry
    request.dbsession = dbsession
    request.user = user
    request.locale_name = "nl"
    return request


@pytest.fixture
def world(factories, dbsession):
    """A submitted dossier of a type with a required invoice, its applicant and a handler."""
    team = factories.team(name="Sociale dienst")
    citizen = factories.citizen(given_name="Jan")
    handler = factories.staff(Role.HANDLER, team=team, given_name="Els")
    type_version = factories.type_version(documents=DOCUMENTS, deadlines=DEADLINES)
    dossier = factories.dossier(applicant=citizen, team=team, type_version=type_version,
                                state="ingediend")
    # Submitted three days ago: the admissibility deadline runs since then.
    dbsession.add(HistoryEntry(dossier_id=dossier.id, transition="indienen",
                               from_state="concept", to_state="ingediend",
                               occurred=utcnow() - timedelta(days=3), actor_id=citizen.id))
    dbsession.flush()
    return {"team": team, "citizen": citizen, "handler": handler, "dossier": dossier}


@pytest.fixture
def asked(app, dbsession, world):
    """The handler asked for the invoice, to be answered within two weeks."""
    from loket.completion.services import request_completion

    request = service_request(app, dbsession, world["handler"])
    due = utcnow().date() + timedelta(days=14)
    completion = request_completion(request, world["dossier"], QUESTION, ["factuur"], due,
                                    world["dossier"].version)
    return {**world, "completion": completion, "due": due}
