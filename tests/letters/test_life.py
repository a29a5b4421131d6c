"""A letter's life: made waiting for rendering, moved forward only, each move on the dossier."""

import pytest

from loket.dossiers.events import events_of
from loket.letters import models, services


def test_a_letter_moves_forward_and_each_move_is_recorded(dbsession, factories):
    dossier = factories.dossier()
    letter = services.create_letter(dbsession, dossier, "decision.granted", title="Beslissing",
                                    decision=7)
    assert (letter.status, letter.details) == (models.TO_RENDER, {"decision": 7})
    for status in (models.TO_SIGN, models.READY, models.SENDING, models.RETURNED,
                   models.READY, models.SENDING, models.DELIVERED):
        services.move(dbsession, letter, status)
    kinds = [e.kind for e in events_of(dbsession, dossier, "letter.created", "letter.to_sign",
                                       "letter.ready", "letter.sending", "letter.returned",
                                       "letter.delivered")]
    assert kinds == ["letter.created", "letter.to_sign", "letter.ready", "letter.sending",
                     "letter.returned", "letter.ready", "letter.sending", "letter.delivered"]


@pytest.mark.parametrize("start, target", [(models.DELIVERED, models.READY),
                                           (models.TO_RENDER, models.DELIVERED),
                                           (models.CANCELLED, models.READY)])
def test_a_move_the_life_does_not_have_is_refused(dbsession, factories, start, target):
    letter = services.create_letter(dbsession, factories.dossier(), "completion.request")
    letter.status = start
    with pytest.raises(services.NotAllowed):
        services.move(dbsession, letter, target)
    assert letter.status == start

