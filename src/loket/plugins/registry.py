"""The plug-in registry: one interface per kind of integration, implementations by name.

An installation chooses its implementations in the .ini settings::

    loket.integrations.status_publishing = dosis
    loket.integrations.notification = email sms
    loket.integrations.dosis.base_url = https://…            (the plug-in's own options)

A plug-in is registered with ``config.add_integration(plugin)`` by Loket's own packages, or by
a third-party package through the ``loket.integrations`` entry-point group
(:mod:`loket.plugins.entry_points`). Each plug-in declares a Colander schema of its options,
validated at start-up with a message naming the bad setting, a ``check(options)`` for the
health pages, and a ``setup(config, options)`` that returns the object implementing its kind's
interface (:mod:`loket.plugins.kinds`). Callers ask for the kind::

    person_register = implementation(request.registry, Kind.PERSON_REGISTER)
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

import colander
from pyramid.exceptions import ConfigurationError

from loket.plugins import kinds


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
    BANK_STATEMENTS = "bank_statements"  # CODA / camt.053
    ADVICE = "advice"  # advice requested from external services (loket.advice)


# What each kind's implementation must provide. A kind without an entry has no callers yet.
INTERFACES = {
    Kind.PERSON_REGISTER: kinds.PersonRegister,
    Kind.INCOME: kinds.Income,
    Kind.STATUS_PUBLISHING: kinds.OutboxChannel,
    Kind.NOTIFICATION: kinds.OutboxChannel,
    Kind.MINUTES: kinds.MinutesSoftware,
    Kind.SIGNING: kinds.SigningPlatform,
    Kind.DELIVERY: kinds.Delivery,
    Kind.ACCOUNTING: kinds.Accounting,
    Kind.BANK_STATEMENTS: kinds.BankStatements,
    Kind.ADVICE: kinds.AdviceService,
}

PLUGINS_KEY = "loket.plugins"
CONFIGURED_KEY = "loket.plugins.configured"
IMPLEMENTATIONS_KEY = "loket.plugins.implementations"


@dataclass
class Plugin:
    """One implementation of a kind. ``options`` is a colander.MappingSchema of the settings
    under ``loket.integrations.<name>.``; ``setup(config, options)`` registers deliverers,
    subscribers and views and returns the kind's implementation; ``check(options) -> dict``
    reports reachability for the health pages (``{"status": "ok"|"error", ...}``)."""

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


@dataclass(frozen=True)
class Channel:
    """The implementation of an outbox channel: messages of ``outbox_kind``."""

    outbox_kind: str


def options_of(settings, name: str) -> dict:
    prefix = f"loket.integrations.{name}."
    return {key[len(prefix):]: value for key, value in settings.items()
            if key.startswith(prefix)}


def chosen(settings, kind: Kind) -> list[str]:
    return (settings.get(f"loket.integrations.{kind.value}") or "").split()


def add_integration(config, plugin: Plugin):
    """Make ``plugin`` available; the settings choose whether it runs. Two plug-ins of one
    kind with one name conflict."""
    def register():
        config.registry.setdefault(PLUGINS_KEY, {})[(plugin.kind, plugin.name)] = plugin

    item = config.introspectable("loket plug-ins", (plugin.kind.value, plugin.name),
                                 f"{plugin.kind.value}: {plugin.name}", "loket plug-in")
    item["title"] = plugin.title
    config.action(("loket.plugin", plugin.kind.value, plugin.name), register,
                  introspectables=(item,))


def configured(registry) -> dict[str, PluginState]:
    """The plug-ins this installation uses, by name."""
    return registry.get(CONFIGURED_KEY, {})


def implementations(registry, kind: Kind) -> list:
    """The implementations of ``kind`` the settings chose, in their order."""
    return registry.get(IMPLEMENTATIONS_KEY, {}).get(kind, [])


def implementation(registry, kind: Kind):
    """The one implementation of ``kind``; :class:`kinds.NotConfigured` when none was chosen."""
    found = implementations(registry, kind)
    if not found:
        raise kinds.NotConfigured(f"no plug-in chosen for loket.integrations.{kind.value}")
    return found[0]


def activate(config):
    """After every plug-in is registered (the end of ``loket.main``): validate the chosen
    ones' options, set them up, check they implement their kind, and probe them on
    ``/-/health``."""
    config.commit()  # every add_integration action has run
    settings = config.get_settings()
    available = config.registry.get(PLUGINS_KEY, {})
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
    config.registry[CONFIGURED_KEY] = active
    found = config.registry.setdefault(IMPLEMENTATIONS_KEY, {})
    for name, state in active.items():
        plugin = state.plugin
        implementation = plugin.setup(config, state.options) if plugin.setup else None
        interface = INTERFACES.get(plugin.kind)
        if interface is not None and not isinstance(implementation, interface):
            raise ConfigurationError(
                f"plug-in {name!r} does not implement {interface.__name__} "
                f"(loket.integrations.{plugin.kind.value})")
        found.setdefault(plugin.kind, []).append(implementation)
        if plugin.check is not None:
            config.add_integration_check(name, _bound(plugin.check, state))


def _bound(check, state: PluginState):
    def probe(_settings):
        return check(state.options)

    probe.__name__ = f"check_{state.plugin.name}"
    return probe
