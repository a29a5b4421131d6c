"""The timeline names outbox messages in plain words, each as the package that sends it
registered (config.add_message_title); an unknown kind still reads as a message. In Dutch,
the default language."""

import pytest
from pyramid import testing

from loket.dossiers.timeline import message_title
from loket.outbox.models import OutboxMessage


@pytest.fixture
def request_(app):
    request = testing.DummyRequest(registry=app.registry)
    request.registry = app.registry
    return request


@pytest.mark.parametrize("kind, payload, title", [
    ("dosis.push", {}, "Status doorgegeven aan DOSIS en Mijn Burgerprofiel"),
    ("email", {"subject": "Je aanvraag"}, "E-mail aan de aanvrager: Je aanvraag"),
    ("email", {"purpose": "mention"}, "E-mail aan een collega over een notitie"),
    ("sms", {}, "Sms aan de aanvrager"),
    ("iets.anders", {}, "Bericht aan een extern systeem (iets.anders)"),
])
def test_message_titles(request_, kind, payload, title):
    message = OutboxMessage(kind=kind, payload=payload)
    assert message_title(request_, message) == title
