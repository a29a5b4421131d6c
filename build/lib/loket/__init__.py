"""Loket: the dossier system of a Flemish municipality and its OCMW."""

from pyramid.config import Configurator

from loket import settings as loket_settings
from loket.integrations.registry import activate as activate_integrations
from loket.resources import root_factory


def main(global_config, **settings):
    """The composition root: the WSGI application for an .ini file's settings."""
    settings = loket_settings.load(settings)
    with Configurator(settings=settings, root_factory=root_factory) as config:
        # Infrastructure first: database and transaction, then security and sessions, which
        # every view relies on.
        config.include("loket.db")
        config.include("loket.security")
        config.include("loket.i18n")
        config.include("loket.web")  # templates, forms, headers, error pages, home page
        # Domains, in the order of the blueprints: who you are, what you applied for, what
        # you sent.
        config.include("loket.identity")
        config.include("loket.municipality")  # whose e-counter this is
        config.include("loket.workflow")  # states and steps of every dossier
        config.include("loket.dossiers")
        config.include("loket.documents")
        # The integrator's JSON view of the same tree, and the health endpoint.
        config.include("loket.api")
        # The catalogue of dossier types (its JSON views use the api_v1 route).
        config.include("loket.catalogue")
        # Outside systems: the outbox that delivers to them, then the plug-ins (each sets
        # itself up once the settings chose it).
        config.include("loket.outbox")
        config.include("loket.worker")  # config.add_worker_job: periodic jobs of the packages
        config.include("loket.integrations.registry")
        # (plug-in packages are included here)
        config.include("loket.integrations.magda")  # person register, income; /beheer/magda-log
        config.include("loket.integrations.dosis")
        config.include("loket.integrations.health")  # the staff page /beheer/koppelingen
        config.include("loket.notifications")  # citizens' choices; enqueues after each step
        config.include("loket.integrations.email")
        config.include("loket.integrations.sms")
        # The citizen's journey and the back office, on top of the above.
        config.include("loket.applications")  # apply: draft, prefill, submit, receipt
        config.include("loket.checks")  # admissibility screening, MAGDA income/status checks
        config.include("loket.completion")  # requests to complete a dossier, and answers
        config.include("loket.worklists")  # the handlers' lists, search, assignment
        config.include("loket.admissibility")  # the handler's admissibility decision
        config.include("loket.advice")  # advice from internal and external services
        config.include("loket.notes")  # internal notes and mentions
        activate_integrations(config)
    return config.make_wsgi_app()
