"""The municipality's identity: name, addresses, KBO numbers, bank account, logo, meetings."""

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


def includeme(config):
    config.add_request_method(get_municipality, "municipality", reify=True)
    config.add_start_page("beheer/", _("Administration"), Permission.MANAGE_SETTINGS, order=90)
    config.scan(".views")
