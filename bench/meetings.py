"""The meeting page's target: a college meeting with 200 agenda items on dossiers of the bench
database, and a cookie of the secretariat (for the ``meeting_page`` scenario)."""

from datetime import timedelta

from sqlalchemy import func, insert, select

ITEMS = 200


def meeting_target(connection, session, now) -> tuple[int, str]:
    """(meeting id, Cookie header of a secretariat member), made in ``connection``;
    ``session(user_id)`` makes a logged-in session."""
    from loket.decisions.models import AgendaItem, Meeting
    from loket.dossiers.models import Dossier
    from loket.identity.models import RoleAssignment

    meetings = Meeting.__table__
    body = college(connection)
    starts = now - timedelta(hours=1)  # being held: the page shows the recording form
    meeting = connection.execute(insert(meetings).values(
        body_id=body, starts=starts, agenda_closes=starts - timedelta(days=2),
        status="agenda_closed", present=[], version=1).returning(meetings.c.id)).scalar_one()
    dossiers = connection.execute(select(Dossier.__table__.c.id).order_by(
        Dossier.__table__.c.id).limit(ITEMS)).scalars().all()
    connection.execute(insert(AgendaItem.__table__), [
        {"meeting_id": meeting, "dossier_id": dossier, "position": n, "title": f"Punt {n}",
         "grounds": "Het reglement.", "facts": "", "motivation": "Voldoet aan het reglement.",
         "articles": ["De premie wordt toegekend."], "status": "proposed", "proposed": now}
        for n, dossier in enumerate(dossiers, 1)])
    roles = RoleAssignment.__table__
    secretary = connection.execute(select(func.min(roles.c.user_id)).where(
        roles.c.role == "secretariat")).scalar_one()
    return meeting, session(secretary)


def college(connection) -> int:
    """The college's id (made when the database has no deciding bodies yet)."""
    from loket.decisions.models import DecidingBody

    bodies = DecidingBody.__table__
    body = connection.execute(select(bodies.c.id).where(bodies.c.code == "college")).scalar()
    if body is None:
        body = connection.execute(insert(bodies).values(
            code="college", name_nl="College van burgemeester en schepenen",
            name_en="Board of mayor and aldermen").returning(bodies.c.id)).scalar_one()
    return body
