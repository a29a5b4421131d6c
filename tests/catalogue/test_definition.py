"""A version's definition: the valid shape passes, and every kind of problem is reported with
its location, all at once."""

import copy

import pytest

from loket.catalogue.defaults import skeleton_definition
from loket.catalogue.definition import DefinitionError, normalise, parse_relative_date
from loket.catalogue.validation import check_definition, validate_definition


def base() -> dict:
    d = skeleton_definition({"nl": "Huurpremie", "en": "Rent premium"}, "sociale-premie",
                            "sociale-dienst")
    d["form"]["steps"].append({"title": {"nl": "Details", "en": "Details"}, "fields": [
        {"name": "datum", "type": "date", "label": {"nl": "Datum", "en": "Date"},
         "required": True, "max": "today"},
        {"name": "bedrag", "type": "amount", "label": {"nl": "Bedrag", "en": "Amount"},
         "required": True, "min": 0},
        {"name": "gezin", "type": "repeat", "label": {"nl": "Gezinslid", "en": "Member"},
         "fields": [{"name": "lid", "type": "text", "label": {"nl": "Naam", "en": "Name"}}]},
    ]})
    d["documents"] = [{"code": "huurcontract", "title": {"nl": "Huurcontract", "en": "Lease"},
                       "required": True, "media_types": ["application/pdf"], "max_size_mb": 5}]
    d["admissibility"] = [{"code": "termijn", "rule": {"type": "within_days_of",
                                                       "field": "datum", "days": 30},
                           "text": {"pass": {"nl": "Op tijd (${days}).", "en": "In time."},
                                    "fail": {"nl": "Te laat.", "en": "Too late."}}}]
    d["amount"] = {"direction": "loket_pays",
                   "rule": {"type": "percentage", "percentage": 10, "field": "bedrag",
                            "ceiling": "500.00"}}
    return d


def problems_of(definition) -> list[str]:
    return [str(p) for p in validate_definition(definition)]


def test_the_skeleton_and_a_richer_definition_are_valid():
    assert problems_of(base()) == []
    check_definition(base())


def test_not_a_mapping():
    assert problems_of(["form"]) == ["must be a mapping"]


def test_unknown_field_type_is_located():
    d = base()
    d["form"]["steps"][0]["fields"][2]["type"] = "colour"
    assert "form.steps[0].fields[2].type: unknown field type 'colour'" in problems_of(d)


def test_every_problem_is_reported_at_once():
    d = base()
    fields = d["form"]["steps"][1]["fields"]
    fields[0]["type"] = "colour"                                    # unknown type
    fields[1]["name"] = "voornaam"                                  # duplicate across steps
    fields[2]["fields"][0]["name"] = "email"                        # duplicate inside a repeat
    d["title"] = {"nl": "Alleen Nederlands"}                        # missing language
    d["summary"]["fr"] = "Résumé"                                   # unknown language
    d["colour"] = "blue"                                            # unknown key
    d["deadlines"] = [{"code": "x", "title": {"nl": "X", "en": "X"}, "days": 10,
                       "start_state": "nergens", "stop_states": ["ook_nergens"]}]
    d["dosis"]["states"]["verzonnen"] = "Ingediend"                 # unknown state
    del d["dosis"]["states"]["betaald"]                             # state without a code
    d["dosis"]["states"]["ingediend"] = "Verstuurd"                 # unknown DOSIS code
    d["retention"] = d["retention"][:2] + [d["retention"][0]]       # duplicate, missing two
    d["decision"]["body"] = "koning"
    d["decision"]["decision_template"]["nl"] = "Beslissing over ${bestaat_niet}."
    problems = "\n".join(problems_of(d))
    for expected in [
        "form.steps[1].fields[0].type: unknown field type 'colour'",
        "form.steps[1].fields[1].name: duplicate field name 'voornaam' (also at "
        "form.steps[0].fields[0])",
        "form.steps[1].fields[2].fields[0].name: duplicate field name 'email'",
        "title.en: is missing or empty",
        "summary.fr: unknown language 'fr'",
        "colour: unknown key 'colour'",
        "deadlines[0].start_state: 'nergens' is not a state of workflow 'sociale-premie'",
        "deadlines[0].stop_states[0]: 'ook_nergens' is not a state",
        "dosis.states.verzonnen: 'verzonnen' is not a state",
        "dosis.states: state 'betaald' has no DOSIS code",
        "dosis.states.ingediend: unknown DOSIS code 'Verstuurd'",
        "retention[2].outcome: duplicate outcome 'approved'",
        "retention: no retention period for outcome 'withdrawn'",
        "retention: no retention period for outcome 'not_admissible'",
        "decision.body: unknown decision body 'koning'",
        "decision.decision_template.nl: unknown placeholder ${bestaat_niet}",
    ]:
        assert expected in problems, expected
    # The broken field type does not hide the problems after it.
    assert len(problems.splitlines()) >= 16


