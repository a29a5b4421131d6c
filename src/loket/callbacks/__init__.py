"""Inbound callbacks of outside systems: kinds, idempotent claims, answers (:mod:`.services`)."""

from loket.callbacks.services import (
    CallbackPathPredicate,
    CallbackPredicate,
    add_callback_kind,
)


def includeme(config):
    config.add_directive("add_callback_kind", add_callback_kind)
    config.add_view_predicate("callback", CallbackPredicate)
    config.add_view_predicate("callback_path", CallbackPathPredicate)
    config.scan("loket.callbacks.services")
