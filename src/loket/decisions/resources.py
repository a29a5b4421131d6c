"""``/zittingen`` (the meetings: secretariat and signatories, permission ``meetings``) and
``/dossiers/<ref>/beslissing`` (the draft decision: whoever may edit the dossier now)."""

from loket.decisions.models import Meeting
from loket.web.inputs import parse_id


class MeetingsContainer:
    """``/zittingen/<id>``: a meeting; the root ACL grants ``meetings``."""

    __name__ = "zittingen"

    def __init__(self, parent, request):
        self.__parent__ = parent
        self.request = request

    def __getitem__(self, name: str) -> Meeting:
        number = parse_id(name)
        meeting = self.request.dbsession.get(Meeting, number) if number else None
        if meeting is None:
            raise KeyError(name)
        meeting.__parent__ = self
        return meeting


class DossierDecision:
    """``/dossiers/<ref>/beslissing``: inherits the dossier's ACL (EDIT for its handler while
    the dossier is ready for decision)."""

    __name__ = "beslissing"

    def __init__(self, dossier):
        self.__parent__ = dossier
        self.dossier = dossier

    def __getitem__(self, name):
        raise KeyError(name)
