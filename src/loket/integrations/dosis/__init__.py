"""DOSIS, the Flemish register of dossier statuses shown in Mijn Burgerprofiel.

Chosen with ``loket.integrations.status_publishing = dosis``. Every workflow transition that
changes a dossier's DOSIS status (the dossier type's ``dosis`` mapping and the state's phase)
enqueues a ``dosis.push`` outbox message; the worker delivers it with :mod:`.deliver`, and
polls DOSIS's processing results (:mod:`.results`): an upload refused after it was accepted
becomes a dead outbox message on ``/beheer/berichten``. The
simulator (:mod:`.simulator`, served at ``/dosis`` by ``loket simulators``) plays DOSIS and a
small Mijn Burgerprofiel page.
"""

import functools

from loket.i18n import _
from loket.integrations.dosis.client import DosisClient
from loket.integrations.dosis.deliver import CLIENT_KEY, deliver
from loket.integrations.dosis.options import DosisOptions
from loket.integrations.dosis.results import JOB_NAME, poll_results
from loket.integrations.dosis.subscriber import KIND, push_status
from loket.plugins.registry import Channel, Kind, Plugin
from loket.settings import is_production
from loket.workflow.engine import AfterTransition

NAME = "dosis"


def setup(config, options: dict):
    settings = config.get_settings()
    client = DosisClient.from_options(options, production=is_production(settings))
    config.registry[CLIENT_KEY] = client
    config.add_outbox_deliverer(KIND, deliver)
    config.add_subscriber(functools.partial(push_status, options=options), AfterTransition)
    if options["poll_interval"]:
        config.add_worker_job(JOB_NAME, options["poll_interval"],
                              functools.partial(poll_results, bron=options["bron"]))
    return Channel(outbox_kind=KIND)


def check(options: dict) -> dict:
    """The staff page's probe: a fresh client, so it proves the token endpoint and our key as
    well as the API."""
    return DosisClient.from_options(options).check(options["bron"])


PLUGIN = Plugin(kind=Kind.STATUS_PUBLISHING, name=NAME, title="DOSIS (Mijn Burgerprofiel)",
                options=DosisOptions(), setup=setup, check=check)


def includeme(config):
    from loket.integrations.dosis import definition

    config.add_integration(PLUGIN)
    config.add_message_title(KIND, lambda payload: _(
        "Status passed on to DOSIS and Mijn Burgerprofiel"))
    # Every type's definition maps its states to DOSIS codes, whether DOSIS is chosen or not.
    config.add_definition_section(definition.KEY, definition.validate,
                                  default=definition.default)