def test_broken_references():
    d = base()
    d["admissibility"][0]["rule"]["field"] = "bedrag"                 # not a date field
    d["admissibility"].append({"code": "leeftijd", "rule": {"type": "age_at_least",
                                                            "years": 18, "field": "lid"},
                               "text": d["admissibility"][0]["text"]})  # inside a repeat
    d["amount"]["rule"]["field"] = "gezin"                            # not an amount field
    d["form"]["steps"][0]["fields"][0]["prefill"]["attribute"] = "birth_date"  # type mismatch
    d["workflow"] = "sociale-premie"
    problems = "\n".join(problems_of(d))
    assert "admissibility[0].rule.field: 'bedrag' is a amount field, not date" in problems
    assert "admissibility[1].rule.field: 'lid' is inside a repeat" in problems
    assert "amount.rule.field: 'gezin' is a repeat field, not amount" in problems
    assert ("form.steps[0].fields[0].prefill.attribute: birth_date fills a date field, "
            "not a text field") in problems


def test_per_person_needs_a_repeat_and_missing_fields_are_named():
    d = base()
    d["amount"]["rule"] = {"type": "per_person", "amount": 50, "field": "bedrag"}
    d["admissibility"][0]["rule"]["field"] = "bestaat_niet"
    problems = "\n".join(problems_of(d))
    assert "amount.rule.field: 'bedrag' is a amount field, not repeat" in problems
    assert "admissibility[0].rule.field: no field named 'bestaat_niet' in the form" in problems


def test_impossible_rules():
    d = base()
    text = d["admissibility"][0]["text"]
    d["admissibility"] += [
        {"code": "oud", "rule": {"type": "age_at_least", "years": 65}, "text": text},
        {"code": "jong", "rule": {"type": "age_at_most", "years": 25}, "text": text},
        {"code": "docs", "rule": {"type": "required_documents_present"}, "text": text},
    ]
    d["documents"][0]["required"] = False
    d["documents"][0]["max_size_mb"] = 50
    d["documents"][0]["media_types"] = ["application/zip"]
    fields = d["form"]["steps"][1]["fields"]
    fields[0]["min"], fields[0]["max"] = "2026-12-31", "2026-01-01"
    fields[1]["min"], fields[1]["max"] = 100, 10
    fields[2]["min_items"], fields[2]["max_items"] = 5, 2
    d["amount"]["rule"]["percentage"] = 120
    d["amount"]["rule"]["ceiling"] = "-1"
    d["deadlines"] = [{"code": "x", "title": {"nl": "X", "en": "X"}, "days": 0,
                       "start_state": "ingediend", "stop_states": ["ingediend"]}]
    problems = "\n".join(problems_of(d))
    for expected in [
        "admissibility[2].rule.years: nobody can be at least 65 and at most 25 years old",
        "admissibility[3].rule: no document is required, so this rule can never fail",
        "documents[0].max_size_mb: must be at most 20",
        "documents[0].media_types[0]: unknown media type 'application/zip'",
        "form.steps[1].fields[0]: min 2026-12-31 is after max 2026-01-01",
        "form.steps[1].fields[1]: min 100 is greater than max 10",
        "form.steps[1].fields[2]: min_items 5 is greater than max_items 2",
        "amount.rule.percentage: must be at most 100",
        "amount.rule.ceiling: must be at least 0",
        "deadlines[0].days: must be between 1 and 3650",
        "deadlines[0].stop_states[0]: the deadline would stop where it starts",
    ]:
        assert expected in problems, expected


def test_who_pays_and_the_rule_must_agree():
    d = base()
    d["amount"] = {"direction": "none", "rule": {"type": "fixed", "amount": "10"}}
    assert "amount.rule: nobody pays: the rule must be none" in problems_of(d)
    d["amount"] = {"direction": "citizen_pays", "rule": {"type": "none"}}
    assert "amount.rule: someone pays: choose a rule other than none" in problems_of(d)
    d["amount"] = {"direction": "loket_pays", "rule": {"type": "fixed", "amount": "tien"}}
    assert "amount.rule.amount: 'tien' is not an amount" in problems_of(d)


