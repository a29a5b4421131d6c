"""Adding and reading internal notes, and the colleagues a note may mention.

A note may mention the staff members of the dossier's team (any role for that team): they
can open the dossier, so a mention never points someone to a page they get a 404 on. Each
mention is a :class:`NoteMention` (the worklists show the dossier in "Mijn dossiers" until
the colleague opens it) and, when e-mail is configured and the colleague has an address, an
e-mail through the outbox. The note's text stays in Loket: the e-mail only says where to look.
"""

from dataclasses import dataclass

from markupsafe import escape
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from loket import audit
from loket.dossiers.panels import once
from loket.i18n import _
from loket.identity.models import RoleAssignment, User
from loket.notes.models import DossierNote, NoteMention
from loket.notifications.channels import EMAIL, available_channels
from loket.outbox import enqueue
from loket.web.forms import GARBAGE_MESSAGE, text_is_clean
from loket.web.inputs import MAX_ID

MAX_BODY = 4000
MENTION_PURPOSE = "mention"  # payload["purpose"] of the e-mail, for the timeline's words


class NoteRefused(ValueError):
    """The note cannot be added as given; ``message`` is a translation string."""

    def __init__(self, message, field: str = "body"):
        super().__init__(str(message))
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Colleague:
    id: int
    name: str
    email: str | None = None


# Built once: every staff dossier page asks both.
_COLLEAGUES = (select(User.id, User.given_name, User.family_name, User.email)
               .join(RoleAssignment, RoleAssignment.user_id == User.id)
               .where(RoleAssignment.team_id == bindparam("team"), User.kind == "staff")
               .distinct().order_by(User.given_name, User.family_name, User.id))
_NOTES = (select(DossierNote).where(DossierNote.dossier_id == bindparam("dossier"))
          # Authors and mentioned colleagues by name only: their roles are not needed.
          .options(joinedload(DossierNote.author).lazyload(User.roles),
                   selectinload(DossierNote.mentions).joinedload(NoteMention.user)
                   .lazyload(User.roles))
          .order_by(DossierNote.created, DossierNote.id))


def colleagues(dbsession, dossier, exclude: int | None = None) -> list[Colleague]:
    """The staff of the dossier's team, by name (one query: columns, not users)."""
    rows = dbsession.execute(_COLLEAGUES, {"team": dossier.team_id})
    return [Colleague(r.id, f"{r.given_name} {r.family_name}".strip(), r.email)
            for r in rows if r.id != exclude]


def notes_of(request, dossier) -> list[DossierNote]:
    """The dossier's notes, oldest first; loaded once per request (page and timeline)."""
    return once(request, "notes", dossier,
                lambda: list(request.dbsession.scalars(_NOTES, {"dossier": dossier.id})))


def mark_seen(request, dossier, notes) -> int:
    """The logged-in user has seen the dossier: their mentions in it are no longer new.
    Writes only when there is something unseen (the page's GET stays read-only otherwise)."""
    user = request.user
    unseen = [m for note in notes for m in note.mentions if m.user_id == user.id and not m.seen]
    if not unseen:
        return 0
    request.dbsession.execute(
        update(NoteMention).where(NoteMention.dossier_id == dossier.id,
                                  NoteMention.user_id == user.id, NoteMention.seen.is_(False))
        .values(seen=True).execution_options(synchronize_session=False))
    for mention in unseen:  # what the page shows now, without a second UPDATE at flush
        set_committed_value(mention, "seen", True)
    return len(unseen)


def add_note(request, dossier, body: str, mention_ids) -> DossierNote:
    """Add a note by the logged-in user, or raise :class:`NoteRefused` (nothing changed)."""
    body = (body or "").strip()
    if not body:
        raise NoteRefused(_("Write the note."))
    if not text_is_clean(body, multiline=True):  # the forms' shared check (loket.web.forms)
        raise NoteRefused(GARBAGE_MESSAGE)
    if len(body) > MAX_BODY:
        raise NoteRefused(_("The note is too long: at most ${max} characters.",
                            mapping={"max": MAX_BODY}))
    try:
        wanted = list(dict.fromkeys(int(i) for i in mention_ids or ()))
        if any(not 0 < i < MAX_ID for i in wanted):
            raise ValueError("out of range")
    except (TypeError, ValueError):
        raise NoteRefused(_("Choose colleagues from the list."), "mentions") from None
    author = request.user
    team = {c.id: c for c in colleagues(request.dbsession, dossier, exclude=author.id)}
    if any(i not in team for i in wanted):
        raise NoteRefused(_("You can only mention colleagues of the dossier's team."),
                          "mentions")
    note = DossierNote(dossier_id=dossier.id, author_id=author.id, body=body)
    note.mentions = [NoteMention(dossier_id=dossier.id, user_id=i) for i in wanted]
    request.dbsession.add(note)
    request.dbsession.flush()
    # Identifiers only: the note's words stay out of the audit trail.
    audit.record(request, "note.added", "dossier", dossier.reference, note=note.id,
                 mentions=wanted)
    if EMAIL in available_channels(request.registry):
        for user_id in wanted:
            if team[user_id].email:
                _email_mention(request, dossier, author, team[user_id])
    request.__dict__.pop("_loket_notes", None)
    return note


def _email_mention(request, dossier, author, colleague: Colleague):
    url = request.registry.settings["loket.public_url"].rstrip("/") + \
        request.resource_path(dossier)
    translate = request.localizer.translate
    subject = translate(_("${author} mentioned you in dossier ${reference}",
                          mapping={"author": author.name, "reference": dossier.reference}))
    text = translate(_("${author} mentioned you in a note on dossier ${reference} "
                       "(${title}). Read it on the dossier page: ${url}",
                       mapping={"author": author.name, "reference": dossier.reference,
                                "title": dossier.title, "url": url}))
    enqueue(request.dbsession, EMAIL, {
        "purpose": MENTION_PURPOSE, "language": request.locale_name, "to": colleague.email,
        "dossier": dossier.reference, "subject": subject, "text": text + "\n",
        "html": f"<p>{escape(text)}</p>\n",
    }, ordering_key=f"user:{colleague.id}:mentions", dossier_id=dossier.id)
