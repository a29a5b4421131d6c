"""Outgoing letters of a dossier: what the citizen receives, from rendering to delivery.

The shared record of the letter's life (:mod:`.models`) is read and moved on by the packages
that handle each part of it:

- rendering from templates and screening for signatures: this package
  (:mod:`.wording`, :mod:`.context`, :mod:`.rendering` in the worker, :mod:`.screening`);
- signatures: :mod:`loket.signing` (the signing folder and the signing plug-in);
- sending and delivery: :mod:`loket.sending` (the delivery plug-in, the register of outgoing
  mail).

A letter kind (completion request, decision granted, payment request …) is registered by the
package that owns its content with ``config.add_letter_kind`` (:mod:`.kinds`). This package
owns the receipt, the request for completion and its reminder, the refusal of admissibility
and the decision letters, and makes them by itself when the dossier takes the step
(:mod:`.subscribers`). Pages: the letters panel on the staff dossier page, the override of
the screening, ``/dossiers/<ref>/brieven`` as JSON, and the administrator's wording editor
with a preview on a real dossier (``/catalogus/<code>/<n>/@@brieven``).
"""

from loket.i18n import _
from loket.letters import context, rendering, wording

OWN_KINDS = (
    ("receipt", _("Receipt"), context.receipt_context),
    ("completion.request", _("Request for completion"), context.completion_context),
    ("completion.reminder", _("Reminder to complete"), context.completion_context),
    ("admissibility.refused", _("Not admissible"), context.refusal_context),
    ("decision.granted", _("Decision: granted"), context.decision_context),
    ("decision.refused", _("Decision: refused"), context.decision_context),
)


def includeme(config):
    from loket.letters import views

    config.include(".kinds")
    for code, title, kind_context in OWN_KINDS:
        config.add_letter_kind(code, title, context=kind_context,
                               variables=("receipt",) if code == "receipt" else (),
                               withheld=code.startswith("decision."))
    config.add_definition_section(wording.KEY, wording.validate, required=False,
                                  default=lambda workflow: {})
    config.add_definition_section(wording.OBJECTION_KEY, wording.validate_objection,
                                  required=False, default=lambda workflow: {
                                      "days": wording.DEFAULT_OBJECTION_DAYS})
    config.include(".subscribers")
    config.add_worker_job("letters.render", rendering.INTERVAL_SECONDS, rendering.job)
    config.add_dossier_child("brieven", "loket.letters.resources.DossierLetters")
    config.add_dossier_panel("letters", views.PANEL_TEMPLATE, views.panel, order=65,
                             audience="staff")
    config.add_timeline_source("letters", views.timeline)
    config.add_openapi_fragment("loket.letters")
    config.scan(".views")
    config.scan(".editor")
    config.scan(".api")
