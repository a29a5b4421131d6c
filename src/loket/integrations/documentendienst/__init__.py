"""The MAGDA Documentendienst: the ``documentendienst`` plug-in of kind ``delivery``.

Letters go to the citizen's eBox or on paper (printed, enveloped and posted by the print
partner, ordinary or registered) through the service's REST API (:mod:`.client`, after
``schema/documentendienst.yaml``). :mod:`loket.sending` calls it from its outbox deliverer
and its tracking job; the simulator (:mod:`.simulator`) plays the service at
``/documentendienst``.

Settings (``loket.integrations.delivery = documentendienst``)::

    loket.integrations.documentendienst.base_url = https://…       (the service; + /api/v1/messages)
    loket.integrations.documentendienst.token_url = https://…/v1/token   (ACM/IDM)
    loket.integrations.documentendienst.client_id = …
    loket.integrations.documentendienst.client_secret = …
    loket.integrations.documentendienst.sender_organization_id = 0207123407   (our KBO)
    loket.integrations.documentendienst.sender_application_id = …   (from onboarding)
    loket.integrations.documentendienst.message_type_id = …         (from onboarding)
    loket.integrations.documentendienst.consent_ttl = 300           (seconds an answer is kept)

Each real eBox-consent lookup is a row of the legal MAGDA log (service
``citizenEboxConsents``), like every MAGDA consultation; an answer from the short cache is
not a consultation.
"""

import threading
import time

import colander

from loket.integrations.documentendienst.client import (
    MAX_BYTES,
    MAX_FILES,
    SCOPE,
    DocumentendienstClient,
)
from loket.integrations.magda.consult import actor_of
from loket.integrations.magda.models import MagdaConsultation
from loket.integrations.magda.soap import new_reference
from loket.plugins.kinds import PurposeRefused, SourceError
from loket.plugins.options import http_url
from loket.plugins.registry import Kind, Plugin

NAME = "documentendienst"
CONSENT_SERVICE, CONSENT_VERSION = "citizenEboxConsents", "v1"


class DocumentendienstOptions(colander.MappingSchema):
    base_url = colander.SchemaNode(colander.String(), validator=http_url)
    token_url = colander.SchemaNode(colander.String(), validator=http_url)
    client_id = colander.SchemaNode(colander.String(), validator=colander.Length(min=1))
    client_secret = colander.SchemaNode(colander.String(), validator=colander.Length(min=1))
    scope = colander.SchemaNode(colander.String(), missing=SCOPE)
    sender_organization_id = colander.SchemaNode(
        colander.String(), validator=colander.Regex(r"^[0-9]{10}$", "a KBO number: 10 digits"))
    sender_application_id = colander.SchemaNode(colander.String(), missing="loket")
    message_type_id = colander.SchemaNode(colander.String(), missing="BESLISSING")
    consent_ttl = colander.SchemaNode(colander.Float(), missing=300.0,
                                      validator=colander.Range(min=0, max=3600))
    timeout = colander.SchemaNode(colander.Float(), missing=10.0,
                                  validator=colander.Range(min=0.1, max=60))


class Documentendienst:
    """The kind's implementation (:class:`loket.plugins.kinds.Delivery`)."""

    title = "MAGDA Documentendienst"
    max_files = MAX_FILES
    max_bytes = MAX_BYTES

    def __init__(self, client: DocumentendienstClient, consent_ttl: float = 300.0):
        self.client = client
        self.consent_ttl = consent_ttl
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[bool, float]] = {}

    def ebox_consents(self, dbsession, subjects, *, purpose: str, actor=None) -> dict:
        if not purpose:
            raise PurposeRefused("an eBox consent lookup needs a purpose")
        now = time.monotonic()
        found, ask = {}, {}
        with self._lock:
            for insz, reference in subjects:
                cached = self._cache.get(insz)
                if cached is not None and cached[1] > now:
                    found[insz] = cached[0]
                else:
                    ask.setdefault(insz, reference)
        if not ask:
            return found
        failure, answers, outcome, code = None, {}, "ok", None
        try:
            answers = self.client.consents(list(ask))
        except SourceError as error:
            failure, outcome, code = error, error.outcome, error.code
        for insz, reference in ask.items():  # the legal log: one row per person asked about
            dbsession.add(MagdaConsultation(
                actor=actor_of(actor), subject_insz=insz, service=CONSENT_SERVICE,
                version=CONSENT_VERSION, dossier_reference=reference, purpose=purpose,
                reference=new_reference(), outcome=outcome, error_code=code))
        dbsession.flush()
        if failure is not None:
            raise failure
        with self._lock:
            for insz in ask:
                consent = answers.get(insz, False)
                self._cache[insz] = (consent, now + self.consent_ttl)
                found[insz] = consent
        return found

    def forget(self) -> None:
        with self._lock:
            self._cache.clear()

    def publish(self, outgoing, *, idempotency_key: str) -> str:
        return self.client.publish(outgoing, idempotency_key)

    def status(self, message_id: str, channel: str):
        return self.client.status(message_id, channel)

    def attestation(self, message_id: str) -> bytes:
        return self.client.attestation(message_id)


def setup(config, options: dict) -> Documentendienst:
    return Documentendienst(DocumentendienstClient(options), options["consent_ttl"])


def check(options: dict) -> dict:
    return DocumentendienstClient(options).check()


PLUGIN = Plugin(kind=Kind.DELIVERY, name=NAME, title="MAGDA Documentendienst (eBox, papier)",
                options=DocumentendienstOptions(), setup=setup, check=check)


def includeme(config):
    config.add_integration(PLUGIN)
