"""``loket magda``: one question against the simulator over real HTTP, the JSON on stdout,
the exit code, and the consultation in the legal MAGDA log."""

import json

import pytest
from sqlalchemy import create_engine, delete, select

from loket.cli import main
from loket.integrations.magda.models import MagdaConsultation
from loket.integrations.magda.simulator import KINDS
from tests.fixtures.magda import JAN, PURPOSES, SOFIE, UNKNOWN

INI = """\
[app:main]
use = egg:loket
{settings}
"""


@pytest.fixture
def loket_magda(tmp_path, app_settings, magda_sim, capsys):
    settings = {**app_settings, "loket.integrations.person_register": "magda",
                "loket.integrations.income": "magda-inkomen",
                "loket.integrations.magda.base_url": magda_sim.url,
                "loket.integrations.magda.identificatie": "heidebeek.loket.test",
                "loket.integrations.magda.hoedanigheid": "1234",
                "loket.integrations.magda.purposes": PURPOSES}
    ini = tmp_path / "loket.ini"
    ini.write_text(INI.format(settings="\n".join(
        f"{k} = {str(v).replace('%', '%%')}" for k, v in settings.items())))
    engine = create_engine(app_settings["sqlalchemy.url"])

    def run(*args):
        code = main(["magda", str(ini), *args])
        out, err = capsys.readouterr()
        return code, json.loads(out) if out.strip() else None, err

    def log():
        with engine.connect() as connection:
            return list(connection.execute(select(
                MagdaConsultation.service, MagdaConsultation.subject_insz,
                MagdaConsultation.purpose, MagdaConsultation.outcome,
                MagdaConsultation.error_code).where(MagdaConsultation.actor.like("cli:%"))
                .order_by(MagdaConsultation.id)))

    run.log = log
    yield run
    with engine.begin() as connection:  # Core: the ORM's append-only guard stays for the app
        connection.execute(delete(MagdaConsultation).where(
            MagdaConsultation.actor.like("cli:%")))
    engine.dispose()


def test_persoon(loket_magda):
    code, out, _ = loket_magda("persoon", JAN, "--doel", "sociale-premie-aanvraag")
    assert code == 0
    assert out == {"insz": JAN, "family_name": "Peeters", "given_names": ["Jan"],
                   "birth_date": "1985-03-14", "gender": "M",
                   "address": {"street": "Kerkstraat", "house_number": "12", "box": None,
                               "postcode": "3999", "municipality": "Heidebeek",
                               "nis_code": "71999"}}
    assert loket_magda.log() == [("GeefPersoon", JAN, "sociale-premie-aanvraag", "ok", None)]


def test_persoon_partial_date_and_no_residence(loket_magda):
    _, out, _ = loket_magda("persoon", KINDS["partial_birth_year"], "--doel", "inkomenscontrole")
    assert (out["birth_date"], out["given_names"]) == ("1950", ["Maria", "Josée"])
    _, out, _ = loket_magda("persoon", KINDS["no_main_residence"], "--doel", "inkomenscontrole")
    assert out["address"] is None and out["gender"] is None


def test_gezin(loket_magda):
    code, out, _ = loket_magda("gezin", SOFIE, "--doel", "inkomenscontrole")
    assert code == 0
    assert [(m["given_names"], m["relation"]) for m in out["members"]] == [
        (["Sofie"], "01"), (["Bart"], "02"), (["Noor"], "03"), (["Ward"], "03")]
    assert out["members"][0]["insz"] == SOFIE


def test_aanslagbiljet(loket_magda):
    code, out, _ = loket_magda("aanslagbiljet", JAN, "--doel", "inkomenscontrole",
                               "--jaar", "2024")
    assert (code, out) == (0, {"year": 2024, "items": {"A7555": "2340000"},
                               "taxable_income_eur": 23400.0})
    _, out, _ = loket_magda("aanslagbiljet", KINDS["tax_bill_without_income"], "--doel",
                            "inkomenscontrole", "--jaar", "2024")
    assert out["taxable_income_eur"] is None


def test_sociaal_statuut_names_after_one_flag_and_repeated(loket_magda):
    code, out, _ = loket_magda("sociaal-statuut", KINDS["several_statuses"], "--doel",
                               "inkomenscontrole", "--statuut", "BIM_BVT", "BIM_BVT_IN_FAMILY",
                               "--statuut", "PCSA_AND_BIM_HELP", "--datum", "2026-01-01")
    assert (code, out) == (0, {"statuses": {"BIM_BVT": True, "BIM_BVT_IN_FAMILY": False,
                                            "PCSA_AND_BIM_HELP": True}})


@pytest.mark.parametrize(("insz", "service", "exit_code", "magda_code"), [
    (UNKNOWN, "persoon", 3, "30001"),
    (KINDS["no_data"], "aanslagbiljet", 3, "30001"),
    (KINDS["error_30003"], "gezin", 3, "30003"),
    (KINDS["error_60006"], "persoon", 4, "60006"),
    (KINDS["error_60007"], "gezin", 4, "60007"),
    (KINDS["error_99994"], "persoon", 4, "99994"),
    (KINDS["error_99996"], "aanslagbiljet", 4, "99996"),
    (KINDS["error_40000"], "persoon", 5, "40000"),
])
def test_exit_codes_per_persona_kind(loket_magda, insz, service, exit_code, magda_code):
    code, out, err = loket_magda(service, insz, "--doel", "inkomenscontrole")
    assert (code, out["code"]) == (exit_code, magda_code)
    assert insz not in err  # never the number in messages
    [row] = loket_magda.log()
    assert row.subject_insz == insz and row.error_code == magda_code


@pytest.mark.parametrize(("switches", "exit_code", "error"), [
    ({"down": True}, 4, "unavailable"), ({"truncated": True}, 4, "unavailable"),
    ({"fault": True}, 4, "unavailable"), ({"unknown_shape": True}, 4, "unavailable"),
    ({"other_referte": True}, 5, "other_question"),
])
def test_unreadable_and_unavailable(loket_magda, magda_sim, switches, exit_code, error):
    magda_sim.control(**switches)
    code, out, err = loket_magda("persoon", JAN, "--doel", "inkomenscontrole")
    assert (code, out["error"]) == (exit_code, error)
    if "down" not in switches:
        assert "onleesbaar: unreadable:" in err or error == "other_question"
    assert [r.outcome for r in loket_magda.log()] == ["error"]


@pytest.mark.parametrize("args", [
    ("persoon", "85631415305", "--doel", "inkomenscontrole"),  # check digits
    ("persoon", JAN, "--doel", "reclame"),  # not a configured purpose
    ("sociaal-statuut", JAN, "--doel", "inkomenscontrole"),  # no --statuut
    ("aanslagbiljet", JAN, "--doel", "inkomenscontrole", "--jaar", "1890"),
])
def test_bad_usage_is_2_and_asks_nothing(loket_magda, magda_sim, args):
    code, out, err = loket_magda(*args)
    assert code == 2 and out["error"] in ("usage", "purpose_refused") and err
    assert magda_sim.requests_made() == 0


def test_argparse_errors_are_2(loket_magda):
    with pytest.raises(SystemExit) as raised:
        loket_magda("onbekend", JAN, "--doel", "inkomenscontrole")
    assert raised.value.code == 2
