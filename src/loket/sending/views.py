"""Pages: the register of outgoing mail with bulk sending, a dossier's letters ("Verzenden"),
and the dossier page's panels (staff: the mail and its tracking; citizen: the letters sent)."""

from datetime import timedelta

from pyramid.httpexceptions import HTTPFound
from pyramid.renderers import render_to_response
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from loket.db import utcnow
from loket.decisions.models import Decision, Meeting
from loket.documents.models import Document
from loket.dossiers.models import Dossier
from loket.dossiers.panels import has_rows
from loket.i18n import _, local_date
from loket.letters import models as letters
from loket.letters.kinds import letter_kinds
from loket.security import Permission
from loket.sending import channel as channels
from loket.sending import register, services, tracking
from loket.sending.models import (
    ACCEPTED,
    DELIVERED,
    EBOX,
    FAILED,
    PAPER,
    QUEUED,
    READ,
    RETURNED,
    STATUSES,
    Dispatch,
)
from loket.sending.outgoing import Address
from loket.sending.resources import DossierSending, Register
from loket.web import flash
from loket.web.inputs import parse_id

REGISTER_TEMPLATE = "loket:sending/templates/register.jinja2"
DOSSIER_TEMPLATE = "loket:sending/templates/dossier.jinja2"
STAFF_PANEL = "loket:sending/templates/panel.jinja2"
CITIZEN_PANEL = "loket:sending/templates/citizen_panel.jinja2"
READY_LIMIT = 200
MEETING_DAYS = 14
SENDABLE = (letters.READY, letters.RETURNED)
STATUS_TITLES = {QUEUED: _("queued"), ACCEPTED: _("sent"), DELIVERED: _("delivered"),
                 READ: _("read"), RETURNED: _("returned"), FAILED: _("refused")}
CHANNEL_TITLES = {EBOX: _("eBox"), PAPER: _("paper")}
RETURN_TITLES = {"address_unknown": _("address unknown"), "refused": _("refused by the "
                                                                       "addressee"),
                 "not_collected": _("not collected")}


def _common(request) -> dict:
    return {"status_titles": STATUS_TITLES, "channel_titles": CHANNEL_TITLES,
            "return_titles": RETURN_TITLES,
            "kind_titles": {code: k.title for code, k in letter_kinds(request.registry).items()}}


# -- the register -----------------------------------------------------------------------------


def _recent_meetings(dbsession) -> list[Meeting]:
    """Meetings held in the last weeks: "every letter of yesterday's college"."""
    since = local_date(utcnow()) - timedelta(days=MEETING_DAYS)
    return list(dbsession.scalars(select(Meeting).where(Meeting.held_on >= since)
                                  .order_by(Meeting.held_on.desc(), Meeting.id.desc())
                                  .limit(20)))


def _ready_letters(request, teams, meeting_id: int | None = None) -> list:
    query = (select(letters.Letter).join(letters.Letter.dossier)
             .where(letters.Letter.status == letters.READY)
             .options(selectinload(letters.Letter.dossier), selectinload(letters.Letter.document))
             .order_by(letters.Letter.id).limit(READY_LIMIT))
    if teams is not None:
        query = query.where(Dossier.team_id.in_(sorted(teams) or [-1]))
    if meeting_id is not None:  # the decision letters of one meeting (details: {"decision"})
        query = query.join(Decision, Decision.id == letters.Letter.details["decision"]
                           .as_integer()).where(Decision.meeting_id == meeting_id)
    return list(request.dbsession.scalars(query))


