"""External advice services, as plug-ins of kind ``advice`` make them known to Loket.

A plug-in of kind ``advice`` (e.g. :mod:`loket.integrations.advice_api`) returns an
:class:`ExternalService` from its ``setup`` (the kind's interface,
:class:`loket.plugins.kinds.AdviceService`). Loket then offers the service in the request
form and, for each request and reminder, enqueues an outbox message of the service's
``outbox_kind``, whose deliverer the plug-in registered. The service answers through the callback
``POST /api/v1/dossiers/<ref>/adviezen/<n>/antwoord`` with a token of ``client_id``.
"""

from dataclasses import dataclass

from loket.plugins.registry import Kind, implementations


@dataclass(frozen=True)
class ExternalService:
    code: str  # stored on the request (AdviceRequest.service)
    title: str
    client_id: str  # the ACM/IDM API client the service answers with
    outbox_kind: str  # the plug-in's deliverer


def external_services(registry) -> dict[str, ExternalService]:
    """The services the settings chose, by code."""
    return {service.code: service for service in implementations(registry, Kind.ADVICE)}


def request_id(advice) -> str:
    """How the outside service knows the request: ``<reference>-<number>`` (no personal data)."""
    return f"{advice.dossier.reference}-{advice.number}"
