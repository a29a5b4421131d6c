"""The OpenAPI document as the API's contract: requests are checked against it before the view,
responses in the tests (and at run time with ``loket.api.validate_responses = true``).

openapi-core speaks its own Request/Response protocols; :class:`WebObOpenAPIRequest` and
:class:`WebObOpenAPIResponse` adapt WebOb's (and so Pyramid's and WebTest's) objects to them.
"""

import json
import logging
from importlib.resources import files

import yaml
from jsonschema_path import SchemaPath
from openapi_core.casting.schemas.exceptions import CastError
from openapi_core.datatypes import Parameters, RequestParameters
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.unmarshalling.request.unmarshallers import V31RequestParametersUnmarshaller
from openapi_core.validation.request.exceptions import (
    MissingRequiredParameter,
    ParameterValidationError,
)
from openapi_core.validation.response.validators import V31ResponseValidator
from openapi_schema_validator import OAS31Validator
from pyramid.response import Response
from pyramid.settings import asbool
from pyramid.threadlocal import get_current_registry
from pyramid.tweens import EXCVIEW
from werkzeug.datastructures import Headers, ImmutableMultiDict

from loket.i18n import _

log = logging.getLogger(__name__)

API_ROUTE = "api_v1"
API_PREFIX = "/api/v1"
HEALTH_PATH = "/-/health"


def link(request, *segments, query=None) -> str:
    """The absolute API URL of a path in the tree, e.g. ``link(request, "dossiers", ref)``."""
    kw = {"_query": query} if query else {}
    return request.route_url(API_ROUTE, traverse=tuple(str(s) for s in segments), **kw)


def iso(moment) -> str:
    return moment.isoformat()


# Each package documents its own part of the API beside its code, in an ``openapi.yaml``
# registered with ``config.add_openapi_fragment(package)``; the document served and enforced
# is every fragment merged (a name defined twice is an error, so no fragment silently replaces
# another's path or schema). ``loket.api``'s fragment carries the document's head (info,
# servers, security).
FRAGMENTS_KEY = "loket.openapi.fragments"
CACHE_KEY = "loket.openapi.cache"


def add_openapi_fragment(config, package: str):
    def register():
        config.registry.setdefault(FRAGMENTS_KEY, []).append(package)

    item = config.introspectable("loket openapi fragments", package, package,
                                 "loket openapi fragment")
    config.action(("loket.openapi_fragment", package), register, introspectables=(item,))


def _merge(document: dict, fragment: dict, origin: str) -> None:
    for key, value in fragment.items():
        if key not in ("paths", "components"):
            if key in document:
                raise ValueError(f"{origin}: {key} is already defined")
            document[key] = value
    sections = [("paths", document.setdefault("paths", {}), fragment.get("paths") or {})]
    for name, entries in (fragment.get("components") or {}).items():
        sections.append((f"components.{name}",
                         document.setdefault("components", {}).setdefault(name, {}), entries))
    for where, target, entries in sections:
        for key, value in entries.items():
            if key in target:
                raise ValueError(f"{origin}: {where}.{key} is already defined")
            target[key] = value


def _cached(registry, name, make):
    registry = registry if registry is not None else get_current_registry()
    cache = registry.setdefault(CACHE_KEY, {})
    if name not in cache:
        cache[name] = make(registry)
    return cache[name]


# Responses every API operation may give (status → component), from packages that act on
# every API request: the rate limits' 429. Paths with servers of their own (/-/health) are
# outside the API's prefix and get none.
COMMON_RESPONSES_KEY = "loket.openapi.common_responses"
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def _build(registry) -> dict:
    document = {}
    for package in registry.get(FRAGMENTS_KEY, []):
        fragment = files(package).joinpath("openapi.yaml")
        _merge(document, yaml.safe_load(fragment.read_bytes()), package + "/openapi.yaml")
    common = registry.get(COMMON_RESPONSES_KEY, {})
    for item in document.get("paths", {}).values():
        if "servers" in item:
            continue
        for method in _METHODS:
            if method in item:
                responses = item[method].setdefault("responses", {})
                for status, ref in sorted(common.items()):
                    responses.setdefault(status, {"$ref": ref})
    document = {key: document[key] for key in sorted(document, key=_HEAD_ORDER.get)}
    return document


_HEAD_ORDER = {key: n for n, key in enumerate(
    ("openapi", "info", "servers", "security", "tags", "paths", "components"))}


def spec_dict(registry=None) -> dict:
    """The merged document of ``registry``'s application (by default the current one)."""
    return _cached(registry, "dict", _build)


def spec_text(registry=None) -> bytes:
    return _cached(registry, "yaml", lambda r: yaml.safe_dump(
        spec_dict(r), sort_keys=False, allow_unicode=True, width=100).encode("utf-8"))


