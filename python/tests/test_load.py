"""pactsim.load: files, text, overrides, and errors that carry file, line and message."""

import pathlib

import pytest

import pactsim
from conftest import FS, ROOT

MINIMAL = (ROOT / "tests" / "fixtures" / "minimal.toml").read_text()


def test_a_file_loads_with_its_ids():
    sc = pactsim.load(FS)
    assert sc.name == "Finland and Sweden join NATO"
    assert {"FIN", "SWE", "RUS"} <= set(sc.states)
    assert "NATO" in sc.pacts
    assert sc.rounds == 48 and sc.seed == 2022
    assert len(sc.round_labels) == sc.rounds + 1
    assert pactsim.load(str(FS)).hash == sc.hash


def test_overrides_from_a_dict_or_strings_are_the_cli_sets():
    base = pactsim.load(FS)
    a = pactsim.load(FS, set={"event.invasion.enabled": False, "model.temperature": 0.3})
    b = pactsim.load(FS, set=["event.invasion.enabled=false", "model.temperature=0.3"])
    assert a.sets == ["event.invasion.enabled=false", "model.temperature=0.3"]
    assert a.hash == b.hash != base.hash
    assert base.with_sets(["model.temperature=0.3", "event.invasion.enabled=false"]).hash == a.hash


def test_text_loads_too():
    sc = pactsim.load(MINIMAL)
    assert sc.name == "Minimal" and sc.states == ["AAA", "BBB", "RRR"] and sc.pacts == ["ALLY"]
    assert sc.hash == pactsim.load(ROOT / "tests" / "fixtures" / "minimal.toml").hash


def test_a_syntax_error_names_the_file_and_line():
    text = MINIMAL.replace("rounds = 12", "rounds = = 12")
    with pytest.raises(pactsim.ScenarioError) as info:
        pactsim.load(text)
    e = info.value
    assert isinstance(e, pactsim.PactsimError)
    assert e.file.endswith("<text>.toml")
    assert e.line == 5, str(e)
    assert "rounds" in e.message


def test_an_invalid_value_names_its_line_key_and_what_is_valid(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(MINIMAL.replace('members = ["BBB"]', 'members = ["BBB", "CCC"]'))
    with pytest.raises(pactsim.ScenarioError) as info:
        pactsim.load(path)
    e = info.value
    assert e.file == str(path)
    assert e.line == 36, str(e)
    assert e.problems and e.problems[0]["key"].startswith("pact.ALLY.members")
    assert "CCC" in e.message and "BBB" in e.message


def test_a_bad_override_names_the_set():
    with pytest.raises(pactsim.ScenarioError) as info:
        pactsim.load(FS, set={"state.FIN.neutrality": 1.5})
    assert "--set state.FIN.neutrality=1.5" in str(info.value)
    assert "range" in str(info.value)
    with pytest.raises(pactsim.ScenarioError, match="FNI"):
        pactsim.load(FS, set={"state.FNI.neutrality": 0.5})


def test_a_missing_file_is_a_scenario_error():
    with pytest.raises(pactsim.ScenarioError) as info:
        pactsim.load(pathlib.Path("no/such/file.toml"))
    assert info.value.file == "no/such/file.toml"
    assert info.value.line is None
