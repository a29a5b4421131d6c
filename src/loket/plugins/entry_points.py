"""Third parties' plug-ins: each entry point of the ``loket.integrations`` group names a
callable ``includeme(config)`` that calls ``config.add_integration``."""

from importlib.metadata import entry_points

ENTRY_POINT_GROUP = "loket.integrations"


def includeme(config):
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        config.include(entry_point.load())
