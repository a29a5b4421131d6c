"""Sending letters and the register of outgoing mail (blueprint 2, phases 4–6).

- the channel per recipient (:mod:`.channel`): eBox with consent, else paper to the main
  residence, registered for decisions with a term to object; the handler sees why and may
  choose otherwise with a reason;
- "Verzenden" on one letter (``/dossiers/<ref>/verzending``) or on many
  (``/verzendregister``), everything through the outbox (:mod:`.services`, :mod:`.delivery`)
  to the delivery plug-in (kind ``delivery``: the MAGDA Documentendienst);
- tracking by a worker job (:mod:`.tracking`): delivered, read, returned, barcodes and
  deposit proofs; a delivered decision letter takes the dossier's ``decision.send`` step;
- the register of outgoing mail (:mod:`.register`), with CSV export and JSON; returned mail
  is a task on the handler's worklist; the citizen sees the letters sent on their dossier.

Settings: ``loket.sending.registered_kinds`` (letter kinds sent as registered mail),
``loket.sending.purpose`` (the legal purpose of the consent and address lookups, one of
``loket.integrations.magda.purposes``), ``loket.sending.poll_interval`` (seconds).
"""

from loket.i18n import _
from loket.security import Permission, Role
from loket.sending import delivery, tracking, worklist
from loket.sending.models import Dispatch
from loket.sending.services import OUTBOX_KIND


def includeme(config):
    from loket.sending import views

    settings = config.get_settings()
    config.add_root_child("verzendregister", "loket.sending.resources.Register")
    config.add_dossier_child("verzending", "loket.sending.resources.DossierSending")
    config.add_dossier_panel("sending", views.STAFF_PANEL, views.staff_panel, order=70,
                             audience="staff")
    config.add_dossier_panel("sent_letters", views.CITIZEN_PANEL, views.citizen_panel,
                             order=70, audience="citizen")
    config.add_dossier_rows("dispatches", Dispatch.dossier_id)
    config.add_outbox_deliverer(OUTBOX_KIND, delivery.deliver)
    config.add_message_title(OUTBOX_KIND, lambda payload: _("Letter handed to the delivery "
                                                            "service"))
    config.add_worker_job(tracking.JOB_NAME,
                          float(settings.get("loket.sending.poll_interval")
                                or tracking.DEFAULT_INTERVAL), tracking.track)
    config.add_worklist("teruggestuurd", worklist.TITLE, worklist.returned_mail, order=45)
    config.add_worklist_flag("mail_returned", worklist.FLAG_TITLE, worklist.mail_returned)
    config.add_start_page("verzendregister", _("Outgoing mail"), Permission.WORK, order=40,
                          roles=(Role.SECRETARIAT, Role.HANDLER), landing=False)
    config.add_openapi_fragment("loket.sending")
    config.scan(".api")
    config.scan(".views")
