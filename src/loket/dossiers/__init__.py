"""Dossiers: the content object, citizen and staff pages, lists."""


def includeme(config):
    config.scan(".views")
