"""The rows behind the pages later issues added, made in the bench database by
:func:`bench.run.pick_targets` (the generator makes the dossiers; these pages need rows of
their own on top):

- the signing folder (``/handtekenmap``): a held college meeting whose :data:`LETTERS`
  decision letters wait for the mayor's signature, then the general director's;
- the objections' worklist (``/werkbank?lijst=bezwaren``): an objection dossier (type
  ``bezwaar``, the shipped definition) against :data:`OBJECTION_SHARE` of the decided
  dossiers, at least :data:`OBJECTIONS_PER_TEAM` a team so that its first page is full.

Each is made once per database: a second call finds the rows and makes nothing (bench.profile
and the scaling pair pick targets again on the same database).
"""

from datetime import timedelta

import yaml
from sqlalchemy import func, insert, select, update

LETTERS = 100
OBJECTION_SHARE = 0.04  # objections per decided dossier (Flemish municipalities: a few %)
OBJECTIONS_PER_TEAM = 60  # more than a worklist page (50)


def signing_folder(connection, session, now) -> str:
    """Cookie header of the mayor (the first signatory), with :data:`LETTERS` letters of one
    held college meeting waiting for their signature."""
    from bench.meetings import college
    from loket.decisions.models import Decision, Meeting
    from loket.dossiers.models import Dossier
    from loket.identity.models import RoleAssignment, User
    from loket.letters.models import TO_SIGN, WAITING, Letter, LetterSignatory

    roles, users = RoleAssignment.__table__, User.__table__
    signatories = connection.execute(
        select(users.c.id, users.c.given_name, users.c.family_name)
        .join(roles, roles.c.user_id == users.c.id).where(roles.c.role == "signatory")
        .order_by(users.c.id).limit(2)).all()
    mayor = signatories[0].id
    letters, signers = Letter.__table__, LetterSignatory.__table__
    waiting = connection.execute(select(func.count()).select_from(signers).join(letters).where(
        signers.c.user_id == mayor, signers.c.status == WAITING,
        letters.c.status == TO_SIGN)).scalar_one()
    if waiting >= LETTERS:
        return session(mayor)
    d = Dossier.__table__
    dossiers = connection.execute(select(d.c.id, d.c.reference).where(
        d.c.outcome == "approved").order_by(d.c.id.desc()).limit(LETTERS)).all()
    held = now - timedelta(days=2)
    meetings = Meeting.__table__
    meeting = connection.execute(insert(meetings).values(
        body_id=college(connection), starts=held, agenda_closes=held - timedelta(days=2),
        status="held", present=[], held_on=held.date(), version=1).returning(meetings.c.id)
    ).scalar_one()
    functions = ("burgemeester", "algemeen directeur")
    for dossier_id, reference in dossiers:
        decision = connection.execute(insert(Decision.__table__).values(
            dossier_id=dossier_id, body_code="college", meeting_id=meeting,
            decided_on=held.date(), outcome="approved", title=f"Beslissing {reference}",
            final_text="De premie wordt toegekend.", recorded=held)
            .returning(Decision.__table__.c.id)).scalar_one()
        letter = connection.execute(insert(letters).values(
            dossier_id=dossier_id, kind="decision.granted", status=TO_SIGN,
            title=f"Beslissing {reference}", details={"decision": decision},
            needs_signature=True, created=now, changed=now, version=1)
            .returning(letters.c.id)).scalar_one()
        connection.execute(insert(signers), [
            {"letter_id": letter, "position": position, "user_id": who.id,
             "name": f"{who.given_name} {who.family_name}", "function": function,
             "status": WAITING}
            for position, (who, function) in enumerate(zip(signatories, functions,
                                                           strict=False), 1)])
    return session(mayor)


def objections(connection, now) -> int:
    """Make the objections (once); how many there are."""
    from loket.catalogue.models import DossierType, DossierTypeVersion
    from loket.catalogue.services import SHIPPED
    from loket.dossiers.models import Dossier, ReferenceCounter
    from loket.objections.models import Objection

    o = Objection.__table__
    found = connection.execute(select(func.count()).select_from(o)).scalar_one()
    if found:
        return found
    shipped = yaml.safe_load((SHIPPED / "bezwaar.yaml").read_text(encoding="utf-8"))
    types, versions = DossierType.__table__, DossierTypeVersion.__table__
    type_id = connection.execute(insert(types).values(code=shipped["code"], created=now)
                                 .returning(types.c.id)).scalar_one()
    version = connection.execute(insert(versions).values(
        type_id=type_id, number=1, status="published", valid_from=now.date(),
        definition=shipped["versions"][0]["definition"], created=now, published=now)
        .returning(versions.c.id)).scalar_one()
    d = Dossier.__table__
    decided = connection.execute(select(d.c.id, d.c.team_id, d.c.applicant_id).where(
        d.c.outcome.is_not(None)).order_by(d.c.id)).all()
    step = max(1, round(1 / OBJECTION_SHARE))
    chosen = decided[::step]
    taken, per_team = {row.id for row in chosen}, {}
    for row in chosen:
        per_team[row.team_id] = per_team.get(row.team_id, 0) + 1
    for row in decided:  # fill each team up to its floor
        if per_team.get(row.team_id, 0) < OBJECTIONS_PER_TEAM and row.id not in taken:
            chosen.append(row)
            per_team[row.team_id] = per_team.get(row.team_id, 0) + 1
    year = now.year
    counters = ReferenceCounter.__table__
    last = connection.execute(select(counters.c.last).where(counters.c.year == year)
                              ).scalar() or 0
    dossier_ids = connection.execute(select(func.max(d.c.id))).scalar_one()
    dossiers, links = [], []
    for n, row in enumerate(chosen, 1):
        dossier_ids += 1
        received = now - timedelta(hours=n)
        dossiers.append({"id": dossier_ids, "reference": f"{year}-{last + n:06d}",
                         "type_version_id": version, "title": "Bezwaar", "state": "ontvangen",
                         "applicant_id": row.applicant_id, "team_id": row.team_id,
                         "data": {}, "created": received, "modified": received,
                         "submitted": received, "version": 1})
        links.append({"dossier_id": dossier_ids, "contested_id": row.id, "channel": "online",
                      "received_on": received.date(),
                      "term_ends": (received + timedelta(days=20)).date(), "late": False,
                      "registered": received})
    for start in range(0, len(dossiers), 5000):
        connection.execute(insert(d), dossiers[start:start + 5000])
        connection.execute(insert(o), links[start:start + 5000])
    if connection.execute(select(counters.c.year).where(counters.c.year == year)).first():
        connection.execute(update(counters).where(counters.c.year == year)
                           .values(last=last + len(chosen)))
    else:
        connection.execute(insert(counters).values(year=year, last=len(chosen)))
    if connection.dialect.name == "postgresql":  # ids given here: move the sequence on
        connection.exec_driver_sql(
            "SELECT setval(pg_get_serial_sequence('dossiers', 'id'), max(id)) FROM dossiers")
    return len(chosen)
