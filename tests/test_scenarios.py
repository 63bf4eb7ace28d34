"""The scenario library: every shipped scenario runs, shows its hazard's signature, and bad
scenario files are refused with one line naming the key."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from grassroots import run
from grassroots.scenarios import SHOCK_TYPES, ScenarioError, load_scenario, shipped

SMALL = {"residents": 600}
SCENARIOS = ["catastrophic_flood", "compound", "earthquake", "economic", "epidemic", "flood",
             "heatwave", "recurring", "urban_earthquake"]


def test_the_shipped_scenarios():
    assert sorted(shipped()) == SCENARIOS
    assert set(SHOCK_TYPES) == {"flood", "epidemic", "earthquake", "heatwave", "economic"}
    for name in SCENARIOS:
        sc = load_scenario(name)
        assert sc.description and sc.shocks
    assert len(load_scenario("recurring").shocks) >= 3
    assert {s.kind for s in load_scenario("compound").shocks} == {"flood", "epidemic"}


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_scenario_runs_to_the_end(name):
    res = run(SMALL, seed=1, scenario=name, indicators=False)
    ts, s = res.timeseries, res.summary
    days = s["parameters"]["days"]
    assert len(ts) == days + 1 and ts["day"].iloc[-1] == days
    dims = ts[["structure", "function", "relationship", "combined"]].to_numpy()
    assert np.isfinite(dims).all() and (dims > 0).all()
    onset = min(sh["onset"] for sh in s["scenario"]["shocks"])
    assert (dims[:onset] == dims[0]).all()  # nothing moves before the first shock
    assert (dims <= 1.0).all()
    assert ts["combined"].min() < ts["combined"].iloc[0]  # and the shock does something
    assert len(s["events"]) == len({sh["onset"] for sh in s["scenario"]["shocks"]})


def test_epidemic_function_dip_follows_the_infection_curve():
    for seed in range(3):
        ts = run({"residents": 1500}, seed=seed, scenario="epidemic", indicators=False).timeseries
        infectious = ts["infectious"].to_numpy()
        loss = 1.0 - ts["function"].to_numpy()
        assert infectious.max() > 0.02 * 1500  # an outbreak took off
        assert np.corrcoef(infectious, loss)[0, 1] > 0.6
        # the deepest point of function comes with or shortly after the infection peak
        assert 0 <= int(loss.argmax()) - int(infectious.argmax()) <= 21


def test_economic_shock_is_a_long_slow_dip():
    ts = run(SMALL, seed=2, scenario="economic", indicators=False).timeseries
    sc = load_scenario("economic").shocks[0]
    during = ts["function"].iloc[sc.onset:sc.onset + sc.duration]
    assert (during < 0.99).all()  # it lasts the whole crisis
    assert ts["function"].iloc[sc.onset + sc.duration + 30] > during.min()  # then recovers
    assert ts["displaced"].max() == 0  # nobody loses a home
    # compared with a flood, the function loss is shallower (before issue 11 it was also
    # "much longer"; since floods' rebuilding takes months, a flood's tail is as long)
    flood = run(SMALL, seed=2, scenario="flood", indicators=False).timeseries
    assert ts["function"].min() > flood["function"].min()


def test_earthquake_hits_structure_hardest():
    depths = {"structure": [], "function": [], "relationship": []}
    for seed in range(6):
        m = run(SMALL, seed=seed, scenario="earthquake", indicators=False).summary["metrics"]
        for k in depths:
            depths[k].append(m[k]["depth"])
    mean = {k: np.mean(v) for k, v in depths.items()}
    # structure deepest; function and relationship in either order since trust can break
    # (issue 11: relationship 0.255 vs function 0.225 at these settings)
    assert mean["structure"] > max(mean["function"], mean["relationship"])
    # and a flood of the same intensity hurts structure much less
    flood = np.mean([run(SMALL, seed=s, scenario="flood", indicators=False)
                     .summary["metrics"]["structure"]["depth"] for s in range(6)])
    assert mean["structure"] > 1.5 * flood


def test_heatwave_builds_up_and_warnings_matter():
    sc = load_scenario("heatwave").shocks[0]
    ts = run(SMALL, seed=3, scenario="heatwave", indicators=False).timeseries
    first_day_loss = 1 - ts["function"].iloc[sc.onset]
    worst = 1 - ts["function"].iloc[sc.onset:sc.onset + sc.duration].min()
    assert worst > 2 * first_day_loss  # slow onset
    # sure warnings (top assessment and monitoring) against none, same seeds
    warned = {"assessment_quality": 1.0, "assessment_interval": 7, "monitoring_accuracy": 1.0}
    unwarned = {"assessment_quality": 0.0, "monitoring_accuracy": 1.0}
    diffs = []
    for seed in range(10):
        a = run({**SMALL, **warned}, seed=seed, scenario="heatwave", indicators=False).summary
        b = run({**SMALL, **unwarned}, seed=seed, scenario="heatwave", indicators=False).summary
        assert a["warnings_issued"] == 1 and b["warnings_issued"] == 0
        diffs.append(b["metrics"]["function"]["loss_of_resilience"]
                     - a["metrics"]["function"]["loss_of_resilience"])
    assert min(diffs) > 0


def test_shock_keys_are_validated():
    from grassroots.scenarios import scenario_from_dict

    good = {"type": "epidemic", "onset": 5, "intensity": 0.5, "transmissibility": 0.2}
    scenario_from_dict({"shocks": [good]}, "x")
    for bad, key in [({**good, "transmissibility": 2}, "transmissibility"),
                     ({**good, "seeds": 0}, "seeds"),
                     ({**good, "colour": "red"}, "colour"),
                     ({**good, "type": "meteor"}, "type"),
                     ({**good, "duration": -3}, "duration"),
                     ({**good, "intensity": 1.5}, "intensity"),
                     ({**good, "neighbourhoods": [-1]}, "neighbourhoods")]:
        with pytest.raises(ScenarioError, match=key):
            scenario_from_dict({"shocks": [bad]}, "x")
    with pytest.raises(ScenarioError, match="days"):
        scenario_from_dict({"days": 0, "shocks": []}, "x")


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "grassroots.cli", *args], cwd=cwd,
                          capture_output=True, text=True)


@pytest.mark.parametrize("text, key", [
    ("[[shocks]\ntype = 'flood'", "not valid TOML"),
    ("[[shocks]]\ntype = 'flood'\nonset = 10\nintensity = 0.5\nheight = 3\n", "height"),
    ("[[shocks]]\ntype = 'flood'\nonset = 10\nduration = -2\nintensity = 0.5\n", "duration"),
    ("[[shocks]]\ntype = 'flood'\nonset = 400\nintensity = 0.5\n", "onset"),
    ("colour = 'red'\n", "colour"),
    ("[[shocks]]\ntype = 'flood'\nonset = 10\nintensity = 0.5\nneighbourhoods = [99]\n",
     "neighbourhoods"),
])
def test_malformed_scenario_file_is_refused(tmp_path, text, key, capsys):
    # in-process through the CLI's own entry point (the subprocess path is checked once,
    # below: the same main() behind the console script)
    from grassroots.cli import main

    path = tmp_path / "mine.toml"
    path.write_text(text)
    out = tmp_path / "out"
    assert main(["run", "--scenario", str(path), "--residents", "200", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and key in lines[0] and "Traceback" not in err
    assert not out.exists()


def test_malformed_scenario_file_in_a_subprocess(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text("[[shocks]]\ntype = 'flood'\nonset = 10\nintensity = 0.5\nheight = 3\n")
    out = tmp_path / "out"
    res = _cli("run", "--scenario", str(path), "--residents", "200", "--out", str(out),
               cwd=tmp_path)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "height" in lines[0] and "Traceback" not in res.stderr
    assert not out.exists()


def test_a_users_scenario_file_runs(tmp_path):
    path = tmp_path / "two_floods.toml"
    path.write_text('name = "two floods"\ndescription = "Two small floods."\n'
                    '[[shocks]]\ntype = "flood"\nonset = 20\nintensity = 0.4\n'
                    '[[shocks]]\ntype = "flood"\nonset = 120\nintensity = 0.4\n'
                    'neighbourhoods = [0]\n')
    res = _cli("run", "--scenario", str(path), "--residents", "300", "--days", "200",
               "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["scenario"]["name"] == "two floods"
    assert [e["onset"] for e in summary["events"]] == [20, 120]


def test_scenarios_command_lists_every_scenario(tmp_path):
    res = _cli("scenarios", cwd=tmp_path)
    assert res.returncode == 0
    for name in ["none", *SCENARIOS]:
        assert any(line.startswith(name) for line in res.stdout.splitlines())


def test_gallery_writes_one_figure_per_scenario(tmp_path):
    res = _cli("gallery", "--out", str(tmp_path / "g"), "--residents", "150", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    for name in SCENARIOS:
        assert (tmp_path / "g" / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    index = (tmp_path / "g" / "README.md").read_text()
    assert all(f"({name}.png)" in index for name in SCENARIOS)


def test_shipped_gallery_is_current():
    """docs/gallery holds a figure for every shipped scenario."""
    gallery = Path(__file__).resolve().parent.parent / "docs" / "gallery"
    assert {p.stem for p in gallery.glob("*.png")} == set(SCENARIOS)
