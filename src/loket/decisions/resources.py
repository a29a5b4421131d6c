"""``/zittingen`` (the meetings: secretariat and signatories, permission ``meetings``),
``/dossiers/<ref>/beslissing`` (the draft decision: whoever may take its step now) and
``/besluitenlijsten`` (the public lists of decisions)."""

from pyramid.authorization import Allow, Everyone

from loket.decisions.models import Meeting
from loket.security import Permission
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
    """``/dossiers/<ref>/beslissing``: inherits the dossier's ACL (ACT for whoever may take a
    step out of its current state: the handler, the secretariat, a delegate)."""

    __name__ = "beslissing"

    def __init__(self, dossier):
        self.__parent__ = dossier
        self.dossier = dossier

    def __getitem__(self, name):
        raise KeyError(name)


class DecisionLists:
    """``/besluitenlijsten/<meeting id>``: the public list of decisions of a meeting (the
    publication duty): everyone may view it, it holds no personal data."""

    __name__ = "besluitenlijsten"
    __acl__ = [(Allow, Everyone, Permission.VIEW)]

    def __init__(self, parent, request):
        self.__parent__ = parent
        self.request = request

    def __getitem__(self, name: str) -> "DecisionList":
        number = parse_id(name)
        meeting = self.request.dbsession.get(Meeting, number) if number else None
        if meeting is None:
            raise KeyError(name)
        return DecisionList(self, meeting)


class DecisionList:
    def __init__(self, parent, meeting: Meeting):
        self.__parent__ = parent
        self.__name__ = str(meeting.id)
        self.meeting = meeting
