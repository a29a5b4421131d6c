"""Demo data: the municipality, teams, the personas of the ACM/IDM simulator as users, the
shipped catalogue, and a few dossiers with their history."""

from collections import deque
from datetime import time, timedelta

from sqlalchemy import select

from loket.catalogue.services import get_type, load_shipped
from loket.db import utcnow
from loket.documents.blobstore import BlobStore
from loket.documents.files import check_upload
from loket.documents.models import Document, DocumentVersion
from loket.dossiers.models import Dossier, next_reference
from loket.identity.models import Team
from loket.identity.services import sync_user
from loket.integrations.acmidm.personas import BY_KEY, PERSONAS, ROLE_CLAIM, TEAMS
from loket.municipality import ROW
from loket.municipality.models import Municipality
from loket.workflow.definition import workflows
from loket.workflow.models import HistoryEntry

# The demo teams' names in English (their Dutch names come with the ACM/IDM personas).
TEAM_TITLES_EN = {
    "sociale-dienst": "Social services (PCSW)",
    "openbaar-domein": "Public domain and permits",
    "financiele-dienst": "Finance department",
}

HEIDEBEEK = dict(
    name="Gemeente Heidebeek", ocmw_name="OCMW Heidebeek", street="Marktplein", number="1",
    postcode="3999", city="Heidebeek", nis_code="71999", kbo_ocmw="0212567877",
    iban="BE10091012345604", bic="GKCCBEBB", email="info@heidebeek.example",
    phone="011 12 34 56", website="https://www.heidebeek.example",
    college_weekday=1, college_time=time(19, 30), vast_bureau_weekday=1,
    vast_bureau_time=time(19, 0),
)

DOSSIERS = [
    # persona, type code, title, state, team, days ago, data (in the type's own field names
    # and stored form: choice codes, amounts and dates as the form stores them)
    ("jan", "verwarmingstoelage", "Verwarmingstoelage", "ingediend", "sociale-dienst", 3,
     {"brandstof": "gasolie", "liters": 1500, "factuurbedrag": "1420.00"}),
    ("jan", "mantelzorgpremie", "Mantelzorgpremie", "in_behandeling", "sociale-dienst", 20,
     {"zb_voornaam": "Maria", "zb_familienaam": "Peeters", "relatie": "ouder"}),
    ("sofie", "geboortepremie", "Geboortepremie", "goedgekeurd", "sociale-dienst", 45,
     {"kinderen": [{"kind_voornaam": "Noor"}], "geboortedatum": "2026-09-04",
      "adoptie": False}),
    ("lotte", "inname-openbaar-domein", "Inname openbaar domein", "ingediend",
     "openbaar-domein", 1, {"inname_adres": {"street": "Kerkstraat", "number": "12",
                                             "postcode": "3999", "municipality": "Heidebeek"},
                            "soort_inname": "container", "begindatum": "2026-12-05",
                            "einddatum": "2026-12-07"}),
    # Granted and its decision sent: the handler stages the payment, finance approves it
    # (the decision with its amount: see _demo_payments). Bank code 539: no BIC in the registry.
    ("jan", "energiepremie", "Energiepremie dakisolatie", "beslissing_verzonden",
     "sociale-dienst", 60,
     {"eigendom": "eigenaar", "soort_werken": "dakisolatie", "aannemer": "Dakwerken Claes",
      "factuurdatum": "2026-09-15", "factuurbedrag": "3200.00",
      "iban": "BE68539007547034", "rekeninghouder": "Jan Peeters"}),
    # On the agenda of its body's next meeting (the vast bureau: see _demo_meetings).
    ("ahmed", "verwarmingstoelage", "Verwarmingstoelage propaan", "geagendeerd",
     "sociale-dienst", 12,
     {"brandstof": "propaan", "liters": 900, "factuurbedrag": "760.00"}),
]

# Permits whose decision was sent (persona, title, the decision state passed through, days ago,
# data): Tom charges Lotte's fee (Pieter imports the bank's statement); Sofie may object.
DECISIONS_SENT = [
    ("lotte", "Inname openbaar domein verhuislift", "goedgekeurd", 12,
     {"inname_adres": {"street": "Stationsstraat", "number": "3", "postcode": "3999",
                       "municipality": "Heidebeek"},
      "soort_inname": "verhuislift", "oppervlakte": 10, "aantal_dagen": 3}),
    ("sofie", "Inname openbaar domein werfkeet", "geweigerd", 15,
     {"inname_adres": {"street": "Dorpsstraat", "number": "40", "postcode": "3999",
                       "municipality": "Heidebeek"},
      "soort_inname": "werfkeet", "oppervlakte": 12, "aantal_dagen": 60}),
]

