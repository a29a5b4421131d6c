"""The interface of each kind of plug-in: what the rest of Loket may call.

Callers ask the registry for a kind (:func:`loket.plugins.registry.implementation`), never
import a plug-in; :func:`loket.plugins.registry.activate` refuses to start when the plug-in
chosen for a kind does not implement the kind's interface. Every kind's failures are the
exceptions below, so a caller handles "no data" or "source down" the same whichever system
answers.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol, runtime_checkable


class SourceError(Exception):
    """An outside source did not give a usable answer. ``outcome`` is what the legal log and
    the check results record; ``code`` the source's own error code, if any."""

    outcome = "error"

    def __init__(self, message: str = "", code: str | None = None):
        super().__init__(message)
        self.code = code


class NoData(SourceError):
    """The source answered: it knows nothing about this person (for this question)."""

    outcome = "no_data"


class InvalidInput(SourceError):
    """The question was refused as malformed (a bad number): asking again will not help."""

    outcome = "invalid_input"


class SourceUnavailable(SourceError):
    """Down, slow, overloaded or an answer that cannot be read: ask again later; never a
    pass."""

    outcome = "unavailable"


class Unreadable(SourceUnavailable):
    """An answer that cannot be read (truncated, unknown shape, another question's): pending
    and retried like an outage, never "no data" and never a pass."""


class PurposeRefused(SourceError):
    """No legal purpose was given for a consultation of personal data."""

    outcome = "refused"


class NotConfigured(SourceError):
    """No plug-in of this kind was chosen in the settings."""

    outcome = "not_configured"


@runtime_checkable
class PersonRegister(Protocol):
    """The national register: a person and their household (MAGDA GeefPersoon,
    GeefGezinssamenstelling). Every call is logged in the legal log in ``dbsession``."""

    def describe(self, *questions: str) -> str:
        """The source of answers to ``questions`` (``person``, ``household``, ``tax_bill``,
        ``social_status``) as a person reads it, e.g. ``MAGDA GeefPersoon 02.02``."""

    def geef_persoon(self, dbsession, insz: str, *, purpose: str, actor=None,
                     dossier_reference: str | None = None, timeout: float | None = None): ...

    def geef_gezinssamenstelling(self, dbsession, insz: str, *, purpose: str, actor=None,
                                 dossier_reference: str | None = None,
                                 timeout: float | None = None): ...


@runtime_checkable
class Income(Protocol):
    """Income and social status (MAGDA GeefAanslagbiljetPersonenbelasting,
    GeefSociaalStatuut), for the automatic checks."""

    def describe(self, *questions: str) -> str: ...

    def geef_aanslagbiljet(self, dbsession, insz: str, inkomensjaar: int, *, purpose: str,
                           actor=None, dossier_reference: str | None = None,
                           timeout: float | None = None): ...

    def geef_sociaal_statuut(self, dbsession, insz: str, naam: str, datum: date, *,
                             purpose: str, actor=None, dossier_reference: str | None = None,
                             timeout: float | None = None): ...


@runtime_checkable
class OutboxChannel(Protocol):
    """A plug-in that acts through the outbox: callers enqueue messages of ``outbox_kind``,
    the plug-in's deliverer (``config.add_outbox_deliverer``) sends them. Status publishing
    (DOSIS), notifications (e-mail, SMS) and, next, minutes, signing, document delivery and
    accounting are channels."""

    outbox_kind: str


@runtime_checkable
class AdviceService(OutboxChannel, Protocol):
    """An outside service that gives advice through its API and answers by callback."""

    code: str  # how handlers choose it, and how its answers are attributed
    title: str
    client_id: str  # the ACM/IDM client whose token its callbacks carry


@runtime_checkable
class MinutesSoftware(OutboxChannel, Protocol):
    """The minutes software (notuleringspakket): Loket enqueues each proposed agenda item as
    a message of ``outbox_kind``; the package reports the meeting's decision through the
    ``besluit`` callback with a token of its ACM/IDM client ``client_id``."""

    title: str
    client_id: str


@runtime_checkable
class SigningPlatform(OutboxChannel, Protocol):
    """A signing platform (Digitaal Ondertekenen): Loket enqueues each letter to sign as a
    message of ``outbox_kind`` (the plug-in's deliverer makes the package: the document, the
    signatories in signing order and their signature fields, then starts it); signatories
    sign on the platform's own page (:meth:`signing_page`, with their eID); Loket reads the
    package back with :meth:`progress` and :meth:`download` (raising
    :class:`SourceUnavailable` while the platform is down)."""

    title: str

    def signing_page(self, email: str, packages: list[str], return_url: str) -> str:
        """Where the signatory ``email`` signs ``packages`` (the platform's own page)."""

    def progress(self, package: str) -> dict:
        """``{"status": …, "signed": [signing_order, …], "declined": [signing_order, …]}``."""

    def download(self, package: str, document: str) -> bytes:
        """The document as it stands now, with every signature applied so far."""


@runtime_checkable
class Delivery(Protocol):
    """Delivers outgoing letters (eBox or paper) and reports on them (MAGDA Documentendienst).

    :mod:`loket.sending` calls it from its outbox deliverer and its tracking job; every
    failure is one of the errors above (``InvalidInput``: refused for good, a 4xx;
    ``SourceUnavailable``: try again later)."""

    title: str
    max_files: int  # PDFs per message
    max_bytes: int  # all of them together

    def ebox_consents(self, dbsession, subjects, *, purpose: str, actor=None) -> dict:
        """``{insz: bool}``: whether each person consented to receive letters in their eBox.
        ``subjects``: ``(insz, dossier_reference)`` pairs. Answers are cached briefly; each
        real lookup is in the legal MAGDA log."""

    def publish(self, outgoing, *, idempotency_key: str) -> str:
        """Hand one message over; the service's message id."""

    def status(self, message_id: str, channel: str):
        """Where the message is now (a ``DeliveryReport``)."""

    def attestation(self, message_id: str) -> bytes:
        """The deposit proof (afgiftebewijs) of a registered paper letter, a PDF."""


@runtime_checkable
class BankStatements(Protocol):
    """Reads the bank's statements (CODA, camt.053) into booked lines to reconcile."""

    def read(self, data: bytes) -> list: ...


@dataclass(frozen=True)
class Debtor:
    """Who pays: the municipality (or its OCMW) and the account it pays from."""

    name: str
    iban: str
    bic: str | None
    kbo: str


@dataclass(frozen=True)
class PaymentInstruction:
    """One approved payment order as the accounting package receives it."""

    end_to_end_id: str  # the order's id: the same on every retry
    dossier: str  # the dossier's reference
    creditor_name: str
    iban: str
    bic: str | None  # where the account's country needs it, or the registry knows it
    amount: Decimal  # euro, > 0
    remittance: str  # with the dossier's reference
    due_date: date
    budget_code: str
    callback_url: str  # where a package that reports back posts paid or rejected


@runtime_checkable
class Accounting(OutboxChannel, Protocol):
    """The accounting package (boekhoudpakket): Loket enqueues approved payment orders as
    messages of ``outbox_kind``. A package that ``reports_back`` tells Loket by the
    ``betaling`` callback (a token of its ACM/IDM client ``client_id``) that an order was paid
    or rejected; for one that does not (a file import) finance records it."""

    title: str
    reports_back: bool
    client_id: str | None

    def messages(self, debtor: Debtor, batch: str,
                 instructions: list[PaymentInstruction]) -> list[dict]:
        """The outbox payloads that hand ``instructions`` (one approval, ``batch``) over;
        raises :class:`InvalidInput` when the package's contract refuses them."""
