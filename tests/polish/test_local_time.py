"""Every page shows Belgian time: the database holds UTC, people read Europe/Brussels, also
on the days the clocks change (29 March and 25 October 2026)."""

from datetime import UTC, date, datetime

import pytest

from loket.i18n import format_date, format_datetime, local, local_date
from loket.workflow.models import HistoryEntry

# 29 March 2026: at 01:00 UTC Brussels moves from 02:00 CET to 03:00 CEST.
BEFORE_SPRING = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
AFTER_SPRING = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
# 25 October 2026: at 01:00 UTC Brussels moves from 03:00 CEST back to 02:00 CET.
BEFORE_AUTUMN = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
AFTER_AUTUMN = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize("moment, shown", [
    (BEFORE_SPRING, "29/03/2026 01:30"),  # CET, UTC+1
    (AFTER_SPRING, "29/03/2026 03:30"),   # CEST, UTC+2: 02:30 does not exist that night
    (BEFORE_AUTUMN, "25/10/2026 02:30"),  # CEST
    (AFTER_AUTUMN, "25/10/2026 02:30"),   # CET: the same wall-clock time, an hour later
    (datetime(2026, 7, 1, 8, 46, tzinfo=UTC), "01/07/2026 10:46"),
    (datetime(2026, 1, 15, 9, 46, tzinfo=UTC), "15/01/2026 10:46"),
])
def test_moments_are_shown_in_brussels_time(moment, shown):
    assert format_datetime(moment, "nl") == shown
    assert format_datetime(moment, "en") == shown


def test_the_day_is_the_belgian_day():
    late_evening = datetime(2026, 6, 30, 22, 30, tzinfo=UTC)  # 00:30 on 1 July in Brussels
    assert local_date(late_evening) == date(2026, 7, 1)
    assert format_date(late_evening) == "01/07/2026"
    assert format_date(date(2026, 6, 30)) == "30/06/2026"  # a date is not shifted
    assert local(datetime(2026, 1, 1, 12, 0)).hour == 13  # a naive moment is UTC


def test_seconds_when_asked():
    assert format_datetime(AFTER_SPRING, "nl", seconds=True) == "29/03/2026 03:30:00"


def _history(dbsession, dossier, moment):
    dbsession.add(HistoryEntry(dossier_id=dossier.id, occurred=moment, actor_id=None,
                               transition="ontvankelijk_verklaren", from_state="ingediend",
                               to_state="ontvankelijk"))


def test_staff_timeline_and_last_change_across_the_spring_change(testapp, login, handler,
                                                                submitted, dbsession):
    submitted.submitted = BEFORE_SPRING
    _history(dbsession, submitted, AFTER_SPRING)
    dbsession.flush()
    # Set after the flush: the column's onupdate would otherwise write the present.
    dbsession.execute(type(submitted).__table__.update()
                      .where(type(submitted).__table__.c.id == submitted.id)
                      .values(modified=AFTER_AUTUMN))
    dbsession.expire(submitted)
    login(handler)
    page = testapp.get(f"/dossiers/{submitted.reference}")
    text = " ".join(page.html.get_text(" ").split())
    assert "29/03/2026 03:30" in text      # the step, in summer time
    assert "25/10/2026 02:30" in text      # "Laatste wijziging", in winter time again
    for utc_reading in ("29/03/2026 01:30", "25/10/2026 01:30"):
        assert utc_reading not in text


def test_receipt_shows_brussels_time(app, dbsession, submitted):
    from pyramid.request import Request
    from pyramid.scripting import prepare

    from loket.applications.receipt import receipt_values

    submitted.submitted = AFTER_AUTUMN
    request = Request.blank("/", environ={"HTTP_HOST": "localhost", "app.dbsession": dbsession})
    env = prepare(request=request, registry=app.registry)
    try:
        assert receipt_values(env["request"], submitted)["submitted"] == "25/10/2026 02:30"
    finally:
        env["closer"]()
