"""Applications: the citizen's draft, prefill, attachments, summary, submission and receipt.

Settings: ``loket.applications.draft_days`` (30: an untouched draft is purged after as many
days), ``loket.applications.magda_purpose`` (``sociale-premie-aanvraag``: the purpose of the
prefill when the type names none) and ``loket.applications.prefill_timeout`` (5 seconds).
"""

from loket.applications import purge, services


def draft_panel(request, dossier):
    """On the citizen's dossier page of a draft: until when it is kept, and the way back."""
    if not services.is_draft(dossier) or dossier.applicant_id != request.user.id:
        return None
    return {"kept_until": services.kept_until(request, dossier),
            "href": request.resource_path(dossier, "aanvraag")}


def includeme(config):
    config.scan(".views")
    config.scan(".api")  # the same for integrators, as JSON
    config.add_dossier_panel("application", "loket:applications/templates/panel_draft.jinja2",
                             draft_panel, order=5, audience="citizen")
    config.add_worker_job("applications.purge_drafts", purge.INTERVAL_SECONDS, purge.job)
