"""The settings of the DOSIS plug-in, ``loket.integrations.dosis.<option>``."""

from urllib.parse import urlsplit

import colander

from loket.plugins.options import http_url

# The DOSIS scope for pushing dossier statuses (Qmino/dosis-connector, DosisConstanten).
SCOPE = "DosisImport"
# The DOSIS API page documents this path; the public reference connector posted to
# /api/v1/dosis/dossiers in one version and /api/v2/dossiers in another: confirm at onboarding.
UPLOAD_PATH = "/api/v2/dosis/dossiers"
POLL_SECONDS = 300.0



def _path(node, value):
    parts = urlsplit(value)
    if not value.startswith("/") or parts.netloc or parts.query or parts.fragment \
            or any(c.isspace() for c in value):
        raise colander.Invalid(node, "must be a path on base_url, e.g. " + UPLOAD_PATH)


def _urn(node, value):
    if not value.startswith("urn:") or any(c.isspace() for c in value):
        raise colander.Invalid(node, "must be a URN, e.g. urn://heidebeek/loket")


class DosisOptions(colander.MappingSchema):
    # The OAuth token endpoint; also the audience of our client assertion.
    token_url = colander.SchemaNode(colander.String(), validator=http_url)
    # Where /api/v2/dosis/... lives.
    base_url = colander.SchemaNode(colander.String(), validator=http_url,
                                   preparer=lambda value: value.rstrip("/")
                                   if isinstance(value, str) else value)
    client_id = colander.SchemaNode(colander.String(), validator=colander.Length(1, 200))
    # Our source ("bron") as registered at DOSIS; with the reference it identifies a dossier.
    bron = colander.SchemaNode(colander.String(), validator=_urn)
    scope = colander.SchemaNode(colander.String(), missing=SCOPE)
    # Where statuses are uploaded, relative to base_url.
    upload_path = colander.SchemaNode(colander.String(), missing=UPLOAD_PATH, validator=_path)
    # The RSA key that signs the client assertion (private_key_jwt): PEM text (production:
    # from the environment), or a file.
    private_key = colander.SchemaNode(colander.String(), missing="")
    private_key_file = colander.SchemaNode(colander.String(), missing="")
    # The ``kid`` of our public key as registered with the authorization server (the reference
    # connector sends that one); empty: the key's JWK thumbprint (RFC 7638).
    key_id = colander.SchemaNode(colander.String(), missing="",
                                 validator=colander.Regex(r"^[\x21-\x7e]{0,200}$",
                                                          "must be printable, without spaces"))
    # Development only: make the key file when it does not exist yet.
    generate_key = colander.SchemaNode(colander.Boolean(), missing=False)
    # Seconds to wait for DOSIS on a delivery.
    timeout = colander.SchemaNode(colander.Float(), missing=10.0,
                                  validator=colander.Range(0.1, 120))
    # Seconds between two polls of DOSIS's processing results (a refused upload becomes a
    # dead outbox message); 0: never poll.
    poll_interval = colander.SchemaNode(colander.Float(), missing=POLL_SECONDS,
                                        validator=colander.Range(0, 86400))