# The bodies' members: (body, persona or None, name, role, title).
MEMBERS = [
    ("college", "luc", "Luc Janssens", "chair", "burgemeester"),
    ("college", None, "Greet Claes", "member", "eerste schepen"),
    ("college", None, "Bart Wouters", "member", "schepen van sociale zaken"),
    ("college", "hilde", "Hilde Goossens", "secretary", "algemeen directeur"),
    ("gemeenteraad", None, "Ingrid Peeters", "chair", "voorzitter gemeenteraad"),
    ("gemeenteraad", "hilde", "Hilde Goossens", "secretary", "algemeen directeur"),
    ("vast_bureau", "luc", "Luc Janssens", "chair", "burgemeester"),
    ("vast_bureau", "hilde", "Hilde Goossens", "secretary", "algemeen directeur"),
    ("raad_maatschappelijk_welzijn", None, "Ingrid Peeters", "chair", "voorzitter"),
    ("raad_maatschappelijk_welzijn", "hilde", "Hilde Goossens", "secretary",
     "algemeen directeur"),
]


def demo_pdf(title: str) -> bytes:
    """A small valid one-page PDF, so demo documents open in any viewer."""
    text = title.replace("\\", "").replace("(", "").replace(")", "")
    stream = f"BT /F1 18 Tf 72 760 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def steps_to(workflow, state: str, start: str | None = None) -> list:
    """The shortest list of transitions from ``start`` (the workflow's first state) to
    ``state``."""
    start = start or workflow.initial
    queue, seen = deque([(start, [])]), {start}
    while queue:
        here, path = queue.popleft()
        if here == state:
            return path
        for transition in workflow.transitions_from(here):
            if transition.target not in seen:
                seen.add(transition.target)
                queue.append((transition.target, [*path, transition]))
    raise ValueError(f"{state} cannot be reached in {workflow.name}")


def persona_claims(persona, kbo: str) -> dict:
    claims = {"sub": persona.sub, "given_name": persona.given_name,
              "family_name": persona.family_name, "email": persona.email}
    if persona.rrn:
        claims["rrn"] = persona.rrn
    if persona.roles:
        claims[ROLE_CLAIM] = persona.role_claims(kbo)
    return claims


def _as_if_applied_online(dbsession, dossier, applicant, when, municipality):
    """What an online application records: the submission time, what the person register
    prefilled (the MAGDA simulator's answer for the persona), the automatic screening and the
    legal due date the worklists sort on."""
    from loket.checks.screening import screen
    from loket.integrations.magda.simulator import persons
    from loket.worklists.deadlines import recompute_due

    person = persons().get(applicant.rrn)
    if person is not None:
        address = person["address"]
        dossier.prefill = {"status": "ok", "fields": [], "at": when.isoformat(), "person": {
            "postcode": address["postcode"], "nis": address["nis"],
            "municipality": address["gemeente"], "birth_date": person["born"]}}
    if dossier.state != "concept":
        dossier.submitted = when
        dossier.screening = screen(dossier, municipality, when.date())
    recompute_due(dbsession, dossier)


def load_demo_data(dbsession, settings) -> dict:
    """Idempotent: running it twice changes nothing the second time."""
    kbo = settings.get("loket.municipality.kbo", "")
    if dbsession.get(Municipality, ROW) is None:
        dbsession.add(Municipality(id=ROW, kbo_municipality=kbo, **HEIDEBEEK))
    for code, name in TEAMS.items():
        title = {"nl": name, "en": TEAM_TITLES_EN[code]}
        team = dbsession.scalar(select(Team).where(Team.code == code))
        if team is None:
            dbsession.add(Team(code=code, name=name, title=title))
        else:
            team.name, team.title = name, title
    dbsession.flush()
    users = {p.key: sync_user(dbsession, persona_claims(p, kbo), kbo) for p in PERSONAS}
    for user in users.values():
        user.last_login = None

    load_shipped(dbsession)
    created = 0
    if dbsession.scalar(select(Dossier.id).limit(1)) is None:
        store = BlobStore(settings["loket.blob_dir"])
        teams = {t.code: t for t in dbsession.scalars(select(Team))}
        municipality = dbsession.get(Municipality, ROW)
        now = utcnow()
        sent = [(key, "inname-openbaar-domein", title, "beslissing_verzonden", "openbaar-domein",
                 days, data, via) for key, title, via, days, data in DECISIONS_SENT]
        for key, type_code, title, state, team, days, data, *via in [*DOSSIERS, *sent]:
            when = now - timedelta(days=days)
            version = get_type(dbsession, type_code).current(when.date())
            workflow = workflows()[version.workflow]
            steps = steps_to(workflow, via[0]) + steps_to(workflow, state, via[0]) if via \
                else steps_to(workflow, state)
            dossier = Dossier(
                reference=next_reference(dbsession, when.year), type_version_id=version.id,
                title=title, state=state, applicant_id=users[key].id, team_id=teams[team].id,
                data=data, created=when, modified=when,
                outcome=workflow.states[state].outcome or next(
                    (workflow.states[t.target].outcome for t in steps
                     if workflow.states[t.target].outcome), None),
            )
            dbsession.add(dossier)
            dbsession.flush()
            for number, transition in enumerate(steps):
                dbsession.add(HistoryEntry(
                    dossier_id=dossier.id, transition=transition.name,
                    from_state=transition.sources[0] if number == 0 else steps[number - 1].target,
                    to_state=transition.target, occurred=when + timedelta(hours=number),
                    actor_id=users[key].id if "applicant" in transition.roles else None))
            # The type's first required document, so the handler can move the dossier on.
            required = next((d for d in version.definition.get("documents", [])
                             if d.get("required")), None)
            doc_title = required["title"]["nl"] if required else "Aanvraagformulier"
            checked = check_upload(demo_pdf(f"{doc_title} - {BY_KEY[key].name}"), "bijlage.pdf")
            document = Document(dossier_id=dossier.id, number=1, title=doc_title,
                                document_type=required["code"] if required else "aanvraag",
                                created=when, created_by_id=users[key].id)
            document.versions.append(DocumentVersion(
                version=1, filename=checked.filename, media_type=checked.media_type,
                size=len(checked.data), sha256=store.put(checked.data), created=when,
                created_by_id=users[key].id))
            dbsession.add(document)
            dbsession.flush()
            _as_if_applied_online(dbsession, dossier, users[key], when, municipality)
            created += 1
        dbsession.flush()
    agenda = _demo_meetings(dbsession, users, created > 0)
    letters = _demo_letters(dbsession, settings) if created else 0
    receipts = _demo_receipts(dbsession) if created else 0
    if created:
        _demo_payments(dbsession)
    return {"users": len(users), "dossiers": created, "agenda_items": agenda,
            "letters": letters, "receipts": receipts}