def _register_page(request, refused=(), status=200):
    filters = register.Filters.from_params(request.GET)
    teams = register.visible_teams(request.user)
    rows, next_before = register.page(request.dbsession, filters, teams)
    meeting_id = parse_id(request.GET.get("zitting"))
    ready = _ready_letters(request, teams, meeting_id)
    found, problems = channels.consents(request.registry, request.dbsession, ready,
                                        actor=request.user) if ready else ({}, [])
    proposals = {letter.id: channels.proposal(request.registry, letter, found, problems)
                 for letter in ready}
    batch = (request.GET.get("batch") or "")[:32]
    progress = None
    if batch.isalnum():
        counts = dict.fromkeys(STATUSES, 0)
        for (value,) in request.dbsession.execute(
                select(Dispatch.status).where(Dispatch.batch == batch)):
            counts[value] += 1
        total = sum(counts.values())
        if total:
            progress = {"counts": counts, "total": total,
                        "done": total - counts[QUEUED], "batch": batch}
    response = render_to_response(REGISTER_TEMPLATE, {
        **_common(request), "rows": rows, "filters": filters, "next_before": next_before,
        "ready": ready, "proposals": proposals, "problems": problems, "progress": progress,
        "refused": refused, "statuses": STATUSES, "meeting_id": meeting_id,
        "meetings": _recent_meetings(request.dbsession),
    }, request=request)
    response.status = status
    return response


@view_config(context=Register, permission=Permission.SEND, request_method="GET")
def register_page(context, request):
    return _register_page(request)


@view_config(context=Register, name="csv", permission=Permission.SEND, request_method="GET")
def register_csv(context, request):
    filters = register.Filters.from_params(request.GET)
    text = register.csv_text(request.dbsession, filters, register.visible_teams(request.user),
                             request.locale_name)
    response = Response(body=("\ufeff" + text).encode("utf-8"),
                         content_type="text/csv", charset="utf-8")
    response.content_disposition = 'attachment; filename="verzendregister.csv"'
    response.cache_control = "no-store"
    return response


@view_config(context=Register, name="verzenden", permission=Permission.SEND,
             request_method="POST")
def bulk_send(context, request):
    ids = [parse_id(value) for value in request.POST.getall("letter")]
    teams = register.visible_teams(request.user)
    allowed = {letter.id for letter in _ready_letters(request, teams)} if teams is not None \
        else None
    chosen = [i for i in ids if i is not None and (allowed is None or i in allowed)]
    if not chosen:
        flash(request, _("Choose the letters to send."))
        return HTTPFound(location=request.resource_path(context))
    result = services.send_many(request.registry, request.dbsession, chosen, actor=request.user)
    if result.refused:
        flash(request, _("${count} letters were not sent: choose their channel on the "
                         "letter's page.", mapping={"count": len(result.refused)}))
    flash(request, _("${count} letters are being sent.", mapping={"count": len(result.sent)}))
    return HTTPFound(location=request.resource_path(context, query={"batch": result.batch}))


# -- one dossier's letters --------------------------------------------------------------------


def _letters(request, dossier) -> list:
    return list(request.dbsession.scalars(
        select(letters.Letter).where(letters.Letter.dossier_id == dossier.id)
        .order_by(letters.Letter.id)))


_DISPATCHES = select(Dispatch).where(Dispatch.dossier_id == bindparam("dossier")) \
    .order_by(Dispatch.id)  # built once: the dossier pages read them


def dispatches_of(dbsession, dossier) -> list[Dispatch]:
    return list(dbsession.scalars(_DISPATCHES, {"dossier": dossier.id}))


def _dossier_page(request, context, error=None, posted=None, status=200):
    dossier = context.dossier
    found = _letters(request, dossier)
    choices = {letter.id: channels.choose(request.registry, request.dbsession, letter,
                                          actor=request.user)
               for letter in found if letter.status in SENDABLE}
    response = render_to_response(DOSSIER_TEMPLATE, {
        **_common(request), "dossier": dossier, "letters": found, "choices": choices,
        "dispatches": dispatches_of(request.dbsession, dossier), "error": error,
        "posted": posted or {}, "sendable": SENDABLE,
    }, request=request)
    response.status = status
    return response


@view_config(context=DossierSending, permission=Permission.SEND, request_method="GET")
def dossier_page(context, request):
    return _dossier_page(request, context)


def _override(post) -> services.Override | None:
    """The handler's own choice, when they made one."""
    chosen = post.get("channel", "")
    fields = {name: post.get(name, "").strip()
              for name in ("street", "house_number", "box", "postcode", "municipality")}
    address = Address(**fields) if any(fields.values()) else None
    if not chosen and address is None:
        return None
    registered = post.get("registered") == "on" if "registered_shown" in post else None
    return services.Override(channel=chosen or PAPER, reason=post.get("reason", ""),
                             address=address, registered=registered)


