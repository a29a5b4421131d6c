"""Decisions on dossiers by the college, the council, the vast bureau or a delegated official.

Today: the minutes software's decision callback (:mod:`.callbacks`).
"""

from loket.security import Permission


def includeme(config):
    config.add_callback_kind("besluit", Permission.CALLBACK_BESLUIT)
    config.scan(".callbacks")
