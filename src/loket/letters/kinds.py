"""Letter kinds: each package registers the letters it makes.

    config.add_letter_kind("decision.granted", _("Decision: granted"),
                           context=decision_context)

``context(dbsession, letter) -> dict`` gives the template the kind's own data (the decision's
articles, the claim's structured reference …); the common parts (letterhead, recipient,
reference, date, closing, signatories) are the renderer's. ``wording`` is the kind's default
subject and body (``{"subject": {"nl": …, "en": …}, "body": {…}}``, sandboxed Jinja2 over
:data:`loket.letters.wording.VARIABLES` and the context's keys; a type version may replace it);
``part`` a Jinja2 asset the layout includes after the body for what the letter must always
hold (a payment's QR code and structured reference …); ``variables`` the context's keys a
wording may name besides the common ones; ``withheld`` keeps the letter's PDF from the
applicant until the letter is delivered (a decision's outcome reaches them with the letter).
"""

from collections.abc import Callable
from dataclasses import dataclass

REGISTRY_KEY = "loket.letters.kinds"


@dataclass(frozen=True)
class LetterKind:
    code: str
    title: object  # a translation string
    context: Callable | None = None
    wording: dict | None = None
    part: str | None = None
    variables: tuple[str, ...] = ()  # the context's keys a wording may name
    withheld: bool = False  # hidden from the applicant until delivered


def add_letter_kind(config, code: str, title, *, context=None, wording=None, part=None,
                    variables=(), withheld=False) -> None:
    kind = LetterKind(code, title, context, wording, part, tuple(variables), withheld)

    def register():
        config.registry.setdefault(REGISTRY_KEY, {})[code] = kind

    config.action(("letter-kind", code), register)


def letter_kinds(registry) -> dict[str, LetterKind]:
    return registry.get(REGISTRY_KEY, {})


def includeme(config):
    config.add_directive("add_letter_kind", add_letter_kind)
