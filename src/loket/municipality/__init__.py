"""The municipality's identity: name, addresses, KBO numbers, bank account, logo, meetings."""

import time

from sqlalchemy import event, inspect, select

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


# What every page's header and footer show: one copy per process. A change made in this
# process drops the copy at once (the mapper events below); another process's change is seen
# within CHECK_SECONDS, when the copy's ``modified`` is compared with the row's again — so a
# page asks nothing of the database for it in between.
_MODIFIED = select(Municipality.modified).where(Municipality.id == ROW)
SHOWN_KEY = "loket.municipality.shown"  # in the registry: (checked, modified, copy)
CHECK_SECONDS = 5.0


def shown_municipality(request) -> Municipality:
    """A detached copy of the identity for display only (the layout); edit ``municipality``."""
    registry = request.registry
    cached = registry.get(SHOWN_KEY)
    now = time.monotonic()
    if cached is not None and now - cached[0] < CHECK_SECONDS:
        return cached[2]
    modified = request.dbsession.execute(_MODIFIED).scalar()
    if cached is not None and cached[1] == modified:
        registry[SHOWN_KEY] = (now, modified, cached[2])
        return cached[2]
    found = get_municipality(request)  # the row, or the settings' name before there is one
    copy = Municipality(**{attr.key: getattr(found, attr.key)
                           for attr in inspect(Municipality).column_attrs})
    registry[SHOWN_KEY] = (now, modified, copy)
    return copy


@event.listens_for(Municipality, "after_insert")
@event.listens_for(Municipality, "after_update")
@event.listens_for(Municipality, "after_delete")
def _forget_shown(mapper, connection, target):
    from loket.db import registry_of

    registry_of(target).pop(SHOWN_KEY, None)


def includeme(config):
    config.add_request_method(get_municipality, "municipality", reify=True)
    config.add_request_method(shown_municipality, "municipality_shown", reify=True)
    config.add_start_page("beheer/", _("Administration"), Permission.MANAGE_SETTINGS, order=90)
    config.scan(".views")
