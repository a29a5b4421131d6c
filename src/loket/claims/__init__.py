"""Fees citizens pay (a retributie for a permit …) and the bank statements that pay them.

- the handler charges the fee on ``/dossiers/<ref>/retributie`` (the step with purpose
  ``claim.issue``): a claim with a unique structured reference and a payment-request letter
  (kinds ``payment.request``, ``payment.reminder``) with the EPC QR code;
- finance imports CODA and camt.053 statements at ``/vorderingen``; payments are matched on
  their structured reference, a claim paid in full moves its dossier on (``payment.confirm``,
  as the system); partial, excess and unknown payments wait in a list for finance;
- a worker job sends the reminder letter once a claim is overdue.
"""

import transaction

from loket.db import get_tm_session
from loket.i18n import _, local_now
from loket.security import Permission, Role

REMINDER_INTERVAL = 3600.0  # seconds; a claim is reminded once, whenever the job runs


def remind(registry) -> dict:
    """The worker job: one reminder letter per overdue claim, in its own transaction."""
    from loket.claims.services import remind_overdue

    manager = transaction.TransactionManager(explicit=True)
    with manager:
        dbsession = get_tm_session(registry["dbsession_factory"], manager)
        return {"claim_reminders": remind_overdue(dbsession, local_now().date())}


def includeme(config):
    from loket.claims import conditions, letters, services, views
    from loket.claims.models import Claim

    config.add_workflow_condition("claim_paid", conditions.claim_paid)

    for code, title in ((services.REQUEST_KIND, _("Payment request")),
                        (services.REMINDER_KIND, _("Payment reminder"))):
        config.add_letter_kind(code, title, context=letters.claim_context,
                               wording=letters.WORDING[code], part=letters.TEMPLATE,
                               variables=letters.VARIABLES)
    config.add_root_child("vorderingen", "loket.claims.resources.ClaimsContainer")
    config.add_dossier_child("retributie", "loket.claims.resources.DossierClaim")
    config.add_dossier_panel("claims", "loket:claims/templates/panel_staff.jinja2",
                             views.staff_panel, order=65, audience="staff")
    config.add_dossier_rows("claims", Claim.dossier_id)
    config.add_dossier_panel("claims_citizen", "loket:claims/templates/panel_citizen.jinja2",
                             views.citizen_panel, order=15, audience="citizen")
    config.add_step_handler(services.ISSUE, services.refuse_step)
    config.add_worker_job("claims.reminders", REMINDER_INTERVAL, remind)
    config.add_start_page("vorderingen", _("Fees and payments"), Permission.PAY, order=30,
                          roles=(Role.FINANCE,))
    config.add_openapi_fragment("loket.claims")
    config.scan(".views")
    config.scan(".api")
