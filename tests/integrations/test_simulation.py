"""The simulators' shared switches: set, shown, reset; wrong ones refused; down and slow."""

import pytest
from webtest import TestApp

from loket.integrations.simulation import Simulator, boolean, json_response, one_of, seconds


class Echo(Simulator):
    SWITCHES = {**Simulator.SWITCHES, "mood": ("calm", one_of("calm", "grumpy"))}

    def __init__(self, settings):
        super().__init__(settings)
        self.seen = []

    def route(self, request):
        self.seen.append(request.path_info)
        return json_response({"mood": self.switches["mood"]})

    def forget(self):
        self.seen.clear()

    def state(self):
        return {"seen": len(self.seen)}


@pytest.fixture
def echo():
    simulator = Echo({})
    return simulator, TestApp(simulator)


def test_switches_are_set_shown_and_reset(echo):
    simulator, app = echo
    app.get("/x")
    assert app.post_json("/_control", {"mood": "grumpy", "slow": 0.01}).json == {
        "switches": {"down": False, "slow": 0.01, "mood": "grumpy"}, "seen": 1}
    assert app.get("/x").json == {"mood": "grumpy"}
    assert app.post_json("/_control", {"reset": True}).json["switches"]["mood"] == "calm"
    assert app.get("/_control").json["seen"] == 0


@pytest.mark.parametrize("body", [{"mood": "happy"}, {"down": "yes"}, {"slow": "soon"},
                                  {"nonsense": 1}, [1, 2]])
def test_a_wrong_switch_is_refused_and_changes_nothing(echo, body):
    simulator, app = echo
    app.post_json("/_control", body, status=400)
    assert simulator.switches == simulator.defaults()


def test_down_answers_503_without_reaching_the_protocol(echo):
    simulator, app = echo
    app.post_json("/_control", {"down": True})
    assert app.get("/x", status=503).json["error"] == "unavailable"
    assert simulator.seen == []


def test_parsers():
    assert seconds(99) == 30.0 and seconds(-1) == 0.0 and boolean(True) is True
    with pytest.raises(ValueError):
        seconds(True)
