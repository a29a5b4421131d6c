"""Letter kinds: each package registers the letters it makes.

    config.add_letter_kind("decision.granted", _("Decision: granted"),
                           context=decision_context)

``context(dbsession, letter) -> dict`` gives the template the kind's own data (the decision's
articles, the claim's structured reference …); the common parts (letterhead, recipient,
reference, date) are the renderer's.
"""

from collections.abc import Callable
from dataclasses import dataclass

REGISTRY_KEY = "loket.letters.kinds"


@dataclass(frozen=True)
class LetterKind:
    code: str
    title: object  # a translation string
    context: Callable | None = None


def add_letter_kind(config, code: str, title, *, context=None) -> None:
    kind = LetterKind(code, title, context)

    def register():
        config.registry.setdefault(REGISTRY_KEY, {})[code] = kind

    config.action(("letter-kind", code), register)


def letter_kinds(registry) -> dict[str, LetterKind]:
    return registry.get(REGISTRY_KEY, {})


def includeme(config):
    config.add_directive("add_letter_kind", add_letter_kind)
