"""The budget-constrained policy search (optimise/, issue 13).

Units: the budget repair (never over the budget, towards the cheapest allocation, idempotent),
the robustness measures and the non-dominated filter on a handful of values. A known
optimum: an analytic stand-in for the model behind the same interface (an executor's run
function returning runs-table rows) whose optimum under the real cost model is found by a
deterministic solver; the search must come within 1% of it, and no candidate it evaluates may
cost more than the budget. Surfaces: malformed files end in one line and exit 2 with nothing
written; a small search on the model through the CLI writes its files, and the same master
seed gives the same front after a kill and --resume, and on a real Dask cluster.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from grassroots.core.params import resolve
from grassroots.optimise import load_optimisation, search
from grassroots.optimise.budget import Budget
from grassroots.optimise.search import non_dominated, robust
from grassroots.optimise.spec import from_dict
from grassroots.sweeps.executors import SerialExecutor

ROOT = Path(__file__).resolve().parent.parent
SMOKE = ROOT / "experiments" / "smoke.optimise.toml"
CLI = [sys.executable, "-m", "grassroots"]

#: the analytic stand-in: three levers, diminishing returns, weights so the optimum is inside
LEVERS = {"volunteer_share": (0.0, 0.3), "mutual_aid_strength": (0.0, 1.0),
          "external_openness": (0.0, 1.0)}
WEIGHT = {"volunteer_share": 3000.0, "mutual_aid_strength": 2000.0,
          "external_openness": 1500.0}
RATE = {"volunteer_share": 4.0, "mutual_aid_strength": 3.0, "external_openness": 2.5}


def analytic_need(params: dict) -> float:
    """Resident-days in need of the stand-in: a sum of decaying terms, one per lever."""
    return float(sum(WEIGHT[k] * np.exp(-RATE[k] * (params[k] - lo) / (hi - lo))
                     for k, (lo, hi) in LEVERS.items()))


def analytic_run(spec):
    """Same interface as sweeps.rows.run_one: (runs-table row, no time series). The seed
    adds the same offset to every candidate (common random numbers cancel it)."""
    need = analytic_need(resolve(spec.params)) + 100.0 * (spec.seed % 7)
    row = {"run_id": spec.run_id, "status": "ok", "error": None, "seed": spec.seed,
           "outcomes.resident_days_in_need": need,
           "outcomes.vulnerable_resident_days_in_need": 0.3 * need}
    return row, None


def optimisation(**over):
    data = {"name": "t", "seed": 3, "budget": 1.5, "residents": 1000, "scenarios": ["flood"],
            "seeds": 2, "objectives": ["resident_days_in_need", "cost"],
            "levers": {k: list(v) for k, v in LEVERS.items()},
            "algorithm": {"name": "nsga2", "population": 24, "generations": 40}}
    data.update(over)
    return from_dict(data)


@pytest.mark.unit
def test_repair_keeps_every_candidate_within_the_budget_and_its_bounds():
    opt = optimisation()
    b = Budget(opt)
    rng = np.random.default_rng(0)
    assert b.cheapest_cost() <= opt.budget < b.cost(b.high)  # the budget binds
    for _ in range(200):
        x = rng.uniform(b.low - 0.2, b.high + 0.2)
        y = b.repair(x)
        assert np.all(y >= b.low) and np.all(y <= b.high)
        assert b.cost(y) <= opt.budget + 1e-12
        assert np.allclose(b.repair(y), y)  # idempotent
        inside = np.clip(x, b.low, b.high)
        if b.cost(inside) <= opt.budget:
            assert np.allclose(y, inside)  # a feasible candidate is left alone
        else:  # scaled towards the cheapest allocation, to the budget
            t = (y - b.cheap) / np.where(inside != b.cheap, inside - b.cheap, 1.0)
            moved = inside != b.cheap
            assert np.allclose(t[moved], t[moved][0]) and 0 <= t[moved][0] < 1
            assert b.cost(y) > opt.budget - 1e-6


@pytest.mark.unit
def test_robustness_measures_and_the_front_filter():
    v = np.array([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]])
    assert robust(v, "mean", 0.9) == 4.5
    assert robust(v, "quantile", 0.75) == pytest.approx(np.quantile(v, 0.75))
    assert robust(v, "cvar", 0.75) == pytest.approx(v.ravel()[v.ravel() >= 6.25].mean())
    F = np.array([[1, 5], [2, 2], [3, 3], [5, 1], [2, 2]])
    assert list(non_dominated(F)) == [True, True, False, True, True]


@pytest.mark.model
def test_the_search_finds_a_known_optimum_within_one_percent(tmp_path):
    from scipy.optimize import minimize

    opt = optimisation()
    b = Budget(opt)
    # the reference: the analytic need minimised under the same cost model, from many starts
    names = list(LEVERS)

    def need(x):
        return analytic_need(dict(zip(names, x)))

    best = min((minimize(need, x0, method="SLSQP", bounds=list(zip(b.low, b.high)),
                         constraints=[{"type": "ineq",
                                       "fun": lambda x: opt.budget - b.cost(x)}])
                for x0 in np.random.default_rng(1).uniform(b.low, b.high, (12, 3))),
               key=lambda r: r.fun if r.success else np.inf)
    assert best.success and b.cost(best.x) <= opt.budget + 1e-6
    offset = np.mean([100.0 * (s % 7) for s in run_seeds(opt)])
    report = search(opt, tmp_path / "out", SerialExecutor(), progress=False,
                    run_fn=analytic_run, packages=False, plots=False)
    front = pq.read_table(tmp_path / "out" / "front.parquet").to_pandas()
    found = front["resident_days_in_need"].min() - offset
    assert found <= best.fun * 1.01, (found, best.fun)
    evaluations = pq.read_table(tmp_path / "out" / "evaluations.parquet").to_pandas()
    assert len(evaluations) == report.candidates >= opt.population * opt.generations // 2
    assert (evaluations["cost"] <= opt.budget + 1e-12).all()
    assert evaluations["within_budget"].all()


def run_seeds(opt):
    from grassroots.sweeps.experiment import spawn_seed
    return [spawn_seed(opt.seed, k) for k in range(opt.seeds)]


def _bad_file(tmp_path, old: str, new: str) -> Path:
    text = SMOKE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "bad.optimise.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("old, new, field", [
    ("volunteer_share = [0.0, 0.3]", "volunteer_sharez = [0.0, 0.3]",
     "levers.volunteer_sharez: not a lever (did you mean volunteer_share?)"),
    ("budget = 1.4", "budget = 0.5", "budget: got 0.5; allowed: at least 1.128"),
    ('"cost"]', '"costs"]', "objectives: got 'costs'"),
    ("mutual_aid_strength = [0.0, 1.0]", "mutual_aid_strength = [0.0, 2.0]",
     "levers.mutual_aid_strength: got [0.0, 2.0]"),
    ("seeds = 3", "seeds = 1", "seeds: got 1"),
])
def test_a_malformed_file_ends_in_one_line_and_nothing_is_started(tmp_path, old, new, field):
    path = _bad_file(tmp_path, old, new)
    out = tmp_path / "out"
    res = subprocess.run([*CLI, "optimise", str(path), "--out", str(out)], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad.optimise.toml" in lines[0] and field in lines[0], lines
    assert "Traceback" not in res.stderr and not out.exists()


def _optimise(tmp_path, out, *extra, timeout=600):
    return subprocess.run([*CLI, "optimise", str(SMOKE), "--out", str(out), "--no-progress",
                           *extra], cwd=tmp_path, capture_output=True, text=True,
                          timeout=timeout)


def _table(path):
    return pq.read_table(path)


def test_a_search_on_the_model_writes_its_files_and_resumes_to_the_same_front(tmp_path):
    out = tmp_path / "whole"
    res = _optimise(tmp_path, out, "--workers", "2")
    assert res.returncode == 0, res.stderr
    for name in ("front.parquet", "evaluations.parquet", "packages.parquet", "runs.parquet",
                 "front.png", "front_levers.png", "manifest.json", "conditions.parquet",
                 "failures.json", "failures.md"):
        assert (out / name).is_file(), name
    opt = load_optimisation(SMOKE)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["generations_done"] == opt.generations
    evaluations = _table(out / "evaluations.parquet").to_pandas()
    assert (evaluations["cost"] <= opt.budget + 1e-12).all()
    front = _table(out / "front.parquet").to_pandas()
    assert len(front) >= 1 and front["status"].eq("ok").all()
    objectives = front[["resident_days_in_need", "vulnerable_resident_days_in_need", "cost"]]
    assert non_dominated(objectives.to_numpy()).all()
    runs = _table(out / "runs.parquet").to_pandas()
    assert runs.duplicated(["candidate", "scenario", "replicate"]).sum() == 0
    packages = _table(out / "packages.parquet").to_pandas()
    assert set(packages["package"]) >= {"baseline", "all-of-society"}
    base = packages.set_index("package").loc["baseline"]
    assert base["resident_days_in_need.vs_baseline"] == 0.0
    failures = json.loads((out / "failures.json").read_text())
    assert [a["allocation"] for a in failures["allocations"]] == [
        "baseline package", "front allocation 0", f"front allocation {len(front) - 1}"]
    assert "# Where each allocation fails: smoke_optimise" in (out / "failures.md").read_text()

    # killed in the middle, then resumed: the same front and evaluations
    killed = tmp_path / "killed"
    proc = subprocess.Popen([*CLI, "optimise", str(SMOKE), "--out", str(killed),
                             "--no-progress", "--workers", "2"], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 300
    while not (killed / "runs.parquet").is_file() and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(30)
    assert not (killed / "front.parquet").exists()
    res = _optimise(tmp_path, killed, "--workers", "2", "--resume")
    assert res.returncode == 0, res.stderr
    for name in ("front.parquet", "evaluations.parquet", "packages.parquet",
                 "conditions.parquet"):
        assert _table(killed / name).equals(_table(out / name)), name
    assert (killed / "failures.md").read_text() == (out / "failures.md").read_text()
    sessions = json.loads((killed / "manifest.json").read_text())["sessions"]
    assert [s["resumed"] for s in sessions] == [False, True] and sessions[1]["runs_cached"] > 0

    # resuming a finished search runs nothing and rewrites the same files
    again = tmp_path / "again"
    shutil.copytree(out, again)
    res = _optimise(tmp_path, again, "--workers", "1", "--resume")
    assert res.returncode == 0 and "ran 0 runs" in res.stdout, res.stdout + res.stderr
    assert _table(again / "front.parquet").equals(_table(out / "front.parquet"))

    # a second search into the same folder is refused
    res = _optimise(tmp_path, out, "--workers", "1")
    assert res.returncode == 2 and "--resume" in res.stderr


def test_the_same_seed_gives_the_same_front_on_a_real_dask_cluster(tmp_path):
    from dask_cluster import dask_cluster

    pool = tmp_path / "pool"
    assert _optimise(tmp_path, pool, "--workers", "2").returncode == 0
    with dask_cluster(tmp_path, workers=2) as (address, _):
        res = _optimise(tmp_path, tmp_path / "dask", "--scheduler", address)
    assert res.returncode == 0, res.stderr
    for name in ("front.parquet", "evaluations.parquet", "conditions.parquet"):
        assert _table(tmp_path / "dask" / name).equals(_table(pool / name)), name


# -- where an allocation fails (optimise/failures.py) ---------------------------------------
@pytest.mark.parametrize("conditions, field", [
    ({"samples": 3}, "conditions.samples: got 3"),
    ({"outcome": "happiness"}, "conditions.outcome: got 'happiness'"),
    ({"density": 0}, "conditions.density: got 0"),
    ({"colour": 1}, "colour"),
    ({"ranges": {"intensity": [0.5, 1.5]}}, "conditions.ranges.intensity: got [0.5, 1.5]"),
    ({"ranges": {"duration": [1.0, 0.5]}}, "conditions.ranges.duration: got [1.0, 0.5]"),
    ({"ranges": {"epidemic.transmissibility": [0.2, 0.6]}},
     "conditions.ranges.epidemic.transmissibility: got 'epidemic.transmissibility'; allowed: "
     "a shock type the scenarios have (flood)"),
    ({"ranges": {"flood.evacuate": [0, 1]}}, "conditions.ranges.flood.evacuate: got [0, 1]; "
                                            "allowed: true or false"),
    ({"ranges": {"flood.depth": [0, 1]}}, "a key of flood shocks: flood.evacuate, "
                                          "flood.intensity, flood.reach"),
    ({"ranges": {}}, "conditions.ranges: got {}; allowed: at least one range"),
])
def test_a_malformed_conditions_table_is_refused_in_one_line(conditions, field):
    from grassroots.optimise.spec import OptimisationError

    with pytest.raises(OptimisationError) as err:
        optimisation(conditions={"ranges": {"intensity": [0.3, 1.0]}} | conditions,
                     **({"scenarios": ["flood"]}))
    assert field in str(err.value) and "\n" not in str(err.value), str(err.value)


@pytest.mark.unit
def test_the_conditions_are_a_seeded_latin_hypercube_and_change_the_shocks():
    from grassroots.optimise.failures import condition_scenario, design
    from grassroots.scenarios import load_scenario

    opt = optimisation(scenarios=["flood", "epidemic"], conditions={
        "samples": 40, "ranges": {"intensity": [0.2, 1.0], "duration": [0.5, 2.0],
                                  "epidemic.infectious_days": [3, 12]}})
    assert "epidemic.infectious_days" in opt.conditions.integer
    table = design(opt)
    assert table.equals(design(opt))  # the same master seed, the same conditions
    assert list(table["hazard"][:4]) == ["flood", "epidemic", "flood", "epidemic"]
    assert table["seed"].nunique() == 40
    # a Latin hypercube: each of the 40 equal bins of a range holds exactly one condition
    bins = np.floor((table["intensity"] - 0.2) / 0.8 * 40).astype(int)
    assert sorted(bins) == list(range(40))
    for j in (0, 1):
        row = table.iloc[j].to_dict()
        shock = condition_scenario(opt, row).shocks[0]
        base = load_scenario(opt.scenarios[j]).shocks[0]
        assert shock.intensity == pytest.approx(row["intensity"])
        assert shock.duration == max(1, round(base.duration * row["duration"]))
    epidemic = condition_scenario(opt, table.iloc[1].to_dict()).as_dict()["shocks"][0]
    assert epidemic["infectious_days"] == int(table["epidemic.infectious_days"][1])
    assert isinstance(epidemic["infectious_days"], int)


@pytest.mark.unit
def test_prim_names_the_box_that_holds_the_failures():
    import pandas as pd
    from grassroots.optimise.failures import describe_limits, prim_box

    rng = np.random.default_rng(4)
    n = 300
    x = pd.DataFrame({"hazard": np.array(["flood", "earthquake", "epidemic"])[np.arange(n) % 3],
                      "intensity": rng.uniform(0, 1, n), "duration": rng.uniform(0.5, 2, n)})
    failed = (x["hazard"] == "earthquake").to_numpy() & (x["intensity"] > 0.6).to_numpy()
    box = prim_box(x, failed, density=0.95)
    assert box["limits"]["hazard"]["limits"] == ["earthquake"]
    low, high = box["limits"]["intensity"]["limits"]
    assert abs(low - 0.6) < 0.05 and high is None
    assert "duration" not in box["limits"]
    assert box["density"] >= 0.95 and box["coverage"] >= 0.8
    # a lower density asked for: a wider box, of more coverage, still that dense
    wide = prim_box(x, failed, density=0.8)
    assert wide["density"] >= 0.8 and wide["coverage"] >= box["coverage"]
    assert wide["limits"]["intensity"]["limits"][0] <= low
    lines = describe_limits(box["limits"])
    assert lines[0].startswith("the hazard is earthquake")
    assert lines[1].startswith(f"intensity is at least {low:.3g} (quasi-p")
    assert prim_box(x, np.zeros(n, bool), 0.8) is None  # nothing to discover
    assert prim_box(x, np.ones(n, bool), 0.8) is None


def analytic_run_on_conditions(spec):
    """The analytic stand-in whose need also grows with the shock's intensity."""
    from grassroots.scenarios import Scenario, load_scenario

    scenario = spec.scenario if isinstance(spec.scenario, Scenario) else \
        load_scenario(spec.scenario)
    row, _ = analytic_run(spec)
    row["outcomes.resident_days_in_need"] += 8000.0 * scenario.shocks[0].intensity
    return row, None