def test_field_keys_that_do_not_apply_and_choices():
    d = base()
    fields = d["form"]["steps"][0]["fields"]
    fields[0]["choices"] = []
    fields.append({"name": "keuze", "type": "choice", "label": {"nl": "K", "en": "C"},
                   "choices": [{"value": "a", "label": {"nl": "A", "en": "A"}},
                               {"value": "a", "label": {"nl": "B"}}]})
    fields.append({"name": "Fout-Naam", "type": "text", "label": {"nl": "F", "en": "F"}})
    fields.append({"name": "csrf_token", "type": "text", "label": {"nl": "F", "en": "F"}})
    problems = "\n".join(problems_of(d))
    assert "form.steps[0].fields[0].choices: does not apply to a text field" in problems
    assert "form.steps[0].fields[3].choices[1].value: duplicate choice 'a'" in problems
    assert "form.steps[0].fields[3].choices[1].label.en: is missing or empty" in problems
    assert "form.steps[0].fields[4].name: 'Fout-Naam' is not a valid field name" in problems
    assert "form.steps[0].fields[5].name: 'csrf_token' is reserved" in problems


def test_nested_repeat_and_prefill_outside_household():
    d = base()
    repeat = d["form"]["steps"][1]["fields"][2]
    repeat["fields"].append({"name": "dieper", "type": "repeat",
                             "label": {"nl": "D", "en": "D"},
                             "fields": [{"name": "x", "type": "text",
                                         "label": {"nl": "X", "en": "X"}}]})
    repeat["fields"][0]["prefill"] = {"source": "person_register", "attribute": "given_name"}
    d["form"]["steps"][1]["fields"][0]["readonly_when_prefilled"] = True
    problems = "\n".join(problems_of(d))
    assert "form.steps[1].fields[2].fields[1]: a repeat cannot contain another repeat" in problems
    assert "form.steps[1].fields[2].fields[0].prefill: only the fields of a repeat prefilled " \
           "with household can be prefilled" in problems
    assert "form.steps[1].fields[0].readonly_when_prefilled: the field has no prefill" in problems


def test_checks_and_their_texts():
    d = base()
    d["checks"] = [
        {"code": "inkomen", "type": "income_below", "threshold": "0", "household": "ja",
         "text": {"pass": {"nl": "${jaar}", "en": "ok"}, "fail": {"nl": "x", "en": "x"}}},
        {"code": "termijn", "type": "social_status", "status": "RIJK",
         "text": {"pass": {"nl": "a", "en": "a"}, "fail": {"nl": "b", "en": "b"},
                  "pending": {"nl": "c", "en": "c"}}},
    ]
    problems = "\n".join(problems_of(d))
    for expected in [
        "checks[0]: give either reference_year_offset or reference_year",
        "checks[0].threshold: must be more than 0",
        "checks[0].household: must be true or false",
        "checks[0].text.pass.nl: unknown placeholder ${jaar}",
        "checks[0].text.pending: is missing",
        "checks[1].code: duplicate code 'termijn'",
        "checks[1].status: unknown social status 'RIJK'",
    ]:
        assert expected in problems, expected


def test_unknown_workflow_and_acr():
    d = base()
    d["workflow"] = "bestaat-niet"
    d["authentication"]["minimum_acr"] = ["urn:be:vlaanderen:authmech:postduif"]
    problems = problems_of(d)
    assert any(p.startswith("workflow: unknown workflow 'bestaat-niet'") for p in problems)
    assert "authentication.minimum_acr[0]: unknown acr 'urn:be:vlaanderen:authmech:postduif'" \
        in problems


def test_check_definition_raises_with_every_problem():
    d = copy.deepcopy(base())
    del d["form"]
    d["team"] = "Sociale Dienst"
    with pytest.raises(DefinitionError) as error:
        check_definition(d)
    assert {str(p) for p in error.value.problems} >= {
        "form: is missing", "team: 'Sociale Dienst' is not a team code"}


def test_normalise_and_relative_dates():
    from datetime import date

    assert normalise({"a": date(2026, 1, 2), "b": (1, 2)}) == {"a": "2026-01-02", "b": [1, 2]}
    today = date(2026, 3, 1)
    assert parse_relative_date("today", today) == today
    assert parse_relative_date("today+10", today) == date(2026, 3, 11)
    assert parse_relative_date("today-1", today) == date(2026, 2, 28)
    assert parse_relative_date("2026-05-01", today) == date(2026, 5, 1)
    with pytest.raises(ValueError):
        parse_relative_date("morgen", today)
