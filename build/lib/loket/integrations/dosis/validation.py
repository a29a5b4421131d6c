"""How the DOSIS simulator checks an uploaded dossier status, as DOSIS does.

Every problem is reported with the field it concerns (``Status.VlaamsCode``); messages never
repeat a national register number.
"""

import uuid
from datetime import datetime
from urllib.parse import urlsplit

# DOSIS's status model (INTEGRATIONS.md §4), with the label Mijn Burgerprofiel shows.
CODE_LABELS = {
    "Aangevraagd": "Aangevraagd", "Ingediend": "Ingediend", "Ontvankelijk": "Ontvankelijk",
    "OnOntvankelijk": "Onontvankelijk", "DossierOnvolledig": "Dossier onvolledig",
    "DossierVolledig": "Dossier volledig", "InBehandeling": "In behandeling",
    "InWacht": "In wacht", "KlaarVoorBeslissing": "Klaar voor beslissing", "Beslist": "Beslist",
    "Goedgekeurd": "Goedgekeurd", "DeelsGoedgekeurd": "Deels goedgekeurd",
    "Geweigerd": "Geweigerd", "Stopgezet": "Stopgezet",
    "KlaarVoorBetaling": "Klaar voor betaling", "Betaald": "Betaald",
    "DeelsUitbetaald": "Deels uitbetaald", "Uitgevoerd": "Uitgevoerd",
}
PHASES = ("Samenstelling", "Behandeling", "Afgerond")
ACCESS_RIGHTS = ("Raadpleger", "Beheerder")
TYPE_DOSSIER_CODES = ("DossierStatus",)
MAX_TEXT = 1000


def valid_rrn(value) -> bool:
    """11 digits with the mod-97 check of a national register or BIS number (born before or
    after 2000). The month is not checked, so MAGDA's test numbers (month + 60) pass."""
    if not isinstance(value, str) or len(value) != 11 or not value.isdigit():
        return False
    check = int(value[9:])
    return check in (97 - int(value[:9]) % 97, 97 - int("2" + value[:9]) % 97)


class Problems(list):
    def add(self, field: str, message: str):
        self.append({"Veld": field, "Omschrijving": message})


def _text(problems, container, key, where, required=True, limit=MAX_TEXT):
    value = container.get(key) if isinstance(container, dict) else None
    if value is None or value == "":
        if required:
            problems.add(where, "is verplicht")
        return None
    if not isinstance(value, str) or not value.strip():
        problems.add(where, "moet tekst zijn")
    elif len(value) > limit:
        problems.add(where, f"is langer dan {limit} tekens")
    return value


def _object(problems, container, key, where, required=True):
    value = container.get(key) if isinstance(container, dict) else None
    if value is None:
        if required:
            problems.add(where, "is verplicht")
        return None
    if not isinstance(value, dict):
        problems.add(where, "moet een object zijn")
        return None
    return value


def validate(body, bronnen) -> list[dict]:
    """The problems of an uploaded status (empty when DOSIS would accept it). ``bronnen``: the
    sources the uploading client may use."""
    problems = Problems()
    if not isinstance(body, dict):
        problems.add("", "het bericht moet een JSON-object zijn")
        return problems
    identification = _object(problems, body, "Identificatie", "Identificatie")
    if identification is not None:
        bron = _text(problems, identification, "Bron", "Identificatie.Bron", limit=200)
        if isinstance(bron, str) and bron and bron not in bronnen:
            problems.add("Identificatie.Bron", "bron is niet gekend voor deze client")
        _text(problems, identification, "DossierNummer", "Identificatie.DossierNummer",
              limit=100)
    upload = _text(problems, body, "UploadId", "UploadId", limit=36)
    if isinstance(upload, str) and upload:
        try:
            uuid.UUID(upload)
        except ValueError:
            problems.add("UploadId", "moet een UUID zijn")
    _text(problems, body, "Naam", "Naam", limit=255)
    changed = _text(problems, body, "WijzigingsDatum", "WijzigingsDatum", limit=40)
    if isinstance(changed, str) and changed:
        try:
            datetime.fromisoformat(changed)
        except ValueError:
            problems.add("WijzigingsDatum", "moet een datum en tijd zijn (ISO 8601)")
    _status(problems, body)
    if body.get("TypeDossierCode") not in TYPE_DOSSIER_CODES:
        problems.add("TypeDossierCode", "moet DossierStatus zijn")
    _products(problems, body)
    manager = _object(problems, body, "DossierBeheerder", "DossierBeheerder")
    if manager is not None:
        _text(problems, manager, "Naam", "DossierBeheerder.Naam", limit=255)
        for key in ("Dienst", "Telefoon", "Email", "Website"):
            _text(problems, manager, key, f"DossierBeheerder.{key}", required=False, limit=255)
        address = _object(problems, manager, "Adres", "DossierBeheerder.Adres", required=False)
        for key in ("Straat", "Nummer", "Postcode", "Gemeente"):
            _text(problems, address or {}, key, f"DossierBeheerder.Adres.{key}",
                  required=False, limit=255)
    _agents(problems, body)
    link = _text(problems, body, "Doorverwijzing", "Doorverwijzing", required=False, limit=2000)
    if isinstance(link, str) and link and urlsplit(link).scheme not in ("http", "https"):
        problems.add("Doorverwijzing", "moet een http- of https-adres zijn")
    return problems


def _status(problems, body):
    status = _object(problems, body, "Status", "Status")
    if status is None:
        return
    if status.get("VlaamsCode") not in CODE_LABELS:
        problems.add("Status.VlaamsCode", "onbekende Vlaamse statuscode")
    if status.get("VlaamsFase") not in PHASES:
        problems.add("Status.VlaamsFase", "onbekende Vlaamse fase")
    _text(problems, status, "Detail1", "Status.Detail1", required=False)
    action = _object(problems, status, "Actie", "Status.Actie")
    if action is not None:
        needed = action.get("ActieNodig")
        if not isinstance(needed, bool):
            problems.add("Status.Actie.ActieNodig", "moet true of false zijn")
        _text(problems, action, "Actie", "Status.Actie.Actie", required=needed is True)


def _products(problems, body):
    products = body.get("Producten")
    if not isinstance(products, list) or len(products) != 1:
        problems.add("Producten", "moet precies één product bevatten")
        return
    _text(problems, products[0], "Id", "Producten[0].Id", limit=50)


def _agents(problems, body):
    agents = body.get("Agenten")
    if not isinstance(agents, list) or not agents:
        problems.add("Agenten", "minstens één agent is verplicht")
        return
    for i, agent in enumerate(agents):
        where = f"Agenten[{i}]"
        if not isinstance(agent, dict):
            problems.add(where, "moet een object zijn")
            continue
        if not valid_rrn(agent.get("Identificatie")):
            problems.add(f"{where}.Identificatie",
                         "moet een rijksregister- of BIS-nummer van 11 cijfers zijn")
        rights = agent.get("Toegangsrechten")
        if not isinstance(rights, list) or not rights:
            problems.add(f"{where}.Toegangsrechten", "minstens één toegangsrecht is verplicht")
            continue
        for n, right in enumerate(rights):
            if not isinstance(right, dict) or right.get("Code") not in ACCESS_RIGHTS:
                problems.add(f"{where}.Toegangsrechten[{n}].Code", "onbekend toegangsrecht")