@view_config(context=DossierSending, name="verzenden", permission=Permission.SEND,
             request_method="POST")
def send_letter(context, request):
    post = request.POST
    letter_id = parse_id(post.get("letter"))
    letter = request.dbsession.get(letters.Letter, letter_id) if letter_id else None
    if letter is None or letter.dossier_id != context.dossier.id:
        return _dossier_page(request, context, _("No such letter in this dossier."), status=404)
    try:
        services.send(request.registry, request.dbsession, letter, actor=request.user,
                      expected_version=parse_id(post.get("version")), override=_override(post))
    except services.SendRefused as refused:
        return _dossier_page(request, context, refused.message, dict(post), refused.status)
    flash(request, _("The letter is being sent."))
    return HTTPFound(location=request.resource_path(context))


def _dispatch(request, context) -> Dispatch | None:
    number = parse_id(request.POST.get("dispatch"))
    found = request.dbsession.get(Dispatch, number) if number else None
    return found if found is not None and found.dossier_id == context.dossier.id else None


@view_config(context=DossierSending, name="opnieuw", permission=Permission.SEND,
             request_method="POST")
def send_again(context, request):
    dispatch = _dispatch(request, context)
    if dispatch is None:
        return _dossier_page(request, context, _("No such sending in this dossier."),
                             status=404)
    try:
        services.resend(request.registry, request.dbsession, dispatch, actor=request.user,
                        override=_override(request.POST))
    except services.SendRefused as refused:
        return _dossier_page(request, context, refused.message, dict(request.POST),
                             refused.status)
    flash(request, _("The letter is being sent again."))
    return HTTPFound(location=request.resource_path(context))


@view_config(context=DossierSending, name="afsluiten", permission=Permission.SEND,
             request_method="POST")
def close(context, request):
    dispatch = _dispatch(request, context)
    if dispatch is None:
        return _dossier_page(request, context, _("No such sending in this dossier."),
                             status=404)
    try:
        services.resolve(request.dbsession, dispatch, actor_id=request.user.id)
    except services.SendRefused as refused:
        return _dossier_page(request, context, refused.message, status=refused.status)
    flash(request, _("The returned letter was closed without sending it again."))
    return HTTPFound(location=request.resource_path(context))


# -- the dossier page's panels ----------------------------------------------------------------


def staff_panel(request, dossier) -> dict | None:
    dispatches = dispatches_of(request.dbsession, dossier) \
        if has_rows(request, dossier, "dispatches") else []
    sending = dossier["verzending"]
    may_send = bool(request.has_permission(Permission.SEND, sending))
    if not dispatches and not may_send:
        return None
    return {**_common(request), "dispatches": dispatches, "may_send": may_send,
            "action": request.resource_path(sending)}


# What the citizen's panel shows of each sending, with its letter's document: one statement.
_SENT = (select(Dispatch.title, Dispatch.status, Dispatch.letter_kind, Dispatch.channel,
                Dispatch.registered, Dispatch.sent, Dispatch.delivered,
                Document.number.label("document_number"))
         .join_from(Dispatch, letters.Letter, letters.Letter.id == Dispatch.letter_id)
         .outerjoin(Document, Document.id == letters.Letter.document_id)
         .where(Dispatch.dossier_id == bindparam("dossier")).order_by(Dispatch.id))


def citizen_panel(request, dossier) -> dict | None:
    """The letters sent to the citizen, once they left; a decision letter only once it was
    delivered (the outcome reaches the citizen with the letter, not earlier)."""
    if not has_rows(request, dossier, "dispatches"):  # most dossiers had none sent
        return None
    sent = [d for d in request.dbsession.execute(_SENT, {"dossier": dossier.id})
            if d.status in (DELIVERED, READ) or (
                d.status in (ACCEPTED, RETURNED)
                and d.letter_kind not in tracking.DECISION_KINDS)]
    return {"dispatches": sent} if sent else None
