"""Bodies, meetings, agenda items and decisions as JSON (see openapi.yaml beside this module).

Staff only: the meetings for the secretariat and the signatories (permission ``meetings``), a
dossier's items and decisions for staff who may read the dossier. The citizen hears the
outcome by the decision letter, not here.
"""

from pyramid.view import view_config
from sqlalchemy import func, select

from loket.decisions import services
from loket.decisions.models import AgendaItem, DecidingBody, Decision, Meeting
from loket.decisions.resources import DossierDecision, MeetingsContainer
from loket.i18n import local
from loket.security import Permission
from loket.web.openapi import API_ROUTE, iso, link


def body_json(request, body: DecidingBody) -> dict:
    return {"code": body.code, "name": body.name(request.locale_name),
            "interval_weeks": body.interval_weeks,
            "agenda_closes_days": body.agenda_closes_days,
            "members": [{"name": m.name, "role": m.role, "title": m.title}
                        for m in body.members]}


def meeting_json(request, meeting: Meeting, items: int | None = None) -> dict:
    found = {"id": meeting.id, "body": meeting.body.code,
             "starts": local(meeting.starts).isoformat(),
             "agenda_closes": local(meeting.agenda_closes).isoformat(),
             "agenda_open": services.agenda_open(meeting), "status": meeting.status,
             "held_on": meeting.held_on.isoformat() if meeting.held_on else None,
             "version": meeting.version,
             "links": {"self": link(request, "zittingen", meeting.id)}}
    if items is not None:
        found["item_count"] = items
    return found


def _amount(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def item_json(request, item: AgendaItem) -> dict:
    return {"id": item.id, "meeting": item.meeting_id, "position": item.position,
            "dossier": item.dossier.reference, "title": item.title,
            "motivation": item.motivation, "articles": list(item.articles),
            "amount": _amount(item.amount), "status": item.status,
            "continues": item.continues_id, "proposed": iso(item.proposed),
            "links": {"dossier": link(request, "dossiers", item.dossier.reference),
                      "meeting": link(request, "zittingen", item.meeting_id)}}


def decision_json(request, decision: Decision) -> dict:
    return {"id": decision.id, "body": decision.body_code, "meeting": decision.meeting_id,
            "agenda_item": decision.agenda_item_id,
            "decided_on": decision.decided_on.isoformat(), "outcome": decision.outcome,
            "amended": decision.amended, "title": decision.title,
            "final_text": decision.final_text, "amount": _amount(decision.amount),
            "votes": {"for": decision.votes_for, "against": decision.votes_against,
                      "abstaining": decision.votes_abstaining},
            "publication_uri": decision.publication_uri,
            "delegation_reference": decision.delegation_reference,
            "recorded": iso(decision.recorded)}


@view_config(route_name=API_ROUTE, context=MeetingsContainer, permission=Permission.MEETINGS,
             request_method="GET", renderer="json")
def list_meetings(context, request):
    dbsession = request.dbsession
    bodies = services.ensure_bodies(dbsession)
    meetings = services.coming_meetings(dbsession)
    counts = dict(dbsession.execute(
        select(AgendaItem.meeting_id, func.count()).where(
            AgendaItem.meeting_id.in_([m.id for m in meetings])).group_by(AgendaItem.meeting_id)
    ).all()) if meetings else {}
    return {"bodies": [body_json(request, b) for b in bodies.values()],
            "meetings": [meeting_json(request, m, counts.get(m.id, 0)) for m in meetings],
            "links": {"self": link(request, "zittingen")}}


@view_config(route_name=API_ROUTE, context=Meeting, permission=Permission.MEETINGS,
             request_method="GET", renderer="json")
def show_meeting(context, request):
    meeting = services.meeting_with_items(request.dbsession, context.id)
    decisions = {d.agenda_item_id: d for d in request.dbsession.scalars(
        select(Decision).where(Decision.meeting_id == meeting.id))}
    return {**meeting_json(request, meeting),
            "deciding_body": body_json(request, meeting.body),
            "items": [{**item_json(request, i),
                       "decision": decision_json(request, decisions[i.id])
                       if i.id in decisions else None} for i in meeting.items]}


@view_config(route_name=API_ROUTE, context=DossierDecision, permission=Permission.VIEW,
             caller_is_staff=True, request_method="GET", renderer="json")
def dossier_decisions(context, request):
    dossier, dbsession = context.dossier, request.dbsession
    items = dbsession.scalars(select(AgendaItem).where(AgendaItem.dossier_id == dossier.id)
                              .order_by(AgendaItem.id))
    return {"dossier": dossier.reference, "body": services.body_code_of(dossier),
            "agenda_items": [item_json(request, i) for i in items],
            "decisions": [decision_json(request, d)
                          for d in services.decisions_of(dbsession, dossier)],
            "links": {"self": link(request, "dossiers", dossier.reference, "beslissing"),
                      "dossier": link(request, "dossiers", dossier.reference)}}
