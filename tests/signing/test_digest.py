""""Wacht op je handtekening": one e-mail per signatory for a whole batch, when it is their
turn, at most one a day; the next signatory is told once the previous one signed."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from loket.letters.models import SIGNED
from loket.outbox.models import OutboxMessage
from loket.signing import services
from loket.signing.models import SigningDigest
from tests.signing.conftest import started


@pytest.fixture
def email_channel(deliverer):
    deliverer("email", lambda message, context: None)


def mails(dbsession):
    return dbsession.scalars(select(OutboxMessage).where(OutboxMessage.kind == "email")
                             .order_by(OutboxMessage.id)).all()


def test_one_digest_per_signatory_for_a_batch(app, dbsession, make_letter, college_meeting,
                                              luc, hilde, email_channel):
    letters = [make_letter(college_meeting, title=f"Beslissing {n}") for n in range(42)]
    for letter in letters:
        started(dbsession, letter)
    assert services.digests(app.registry, dbsession) == {"signing_digests": 1}
    [mail] = mails(dbsession)
    assert mail.payload["to"] == "burgemeester@heidebeek.example"
    assert mail.payload["subject"] == "Wacht op je handtekening: 42 brieven"
    assert "/handtekenmap" in mail.payload["text"] and "en nog 22 andere" in mail.payload["text"]
    assert services.digests(app.registry, dbsession) == {"signing_digests": 0}  # told once

    for letter in letters:  # the mayor signed: now the general director's turn
        letter.signatories[0].status = SIGNED
    dbsession.flush()
    services.digests(app.registry, dbsession)
    assert [m.payload["to"] for m in mails(dbsession)] == [
        "burgemeester@heidebeek.example", "algemeen.directeur@heidebeek.example"]


def test_at_most_one_a_day(app, dbsession, make_letter, luc, email_channel):
    started(dbsession, make_letter())
    services.digests(app.registry, dbsession)
    started(dbsession, make_letter(title="Later die dag"))
    assert services.digests(app.registry, dbsession) == {"signing_digests": 0}
    digest = dbsession.get(SigningDigest, luc.id)
    digest.last_sent -= timedelta(days=1)
    assert services.digests(app.registry, dbsession) == {"signing_digests": 1}
    assert "1 brief" in mails(dbsession)[-1].payload["subject"]


def test_no_email_channel_no_digest(app, dbsession, make_letter):
    started(dbsession, make_letter())
    assert services.digests(app.registry, dbsession) == {"signing_digests": 0}
    assert not mails(dbsession)
