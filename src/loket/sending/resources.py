"""``/verzendregister`` (the register of outgoing mail) and ``/dossiers/<ref>/verzending``
(a dossier's letters: send, send again, close).

Sending is the ``send`` permission: the secretariat everywhere (the root ACL), a handler for
the dossiers of their teams (granted here). The register shows a handler only their teams'
dossiers' mail.
"""

from pyramid.authorization import DENY_ALL, Allow

from loket.security import Permission, Role, role_principal, team_role_principal


class Register:
    """``/verzendregister``; the root grants ``send`` to the secretariat, this to handlers."""

    __name__ = "verzendregister"
    __acl__ = [(Allow, role_principal(Role.HANDLER), Permission.SEND)]

    def __init__(self, parent, request):
        self.__parent__ = parent
        self.request = request

    def __getitem__(self, name):
        raise KeyError(name)


class DossierSending:
    """``/dossiers/<ref>/verzending``: the dossier's team's handlers and the secretariat."""

    __name__ = "verzending"

    def __init__(self, dossier):
        self.__parent__ = dossier
        self.dossier = dossier

    @property
    def __acl__(self):
        acl = [(Allow, role_principal(Role.SECRETARIAT), (Permission.SEND, Permission.VIEW))]
        if self.dossier.team is not None:
            acl.append((Allow, team_role_principal(Role.HANDLER, self.dossier.team.code),
                        (Permission.SEND, Permission.VIEW)))
        return [*acl, DENY_ALL]

    def __getitem__(self, name):
        raise KeyError(name)
