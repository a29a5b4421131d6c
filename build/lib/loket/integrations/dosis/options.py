"""The settings of the DOSIS plug-in, ``loket.integrations.dosis.<option>``."""

from urllib.parse import urlsplit

import colander

# The DOSIS scope for pushing dossier statuses (Qmino/dosis-connector, DosisConstanten).
SCOPE = "DosisImport"


def _http_url(node, value):
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise colander.Invalid(node, "must be an http(s) URL")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise colander.Invalid(node, "must be a plain URL (no credentials, query or fragment)")


def _urn(node, value):
    if not value.startswith("urn:") or any(c.isspace() for c in value):
        raise colander.Invalid(node, "must be a URN, e.g. urn://heidebeek/loket")


class DosisOptions(colander.MappingSchema):
    # The OAuth token endpoint; also the audience of our client assertion.
    token_url = colander.SchemaNode(colander.String(), validator=_http_url)
    # Where /api/v2/dosis/... lives.
    base_url = colander.SchemaNode(colander.String(), validator=_http_url,
                                   preparer=lambda value: value.rstrip("/")
                                   if isinstance(value, str) else value)
    client_id = colander.SchemaNode(colander.String(), validator=colander.Length(1, 200))
    # Our source ("bron") as registered at DOSIS; with the reference it identifies a dossier.
    bron = colander.SchemaNode(colander.String(), validator=_urn)
    scope = colander.SchemaNode(colander.String(), missing=SCOPE)
    # The RSA key that signs the client assertion (private_key_jwt): PEM text (production:
    # from the environment), or a file.
    private_key = colander.SchemaNode(colander.String(), missing="")
    private_key_file = colander.SchemaNode(colander.String(), missing="")
    # Development only: make the key file when it does not exist yet.
    generate_key = colander.SchemaNode(colander.Boolean(), missing=False)
    # Seconds to wait for DOSIS on a delivery.
    timeout = colander.SchemaNode(colander.Float(), missing=10.0,
                                  validator=colander.Range(0.1, 120))
