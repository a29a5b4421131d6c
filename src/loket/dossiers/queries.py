"""Lists of dossiers: one query per list, keyset-paginated (page 500 costs what page 1 costs)."""

from sqlalchemy import select, tuple_

from loket.dossiers.models import Dossier

PAGE_SIZE = 50


def dossiers_of_applicant(dbsession, user_id: int, limit: int = PAGE_SIZE):
    return dbsession.scalars(
        select(Dossier).where(Dossier.applicant_id == user_id)
        .order_by(Dossier.created.desc(), Dossier.id.desc()).limit(limit)
    ).all()


def dossiers_of_teams(dbsession, team_ids, after=None, limit: int = PAGE_SIZE):
    """Most recently changed first; ``after`` is the (modified, id) of the last row seen."""
    query = select(Dossier).where(Dossier.team_id.in_(team_ids))
    if after is not None:
        query = query.where(tuple_(Dossier.modified, Dossier.id) < tuple_(*after))
    return dbsession.scalars(
        query.order_by(Dossier.modified.desc(), Dossier.id.desc()).limit(limit)
    ).all()
