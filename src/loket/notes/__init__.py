"""Internal notes on a dossier (staff only, never the applicant) and mentions of colleagues.
See :mod:`loket.notes.services`."""

from loket.i18n import _
from loket.notes.services import MENTION_PURPOSE


def unseen_mentions(user_id: int):
    from sqlalchemy import select

    from loket.notes.models import NoteMention

    return select(NoteMention.dossier_id).where(NoteMention.user_id == user_id,
                                                NoteMention.seen.is_(False))


def includeme(config):
    config.add_openapi_fragment("loket.notes")
    from loket.notes import views
    from loket.notes.models import DossierNote
    from loket.notes.resources import DossierNotes

    config.add_dossier_child("notities", DossierNotes)
    config.add_message_title("email", lambda payload: _("E-mail to a colleague about a note"),
                             purpose=MENTION_PURPOSE)
    # A dossier mentioning a handler in a note they have not seen is in their own list.
    config.add_worklist_mine("mentions", unseen_mentions)
    config.add_dossier_panel("notes", "loket:notes/templates/panel.jinja2", views.panel,
                             order=80, audience="staff")
    config.add_timeline_source("notes", views.timeline_entries)
    config.add_dossier_rows("notes", DossierNote.dossier_id)
    config.scan(".views")
    config.scan(".api")
