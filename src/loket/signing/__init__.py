"""Signatures on outgoing letters: the signing folder and the signing platform.

- ``/handtekenmap`` (:mod:`.views`): each signatory's letters in signing order, grouped per
  meeting; sign one, a selection or a meeting's batch on the platform's page (eID); decline
  with a reason (the letter goes back to the secretariat);
- the round trip to the platform (:mod:`.services`, the plug-in of kind ``signing``): letters
  waiting for signatures are handed over through the outbox; a worker job reads the
  platform's progress, stores the signed PDF as a new version of the letter's document with
  its signatures validated by pyHanko (:mod:`.validation`), and moves the letter to
  ``ready`` after the last one;
- the dossier's signatures panel and a timeline entry per signature (:mod:`.panel`).
"""

from pyramid.exceptions import ConfigurationError

from loket.i18n import _
from loket.security import Permission
from loket.settings import is_production
from loket.signing import panel, services, validation

SUBMIT_JOB, COLLECT_JOB, DIGEST_JOB = "signing.submit", "signing.collect", "signing.digest"


def includeme(config):
    settings = config.get_settings()
    if is_production(settings) and settings.get("loket.integrations.signing") and \
            not settings.get(validation.SETTING):
        # Without trust roots every signature would show as untrusted: refuse at start-up.
        raise ConfigurationError(f"{validation.SETTING}: name the Belgian eID root "
                                 "certificates that signatures must chain to.")
    config.add_root_child("handtekenmap", "loket.signing.resources.SigningFolder")
    config.add_start_page("handtekenmap", _("Signing folder"), Permission.SIGN, order=15)
    config.add_dossier_panel("signatures", panel.TEMPLATE, panel.panel, order=65,
                             audience="staff")
    config.add_timeline_source("signatures", panel.timeline)
    config.add_worker_job(SUBMIT_JOB, float(settings.get("loket.signing.submit_interval", 10)),
                          services.queue_submissions)
    config.add_worker_job(COLLECT_JOB, float(settings.get("loket.signing.poll_interval", 15)),
                          services.collect)
    config.add_worker_job(DIGEST_JOB, float(settings.get("loket.signing.digest_interval", 300)),
                          services.digests)
    config.scan(".views")