def spec_json(registry=None) -> bytes:
    return _cached(registry, "json", lambda r: json.dumps(
        spec_dict(r), ensure_ascii=False, indent=2).encode())


def _spec(registry=None) -> SchemaPath:
    return _cached(registry, "schema", lambda r: SchemaPath.from_dict(spec_dict(r)))


def _parameters_unmarshaller(registry=None):
    # Parameters only: who the caller is and what they may see is Pyramid's job (security
    # policy and ACLs), which has already run when this does.
    return _cached(registry, "parameters", lambda r: V31RequestParametersUnmarshaller(_spec(r)))


def _response_validator(registry=None):
    # Strict: a field the document does not describe is an error, so the document can never
    # silently fall behind the code. Clients are told to ignore unknown fields all the same.
    return _cached(registry, "responses", lambda r: V31ResponseValidator(
        _spec(r), forbid_unspecified_additional_properties=True))


def documented_path(path: str) -> bool:
    return path.startswith(API_PREFIX + "/") or path == HEALTH_PATH


class WebObOpenAPIRequest:
    """A WebOb request as openapi-core's ``Request`` protocol."""

    def __init__(self, request):
        self.request = request
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(request.GET.items())),
            header=Headers(list(request.headers.items())),
            cookie=ImmutableMultiDict(list(request.cookies.items())),
        )

    @property
    def host_url(self) -> str:
        return self.request.host_url

    @property
    def path(self) -> str:
        # Traversal ignores a trailing slash (/api/v1/dossiers/ is /api/v1/dossiers); the
        # document names each path once, without it. The index is /api/v1/ itself.
        path = self.request.path
        if path.endswith("/") and path != API_PREFIX + "/":
            path = path.rstrip("/") or "/"
        return path

    @property
    def method(self) -> str:
        # Pyramid answers HEAD with the GET view; the document only describes GET.
        method = self.request.method.lower()
        return "get" if method == "head" else method

    @property
    def body(self) -> bytes | None:
        return self.request.body or None

    @property
    def content_type(self) -> str:
        return (self.request.headers.get("Content-Type") or "application/octet-stream").lower()


class WebObOpenAPIResponse:
    """A WebOb response as openapi-core's ``Response`` protocol."""

    def __init__(self, response):
        self.response = response

    @property
    def status_code(self) -> int:
        return self.response.status_int

    @property
    def content_type(self) -> str:
        return (self.response.headers.get("Content-Type") or "").lower()

    @property
    def headers(self):
        return self.response.headers

    @property
    def data(self) -> bytes:
        return self.response.body


# ---------------------------------------------------------------------------------------------
# Requests


class Problem(dict):
    """One reason a request does not match the document: ``{location, name, message}``."""


def _describe(error) -> Problem:
    """A readable problem from one of openapi-core's request errors."""
    if not isinstance(error, ParameterValidationError):
        return Problem(location="request", message=str(error))
    cause = error.__cause__
    if isinstance(error, MissingRequiredParameter):
        message = "is required"
    elif isinstance(cause, CastError):
        message = f"{cause.value!r} is not of type {cause.type}"
    elif getattr(cause, "schema_errors", None):
        message = "; ".join(e.message for e in cause.schema_errors)
    else:
        message = str(cause or error)
    return Problem(location=error.location, name=error.name, message=message)


def check_request(request):
    """``(parameters, problems)`` for a request to the API.

    ``parameters`` is openapi-core's ``Parameters`` (typed: ``limit`` is an int), ``None`` when
    the document has no such path or method; ``problems`` lists what does not match.
    """
    try:
        openapi_request = WebObOpenAPIRequest(request)
    except UnicodeDecodeError:  # WebOb decodes the query string strictly
        return Parameters(), [Problem(location="query", message="is not valid UTF-8")]
    result = _parameters_unmarshaller(request.registry).unmarshal(openapi_request)
    problems = []
    for error in result.errors:
        if isinstance(error, PathError):
            return None, []
        problems.append(_describe(error))
    return result.parameters, problems


def _compiled_gets(registry):
    from loket.web.parameters import CompiledGets

    return _cached(registry, "compiled_gets", lambda r: CompiledGets(spec_dict(r)))


def bad_request_response(request, problems):
    from loket.web.views import error_response

    message = "; ".join(
        f"{p['name']}: {p['message']}" if "name" in p else p["message"] for p in problems
    )
    response = error_response(request, 400, _("Bad request"), message)
    body = response.json_body
    body["error"]["details"] = [dict(p) for p in problems]
    response.json_body = body
    return response


