"""A compiled check of the API's GET parameters, for production's hot reads.

openapi-core checks a request against the whole document: a third of the time of a dossier's
JSON. Most GETs carry a path and a few plain query parameters, so this module compiles each GET
operation's parameters once (integers with bounds, strings with an enum, a pattern or a length)
and accepts a request only when it is certainly valid, with exactly the typed values
openapi-core would give. Anything else — an operation with other parameters, an empty,
repeated, badly typed or out-of-range value, a date, an unknown or ambiguous path — is left to
openapi-core (``check`` answers None), so errors and their wording stay openapi-core's.

Off in tests (``loket.environment = test``), where openapi-core checks every request; the test
suite compares both on the same requests (tests/api/test_compiled_parameters.py).
"""

import re

from openapi_core.datatypes import Parameters

# What a compiled parameter's schema may say; anything else leaves the operation to openapi-core.
_KNOWN = {"type", "enum", "pattern", "minLength", "maxLength", "minimum", "maximum", "default",
          "format", "examples", "example", "description", "title"}
_DIGITS = re.compile(r"[0-9]{1,18}")


class _Unsure(Exception):
    """openapi-core decides."""


class _Parameter:
    def __init__(self, spec: dict, schema: dict):
        self.name = spec["name"]
        self.required = spec.get("required", False)
        self.type = schema["type"]
        self.enum = schema.get("enum")
        self.pattern = re.compile(schema["pattern"]) if "pattern" in schema else None
        self.min_length = schema.get("minLength")
        self.max_length = schema.get("maxLength")
        self.minimum = schema.get("minimum")
        self.maximum = schema.get("maximum")
        self.has_default = "default" in schema
        self.default = schema.get("default")
        self.format = schema.get("format")

    def value(self, raw: str):
        if raw == "" or self.format is not None:
            raise _Unsure
        if self.type == "integer":
            if not _DIGITS.fullmatch(raw):
                raise _Unsure
            value = int(raw)
            if (self.minimum is not None and value < self.minimum) or (
                    self.maximum is not None and value > self.maximum):
                raise _Unsure
            return value
        if ((self.enum is not None and raw not in self.enum)
                or (self.pattern is not None and self.pattern.search(raw) is None)
                or (self.min_length is not None and len(raw) < self.min_length)
                or (self.max_length is not None and len(raw) > self.max_length)):
            raise _Unsure
        return raw


def _resolve(document: dict, item: dict) -> dict:
    while "$ref" in item:
        section, name = item["$ref"].split("/")[-2:]
        item = document["components"][section][name]
    return item


def _compile(document: dict, path_item: dict, operation: dict):
    """The operation's (path, query) parameters, or None when they are not all plain."""
    compiled = {"path": [], "query": []}
    for spec in (*path_item.get("parameters", ()), *operation.get("parameters", ())):
        spec = _resolve(document, spec)
        schema = _resolve(document, spec.get("schema", {}))
        if (spec.get("in") not in compiled or schema.get("type") not in ("integer", "string")
                or set(schema) - _KNOWN
                or set(spec) - {"name", "in", "required", "schema", "description", "example",
                                "examples"}):
            return None
        compiled[spec["in"]].append(_Parameter(spec, schema))
    return compiled


class CompiledGets:
    """Every path of the document (to know when a URL is ambiguous) and, for each GET whose
    parameters are plain, their compiled checks."""

    def __init__(self, document: dict):
        self.exact: dict[str, dict | None] = {}
        self.templated: list[tuple[re.Pattern, dict | None]] = []
        for path, item in document.get("paths", {}).items():
            operation = item.get("get")
            compiled = _compile(document, item, operation) if operation is not None else None
            if "{" not in path:
                self.exact[path] = compiled
                continue
            pattern = "".join(f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("{")
                              else re.escape(part) for part in re.split(r"({[^}]+})", path))
            self.templated.append((re.compile(pattern), compiled))

    def _operation(self, path: str):
        if path in self.exact:
            return self.exact[path], {}
        found = [(m, compiled) for pattern, compiled in self.templated
                 if (m := pattern.fullmatch(path))]
        if len(found) != 1:
            raise _Unsure
        match, compiled = found[0]
        return compiled, match.groupdict()

    def check(self, request, prefix: str) -> Parameters | None:
        """The typed parameters of a valid GET (or HEAD) to the API; None: ask openapi-core."""
        if request.method not in ("GET", "HEAD"):
            return None
        path = request.path
        if path.endswith("/") and path != prefix + "/":
            path = path.rstrip("/")
        try:
            compiled, raw_path = self._operation(path.removeprefix(prefix) or "/")
            if compiled is None:
                return None
            query = request.GET
            typed_query = {}
            for parameter in compiled["query"]:
                values = query.getall(parameter.name)
                if len(values) > 1 or (not values and parameter.required):
                    return None
                if values:
                    typed_query[parameter.name] = parameter.value(values[0])
                elif parameter.has_default:
                    typed_query[parameter.name] = parameter.default
            typed_path = {p.name: p.value(raw_path[p.name]) for p in compiled["path"]}
        except (_Unsure, KeyError, UnicodeDecodeError):
            return None
        return Parameters(query=typed_query, header={}, cookie={}, path=typed_path)
