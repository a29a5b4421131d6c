"""The accounting package (boekhoudpakket): plug-ins of kind ``accounting``.

- ``boekhouding-api`` (:mod:`.api`): the JSON API of ``accounting-api.yaml`` (this package's
  own contract: there is no public standard), with a simulator (:mod:`.simulator`) that
  stages orders and reports them paid or rejected by Loket's ``betaling`` callback;
- ``sepa-bestand`` (:mod:`.sepa`): a SEPA credit-transfer file (pain.001.001.03, Febelfin's
  Belgian implementation guidelines) per approval, written to the folder the accounting
  package imports from; finance records paid or rejected.
"""

from loket.i18n import _


def includeme(config):
    from loket.integrations.accounting import api, sepa

    config.add_integration(api.PLUGIN)
    config.add_integration(sepa.PLUGIN)
    config.add_message_title(api.OUTBOX_KIND, lambda payload: _(
        "Payment order handed to the accounting package"))
    config.add_message_title(sepa.OUTBOX_KIND, lambda payload: _(
        "SEPA credit-transfer file for the accounting package"))
