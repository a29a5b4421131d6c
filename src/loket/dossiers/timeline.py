"""The dossier's own timeline sources (filled in by the handler's page feature)."""


def includeme(config):
    pass
