"""E-mail notifications over SMTP: the ``email`` notification plug-in.

Settings (``loket.integrations.notification = email …``)::

    loket.integrations.email.host = smtp.gemeente.be
    loket.integrations.email.port = 587              (default: 587 starttls, 465 implicit, 25 none)
    loket.integrations.email.tls = starttls          (starttls | implicit | none)
    loket.integrations.email.username = loket
    loket.integrations.email.password = …
    loket.integrations.email.from_address = loket@gemeente.be
    loket.integrations.email.from_name = Gemeente Heidebeek   (default: the municipality's name)
    loket.integrations.email.reply_to = info@gemeente.be      (optional)
    loket.integrations.email.timeout = 10
    loket.integrations.email.ca_file = /etc/ssl/private-ca.pem (optional, added to the system's)

The plug-in delivers outbox messages of kind ``email`` (see :mod:`.smtp`) and adds an
``email`` probe to ``/-/health``. Credentials are refused over an unencrypted connection, and
production refuses ``tls = none`` except to a relay on this machine.

For development, ``loket simulators`` serves a mailbox (:mod:`.simulator`): an SMTP sink on
``loket.simulators.smtp_port`` whose messages are listed at ``/mailbox/``.
"""

from urllib.parse import urlsplit

import colander
from pyramid.exceptions import ConfigurationError

from loket.api.health import add_integration_check
from loket.integrations.email.smtp import DEFAULT_PORTS, SmtpConfig, make_deliverer, probe
from loket.integrations.registry import Kind, Plugin
from loket.settings import is_production

NAME = "email"
LOOPBACK = ("localhost", "127.0.0.1", "::1")


class EmailOptions(colander.MappingSchema):
    host = colander.SchemaNode(colander.String())
    port = colander.SchemaNode(colander.Integer(), missing=0, validator=colander.Range(0, 65535))
    tls = colander.SchemaNode(colander.String(), missing="starttls",
                              validator=colander.OneOf(list(DEFAULT_PORTS)))
    username = colander.SchemaNode(colander.String(), missing="")
    password = colander.SchemaNode(colander.String(), missing="")
    from_address = colander.SchemaNode(colander.String(), validator=colander.Email())
    from_name = colander.SchemaNode(colander.String(), missing="")
    reply_to = colander.SchemaNode(colander.String(), missing="", validator=colander.Email())
    timeout = colander.SchemaNode(colander.Float(), missing=10.0,
                                  validator=colander.Range(0.1, 300))
    ca_file = colander.SchemaNode(colander.String(), missing="")


def refuse_unsafe(options: dict, settings) -> None:
    loopback = options["host"] in LOOPBACK
    if options["tls"] == "none" and options["username"] and not loopback:
        raise ConfigurationError("loket.integrations.email: a username and password are never "
                                 "sent unencrypted; set tls = starttls or implicit")
    if options["tls"] == "none" and is_production(settings) and not loopback:
        raise ConfigurationError("loket.integrations.email.tls: none is only allowed to a "
                                 "relay on this machine in production")


def smtp_config(options: dict, settings) -> SmtpConfig:
    """The plug-in's (deserialised) options as an :class:`SmtpConfig`."""
    return SmtpConfig(
        host=options["host"], port=options["port"] or DEFAULT_PORTS[options["tls"]],
        tls=options["tls"], from_address=options["from_address"],
        from_name=options["from_name"] or settings.get("loket.municipality.name", ""),
        reply_to=options["reply_to"], username=options["username"],
        password=options["password"], timeout=options["timeout"], ca_file=options["ca_file"],
        helo_name=urlsplit(settings.get("loket.public_url", "")).hostname or "localhost",
    )


def setup(config, options):
    refuse_unsafe(options, config.get_settings())
    smtp = smtp_config(options, config.get_settings())
    config.add_outbox_deliverer(NAME, make_deliverer(smtp))
    add_integration_check(config, NAME, lambda settings: probe(smtp))


def check(options) -> dict:
    return probe(smtp_config(options, {}))


PLUGIN = Plugin(kind=Kind.NOTIFICATION, name=NAME, title="E-mail (SMTP)",
                options=EmailOptions(), setup=setup, check=check)


def includeme(config):
    config.add_integration(PLUGIN)
