"""``/dossiers/<reference>/notities``: a dossier's internal notes.

Staff who may view the dossier may read and add notes; the applicant never, whatever the
dossier's state grants them: the container denies them everything (404, as for someone
else's dossier).
"""

from pyramid.authorization import ALL_PERMISSIONS, DENY_ALL, Allow, Deny

from loket.security import Permission, user_principal

# Who may view a dossier may read its notes (VIEW) and add one (WORK: staff work).
NOTE_PERMISSIONS = (Permission.VIEW, Permission.WORK)


class DossierNotes:
    __name__ = "notities"

    def __init__(self, dossier):
        self.__parent__ = dossier
        self.dossier = dossier

    def __getitem__(self, name):
        raise KeyError(name)

    def __acl__(self):
        acl = [(Deny, user_principal(self.dossier.applicant_id), ALL_PERMISSIONS)]
        for action, principal, permissions in self.dossier.__acl__():
            granted = (permissions,) if isinstance(permissions, str) else permissions
            if action == Allow and Permission.VIEW in granted:
                acl.append((Allow, principal, NOTE_PERMISSIONS))
        acl.append(DENY_ALL)
        return acl
