"""The plug-in registry: one interface per kind of integration, implementations by name.

An installation chooses its implementations in the .ini settings::

    loket.integrations.status_publishing = dosis
    loket.integrations.notification = email sms
    loket.integrations.dosis.base_url = https://…            (the plug-in's own options)

A plug-in is registered with ``config.add_integration(plugin)`` by Loket's own packages, or by
a third-party package through the ``loket.integrations`` entry-point group (the entry point
names a callable ``includeme(config)`` that calls ``add_integration``). Each plug-in declares a
Colander schema of its options, validated at start-up with a message naming the bad setting,
and a ``check(settings)`` for the health page.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from importlib.metadata import entry_points

import colander
from pyramid.exceptions import ConfigurationError

ENTRY_POINT_GROUP = "loket.integrations"


class Kind(StrEnum):
    IDENTITY = "identity"  # ACM/IDM
    PERSON_REGISTER = "person_register"  # MAGDA GeefPersoon
    INCOME = "income"  # MAGDA income and social status
    STATUS_PUBLISHING = "status_publishing"  # DOSIS → Mijn Burgerprofiel
    NOTIFICATION = "notification"  # e-mail, SMS
    MINUTES = "minutes"  # the minutes software (notuleringspakket)
    SIGNING = "signing"  # Digitaal Ondertekenen
    DELIVERY = "delivery"  # Documentendienst / eBox / paper
    ACCOUNTING = "accounting"  # the accounting package
    ADVICE = "advice"  # advice requested from external services (loket.advice)


@dataclass
class Plugin:
    """One implementation of a kind. ``options`` is a colander.MappingSchema of the settings
    under ``loket.integrations.<name>.``; ``setup(config, options)`` registers deliverers,
    subscribers and views; ``check(options) -> dict`` reports reachability for the health
    page (``{"status": "ok"|"error", ...}``)."""

    kind: Kind
    name: str
    title: str
    options: colander.MappingSchema = field(default_factory=colander.MappingSchema)
    setup: object = None
    check: object = None


@dataclass
class PluginState:
    """What the health page shows of a configured plug-in."""

    plugin: Plugin
    options: dict
    last_success: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None


def options_of(settings, name: str) -> dict:
    prefix = f"loket.integrations.{name}."
    return {key[len(prefix):]: value for key, value in settings.items()
            if key.startswith(prefix)}


def chosen(settings, kind: Kind) -> list[str]:
    return (settings.get(f"loket.integrations.{kind.value}") or "").split()


def add_integration(config, plugin: Plugin):
    config.registry.setdefault("loket.plugins", {})[(plugin.kind, plugin.name)] = plugin


def configured(registry) -> dict[str, PluginState]:
    """The plug-ins this installation uses, by name."""
    return registry.get("loket.plugins.configured", {})


def activate(config):
    """After every plug-in is registered (the end of ``loket.main``): validate the chosen
    ones' options and set them up."""
    settings = config.get_settings()
    available = config.registry.get("loket.plugins", {})
    active = {}
    problems = []
    for kind in Kind:
        for name in chosen(settings, kind):
            plugin = available.get((kind, name))
            if plugin is None:
                names = sorted(n for k, n in available if k == kind)
                problems.append(f"loket.integrations.{kind.value}: no plug-in {name!r} "
                                f"(available: {', '.join(names) or 'none'})")
                continue
            try:
                options = plugin.options.deserialize(options_of(settings, name))
            except colander.Invalid as invalid:
                for key, message in invalid.asdict().items():
                    problems.append(f"loket.integrations.{name}.{key}: {message}")
                continue
            active[name] = PluginState(plugin, options)
    if problems:
        raise ConfigurationError("Integration settings are wrong: " + "; ".join(problems))
    config.registry["loket.plugins.configured"] = active
    for state in active.values():
        if state.plugin.setup is not None:
            state.plugin.setup(config, state.options)


def includeme(config):
    config.add_directive("add_integration", add_integration)
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        config.include(entry_point.load())