def _demo_letters(dbsession, settings) -> int:
    """The approved dossiers' decision letters, signed and ready to send (``/verzendregister``
    or the dossier's "Verzenden")."""
    from loket.letters.models import READY
    from loket.letters.services import create_letter, move

    store = BlobStore(settings["loket.blob_dir"])
    made = 0
    for dossier in dbsession.scalars(select(Dossier).where(Dossier.state == "goedgekeurd")):
        title = f"Beslissing {dossier.title} - {dossier.reference}"
        checked = check_upload(demo_pdf(title), "beslissing.pdf")
        number = 1 + max((d.number for d in dbsession.scalars(select(Document).where(
            Document.dossier_id == dossier.id))), default=0)
        document = Document(dossier_id=dossier.id, number=number, title=title,
                            document_type="besluit", direction="out")
        document.versions.append(DocumentVersion(
            version=1, filename=checked.filename, media_type=checked.media_type,
            size=len(checked.data), sha256=store.put(checked.data)))
        dbsession.add(document)
        dbsession.flush()
        letter = create_letter(dbsession, dossier, "decision.granted", title=title)
        letter.document_id, letter.needs_signature = document.id, False
        move(dbsession, letter, READY)
        made += 1
    dbsession.flush()
    return made


def _demo_payments(dbsession) -> None:
    """The decision of each granted demo dossier whose decision letter was sent: what the
    payment order pays."""
    from decimal import Decimal

    from loket.decisions.models import Decision

    for dossier in dbsession.scalars(select(Dossier).where(
            Dossier.state == "beslissing_verzonden", Dossier.outcome == "approved")):
        dbsession.add(Decision(
            dossier_id=dossier.id, body_code="college", decided_on=dossier.created.date(),
            outcome="approved", title=f"{dossier.title} - {dossier.reference}",
            final_text="De premie van 640,00 euro wordt toegekend.", amount=Decimal("640.00")))
    dbsession.flush()


def _demo_meetings(dbsession, users, new_dossiers: bool) -> int:
    """The four bodies with their members and coming meetings; the demo dossier in state
    ``geagendeerd`` on its body's next open meeting, with its draft decision."""
    from loket.decisions import services

    bodies = services.ensure_bodies(dbsession)
    for code, key, name, role, title in MEMBERS:
        body = bodies[code]
        if not any(m.name == name for m in body.members):
            services.add_member(dbsession, body, name, role, title,
                                user=users[key] if key else None)
    for body in bodies.values():
        services.ensure_meetings(dbsession, body)
    dbsession.flush()
    if not new_dossiers:
        return 0
    placed = 0
    for dossier in dbsession.scalars(select(Dossier).where(Dossier.state == "geagendeerd")):
        meeting = services.next_open_meeting(dbsession, services.body_of(dbsession, dossier))
        services.place_on_agenda(
            dbsession, meeting, dossier, title=f"{dossier.title} - {dossier.reference}",
            grounds="Het reglement op de verwarmingstoelage.",
            facts="De aanvraag is volledig en ontvankelijk; het inkomen ligt onder de grens.",
            motivation="De aanvrager voldoet aan de voorwaarden van het reglement.",
            articles=["De verwarmingstoelage wordt toegekend.",
                      "De toelage wordt binnen 30 dagen betaald."])
        placed += 1
    return placed


def _demo_receipts(dbsession) -> int:
    """Each submitted dossier's receipt, waiting for the worker to render it."""
    from loket.letters.services import create_letter

    made = 0
    for dossier in dbsession.scalars(select(Dossier).where(Dossier.state != "concept")
                                     .order_by(Dossier.id)):
        create_letter(dbsession, dossier, "receipt")
        made += 1
    return made
