"""MAGDA, the Flemish government's data exchange platform: person register, household, tax
bill and social status (INTEGRATIONS.md §2).

Two plug-ins share one client and one set of settings (``loket.integrations.magda.*``, see
:mod:`.options`)::

    loket.integrations.person_register = magda          (GeefPersoon, GeefGezinssamenstelling)
    loket.integrations.income = magda-inkomen           (GeefAanslagbiljetPersonenbelasting,
                                                         GeefSociaalStatuut)

Callers use :mod:`.consult` (purpose check, legal log in the caller's session, typed
answers). The legal log is :class:`.models.MagdaConsultation` (table ``magda_log``), searched
by staff at ``/beheer/magda-log`` (:mod:`.views`). The simulator (:mod:`.simulator`) is
served at ``/magda`` by ``loket simulators``.
"""

import colander
from pyramid.exceptions import ConfigurationError

from loket.integrations.magda.client import MagdaClient
from loket.integrations.magda.consult import REGISTRY_KEY, Magda
from loket.integrations.magda.options import MagdaOptions
from loket.integrations.registry import Kind, Plugin, configured, options_of

NAME = "magda"
INCOME_NAME = "magda-inkomen"


def _shared(config) -> dict:
    """The MAGDA options, validated once, and the shared :class:`Magda` in the registry."""
    registry = config.registry
    if REGISTRY_KEY not in registry:
        try:
            options = MagdaOptions().deserialize(options_of(config.get_settings(), NAME))
        except colander.Invalid as invalid:
            raise ConfigurationError("Integration settings are wrong: " + "; ".join(
                f"loket.integrations.{NAME}.{k}: {v}" for k, v in invalid.asdict().items()
            )) from None
        registry[REGISTRY_KEY] = Magda(MagdaClient(options), options["purposes"])
        registry[REGISTRY_KEY + ".options"] = options
    return registry[REGISTRY_KEY + ".options"]


def setup(config, options: dict):
    _shared(config)


def setup_income(config, options: dict):
    # The income plug-in has no settings of its own: show (and check) the shared ones.
    state = configured(config.registry).get(INCOME_NAME)
    if state is not None:
        state.options = _shared(config)


def check(options: dict) -> dict:
    if "endpoints" not in options:
        return {"status": "error", "error": "not configured"}
    return MagdaClient(options).check()


class IncomeOptions(colander.MappingSchema):
    """None: ``magda-inkomen`` uses ``loket.integrations.magda.*``."""


PLUGIN = Plugin(kind=Kind.PERSON_REGISTER, name=NAME, title="MAGDA (GeefPersoon)",
                options=MagdaOptions(), setup=setup, check=check)
INCOME_PLUGIN = Plugin(kind=Kind.INCOME, name=INCOME_NAME,
                       title="MAGDA (tax bill, social status)", options=IncomeOptions(),
                       setup=setup_income, check=check)


def includeme(config):
    config.add_integration(PLUGIN)
    config.add_integration(INCOME_PLUGIN)
    config.scan("loket.integrations.magda.views")
