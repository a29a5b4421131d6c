"""The collecting job asks every started package in turn: first those a signatory just went
to sign, then the longest unasked; a platform that stops answering ends the round with
nothing changed. (The real platform round trip: tests/integrations/signing.)"""

from datetime import timedelta

import pytest

from loket.db import utcnow
from loket.plugins.kinds import SourceUnavailable
from loket.plugins.registry import Kind
from loket.signing import services
from tests.signing.conftest import started


class Platform:
    """Answers "nothing new" for every package, and remembers who was asked."""

    outbox_kind = "signing.test"
    title = "Testplatform"

    def __init__(self, down_after=None):
        self.asked = []
        self.down_after = down_after

    def signing_page(self, email, packages, return_url):
        return "https://platform.example/"

    def progress(self, package):
        if self.down_after is not None and len(self.asked) >= self.down_after:
            raise SourceUnavailable("down")
        self.asked.append(package)
        return {"status": "INPROGRESS", "signed": [], "declined": []}

    def download(self, package, document):
        raise AssertionError("nothing to download")


@pytest.fixture
def packages(dbsession, make_letter):
    rows = [started(dbsession, make_letter(), package=str(n)) for n in range(4)]
    now = utcnow()
    rows[0].polled = now - timedelta(minutes=1)  # asked a minute ago
    rows[1].polled = now - timedelta(minutes=9)  # asked longest ago
    rows[2].requested, rows[2].polled = now, now - timedelta(minutes=2)  # just sent to sign
    rows[3].polled = now - timedelta(minutes=5)
    dbsession.flush()
    return rows


def test_just_requested_first_then_longest_unasked(app, dbsession, plug_in, packages,
                                                   monkeypatch):
    platform = plug_in(Kind.SIGNING, Platform())
    monkeypatch.setattr(services, "COLLECT_BATCH", 3)
    assert services.collect(app.registry, dbsession) == {"signing_collected": 0}
    assert platform.asked == ["2", "1", "3"]
    dbsession.expire_all()
    assert packages[2].polled > packages[0].polled  # asked now: no longer first
    platform.asked.clear()
    services.collect(app.registry, dbsession)
    assert platform.asked == ["0", "1", "2"]


def test_a_platform_that_stops_answering_ends_the_round(app, dbsession, plug_in, packages):
    platform = plug_in(Kind.SIGNING, Platform(down_after=1))
    before = [p.polled for p in packages]
    assert services.collect(app.registry, dbsession) == {"signing_collected": 0,
                                                         "signing_unavailable": 1}
    assert platform.asked == ["2"]
    dbsession.expire_all()
    assert [p.polled for p in packages][:2] == before[:2] and packages[3].polled == before[3]
