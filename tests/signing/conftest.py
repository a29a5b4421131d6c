"""Letters waiting for signatures, made the way the letters package leaves them: a dossier
with a PDF document (direction "out"), a letter in ``to_sign`` and its signatories (the
mayor first, then the general director), optionally decided in a college meeting."""

from datetime import date, timedelta

import pytest

from loket.db import utcnow
from loket.decisions import services as decisions
from loket.decisions.models import Decision, Meeting
from loket.letters.models import TO_SIGN, Letter, LetterSignatory
from loket.security import Role
from loket.signing.models import IN_PROGRESS, SigningPackage


@pytest.fixture
def luc(factories):
    user = factories.staff(Role.SIGNATORY, given_name="Luc")
    user.family_name, user.email = "Janssens", "burgemeester@heidebeek.example"
    return user


@pytest.fixture
def hilde(factories):
    user = factories.staff(Role.SIGNATORY, Role.SECRETARIAT, given_name="Hilde")
    user.family_name, user.email = "Goossens", "algemeen.directeur@heidebeek.example"
    return user


@pytest.fixture
def college_meeting(dbsession):
    bodies = decisions.ensure_bodies(dbsession)
    starts = utcnow() - timedelta(days=1)
    meeting = Meeting(body_id=bodies["college"].id, starts=starts,
                      agenda_closes=starts - timedelta(days=2), status="held")
    dbsession.add(meeting)
    dbsession.flush()
    return meeting


@pytest.fixture
def make_letter(factories, dbsession, luc, hilde):
    """``make_letter(meeting=None, signatories=(luc, hilde))``: a letter in ``to_sign``."""

    def make(meeting=None, signatories=None, title="Beslissing verwarmingstoelage"):
        dossier = factories.dossier(state="goedgekeurd")
        document = factories.document(dossier, title=title, filename="beslissing.pdf")
        document.direction, document.document_type = "out", "brief"
        details = {}
        if meeting is not None:
            decision = Decision(dossier_id=dossier.id, body_code="college",
                                meeting_id=meeting.id, decided_on=date.today(),
                                outcome="approved", title=title, final_text="Toegekend.")
            dbsession.add(decision)
            dbsession.flush()
            details["decision"] = decision.id
        letter = Letter(dossier_id=dossier.id, dossier=dossier, kind="decision.granted",
                        status=TO_SIGN, title=title, details=details, document=document,
                        needs_signature=True, screening_reason="college decision")
        functions = {luc.id: "burgemeester", hilde.id: "algemeen directeur"}
        for position, user in enumerate(signatories or (luc, hilde), start=1):
            letter.signatories.append(LetterSignatory(
                position=position, user_id=user.id, name=user.name,
                function=functions.get(user.id, "schepen")))
        dbsession.add(letter)
        dbsession.flush()
        return letter

    return make


def started(dbsession, letter, package="1001", document="1002") -> SigningPackage:
    """The letter's package as the platform made and started it."""
    row = SigningPackage(letter_id=letter.id, status=IN_PROGRESS, package=package,
                         document=document)
    dbsession.add(row)
    dbsession.flush()
    return row
