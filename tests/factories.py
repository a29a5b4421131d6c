"""Factories for test data: each returns a flushed object with sensible defaults."""

import itertools

from loket.catalogue.models import PUBLISHED, DossierType, DossierTypeVersion
from loket.demo import demo_pdf
from loket.documents.files import check_upload
from loket.documents.models import Document, DocumentVersion
from loket.dossiers.models import Dossier, next_reference
from loket.identity.models import RoleAssignment, Team, User
from loket.security import Role

_counter = itertools.count(1)


class Factories:
    def __init__(self, dbsession, blobstore):
        self.dbsession = dbsession
        self.blobstore = blobstore

    def _add(self, obj):
        self.dbsession.add(obj)
        self.dbsession.flush()
        return obj

    def team(self, code=None, name=None):
        n = next(_counter)
        return self._add(Team(code=code or f"team-{n}", name=name or f"Team {n}"))

    def citizen(self, given_name="Test", family_name=None, rrn=None):
        n = next(_counter)
        user = User(subject=f"citizen-{n}", kind="citizen", given_name=given_name,
                    family_name=family_name or f"Burger{n}", rrn=rrn)
        user.roles.append(RoleAssignment(role=Role.CITIZEN))
        return self._add(user)

    def staff(self, *roles, team=None, given_name="Staff"):
        """``staff(Role.HANDLER, team=t)``; a handler without a team gets a new one."""
        n = next(_counter)
        user = User(subject=f"staff-{n}", kind="staff", given_name=given_name,
                    family_name=f"Medewerker{n}")
        for role in roles or (Role.HANDLER,):
            if role in (Role.HANDLER, Role.ADVISER) and team is None:
                team = self.team()
            user.roles.append(RoleAssignment(
                role=role, team=team if role in (Role.HANDLER, Role.ADVISER) else None))
        return self._add(user)

    def type_version(self, workflow="sociale-premie", **definition):
        """A published dossier type version; ``definition`` overrides the minimal default."""
        n = next(_counter)
        dossier_type = self._add(DossierType(code=f"type-{n}"))
        return self._add(DossierTypeVersion(
            dossier_type=dossier_type, number=1, status=PUBLISHED,
            definition={
                "title": {"nl": f"Premie {n}", "en": f"Premium {n}"}, "workflow": workflow,
                "documents": [], "decision": {"body": "college"},
                "amount": {"direction": "loket_pays"},
                "deadlines": [{"code": "beslissing", "title": {"nl": "Beslissing",
                                                               "en": "Decision"},
                               "days": 60, "start_state": "ontvankelijk",
                               "stop_states": ["goedgekeurd", "geweigerd"]}],
                **definition,
            },
        ))

    def dossier(self, applicant=None, team=None, state="ingediend", title="Verwarmingstoelage",
                data=None, year=2026, type_version=None):
        applicant = applicant or self.citizen()
        team = team or self.team()
        type_version = type_version or self.type_version()
        return self._add(Dossier(
            reference=next_reference(self.dbsession, year), type_version_id=type_version.id,
            title=title, state=state, applicant_id=applicant.id, team_id=team.id,
            data=data or {"brandstof": "stookolie"},
        ))

    def document(self, dossier, title="Bewijs van betaling", data=None, filename="bewijs.pdf"):
        checked = check_upload(data or demo_pdf(title), filename)
        number = len(self.dbsession.query(Document).filter_by(dossier_id=dossier.id).all()) + 1
        document = Document(dossier_id=dossier.id, number=number, title=title)
        document.versions.append(DocumentVersion(
            version=1, filename=checked.filename, media_type=checked.media_type,
            size=len(checked.data), sha256=self.blobstore.put(checked.data)))
        return self._add(document)
