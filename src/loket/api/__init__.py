"""The integrator's JSON API under /api/v1: dossiers, documents, the served OpenAPI document.

``/api/v1/*traverse`` walks the same tree as the web pages (:mod:`loket.resources`); the JSON
views are registered per context with ``route_name="api_v1"``. The contract is the merged
OpenAPI document (:mod:`loket.web.openapi`): this package's ``openapi.yaml`` holds its head
and the dossier paths, every other package adds its own fragment.
"""


def includeme(config):
    config.add_openapi_fragment("loket.api")
    config.add_view_predicate("caller_is_staff", "loket.api.views.StaffPredicate")
    config.include(".integrators")  # what integrators with loket.api.read may read
    config.scan(".views")
