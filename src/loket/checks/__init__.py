"""checks (filled in by its feature)."""


def includeme(config):
    pass
