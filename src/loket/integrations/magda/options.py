"""The settings of the MAGDA plug-ins, ``loket.integrations.magda.<option>``.

Both plug-ins (``magda`` for the person register, ``magda-inkomen`` for income and social
status) read these same settings::

    loket.integrations.magda.base_url = https://…/magda       (or one URL per service:)
    loket.integrations.magda.url.GeefPersoon = https://…
    loket.integrations.magda.identificatie = kb.vlaanderen.be/aiv/…  (from onboarding)
    loket.integrations.magda.hoedanigheid = 1234
    loket.integrations.magda.purposes = sociale-premie-aanvraag inkomenscontrole
    loket.integrations.magda.timeout = 3
    loket.integrations.magda.cert_file / key_file / ca_bundle   (mutual TLS)
    loket.integrations.magda.sign_body = true    (WS-Security signature of the Body, with
    loket.integrations.magda.signing_cert_file / signing_key_file: PEM; default: the mTLS pair)
    loket.integrations.magda.signature_algorithm = rsa-sha256   (or rsa-sha1)
    loket.integrations.magda.digest_algorithm = sha256          (or sha1)
    loket.integrations.magda.certificate_reference = x509v3     (or pkipath)
    loket.integrations.magda.ipcal_codes = 7555   (four-digit IPCAL codes of the taxable income)

Without ``base_url`` every service needs its ``url.<Naam>``; with it, each defaults to
``<base_url>/<Naam>-<major.minor>`` (the simulator's layout).
"""

import os
import re

import colander

from loket.integrations.magda.client import DEFAULT_IPCAL_CODES
from loket.integrations.magda.soap import SERVICES
from loket.plugins.options import http_url

PURPOSE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
IPCAL_CODE = re.compile(r"^[0-9]{4}$")



def _purposes(node, value):
    if not value:
        raise colander.Invalid(node, "name at least one purpose (finality)")
    for purpose in value:
        if not PURPOSE.match(purpose):
            raise colander.Invalid(node, f"{purpose!r} is not a purpose code (a-z, 0-9, -)")


def _ipcal_codes(node, value):
    for code in value:
        if not IPCAL_CODE.match(code):
            raise colander.Invalid(node, f"{code!r} is not a four-digit IPCAL code (e.g. 7555)")


def _file(node, value):
    if value and not os.path.isfile(value):
        raise colander.Invalid(node, "no such file")


class _Words(colander.SequenceSchema):
    word = colander.SchemaNode(colander.String())


class MagdaOptions(colander.MappingSchema):
    base_url = colander.SchemaNode(colander.String(), validator=http_url, missing="",
                                   preparer=lambda v: v.rstrip("/") if isinstance(v, str) else v)
    # Afzender/Identificatie and Hoedanigheid, as MAGDA's onboarding gave them.
    identificatie = colander.SchemaNode(colander.String(), validator=colander.Length(1, 200))
    hoedanigheid = colander.SchemaNode(colander.String(), validator=colander.Length(1, 50))
    purposes = _Words(validator=_purposes)
    # Four digits each, as the request schema wants; see client.DEFAULT_IPCAL_CODES.
    ipcal_codes = _Words(missing=list(DEFAULT_IPCAL_CODES), validator=_ipcal_codes)
    persoon_bron = colander.SchemaNode(colander.String(), missing="RR",
                                       validator=colander.OneOf(["RR", "KSZ"]))
    taal = colander.SchemaNode(colander.String(), missing="nl",
                               validator=colander.OneOf(["nl", "fr", "de", "en"]))
    # Seconds; short, because a citizen's form waits for the prefill.
    timeout = colander.SchemaNode(colander.Float(), missing=3.0,
                                  validator=colander.Range(0.1, 60))
    cert_file = colander.SchemaNode(colander.String(), missing="", validator=_file)
    key_file = colander.SchemaNode(colander.String(), missing="", validator=_file)
    ca_bundle = colander.SchemaNode(colander.String(), missing="", validator=_file)
    sign_body = colander.SchemaNode(colander.Boolean(), missing=False)
    signing_cert_file = colander.SchemaNode(colander.String(), missing="", validator=_file)
    signing_key_file = colander.SchemaNode(colander.String(), missing="", validator=_file)
    # The WS-Security signature. Default RSA-SHA256 over SHA-256 digests with one X509v3
    # BinarySecurityToken: SHA-1 is broken for signatures, and a Java WSS4J service (what
    # MAGDA runs) verifies SHA-256 as well. MAGDA's reference connector signs RSA-SHA1, SHA-1
    # digests, with an X509PKIPathv1 token (its DocumentSigner): if onboarding shows the
    # platform accepts only that, set rsa-sha1 / sha1 / pkipath.
    signature_algorithm = colander.SchemaNode(
        colander.String(), missing="rsa-sha256",
        validator=colander.OneOf(["rsa-sha256", "rsa-sha1"]))
    digest_algorithm = colander.SchemaNode(colander.String(), missing="sha256",
                                           validator=colander.OneOf(["sha256", "sha1"]))
    certificate_reference = colander.SchemaNode(colander.String(), missing="x509v3",
                                                validator=colander.OneOf(["x509v3", "pkipath"]))

    def deserialize(self, cstruct=colander.null):
        cstruct = dict(cstruct or {})
        urls = {key[len("url."):]: cstruct.pop(key) for key in list(cstruct)
                if key.startswith("url.")}
        for key in ("purposes", "ipcal_codes"):
            if isinstance(cstruct.get(key), str):
                cstruct[key] = cstruct[key].split()
        appstruct = super().deserialize(cstruct)
        problems = {}
        for naam in urls:
            if naam not in SERVICES:
                problems[f"url.{naam}"] = f"unknown service (known: {', '.join(SERVICES)})"
        endpoints = {}
        for naam, service in SERVICES.items():
            url = urls.get(naam) or (appstruct["base_url"] and
                                     f"{appstruct['base_url']}/{service.path}")
            if not url:
                problems[f"url.{naam}"] = "Required (or set base_url)"
                continue
            try:
                http_url(self, url)
            except colander.Invalid as invalid:
                problems[f"url.{naam}"] = invalid.msg
            endpoints[naam] = url
        if appstruct["key_file"] and not appstruct["cert_file"]:
            problems["cert_file"] = "Required with key_file"
        if appstruct["sign_body"]:
            # The organisation's signing pair; by default the one of mutual TLS.
            appstruct["signing_cert_file"] = appstruct["signing_cert_file"] or \
                appstruct["cert_file"]
            appstruct["signing_key_file"] = appstruct["signing_key_file"] or appstruct["key_file"]
            for name in ("signing_cert_file", "signing_key_file"):
                if not appstruct[name]:
                    problems[name] = "Required with sign_body (or set cert_file and key_file)"
        if problems:
            error = colander.Invalid(self, "")
            for key, message in problems.items():
                node = colander.SchemaNode(colander.String(), name=key)
                error.add(colander.Invalid(node, message))
            raise error
        appstruct["endpoints"] = endpoints
        return appstruct
