"""Digitaal Ondertekenen (Digitaal Vlaanderen's signing platform): the ``digitaal-ondertekenen``
plug-in of kind ``signing``.

Settings (``loket.integrations.signing = digitaal-ondertekenen``)::

    loket.integrations.digitaal-ondertekenen.base_url = https://digitaal-ondertekenen-openapi.vlaanderen.be
    loket.integrations.digitaal-ondertekenen.web_url = …   (the platform's page where people sign)
    loket.integrations.digitaal-ondertekenen.token_url = …/op/v1/token   (ACM/IDM)
    loket.integrations.digitaal-ondertekenen.client_id = …
    loket.integrations.digitaal-ondertekenen.client_secret = …
    loket.integrations.digitaal-ondertekenen.profile_name = …   (the platform's API profile)

Loket enqueues a ``signing.digitaal-ondertekenen`` message per letter to sign (``submit``) or
to take back (``withdraw``); the deliverer makes the package (:mod:`.client`) and reports its
identifiers to :mod:`loket.signing`. Signatories sign on the platform's page; the signing
package's worker job reads the workflow's progress and downloads the signed PDF. The simulator
(:mod:`.simulator`) serves the same endpoints and signs with real PAdES signatures.
"""

import logging
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import colander

from loket.i18n import _
from loket.integrations.signing.client import (
    DigitaalOndertekenen,
    SigningRefused,
    SigningUnavailable,
)
from loket.outbox import PermanentFailure, TemporaryFailure
from loket.plugins.options import status_probe
from loket.plugins.registry import Kind, Plugin
from loket.signing import services

log = logging.getLogger(__name__)

NAME = "digitaal-ondertekenen"
OUTBOX_KIND = "signing.digitaal-ondertekenen"


@dataclass
class Platform:
    """The kind's implementation (:class:`loket.plugins.kinds.SigningPlatform`)."""

    client: DigitaalOndertekenen
    web_url: str
    title: str = "Digitaal Ondertekenen"
    outbox_kind: str = OUTBOX_KIND

    def signing_page(self, email: str, packages: list[str], return_url: str) -> str:
        query = urlencode({"packages": ",".join(packages), "return_url": return_url})
        return f"{self.web_url.rstrip('/')}/{quote(email, safe='@')}?{query}"

    def progress(self, package: str) -> dict:
        try:
            workflow = self.client.workflow(package)
        except SigningRefused as refused:
            raise SigningUnavailable(str(refused)) from None
        users = workflow.get("users") if isinstance(workflow, dict) else None
        if not isinstance(users, list):
            raise SigningUnavailable("the workflow has no users")

        def orders(status):
            return sorted(u["signing_order"] for u in users if isinstance(u, dict)
                          and u.get("process_status") == status
                          and isinstance(u.get("signing_order"), int))

        return {"status": workflow.get("package_status"), "signed": orders("SIGNED"),
                "declined": orders("DECLINED")}

    def download(self, package: str, document: str) -> bytes:
        try:
            return self.client.download(package, document)
        except SigningRefused as refused:
            raise SigningUnavailable(str(refused)) from None


class Options(colander.MappingSchema):
    base_url = colander.SchemaNode(colander.String(), validator=colander.url)
    web_url = colander.SchemaNode(colander.String(), validator=colander.url)
    token_url = colander.SchemaNode(colander.String(), validator=colander.url)
    client_id = colander.SchemaNode(colander.String(), validator=colander.Length(min=1))
    client_secret = colander.SchemaNode(colander.String(), validator=colander.Length(min=1))
    scope = colander.SchemaNode(colander.String(), missing="digitaalondertekenen")
    profile_name = colander.SchemaNode(colander.String(), missing="loket")
    timeout = colander.SchemaNode(colander.Float(), missing=20.0,
                                  validator=colander.Range(0.5, 55))


def make_deliverer(platform: Platform):
    def deliver_signing(message, context):
        payload = message.payload
        client = platform.client
        try:
            if payload.get("action") == "withdraw":
                client.delete(payload["package"])
                return
            submit(client, context.registry, payload)
        except SigningRefused as refused:
            log.warning("Digitaal Ondertekenen refused message %s: %s", message.id, refused)
            raise PermanentFailure(f"Digitaal Ondertekenen refused it: {refused}") from None
        except SigningUnavailable as down:
            raise TemporaryFailure(f"Digitaal Ondertekenen unavailable: {down}") from None

    return deliver_signing


def submit(client: DigitaalOndertekenen, registry, payload: dict, dbsession=None) -> None:
    """Make, fill and start the package; report its identifiers to the signing folder."""
    blob = registry["loket.blobstore"].get(payload["sha256"])
    package = client.create_package(payload["name"])
    document = client.upload(package, payload["filename"], blob)
    client.add_signatories(package, payload["signatories"])
    for signatory in payload["signatories"]:
        client.add_field(package, document, signatory["order"], payload["page"])
    client.start(package)
    services.submitted(registry, payload["signing_package"], package, document, dbsession)


def setup(config, options):
    platform = Platform(DigitaalOndertekenen(options), options["web_url"])
    config.add_outbox_deliverer(OUTBOX_KIND, make_deliverer(platform))
    return platform


def check(options) -> dict:
    # The platform documents no status URL; the simulator's and a proxy's answer here.
    return status_probe(options["base_url"], 2.0, path="/v4/status")


PLUGIN = Plugin(kind=Kind.SIGNING, name=NAME, title="Digitaal Ondertekenen",
                options=Options(), setup=setup, check=check)


def includeme(config):
    config.add_integration(PLUGIN)
    config.add_message_title(OUTBOX_KIND, lambda payload: (
        _("Letter withdrawn from the signing platform") if payload.get("action") == "withdraw"
        else _("Letter handed to the signing platform")))
