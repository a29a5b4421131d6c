"""What a brand-new dossier type starts from: a small but complete, valid definition."""

from loket.catalogue.definition import ACR_PREFIX
from loket.catalogue.sections import sections as definition_sections
from loket.workflow.definition import workflows

TO_BE_COMPLETED = {"nl": "Nog aan te vullen.", "en": "To be completed."}


def skeleton_definition(title: dict, workflow_name: str, team: str, registry=None) -> dict:
    """The core, and each feature's section as the feature starts it (``default``)."""
    workflow = workflows().get(workflow_name)
    sections = {s.key: s.default(workflow) for s in definition_sections(registry) if s.default}
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
        "retention": [
            {"outcome": "approved", "years": 10, "then": "destroy"},
            {"outcome": "refused", "years": 5, "then": "destroy"},
            {"outcome": "withdrawn", "years": 1, "then": "destroy"},
            {"outcome": "not_admissible", "years": 5, "then": "destroy"},
        ],
        **sections,
    }
