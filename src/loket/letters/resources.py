"""``/dossiers/<ref>/brieven/<id>``: a dossier's letters; permissions come from the dossier."""

from sqlalchemy import bindparam, select
from sqlalchemy.orm import object_session, selectinload

from loket.dossiers.panels import has_rows, once
from loket.letters.models import Letter
from loket.web.inputs import parse_id


class DossierLetters:
    __name__ = "brieven"

    def __init__(self, dossier):
        self.__parent__ = dossier
        self.dossier = dossier

    def __getitem__(self, name) -> "LetterResource":
        number = parse_id(name)
        letter = object_session(self.dossier).get(Letter, number) if number else None
        if letter is None or letter.dossier_id != self.dossier.id:
            raise KeyError(name)
        return LetterResource(self, letter)

    _ALL = (select(Letter).where(Letter.dossier_id == bindparam("dossier")).order_by(Letter.id)
            .options(selectinload(Letter.signatories), selectinload(Letter.document)))

    def all(self) -> list[Letter]:
        """The dossier's letters with their signatories and documents (a fixed number of
        queries, whatever the number of letters)."""
        return list(object_session(self.dossier).scalars(self._ALL, {"dossier": self.dossier.id}))


def dossier_letters(request, dossier) -> list[Letter]:
    """:meth:`DossierLetters.all`, read once per request for every panel that shows the
    letters (letters, signatures, sending)."""
    if not has_rows(request, dossier, "letters"):
        return []
    return once(request, "letters", dossier, dossier["brieven"].all)


class LetterResource:
    def __init__(self, parent: DossierLetters, letter: Letter):
        self.__parent__ = parent
        self.__name__ = str(letter.id)
        self.letter = letter
        self.dossier = parent.dossier
