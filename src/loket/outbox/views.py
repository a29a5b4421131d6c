"""``/beheer/berichten``: the functional administrator's view of the outbox.

Counts per status, the age of the oldest message on its way, and lists of waiting, failing
and dead messages with a resend button (dead, failing) and a discard button (dead). Never the
payload: it can hold personal data. Every resend and discard is audited.
"""

from pyramid.httpexceptions import HTTPBadRequest, HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import column, select, table

from loket import audit
from loket.db import utcnow
from loket.i18n import _
from loket.outbox import services
from loket.outbox.models import (
    DEAD,
    DELIVERED,
    DELIVERING,
    DISCARDED,
    PENDING,
    RETRYING,
    STATUSES,
    OutboxMessage,
)
from loket.resources import Administration
from loket.security import Permission
from loket.web.inputs import parse_id
from loket.web.views import error_response

OVERVIEW_ROWS = 50  # per section on the overview
PAGE_ROWS = 100  # on a status's own list

STATUS_TITLES = {
    PENDING: _("Waiting"),
    DELIVERING: _("Being delivered"),
    RETRYING: _("Failing, will retry"),
    DEAD: _("Dead: needs a person"),
    DELIVERED: _("Delivered"),
    DISCARDED: _("Discarded"),
}
# The overview: what needs attention first.
OVERVIEW = ((DEAD,), (RETRYING,), (PENDING, DELIVERING))

ACTIONS = {
    "resend": (services.RESENDABLE, "outbox.resent", _("The message will be sent again.")),
    "discard": ((DEAD,), "outbox.discarded", _("The message was discarded.")),
}


def duration(request, seconds: float) -> str:
    seconds = abs(seconds)
    if seconds < 60:
        text = _("${count} s", mapping={"count": int(seconds)})
    elif seconds < 3600:
        text = _("${count} min", mapping={"count": int(seconds // 60)})
    elif seconds < 2 * 86400:
        text = _("${count} h", mapping={"count": int(seconds // 3600)})
    else:
        text = _("${count} days", mapping={"count": int(seconds // 86400)})
    return request.localizer.translate(text)


# The dossier a message belongs to, by reference: the outbox sits below the dossiers (it
# knows their table only by the name its foreign key already names).
DOSSIERS = table("dossiers", column("id"), column("reference"))


def rows(request, statuses, limit: int, after: int | None = None) -> list[dict]:
    # Columns named one by one: the payload is never loaded for display.
    query = (
        select(OutboxMessage.id, OutboxMessage.kind, OutboxMessage.status,
               OutboxMessage.attempts, OutboxMessage.next_attempt, OutboxMessage.last_error,
               OutboxMessage.created, OutboxMessage.claimed_by, DOSSIERS.c.reference)
        .outerjoin(DOSSIERS, DOSSIERS.c.id == OutboxMessage.dossier_id)
        .where(OutboxMessage.status.in_(statuses))
        .order_by(OutboxMessage.id).limit(limit)
    )
    if after is not None:
        query = query.where(OutboxMessage.id > after)
    now = utcnow()
    translate = request.localizer.translate
    found = []
    for row in request.dbsession.execute(query):
        due = (row.next_attempt - now).total_seconds()
        if row.status not in (PENDING, RETRYING):
            next_attempt = ""
        elif due <= 0:
            next_attempt = translate(_("now"))
        else:
            next_attempt = translate(_("in ${duration}",
                                       mapping={"duration": duration(request, due)}))
        found.append({
            "row": row,
            "age": translate(_("${duration} ago", mapping={
                "duration": duration(request, (now - row.created).total_seconds())})),
            "next_attempt": next_attempt,
            "actions": [name for name, (allowed, _a, _m) in ACTIONS.items()
                        if row.status in allowed],
        })
    return found


def _int(value) -> int | None:
    return parse_id(value)


@view_config(context=Administration, name="berichten", permission=Permission.MANAGE_SETTINGS,
             renderer="loket:outbox/templates/messages.jinja2", request_method="GET")
def messages(context, request):
    status = request.GET.get("status")
    counts = services.counts(request.dbsession)
    oldest = services.oldest_open(request.dbsession)
    if status in STATUSES:
        after = _int(request.GET.get("na"))
        found = rows(request, (status,), PAGE_ROWS + 1, after)
        more = len(found) > PAGE_ROWS
        sections = [{"statuses": (status,), "rows": found[:PAGE_ROWS], "total": counts[status],
                     "next": found[PAGE_ROWS - 1]["row"].id if more else None}]
    else:
        status = None
        sections = [{"statuses": statuses, "rows": rows(request, statuses, OVERVIEW_ROWS),
                     "total": sum(counts[s] for s in statuses), "next": None}
                    for statuses in OVERVIEW]
    return {
        "counts": counts,
        "status": status,
        "sections": sections,
        "titles": STATUS_TITLES,
        "oldest": None if oldest is None
        else duration(request, (utcnow() - oldest).total_seconds()),
    }


@view_config(context=Administration, name="berichten", permission=Permission.MANAGE_SETTINGS,
             request_method="POST")
def act(context, request):
    """Resend or discard one message (a button per row)."""
    action = ACTIONS.get(request.POST.get("action"))
    message_id = _int(request.POST.get("message"))
    if action is None or message_id is None:
        raise HTTPBadRequest(_("Choose a message and an action."))
    allowed, audit_action, done = action
    message = request.dbsession.get(OutboxMessage, message_id)
    if message is None:
        return error_response(request, 404, _("Message not found"),
                              _("This message does not exist (any more)."))
    before = {"kind": message.kind, "status": message.status, "attempts": message.attempts,
              "dossier_id": message.dossier_id}
    changed = message.status in allowed and (
        services.resend(request.dbsession, message_id, utcnow())
        if audit_action == "outbox.resent" else services.discard(request.dbsession, message_id))
    if not changed:
        # A worker took it meanwhile, or another person acted first.
        return error_response(request, 409, _("The message changed meanwhile"),
                              _("Reload the list and look again."))
    audit.record(request, audit_action, "outbox_message", message_id, **before)
    request.session.flash(request.localizer.translate(done))
    back = request.POST.get("status")
    query = {"status": back} if back in STATUSES else {}
    return HTTPSeeOther(location=request.resource_path(context, "berichten", query=query))
