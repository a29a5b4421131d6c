"""A transition that changes what DOSIS shows enqueues exactly one push, in its transaction."""

import logging

from loket.security import Role
from loket.workflow.engine import Actor, perform
from tests.conftest import csrf_token
from tests.integrations.dosis.conftest import BRON, JAN, actor, mapping, pushes


def test_transition_enqueues_one_push(dosis_app, dbsession, premium):
    dossier, handler = premium
    perform(dosis_app.registry, dbsession, dossier, "ontvankelijk_verklaren", actor(handler),
            dossier.version)
    [message] = pushes(dbsession)
    assert message.ordering_key == f"dossier:{dossier.id}"
    assert message.dossier_id == dossier.id
    assert message.status == "pending"
    payload = message.payload
    assert payload["Identificatie"] == {"Bron": BRON, "DossierNummer": dossier.reference}
    assert payload["Status"]["VlaamsCode"] == "Ontvankelijk"
    assert payload["Status"]["VlaamsFase"] == "Behandeling"
    assert payload["Agenten"][0]["Identificatie"] == JAN
    assert payload["Doorverwijzing"] == f"http://localhost/dossiers/{dossier.reference}"
    assert "UploadId" not in payload  # the message's idempotency key, added at delivery


def test_each_change_is_its_own_push_in_order(dosis_app, dbsession, premium):
    dossier, handler = premium
    perform(dosis_app.registry, dbsession, dossier, "ontvankelijk_verklaren", actor(handler),
            dossier.version)
    perform(dosis_app.registry, dbsession, dossier, "behandeling_starten", actor(handler),
            dossier.version)
    codes = [m.payload["Status"]["VlaamsCode"] for m in pushes(dbsession)]
    assert codes == ["Ontvankelijk", "InBehandeling"]


def test_no_push_when_the_dosis_status_stays_the_same(dosis_app, dbsession, factories):
    # klaar_voor_beslissing and geagendeerd are both KlaarVoorBeslissing, phase Behandeling.
    dossier = factories.dossier(applicant=factories.citizen(rrn=JAN),
                                state="klaar_voor_beslissing",
                                type_version=factories.type_version(dosis=mapping()))
    perform(dosis_app.registry, dbsession, dossier, "agenderen", Actor.system(), dossier.version)
    assert dossier.state == "geagendeerd"
    assert pushes(dbsession) == []


def test_a_changed_action_is_a_change(dosis_app, dbsession, factories):
    # Same code for both states, but the citizen must act in one of them.
    states = {**mapping()["states"], "vervollediging_gevraagd": "Ingediend"}
    dossier = factories.dossier(applicant=factories.citizen(rrn=JAN),
                                type_version=factories.type_version(dosis=mapping(states=states)))
    handler = factories.staff(Role.HANDLER, team=dossier.team)
    perform(dosis_app.registry, dbsession, dossier, "vervollediging_vragen", actor(handler),
            dossier.version, comment="Het attest ontbreekt.")
    [message] = pushes(dbsession)
    assert message.payload["Status"]["Actie"]["ActieNodig"] is True


def test_no_push_for_a_type_without_mapping(dosis_app, dbsession, factories):
    team = factories.team()
    dossier = factories.dossier(applicant=factories.citizen(rrn=JAN), team=team)
    handler = factories.staff(Role.HANDLER, team=team)
    perform(dosis_app.registry, dbsession, dossier, "ontvankelijk_verklaren", actor(handler),
            dossier.version)
    assert pushes(dbsession) == []


def test_no_push_without_national_register_number(dosis_app, dbsession, factories, caplog):
    team = factories.team()
    dossier = factories.dossier(applicant=factories.citizen(rrn=None), team=team,
                                type_version=factories.type_version(dosis=mapping()))
    handler = factories.staff(Role.HANDLER, team=team)
    with caplog.at_level(logging.INFO):
        perform(dosis_app.registry, dbsession, dossier, "ontvankelijk_verklaren",
                actor(handler), dossier.version)
    assert pushes(dbsession) == []
    assert dossier.reference in caplog.text


def test_without_the_plugin_nothing_is_enqueued(app, dbsession, premium):
    dossier, handler = premium  # `app` did not choose a status_publishing plug-in
    perform(app.registry, dbsession, dossier, "ontvankelijk_verklaren", actor(handler),
            dossier.version)
    assert pushes(dbsession) == []


def test_handler_step_on_the_dossier_page_enqueues_the_push(dosis_testapp, dosis_login,
                                                            dbsession, premium, caplog):
    dossier, handler = premium
    dosis_login(handler)
    token = csrf_token(dosis_testapp)
    with caplog.at_level(logging.DEBUG):
        dosis_testapp.post(f"/dossiers/{dossier.reference}/stap", {
            "csrf_token": token, "transition": "ontvankelijk_verklaren",
            "version": dossier.version, "comment": ""}, status=302)
    [message] = pushes(dbsession)
    assert message.payload["Status"]["VlaamsCode"] == "Ontvankelijk"
    assert JAN not in caplog.text  # the national register number is never logged


def test_a_refused_step_enqueues_nothing(dosis_testapp, dosis_login, dbsession, premium):
    dossier, handler = premium
    dosis_login(handler)
    token = csrf_token(dosis_testapp)
    dosis_testapp.post(f"/dossiers/{dossier.reference}/stap", {
        "csrf_token": token, "transition": "onontvankelijk_verklaren",
        "version": dossier.version, "comment": ""}, status=400)  # a reason is required
    assert pushes(dbsession) == []
