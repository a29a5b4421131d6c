"""The catalogue of dossier types: versioned definitions, their forms, admin and JSON views.

Wire with ``config.include("loket.catalogue")``; ``/catalogus`` is
:class:`loket.catalogue.resources.CatalogueContainer`.
"""

from pyramid.events import BeforeRender
from pyramid.settings import asbool

STATIC_NAME = "catalogus-static"
TEMPLATES = "loket:catalogue/templates/"


def _add_labels(event):
    """The catalogue's templates read the names of codes (statuses, bodies, ...) as labels."""
    if str(event.get("renderer_name") or "").startswith(TEMPLATES):
        from loket.catalogue.presentation import LABELS, euro

        event.setdefault("labels", LABELS)
        event.setdefault("euro", euro)


def includeme(config):
    settings = config.get_settings()
    cache = 3600 if asbool(settings.get("loket.hsts")) else 0
    # Our one script (Deform's repeating groups without inline handlers), under its own
    # prefix so it never collides with a page.
    config.add_static_view(STATIC_NAME, "loket:catalogue/static", cache_max_age=cache)
    config.add_subscriber(_add_labels, BeforeRender)
    config.scan(".views")
    config.scan(".editor")
    config.scan(".api")
