"""The handlers' worklists (filled in by its feature)."""


def includeme(config):
    config.scan(".views")
