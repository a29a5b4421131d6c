"""Advice test kit: a dossier being handled, with a handler, an adviser team and documents."""

from dataclasses import dataclass

import pytest

from loket.security import Role


@dataclass
class Scene:
    dossier: object
    handler: object
    adviser: object
    advice_team: object
    shared_doc: object
    private_doc: object


@pytest.fixture
def scene(factories):
    team = factories.team(code="sociale-dienst-t", name="Sociale dienst")
    advice_team = factories.team(code="financiele-dienst-t", name="Financiële dienst")
    dossier = factories.dossier(team=team, state="in_behandeling",
                                data={"inkomen": "23410", "gezinsgrootte": "3",
                                      "iban": "BE68539007547034"})
    shared_doc = factories.document(dossier, title="Aanslagbiljet")
    private_doc = factories.document(dossier, title="Medisch attest")
    return Scene(dossier, factories.staff(Role.HANDLER, team=team),
                 factories.staff(Role.ADVISER, team=advice_team), advice_team, shared_doc,
                 private_doc)


def request_form_fields(scene, csrf, **changes) -> list:
    fields = {"csrf_token": csrf, "target": f"team:{scene.advice_team.code}", "email": "",
              "question": "Is het inkomen correct berekend?", "due": "2099-01-31"}
    fields.update(changes)
    items = list(fields.items())
    items += [("__start__", "fields:sequence"), ("checkbox", "inkomen"),
              ("__end__", "fields:sequence"), ("__start__", "documents:sequence"),
              ("checkbox", str(scene.shared_doc.number)), ("__end__", "documents:sequence")]
    return items


def says(text: str, dutch: str, english: str) -> bool:
    """The page says it, in Dutch once the translations are merged (English msgid until)."""
    return dutch in text or english in text