def openapi_view_deriver(view, info):
    """Checks every request to an API view against the document before the view runs.

    Placed after ``secured_view`` (Pyramid's default for derivers), so an anonymous or
    unauthorized caller gets 401/404 before learning anything about parameters. The typed
    parameters are handed to the view as ``request.api_parameters``. Outside tests a plain GET
    is checked by the compiled check of :mod:`loket.web.parameters` first
    (``loket.api.compiled_parameters``).
    """
    if info.options.get("route_name") != API_ROUTE or info.exception_only:
        return view

    settings = info.settings
    compiled = asbool(settings.get("loket.api.compiled_parameters",
                                   settings.get("loket.environment") != "test"))

    def validated_view(context, request):
        if compiled:  # a certainly valid GET, typed as openapi-core would (web.parameters)
            parameters = _compiled_gets(request.registry).check(request, API_PREFIX)
            if parameters is not None:
                request.api_parameters = parameters
                return view(context, request)
        parameters, problems = check_request(request)
        if parameters is None:
            # A view answers but the document does not know the URL: not part of the API.
            from loket.web.views import not_found

            return not_found(request)
        if problems:
            return bad_request_response(request, problems)
        request.api_parameters = parameters
        return view(context, request)

    return validated_view


# ---------------------------------------------------------------------------------------------
# Responses


class ResponseMismatch(AssertionError):
    """A response that breaks the API's contract."""


def _error_validator(registry) -> OAS31Validator:
    return _cached(registry, "errors", lambda r: OAS31Validator(
        spec_dict(r)["components"]["schemas"]["Error"]))


def response_errors(request, response, registry=None) -> list[str]:
    """What is wrong with ``response`` (a WebOb response to the WebOb ``request``) according to
    the document; empty when it conforms.

    A request the document does not describe (unknown path or method, a query string that is
    not UTF-8) must be answered with an error in the error schema.
    """
    try:
        openapi_request = WebObOpenAPIRequest(request)
    except UnicodeDecodeError:  # refused before any view: only an error is allowed
        return _undocumented_errors(response, registry)
    openapi_response = WebObOpenAPIResponse(response)
    errors = []
    for error in _response_validator(registry).iter_errors(openapi_request, openapi_response):
        if isinstance(error, PathError):
            return _undocumented_errors(response, registry)
        errors.append(_explain(error))
    return errors


def _undocumented_errors(response, registry) -> list[str]:
    if response.status_int < 400:
        return [f"{response.status_int} for a path or method the document does not describe"]
    if response.content_type != "application/json":
        return [f"error as {response.content_type!r}, not application/json"]
    try:
        body = json.loads(response.body)
    except ValueError:
        return ["error body is not JSON"]
    errors = [e.message for e in _error_validator(registry).iter_errors(body)]
    if not errors and body["error"]["status"] != response.status_int:
        errors.append("error.status differs from the HTTP status")
    return errors


def _explain(error) -> str:
    text = str(error)
    cause = error.__cause__
    schema_errors = getattr(cause, "schema_errors", None)
    if schema_errors:
        # Each schema error names its place; the cause's own text repeats the whole value.
        for schema_error in schema_errors:
            place = "/".join(map(str, schema_error.absolute_path)) or "(body)"
            text += f"\n  - {place}: {schema_error.message[:300]}"
    elif cause is not None:
        text += f": {str(cause)[:300]}"
    return text


def validate_api_response(request, response, registry=None):
    """Raise :class:`ResponseMismatch` unless ``response`` conforms to the document. Tests call
    it on every API response (tests/api/conftest.py does it for every request)."""
    errors = response_errors(request, response, registry)
    if errors:
        raise ResponseMismatch(
            f"{request.method} {request.path_qs} → {response.status}:\n" + "\n".join(errors)
        )


def response_validation_tween_factory(handler, registry):
    """With ``loket.api.validate_responses = true``: a response that breaks the contract is
    logged and replaced by a 500, so development notices before an integrator does."""

    def response_validation_tween(request):
        response = handler(request)
        if documented_path(request.path):
            errors = response_errors(request, response, registry)
            if errors:
                log.error("API response breaks the OpenAPI document: %s %s → %s: %s",
                          request.method, request.path, response.status, "; ".join(errors))
                replacement = Response(status=500, json_body={"error": {
                    "status": 500, "title": "Response does not match the API description",
                    "message": "The server produced a response its OpenAPI document does not "
                               "allow. The error has been logged."}})
                replacement.cache_control = "no-store"
                return replacement
        return response

    return response_validation_tween


def includeme(config):
    """The ``/api/v1/*traverse`` route over the same tree as the pages, and the contract."""
    from loket.resources import root_factory

    config.add_directive("add_openapi_fragment", add_openapi_fragment)
    config.add_route(API_ROUTE, API_PREFIX + "/*traverse", factory=root_factory)
    config.add_view_deriver(openapi_view_deriver, name="openapi_request")
    if asbool(config.get_settings().get("loket.api.validate_responses", False)):
        config.add_tween("loket.web.openapi.response_validation_tween_factory", over=EXCVIEW)
