"""The integrator's JSON API under /api/v1 and the health endpoint.

``/api/v1/*traverse`` walks the same tree as the web pages (loket.resources); the JSON views
are registered per context with ``route_name="api_v1"``. openapi.yaml is the contract: every
request to an API view is checked against it first (:func:`loket.api.openapi.openapi_view_deriver`),
and the tests check every response (:func:`loket.api.openapi.validate_api_response`).
"""

from pyramid.settings import asbool
from pyramid.tweens import EXCVIEW

from loket.api.openapi import API_PREFIX, API_ROUTE
from loket.resources import root_factory


def includeme(config):
    settings = config.get_settings()
    config.add_route(API_ROUTE, API_PREFIX + "/*traverse", factory=root_factory)
    config.add_view_predicate("caller_is_staff", "loket.api.views.StaffPredicate")
    config.add_view_deriver("loket.api.openapi.openapi_view_deriver", name="openapi_request")
    if asbool(settings.get("loket.api.validate_responses", False)):
        config.add_tween("loket.api.openapi.response_validation_tween_factory", over=EXCVIEW)
    config.include(".health")
    config.include(".callbacks")  # inbound callbacks of outside systems (bearer tokens)
    config.include(".integrators")  # what integrators with loket.api.read may read
    config.scan(".views")
    config.scan(".health")
