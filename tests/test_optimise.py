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
                 "front.png", "front_levers.png", "manifest.json"):
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
    for name in ("front.parquet", "evaluations.parquet", "packages.parquet"):
        assert _table(killed / name).equals(_table(out / name)), name

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
    for name in ("front.parquet", "evaluations.parquet"):
        assert _table(tmp_path / "dask" / name).equals(_table(pool / name)), name
