"""The plug-in registry: the kinds of outside systems Loket talks to, their interfaces, the
implementation each installation chose, and the administrator's page of them.

See :mod:`.registry` (``config.add_integration``) and :mod:`.kinds` (the interfaces).
"""

from loket.plugins.registry import add_integration


def includeme(config):
    config.add_directive("add_integration", add_integration)
    config.scan(".views")
