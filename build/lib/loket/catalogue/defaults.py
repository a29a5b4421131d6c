"""What a brand-new dossier type starts from: a small but complete, valid definition."""

from loket.catalogue.definition import ACR_PREFIX
from loket.workflow.definition import workflows

# DOSIS status per state name of the shipped workflows (INTEGRATIONS.md §4); a state of
# another workflow gets the code of its phase.
DOSIS_BY_STATE = {
    "concept": "Aangevraagd", "ingediend": "Ingediend",
    "vervollediging_gevraagd": "DossierOnvolledig", "ontvankelijk": "Ontvankelijk",
    "onontvankelijk": "OnOntvankelijk", "in_behandeling": "InBehandeling",
    "klaar_voor_beslissing": "KlaarVoorBeslissing", "geagendeerd": "KlaarVoorBeslissing",
    "goedgekeurd": "Goedgekeurd", "geweigerd": "Geweigerd", "beslissing_verzonden": "Beslist",
    "klaar_voor_betaling": "KlaarVoorBetaling", "te_betalen": "Goedgekeurd",
    "betaald": "Betaald", "bezwaar_ingediend": "InBehandeling", "afgesloten": "Uitgevoerd",
    "stopgezet": "Stopgezet",
}
DOSIS_BY_PHASE = {"Samenstelling": "Ingediend", "Behandeling": "InBehandeling",
                  "Afgerond": "Uitgevoerd"}

TO_BE_COMPLETED = {"nl": "Nog aan te vullen.", "en": "To be completed."}


def dosis_states(workflow) -> dict:
    return {name: DOSIS_BY_STATE.get(name, DOSIS_BY_PHASE.get(state.phase, "InBehandeling"))
            for name, state in workflow.states.items()}


def skeleton_definition(title: dict, workflow_name: str, team: str) -> dict:
    workflow = workflows().get(workflow_name)
    states = dosis_states(workflow) if workflow else {}
    action_needed = [n for n, s in workflow.states.items() if s.waits_for == "applicant"] \
        if workflow else []
    return {
        "title": dict(title),
        "summary": dict(TO_BE_COMPLETED),
        "who_can_apply": dict(TO_BE_COMPLETED),
        "what_to_bring": dict(TO_BE_COMPLETED),
        "team": team,
        "workflow": workflow_name,
        "authentication": {"minimum_acr": [ACR_PREFIX + "eid", ACR_PREFIX + "itsme"]},
        "form": {"steps": [{
            "title": {"nl": "Je gegevens", "en": "Your details"},
            "fields": [
                {"name": "voornaam", "type": "text", "label": {"nl": "Voornaam",
                                                              "en": "First name"},
                 "required": True, "prefill": {"source": "person_register",
                                               "attribute": "given_name"},
                 "readonly_when_prefilled": True},
                {"name": "familienaam", "type": "text", "label": {"nl": "Familienaam",
                                                                 "en": "Surname"},
                 "required": True, "prefill": {"source": "person_register",
                                               "attribute": "family_name"},
                 "readonly_when_prefilled": True},
                {"name": "email", "type": "email", "label": {"nl": "E-mailadres",
                                                            "en": "Email address"},
                 "required": True},
            ],
        }]},
        "documents": [],
        "admissibility": [],
        "checks": [],
        "deadlines": [],
        "decision": {
            "body": "college",
            "decision_template": {"nl": "Het college van burgemeester en schepenen beslist "
                                        "over de aanvraag ${reference} van ${applicant_name}."},
            "letter_template": {
                "nl": "Beste ${applicant_name}\n\nIn bijlage vind je de beslissing over je "
                      "aanvraag ${reference}.\n",
                "en": "Dear ${applicant_name}\n\nAttached is the decision on your application "
                      "${reference}.\n",
            },
            "signature_required": True,
            "refusal_reasons": [],
        },
        "amount": {"direction": "none", "rule": {"type": "none"}},
        "dosis": {"product_id": "0", "states": states, "action_needed": action_needed},
        "retention": [
            {"outcome": "approved", "years": 10, "then": "destroy"},
            {"outcome": "refused", "years": 5, "then": "destroy"},
            {"outcome": "withdrawn", "years": 1, "then": "destroy"},
            {"outcome": "not_admissible", "years": 5, "then": "destroy"},
        ],
    }
