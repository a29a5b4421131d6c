"""The accounting API's contract (``accounting-api.yaml`` beside this module): Loket checks
what it sends against it, the simulator what it receives and what it reports back."""

import functools
from importlib.resources import files

import yaml
from openapi_schema_validator import OAS31Validator


@functools.cache
def document() -> dict:
    return yaml.safe_load(files(__package__).joinpath("accounting-api.yaml").read_text())


@functools.cache
def _validator(name: str) -> OAS31Validator:
    # The whole document as the root, so its "#/components/…" references resolve.
    schema = {**document(), "$ref": f"#/components/schemas/{name}"}
    return OAS31Validator(schema, format_checker=OAS31Validator.FORMAT_CHECKER)


def problems(name: str, value) -> list[str]:
    """What in ``value`` breaks the contract's schema ``name`` (empty: nothing)."""
    found = []
    for error in sorted(_validator(name).iter_errors(value), key=lambda e: list(e.path)):
        where = "/".join(str(p) for p in error.absolute_path)
        found.append(f"{where or 'body'}: {error.message[:200]}")
    return found
