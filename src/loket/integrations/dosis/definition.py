"""The ``dosis`` section of a dossier-type definition: the product number and the DOSIS
status code of every workflow state (what Mijn Burgerprofiel shows), and the states in which
the citizen must act."""

from loket.integrations.dosis.validation import CODE_LABELS

KEY = "dosis"
# DOSIS status per state name of the shipped workflows (INTEGRATIONS.md §4); a state of
# another workflow gets the code of its phase.
DOSIS_BY_STATE = {
    "concept": "Aangevraagd", "ingediend": "Ingediend",
    "vervollediging_gevraagd": "DossierOnvolledig", "ontvankelijk": "Ontvankelijk",
    "onontvankelijk": "OnOntvankelijk", "in_behandeling": "InBehandeling",
    "klaar_voor_beslissing": "KlaarVoorBeslissing", "geagendeerd": "KlaarVoorBeslissing",
    # Decided, but told only with the decision letter (the state after it, per outcome).
    "goedgekeurd": "Beslist", "geweigerd": "Beslist",
    "klaar_voor_betaling": "KlaarVoorBetaling", "te_betalen": "Goedgekeurd",
    "betaald": "Betaald", "bezwaar_ingediend": "InBehandeling", "afgesloten": "Uitgevoerd",
    "stopgezet": "Stopgezet",
}
DOSIS_BY_PHASE = {"Samenstelling": "Ingediend", "Behandeling": "InBehandeling",
                  "Afgerond": "Uitgevoerd"}


DOSIS_BY_OUTCOME = {"approved": "Goedgekeurd", "refused": "Geweigerd"}


def dosis_states(workflow) -> dict:
    return {name: {o: DOSIS_BY_OUTCOME[o] for o in state.told} if state.told
            else DOSIS_BY_STATE.get(name, DOSIS_BY_PHASE.get(state.phase, "InBehandeling"))
            for name, state in workflow.states.items()}


def validate(check, value, context):
    where = KEY
    keys = ("product_id", "states", "action_needed")
    if check.mapping(value, where, keys, keys[:2]) is None:
        return
    product = value.get("product_id")
    if "product_id" in value and (isinstance(product, bool) or not isinstance(
            product, str | int) or not str(product).strip()):
        check.add(f"{where}.product_id", "must be the product number (text or a number)")
    states = value.get("states")
    if "states" in value:
        if not isinstance(states, dict):
            check.add(f"{where}.states", "must map workflow states to DOSIS codes")
        else:
            for state, code in states.items():
                if not check.state(state, f"{where}.states.{state}"):
                    continue
                # A state that tells the outcome may have a code per outcome.
                per_outcome = code if isinstance(code, dict) else {"": code}
                for outcome, one in per_outcome.items():
                    if outcome not in ("", *DOSIS_BY_OUTCOME) or not isinstance(one, str) \
                            or one not in CODE_LABELS:
                        check.add(f"{where}.states.{state}", f"unknown DOSIS code {one!r}"
                                  + (f" for outcome {outcome!r}" if outcome else ""))
            if context.workflow is not None:
                for state in context.workflow.states:
                    if state not in states:
                        check.add(f"{where}.states", f"state {state!r} has no DOSIS code")
    for i, state in enumerate(check.items(value, "action_needed", where)):
        check.state(state, f"{where}.action_needed[{i}]")


def default(workflow):
    if workflow is None:
        return {"product_id": "0", "states": {}, "action_needed": []}
    return {"product_id": "0", "states": dosis_states(workflow),
            "action_needed": [n for n, s in workflow.states.items()
                              if s.waits_for == "applicant"]}
