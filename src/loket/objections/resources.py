"""``/dossiers/<ref>/bezwaar``: the objection form of a dossier. The applicant (online) and the
team's handlers (at the counter) may lodge one (``act``); whether the dossier's decision can be
contested now is the service's to say, with a message."""

from pyramid.authorization import Allow

from loket.security import Permission, Role, team_role_principal, user_principal


class DossierObjection:
    __name__ = "bezwaar"

    def __init__(self, dossier):
        self.__parent__ = dossier
        self.dossier = dossier

    @property
    def __acl__(self):
        # No DENY_ALL: everything else (view) is the dossier's ACL.
        return [(Allow, user_principal(self.dossier.applicant_id), Permission.ACT),
                (Allow, team_role_principal(Role.HANDLER, self.dossier.team.code),
                 Permission.ACT)]

    def __getitem__(self, name):
        raise KeyError(name)
