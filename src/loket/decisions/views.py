"""Pages: the draft decision ("Voorleggen"), the dossier's decision panel, the meetings."""

from collections import Counter

from pyramid.httpexceptions import HTTPFound
from pyramid.renderers import render_to_response
from pyramid.traversal import quote_path_segment
from pyramid.view import view_config
from sqlalchemy import func, select

from loket.decisions import drafting, services
from loket.decisions.models import PROPOSED, AgendaItem, Meeting
from loket.decisions.resources import DossierDecision, MeetingsContainer
from loket.dossiers.panels import has_rows
from loket.i18n import _
from loket.security import Permission
from loket.workflow.engine import workflow_of
from loket.workflow.presentation import actor_for

DRAFT_TEMPLATE = "loket:decisions/templates/draft.jinja2"
MEETING_TEMPLATE = "loket:decisions/templates/meeting.jinja2"
PANEL_TEMPLATE = "loket:decisions/templates/panel.jinja2"
DELEGATED_TEMPLATE = "loket:decisions/templates/delegated.jinja2"
STEP_PURPOSES = (services.AGENDA, services.APPROVE, services.REFUSE,
                 services.APPROVE_DELEGATED, services.REFUSE_DELEGATED)


def _version(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _ready(dossier) -> bool:
    workflow = workflow_of(dossier)
    return dossier.state in workflow.states_marked("ready_for_decision")


# -- the dossier's panel --------------------------------------------------------------------


def panel(request, dossier) -> dict | None:
    workflow = workflow_of(dossier)
    dbsession = request.dbsession
    decisions = services.decisions_of(dbsession, dossier) \
        if has_rows(request, dossier, "decisions") else []
    item = services.open_item_of(dbsession, dossier) \
        if has_rows(request, dossier, "agenda_items") else None
    may_propose = _ready(dossier) and bool(
        request.has_permission(Permission.ACT, dossier["beslissing"]))
    return {
        "decisions": decisions,
        "item": item,
        "may_propose": may_propose,
        "official": services.body_code_of(dossier) == services.OFFICIAL,
        "action": request.resource_path(dossier["beslissing"]),
        # The steps of these purposes go through this package's pages, never the plain form.
        "replaces_steps": [t.name for p in STEP_PURPOSES
                           if (t := workflow.transition_for(p)) is not None],
    }


def step_through_the_decision_page(request, dossier, comment, version):
    from loket.workflow.engine import TransitionRefused

    raise TransitionRefused(_("Propose the decision through its page (\"Propose\"), and record "
                              "it on the meeting screen."))


# -- the draft decision ---------------------------------------------------------------------


def _draft_page(request, context, values=None, error=None, status=200):
    dossier = context.dossier
    official = services.body_code_of(dossier) == services.OFFICIAL
    body = services.body_of(request.dbsession, dossier)
    meetings = services.open_meetings(request.dbsession, body) if body is not None else []
    template_error = None
    if values is None:
        try:
            draft = services.draft_for(request, dossier)
            values = {"title": draft.title, "grounds": draft.grounds, "facts": draft.facts,
                      "motivation": draft.motivation, "articles": "\n".join(draft.articles),
                      "amount": "" if draft.amount is None else str(draft.amount),
                      "meeting": str(meetings[0].id) if meetings else ""}
        except drafting.DraftError as exc:
            template_error, values = exc.message, {}
    response = render_to_response(DRAFT_TEMPLATE, {
        "dossier": dossier, "official": official, "body": body, "meetings": meetings,
        "values": values, "error": error, "template_error": template_error,
        "ready": _ready(dossier),
    }, request=request)
    response.status = status if template_error is None else 422
    return response


# ACT: whoever may take one of the dossier's steps now (the handler proposes; the secretariat
# too; a delegate decides); the engine checks the step itself.
@view_config(context=DossierDecision, permission=Permission.ACT, request_method="GET")
def draft_page(context, request):
    return _draft_page(request, context)


@view_config(context=DossierDecision, permission=Permission.ACT, request_method="POST")
def propose(context, request):
    post = request.POST
    values = {key: post.get(key, "") for key in ("title", "grounds", "facts", "motivation",
                                                 "articles", "amount", "meeting", "outcome",
                                                 "delegation_reference")}
    articles = values["articles"].splitlines()
    dossier = context.dossier
    try:
        if services.body_code_of(dossier) == services.OFFICIAL:
            services.decide_delegated(
                request, dossier, actor_for(request), version=_version(post.get("version")),
                outcome=values["outcome"], delegation_reference=values["delegation_reference"],
                title=values["title"], motivation=values["motivation"], articles=articles,
                amount=values["amount"])
            message = _("The decision was recorded.")
        else:
            services.propose(
                request, dossier, actor_for(request), version=_version(post.get("version")),
                meeting_id=_version(values["meeting"]) if values["meeting"] else None,
                title=values["title"], grounds=values["grounds"], facts=values["facts"],
                motivation=values["motivation"], articles=articles, amount=values["amount"])
            message = _("The decision was proposed to the meeting.")
    except services.DecisionRefused as refused:
        return _draft_page(request, context, values, refused.message, refused.status)
    request.session.flash(request.localizer.translate(message))
    return HTTPFound(location=request.resource_path(dossier, anchor="beslissing"))


# -- meetings -------------------------------------------------------------------------------


@view_config(context=MeetingsContainer, permission=Permission.MEETINGS,
             renderer="loket:decisions/templates/meetings.jinja2")
def meetings(context, request):
    coming = services.coming_meetings(request.dbsession)
    counts = Counter(dict(request.dbsession.execute(
        select(AgendaItem.meeting_id, func.count()).where(
            AgendaItem.meeting_id.in_([m.id for m in coming]))
        .group_by(AgendaItem.meeting_id)).all())) if coming else Counter()
    for meeting in coming:
        meeting.__parent__ = context
    return {"meetings": coming, "counts": counts}


def _meeting_page(request, meeting, posted=None, error=None, status=200):
    # Each item links to its dossier: the dossiers' path once, then a reference per item
    # (a traversal path per item was a fifth of a 200-item page).
    dossiers = request.resource_path(request.root, "dossiers")
    items = [(item, reference, f"{dossiers}/{quote_path_segment(reference)}")
             for item, reference in services.agenda(request.dbsession, meeting.id)]
    response = render_to_response(MEETING_TEMPLATE, {
        "meeting": meeting, "items": items, "posted": posted or {}, "error": error,
        "version": meeting.version,  # after a conflict: save again over the newer version
        "may_close": meeting.status == "planned", "proposed": PROPOSED,
        "may_record": request.has_permission(Permission.MEETINGS, meeting),
    }, request=request)
    response.status = status
    return response


@view_config(context=Meeting, permission=Permission.MEETINGS, request_method="GET")
def meeting_page(context, request):
    return _meeting_page(request, context)


@view_config(context=Meeting, permission=Permission.MEETINGS, request_method="POST",
             name="agenda-sluiten")
def close_agenda(context, request):
    try:
        services.close_agenda(request, context, _version(request.POST.get("version")))
    except services.DecisionRefused as refused:
        return _meeting_page(request, context, error=refused.message, status=refused.status)
    request.session.flash(request.localizer.translate(_("The agenda was closed.")))
    return HTTPFound(location=request.resource_path(context))


@view_config(context=Meeting, permission=Permission.MEETINGS, request_method="POST")
def record(context, request):
    post = request.POST
    outcomes, posted = [], {"version": post.get("version", "")}
    for raw in post.getall("item"):
        item_id = _version(raw)
        if item_id is None:
            continue
        entry = services.ItemOutcome(
            item_id=item_id, outcome=post.get(f"outcome-{item_id}", ""),
            text=post.get(f"text-{item_id}", ""), amount=post.get(f"amount-{item_id}", ""),
            votes_for=post.get(f"for-{item_id}", ""),
            votes_against=post.get(f"against-{item_id}", ""),
            votes_abstaining=post.get(f"abstain-{item_id}", ""))
        outcomes.append(entry)
        posted[item_id] = entry
    try:
        services.record_meeting(request, context, _version(post.get("version")), outcomes,
                                actor_for(request))
    except services.DecisionRefused as refused:  # checked before anything changed
        request.tm.doom()  # and should a late refusal come, nothing half recorded is kept
        return _meeting_page(request, context, posted, refused.message, refused.status)
    request.session.flash(request.localizer.translate(_("The meeting's decisions were "
                                                        "recorded.")))
    return HTTPFound(location=request.resource_path(context))


# -- the delegate's list --------------------------------------------------------------------


def _delegated_page(request, context, error=None, posted=None, status=200):
    response = render_to_response(DELEGATED_TEMPLATE, {
        "proposals": services.delegated_proposals(request, actor_for(request)),
        "error": error, "posted": posted or {},
    }, request=request)
    response.status = status
    return response


@view_config(context=MeetingsContainer, name="gedelegeerd", permission=Permission.MEETINGS,
             request_method="GET")
def delegated(context, request):
    return _delegated_page(request, context)


@view_config(context=MeetingsContainer, name="gedelegeerd", permission=Permission.MEETINGS,
             request_method="POST")
def decide_delegated(context, request):
    post = request.POST
    chosen = {_version(v) for v in post.getall("dossier")} - {None}
    posted = {"chosen": chosen, "outcome": post.get("outcome", ""),
              "delegation_reference": post.get("delegation_reference", "")}
    actor = actor_for(request)
    dossiers = [d for d in services.delegated_proposals(request, actor) if d.id in chosen]
    try:
        if len(dossiers) != len(chosen):
            raise services.DecisionRefused(_("A chosen dossier cannot be decided (any more)."),
                                           status=409)
        decided = services.decide_many_delegated(
            request, dossiers, actor, outcome=posted["outcome"],
            delegation_reference=posted["delegation_reference"])
    except services.DecisionRefused as refused:
        request.tm.doom()  # all or nothing: an earlier dossier of the list is not decided
        return _delegated_page(request, context, refused.message, posted, refused.status)
    request.session.flash(request.localizer.translate(_(
        "${count} decisions were recorded.", mapping={"count": len(decided)})))
    return HTTPFound(location=request.resource_path(context, "@@gedelegeerd"))
