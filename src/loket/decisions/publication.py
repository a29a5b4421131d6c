"""The public list of decisions of a meeting (besluitenlijst), ``/besluitenlijsten/<id>``:
HTML+RDFa in the LBLOD ``besluit`` vocabulary, without personal data — each decision is named
by the dossier's reference and the kind of decision (the dossier type and the outcome), never
by the applicant or the decision's text. A meeting without decisions has no list (404)."""

from pyramid.httpexceptions import HTTPNotFound
from pyramid.view import view_config
from sqlalchemy import select

from loket.decisions import lblod
from loket.decisions.models import AgendaItem, Decision
from loket.decisions.resources import DecisionList
from loket.security import Permission
from loket.workflow.presentation import localized


def uris(request) -> str:
    return request.registry.settings["loket.public_url"].rstrip("/")


def publication_of(request, meeting) -> lblod.Publication | None:
    """The list of decisions of ``meeting`` in two queries, whatever its length."""
    rows = request.dbsession.execute(
        select(Decision, AgendaItem).join(AgendaItem, Decision.agenda_item_id == AgendaItem.id)
        .where(Decision.meeting_id == meeting.id).order_by(AgendaItem.position)).all()
    if not rows:
        return None
    base = uris(request)
    here = f"{base}/besluitenlijsten/{meeting.id}"
    treatments = []
    for decision, item in rows:
        kind = localized((item.dossier.type_version.definition or {}).get("title") or {}, "nl") \
            or item.dossier.title
        result = "amended" if decision.amended else decision.outcome
        votes = (decision.votes_for or 0, decision.votes_against or 0,
                 decision.votes_abstaining or 0) if decision.votes_for is not None else None
        treatments.append(lblod.Treatment(
            uri=f"{here}#behandeling-{item.id}", title=f"{kind}, dossier {item.dossier.reference}",
            decision_title=f"{kind}: dossier {item.dossier.reference} {lblod.RESULTS[result]}",
            result=result, votes=votes))
    body = meeting.body
    return lblod.Publication(
        uri=f"{here}#zitting", body_uri=f"{base}/id/bestuursorganen/{body.code}",
        body_name=body.name_nl, planned=meeting.starts, started=meeting.starts,
        # When the last decision was recorded: the minutes hold no closing time.
        ended=max(decision.recorded for decision, _item in rows),
        treatments=treatments,
        members=[lblod.Member(uri=f"{base}/id/mandatarissen/{m.id}", name=m.name, title=m.title)
                 for m in body.members])


@view_config(context=DecisionList, permission=Permission.VIEW, request_method="GET",
             renderer="loket:decisions/templates/decision_list.jinja2")
def decision_list(context, request):
    publication = publication_of(request, context.meeting)
    if publication is None:
        raise HTTPNotFound()
    return {"meeting": context.meeting, "rdfa": lblod.render(publication)}
