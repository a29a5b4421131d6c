"""The integrator's JSON API under /api/v1 and the health endpoint."""


def includeme(config):
    pass
