"""The municipality's identity: name, addresses, KBO numbers, bank account, logo, meetings."""

from sqlalchemy import inspect, select

from loket.i18n import _
from loket.municipality.models import Municipality
from loket.security import Permission

# The one row's primary key.
ROW = 1


def get_municipality(request) -> Municipality:
    """The identity in the database, or an unsaved one with the name from the settings (a
    fresh installation before the functional administrator filled it in)."""
    found = request.dbsession.get(Municipality, ROW)
    if found is not None:
        return found
    settings = request.registry.settings
    return Municipality(id=ROW, name=settings.get("loket.municipality.name", "Gemeente"),
                        kbo_municipality=settings.get("loket.municipality.kbo", ""))


# What every page's header and footer show: one copy per process, read again only when the
# row's ``modified`` moved (a cheap one-column query instead of loading the row every page).
_MODIFIED = select(Municipality.modified).where(Municipality.id == ROW)
SHOWN_KEY = "loket.municipality.shown"  # in the registry: (modified, copy)


def shown_municipality(request) -> Municipality:
    """A detached copy of the identity for display only (the layout); edit ``municipality``."""
    modified = request.dbsession.execute(_MODIFIED).scalar()
    cached = request.registry.get(SHOWN_KEY)
    if cached is not None and cached[0] == modified:
        return cached[1]
    found = get_municipality(request)  # the row, or the settings' name before there is one
    copy = Municipality(**{attr.key: getattr(found, attr.key)
                           for attr in inspect(Municipality).column_attrs})
    request.registry[SHOWN_KEY] = (modified, copy)
    return copy


def includeme(config):
    config.add_request_method(get_municipality, "municipality", reify=True)
    config.add_request_method(shown_municipality, "municipality_shown", reify=True)
    config.add_start_page("beheer/", _("Administration"), Permission.MANAGE_SETTINGS, order=90)
    config.scan(".views")
