"""External advice services, as plug-ins of kind ``advice`` make them known to Loket.

A plug-in (e.g. :mod:`loket.integrations.advice_api`) calls :func:`add_external_service` in
its ``setup``. Loket then offers the service in the request form and, for each request and
reminder, enqueues an outbox message of the service's ``outbox_kind``, whose deliverer the
plug-in registered. The service answers through the callback
``POST /api/v1/dossiers/<ref>/adviezen/<n>/antwoord`` with a token of ``client_id``.
"""

from dataclasses import dataclass

SERVICES_KEY = "loket.advice.services"


@dataclass(frozen=True)
class ExternalService:
    code: str  # stored on the request (AdviceRequest.service)
    title: str
    client_id: str  # the ACM/IDM API client the service answers with
    outbox_kind: str  # the plug-in's deliverer


def add_external_service(registry, service: ExternalService) -> None:
    registry.setdefault(SERVICES_KEY, {})[service.code] = service


def external_services(registry) -> dict[str, ExternalService]:
    return registry.get(SERVICES_KEY, {})


def request_id(advice) -> str:
    """How the outside service knows the request: ``<reference>-<number>`` (no personal data)."""
    return f"{advice.dossier.reference}-{advice.number}"
