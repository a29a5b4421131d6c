"""The composition root: the WSGI application for an .ini file's settings.

Every feature is a package that registers itself through directives (see
``docs/architecture.md``); adding one is one line in the include list below.
"""

from pyramid.config import Configurator
from pyramid.settings import aslist

from loket import settings as loket_settings
from loket.plugins.registry import activate as activate_integrations
from loket.resources import root_factory
from loket.web.requests import with_request_class


def main(global_config, **settings):
    settings = loket_settings.load(settings)
    with Configurator(settings=settings, root_factory=root_factory) as config:
        # Kernel and platform: database and transaction, health, i18n, pages and JSON.
        config.include("loket.db")
        config.include("loket.health")  # /-/health; config.add_health_section, …
        config.include("loket.i18n")
        config.include("loket.resources")  # config.add_root_child
        config.include("loket.web")  # templates, forms, headers, error pages, home page
        config.include("loket.web.openapi")  # /api/v1 route, the OpenAPI contract
        # Base domains: who you are (and the security policy), the workflow engine, the
        # outbox and its worker, the plug-in registry, inbound callbacks.
        config.include("loket.identity")
        config.include("loket.ratelimit")  # login and API limits, security.txt
        config.include("loket.workflow")  # states and steps of every dossier
        config.include("loket.outbox")
        config.include("loket.worker")  # config.add_worker_job: periodic jobs of the packages
        config.include("loket.plugins")  # config.add_integration; /beheer/koppelingen
        config.include("loket.callbacks")  # config.add_callback_kind
        # Content: whose e-counter this is, the catalogue, dossiers and their documents.
        config.include("loket.municipality")
        config.include("loket.catalogue")
        config.include("loket.dossiers")  # config.add_dossier_child, panels, timeline
        config.include("loket.documents")
        # Features, in the order of the blueprints (the worklists first: others add lists).
        config.include("loket.api")  # the integrator's JSON view of the tree
        config.include("loket.worklists")  # config.add_worklist: the handlers' lists
        config.include("loket.notifications")  # citizens' choices; enqueues after each step
        config.include("loket.applications")  # apply: draft, prefill, submit, receipt
        config.include("loket.checks")  # admissibility screening, MAGDA income/status checks
        config.include("loket.completion")  # requests to complete a dossier, and answers
        config.include("loket.admissibility")  # the handler's admissibility decision
        config.include("loket.advice")  # advice from internal and external services
        config.include("loket.notes")  # internal notes and mentions
        config.include("loket.decisions")  # the decision (callback of the minutes software)
        config.include("loket.letters")  # outgoing letters: config.add_letter_kind
        config.include("loket.signing")  # /handtekenmap, signatures on letters
        config.include("loket.sending")  # sending, delivery tracking, /verzendregister
        config.include("loket.payments")  # payment orders for premiums (four eyes, accounting)
        config.include("loket.claims")  # fees citizens pay; bank statements; reminders
        config.include("loket.objections")  # objections as linked dossiers (bezwaar)
        # Feature packages an installation adds without changing Loket (``loket.includes``).
        for package in aslist(settings.get("loket.includes", "")):
            config.include(package)
        # Plug-ins (each sets itself up once the settings chose it), then third parties'.
        config.include("loket.integrations.magda")  # person register, income; /beheer/magda-log
        config.include("loket.integrations.dosis")
        config.include("loket.integrations.email")
        config.include("loket.integrations.sms")
        config.include("loket.integrations.advice_api")
        config.include("loket.integrations.minutes")  # the minutes software (notulen)
        config.include("loket.integrations.signing")  # Digitaal Ondertekenen
        config.include("loket.integrations.documentendienst")  # eBox and paper (delivery)
        config.include("loket.integrations.accounting")  # accounting: API or SEPA file
        config.include("loket.plugins.entry_points")
        activate_integrations(config)
    return with_request_class(config.make_wsgi_app())
