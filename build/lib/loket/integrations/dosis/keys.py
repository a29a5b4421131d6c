"""The RSA key that signs our DOSIS client assertions.

Production hands it in as PEM text (``loket.integrations.dosis.private_key``, from the
environment) or as a file; DOSIS holds the public half. Development may let Loket make a key
file on first use; the DOSIS simulator reads the same file to check our signatures.
"""

import contextlib
import os
import tempfile
from pathlib import Path

from joserfc.jwk import RSAKey
from pyramid.exceptions import ConfigurationError

KEY_BITS = 2048


def _with_kid(key: RSAKey) -> RSAKey:
    key.ensure_kid()  # the JWK thumbprint: stable for a key, so DOSIS can pick it out
    return key


def load_key(path: str | Path) -> RSAKey:
    """A key from a PEM file (private or public)."""
    return _with_kid(RSAKey.import_key(Path(path).read_bytes()))


def create_key_file(path: str | Path) -> None:
    """Make a new private key at ``path`` unless one is there.

    Atomic: the web server and the worker may start at the same moment, and a half-written
    file must never be read; the first one to link its finished file wins."""
    path = Path(path)
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = RSAKey.generate_key(KEY_BITS, private=True).as_pem(private=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".dosis-key-")  # mode 0600
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(pem)
        with contextlib.suppress(FileExistsError):  # the other process was first
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def private_key(options: dict, production: bool) -> RSAKey:
    """The signing key the options name; ConfigurationError naming the setting if none."""
    if options.get("private_key"):
        try:
            return _with_kid(RSAKey.import_key(options["private_key"].encode()))
        except ValueError as exc:
            raise ConfigurationError("loket.integrations.dosis.private_key: not an RSA private "
                                     "key in PEM form") from exc
    path = options.get("private_key_file")
    if not path:
        raise ConfigurationError("loket.integrations.dosis: set private_key (PEM) or "
                                 "private_key_file")
    if options.get("generate_key"):
        if production:
            raise ConfigurationError("loket.integrations.dosis.generate_key: never in "
                                     "production; register a real key with DOSIS")
        create_key_file(path)
    try:
        key = load_key(path)
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"loket.integrations.dosis.private_key_file: cannot read an "
                                 f"RSA key from {path}") from exc
    if not key.is_private:
        raise ConfigurationError("loket.integrations.dosis.private_key_file: holds a public key")
    return key
