"""How long an untouched draft application is kept (``loket.applications.draft_days``)."""

from datetime import date, timedelta

DEFAULT_DRAFT_DAYS = 30


def draft_days(settings) -> int:
    return int(settings.get("loket.applications.draft_days", DEFAULT_DRAFT_DAYS))


def kept_until(request, dossier) -> date:
    """The day the worker purges this draft if nobody touches it."""
    return (dossier.modified + timedelta(days=draft_days(request.registry.settings))).date()
