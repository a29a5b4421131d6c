"""Payment orders for granted premiums (blueprint 1, phase 6).

- the handler stages the decision's amount to the applicant's account (``/dossiers/<ref>/
  betalingen``, the step with purpose ``payment.prepare``);
- finance approves one order or a batch at ``/betalingen`` — never one they staged (four
  eyes) — and Loket hands the orders to the accounting package (plug-in kind
  ``accounting``: :mod:`loket.integrations.accounting`) through the outbox;
- the package reports paid or rejected by the ``betaling`` callback (:mod:`.callbacks`), or
  finance records it; paid takes ``payment.confirm`` as the system (DOSIS "Betaald", the
  citizen's notification follow from the step);
- finance's lists (to approve, sent, paid, rejected) and the JSON of :mod:`.api`.
"""

from loket.i18n import _
from loket.security import Permission, Role


def includeme(config):
    from loket.payments import conditions, definition, timeline, views
    from loket.payments.models import PaymentOrder

    # payment.confirm is shared with the fees citizens pay (loket.claims): a workflow uses
    # this feature by staging payment orders.
    config.add_workflow_feature("payments", purposes=("payment.prepare",))
    config.add_workflow_condition("payment_order_paid", conditions.payment_order_paid)
    config.add_callback_kind("betaling", Permission.CALLBACK_BETALING)
    config.add_definition_section(definition.KEY, definition.validate, required=False,
                                  default=lambda workflow: {})
    config.add_root_child("betalingen", "loket.payments.resources.PaymentsContainer")
    config.add_dossier_child("betalingen", "loket.payments.resources.DossierPayments")
    config.add_dossier_panel("payments", views.PANEL_TEMPLATE, views.panel, order=70,
                             audience="staff")
    config.add_dossier_panel("payment", views.CITIZEN_TEMPLATE, views.citizen_panel, order=40,
                             audience="citizen")
    config.add_timeline_source("payments", timeline.payment_entries)
    config.add_dossier_rows("payment_orders", PaymentOrder.dossier_id)
    config.add_step_handler("payment.prepare", views.step_through_the_payment_panel)
    config.add_start_page("betalingen", _("Payments"), Permission.PAY, order=25,
                          roles=(Role.FINANCE,))
    config.add_openapi_fragment("loket.payments")
    config.scan(".api")
    config.scan(".callbacks")
    config.scan(".views")