@pytest.mark.model
def test_failures_are_found_where_the_stand_in_puts_them(tmp_path):
    opt = optimisation(algorithm={"name": "nsga2", "population": 12, "generations": 6},
                       conditions={"samples": 60, "points": 3, "density": 0.95,
                                   "ranges": {"intensity": [0.0, 1.0],
                                              "duration": [0.5, 2.0]}})
    out = tmp_path / "out"
    search(opt, out, SerialExecutor(), progress=False, run_fn=analytic_run_on_conditions,
           packages=False, plots=False)
    report = json.loads((out / "failures.json").read_text())
    base, *tested = report["allocations"]
    assert base["allocation"] == "baseline package" and len(tested) == 3
    assert 28 <= base["failures"] <= 32  # the threshold is the baseline's median
    # along the front, more spending, fewer failures (the cheapest spends less than the
    # baseline package does, the dearest more)
    assert [a["cost"] for a in tested] == sorted(a["cost"] for a in tested)
    assert tested[-1]["failures"] <= base["failures"] <= tested[0]["failures"]
    # the baseline fails where the intensity is above its median (0.5): PRIM says so
    low, high = base["box"]["limits"]["intensity"]["limits"]
    assert abs(low - 0.5) < 0.1 and high is None, base["box"]
    assert "duration" not in base["box"]["limits"]
    text = (out / "failures.md").read_text()
    assert "## baseline package" in text and f"intensity is at least {low:.3g}" in text
    table = pq.read_table(out / "conditions.parquet").to_pandas()
    assert len(table) == 4 * 60 and table.groupby("allocation")["condition"].nunique().eq(60).all()
    # the conditions come from the cache on --resume: nothing runs again
    before = (out / "runs.parquet").stat().st_mtime_ns
    again = search(opt, out, SerialExecutor(), resume=True, progress=False,
                   run_fn=analytic_run_on_conditions, packages=False, plots=False)
    assert again.runs_ran == 0
    assert json.loads((out / "failures.json").read_text()) == report
    manifest = json.loads((out / "manifest.json").read_text())
    assert [s["resumed"] for s in manifest["sessions"]] == [False, True]
    assert manifest["sessions"][1]["runs_cached"] == manifest["runs"]
    assert (out / "runs.parquet").stat().st_mtime_ns == before
    # other ranges on --resume: the search comes from the cache, the conditions are new runs
    wider = optimisation(algorithm={"name": "nsga2", "population": 12, "generations": 6},
                         conditions={"samples": 60, "points": 3, "density": 0.95,
                                     "ranges": {"intensity": [0.2, 1.0]}})
    third = search(wider, out, SerialExecutor(), resume=True, progress=False,
                   run_fn=analytic_run_on_conditions, packages=False, plots=False)
    assert third.runs_ran == 4 * 60
    assert json.loads((out / "failures.json").read_text())["ranges"] == {"intensity": [0.2, 1.0]}
