"""Sweep analysis: known-answer sensitivity indices, replicate statistics, plots, EMA export."""

import json
import math
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from scipy import stats

from grassroots.analysis import (analyze, ema_name, export_ema, morris_indices,
                                 replicate_summary, sobol_indices)
from grassroots.sweeps.executors import SerialExecutor
from grassroots.sweeps.experiment import load_experiment
from grassroots.sweeps.runner import execute, plan_sweep

ROOT = Path(__file__).resolve().parent.parent
PNG = b"\x89PNG\r\n\x1a\n"
# Ishigami (a = 7, b = 0.1): analytic first-order and total indices
ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)
ISHIGAMI_ST = (0.5576, 0.4424, 0.2437)
UNIT_PARAMS = ("mutual_aid_strength", "feedback_reach", "learning_rate")  # bounds [0, 1]


def ishigami(x):
    x = np.asarray(x, float)
    return (np.sin(x[..., 0]) + 7 * np.sin(x[..., 1]) ** 2
            + 0.1 * x[..., 2] ** 4 * np.sin(x[..., 0]))


def _known_answer_row(spec, y: float):
    return {"run_id": spec.run_id, "point": spec.point, "sample": spec.sample,
            "replicate": spec.replicate, "scenario": spec.scenario, "policy": spec.policy,
            **spec.params, "seed": spec.seed, "status": "ok", "error": None,
            "wall_time": 0.0, "test.y": float(y)}


def ishigami_run(spec):
    """Stands in for the model: Ishigami of three [0, 1] parameters mapped to [-pi, pi]."""
    u = np.array([spec.params[p] for p in UNIT_PARAMS])
    return _known_answer_row(spec, ishigami(-np.pi + 2 * np.pi * u)), None


def linear_run(spec):
    """Stands in for the model: y = 4 x1 + 2 x2 + 0 x3 (Morris mu* = 4, 2, 0; sigma = 0)."""
    p = spec.params
    return _known_answer_row(spec, 4 * p[UNIT_PARAMS[0]] + 2 * p[UNIT_PARAMS[1]]), None


def known_answer_sweep(folder: Path, sampler: str, run_fn, replicates: int) -> Path:
    vary = "\n".join(f"{p} = {{low = 0.0, high = 1.0}}" for p in UNIT_PARAMS)
    path = folder / f"{run_fn.__name__}.toml"
    path.write_text(f"seed = 17\nreplicates = {replicates}\n[vary]\n{vary}\n"
                    f"[sampler]\n{sampler}\n")
    out = folder / run_fn.__name__
    exp = load_experiment(path)
    with SerialExecutor() as ex:
        report = execute(plan_sweep(exp, out), ex, progress=False, run_fn=run_fn)
    assert report.status == "complete"
    return out


def cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "grassroots.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=300, cwd=cwd)


# -- known answers -----------------------------------------------------------------------
def test_sobol_indices_of_ishigami_within_their_confidence_intervals():
    from SALib.sample import sobol

    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    x = sobol.sample(problem, 2**13, calc_second_order=False, seed=1)
    first, second = sobol_indices(problem, ishigami(x))
    assert second is None
    for k in range(3):
        row = first.iloc[k]
        assert row["parameter"] == f"x{k + 1}"
        assert abs(row["S1"] - ISHIGAMI_S1[k]) <= row["S1_conf"], row
        assert abs(row["ST"] - ISHIGAMI_ST[k]) <= row["ST_conf"], row
        assert row["S1_conf"] < 0.05 and row["ST_conf"] < 0.05  # tight enough to mean it


def test_ishigami_through_experiment_sweep_and_analyze(tmp_path):
    """The whole path a researcher takes: a Sobol experiment file, a sweep (replicates are
    averaged), `analyze`, and the indices table it writes."""
    out = known_answer_sweep(tmp_path, 'method = "sobol"\nsamples = 1024', ishigami_run, 2)
    report = analyze(out, outcomes=["test.y"])
    table = pd.read_csv(out / "analysis" / "sobol_indices.csv")
    assert list(table["parameter"]) == list(UNIT_PARAMS)
    for k, row in table.iterrows():
        assert abs(row["S1"] - ISHIGAMI_S1[k]) <= row["S1_conf"], row
        assert abs(row["ST"] - ISHIGAMI_ST[k]) <= row["ST_conf"], row
    assert (out / "analysis" / "sobol_test_y.png").read_bytes()[:8] == PNG
    assert "no time series were kept" in " ".join(report.notes)


def test_morris_indices_of_a_linear_function():
    from SALib.sample import morris

    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0, 1], [0, 1], [0, 2]]}
    x = morris.sample(problem, 20, num_levels=4, seed=3)
    y = 4 * x[:, 0] + 2 * x[:, 1] + 0 * x[:, 2]
    m = morris_indices(problem, x, y, num_levels=4).set_index("parameter")
    np.testing.assert_allclose(m["mu_star"], [4, 2, 0], atol=1e-9)
    np.testing.assert_allclose(m["sigma"], [0, 0, 0], atol=1e-9)


def test_morris_through_experiment_sweep_and_analyze(tmp_path):
    out = known_answer_sweep(tmp_path, 'method = "morris"\ntrajectories = 8\nlevels = 4',
                             linear_run, 1)
    analyze(out, outcomes=["test.y"])
    m = pd.read_csv(out / "analysis" / "morris_indices.csv").set_index("parameter")
    np.testing.assert_allclose(m.loc[list(UNIT_PARAMS), "mu_star"], [4, 2, 0], atol=1e-9)
    np.testing.assert_allclose(m["sigma"], 0, atol=1e-9)
    assert (out / "analysis" / "morris_test_y.png").read_bytes()[:8] == PNG


# -- replicate statistics ----------------------------------------------------------------
def test_replicate_summary_mean_and_student_interval():
    runs = pd.DataFrame({
        "point": [0, 0, 0, 1, 1, 2],
        "x": [0.1, 0.1, 0.1, 0.5, 0.5, 0.9],
        "status": ["ok", "ok", "ok", "ok", "failed", "ok"],
        "m.y": [1.0, 2.0, 6.0, 5.0, np.nan, 7.0],
    })
    s = replicate_summary(runs, ["point", "x"], ["m.y"]).set_index("point")
    assert list(s["n"]) == [3, 1, 1] and list(s["failed"]) == [0, 1, 0]
    assert s.loc[0, "mean"] == 3.0
    half = stats.t.ppf(0.975, 2) * np.std([1, 2, 6], ddof=1) / math.sqrt(3)
    assert s.loc[0, "ci_low"] == pytest.approx(3 - half)
    assert s.loc[0, "ci_high"] == pytest.approx(3 + half)
    assert s.loc[1, "mean"] == 5.0 and np.isnan(s.loc[1, "ci_low"])  # one run: no interval


# -- real sweeps of the model ------------------------------------------------------------
@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    """experiments/smoke.toml, swept with the CLI."""
    work = tmp_path_factory.mktemp("smoke")
    proc = cli("sweep", ROOT / "experiments" / "smoke.toml", "--workers", "1", "--out",
               work / "smoke", "--no-progress", cwd=work)
    assert proc.returncode == 0, proc.stderr
    return work / "smoke"


def test_analyze_a_factorial_sweep_of_the_model(smoke):
    proc = cli("analyze", smoke, cwd=smoke.parent)
    assert proc.returncode == 0, proc.stderr
    folder = smoke / "analysis"
    for name in ("summary.csv", "timeseries_summary.parquet", "curves.png", "effects.png",
                 "README.md"):
        assert (folder / name).is_file(), name
    for png in folder.glob("*.png"):
        assert png.read_bytes()[:8] == PNG
    s = pd.read_csv(folder / "summary.csv")
    assert set(s["outcome"]) == {"combined.loss_of_resilience", "function.robustness"}
    assert len(s) == 2 * 2 and (s["n"] == 3).all()
    assert (s["ci_low"] <= s["mean"]).all() and (s["mean"] <= s["ci_high"]).all()
    runs = pq.read_table(smoke / "runs.parquet").to_pandas()
    for _, row in s.iterrows():  # the mean is the mean of that point's replicates
        vals = runs.loc[runs["mutual_aid_strength"] == row["mutual_aid_strength"],
                        row["outcome"]]
        assert row["mean"] == pytest.approx(vals.mean())
    ts = pd.read_parquet(folder / "timeseries_summary.parquet")
    assert set(ts["series"]) == {"structure", "function", "relationship", "combined"}
    assert len(ts) == 4 * 2 * 121 and (ts["n"] == 3).all()
    day0 = ts[ts["day"] == 0]
    # every curve starts at its pre-shock level, at most full (1); function at 1
    assert (day0["mean"] <= 1.0).all() and (day0["mean"] > 0.8).all()
    assert day0.loc[day0["series"] == "function", "mean"].eq(1.0).all()
    readme = (folder / "README.md").read_text()
    assert "factorial; 2 design points x 3 replicates = 6 runs (6 ok, 0 failed)" in readme


def test_analyze_sobol_and_morris_sweeps_of_the_model(tmp_path):
    for sampler, table in (('method = "sobol"\nsamples = 4', "sobol_indices.csv"),
                           ('method = "morris"\ntrajectories = 3\nlevels = 4',
                            "morris_indices.csv")):
        path = tmp_path / "real.toml"
        path.write_text(f"seed = 2\ncommon_random_numbers = true\ndays = 120\n"
                        f"[constants]\nresidents = 150\n"
                        f"[vary]\nmutual_aid_strength = {{low = 0.0, high = 1.0}}\n"
                        f"volunteer_share = {{low = 0.0, high = 0.3}}\n"
                        f"[sampler]\n{sampler}\n[outputs]\ntimeseries = 2\n"
                        f"[analysis]\noutcomes = [\"combined.loss_of_resilience\", "
                        f"\"final.trust\"]\n")
        out = tmp_path / table.split("_")[0]
        assert cli("sweep", path, "--workers", "1", "--out", out, "--no-progress",
                   cwd=tmp_path).returncode == 0
        proc = cli("analyze", out, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        t = pd.read_csv(out / "analysis" / table)
        assert set(t["parameter"]) == {"mutual_aid_strength", "volunteer_share"}
        assert set(t["outcome"]) <= {"combined.loss_of_resilience", "final.trust"}
        assert len(t) >= 2 and t.drop(columns=["scenario", "policy", "outcome",
                                               "parameter"]).notna().all().all()
        kind = table.split("_")[0]
        pngs = sorted(p.name for p in (out / "analysis").glob(f"{kind}_*.png"))
        assert pngs and all((out / "analysis" / p).read_bytes()[:8] == PNG for p in pngs)


def test_analyze_refuses_an_unfinished_sweep_and_an_unknown_outcome(tmp_path, smoke):
    path = tmp_path / "t.toml"
    path.write_text("seed = 1\ndays = 70\n[constants]\nresidents = 100\n"
                    "[vary]\nmutual_aid_strength = [0.1, 0.5, 0.9]\n")
    out = tmp_path / "unfinished"

    def stop_at_run_1(spec):
        from grassroots.sweeps.rows import run_one

        if spec.run_id == 1:
            raise KeyboardInterrupt
        return run_one(spec)

    with SerialExecutor() as ex:
        assert execute(plan_sweep(load_experiment(path), out), ex, progress=False,
                       run_fn=stop_at_run_1).status == "interrupted"
    proc = cli("analyze", out, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"grassroots: error: {out}: the sweep is not complete (status interrupted, 1 of 3 "
        f"runs recorded); finish it with `grassroots sweep FILE --resume --out {out}`"]
    assert not (out / "analysis").exists()
    proc = cli("analyze", smoke, "--outcome", "combined.loss_of_resilence", cwd=tmp_path)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "unknown metric 'combined.loss_of_resilence' (did you mean " \
           "combined.loss_of_resilience?)" in proc.stderr


# -- EMA Workbench export ----------------------------------------------------------------
def _read_ema_archive(path: Path):
    """Read the archive the way ema_workbench.load_results (3.x) does."""
    with tarfile.open(path, "r:gz") as z:
        meta = json.loads(z.extractfile("metadata.json").read())
        experiments = pd.read_csv(z.extractfile("experiments.csv"))
        for name, dtype in meta["experiments"].items():
            experiments[name] = experiments[name].astype(dtype)
        outcomes = {}
        for kind, name, filename in meta["outcomes"]:
            values = pd.read_csv(z.extractfile(filename), index_col=False, header=None).values
            outcomes[name] = (kind, values.reshape(-1) if kind == "ScalarOutcome" else values)
    return meta, experiments, outcomes


def test_ema_export_has_the_workbench_layout(smoke):
    proc = cli("export-ema", smoke, cwd=smoke.parent)
    assert proc.returncode == 0, proc.stderr
    archive = smoke / "ema_results.tar.gz"
    meta, experiments, outcomes = _read_ema_archive(archive)
    runs = pq.read_table(smoke / "runs.parquet").to_pandas()
    assert meta["version"] == 0.1
    assert list(experiments.columns) == ["mutual_aid_strength", "scenario", "policy", "model"]
    assert meta["experiments"]["scenario"] == "category"
    np.testing.assert_array_equal(experiments["mutual_aid_strength"],
                                  runs["mutual_aid_strength"])
    assert set(experiments["model"]) == {"grassroots"}
    kind, y = outcomes[ema_name("combined.loss_of_resilience")]
    assert kind == "ScalarOutcome"
    np.testing.assert_allclose(y, runs["combined.loss_of_resilience"])
    kind, curves = outcomes["combined"]
    assert kind == "ArrayOutcome" and curves.shape == (6, 121)
    ts = pq.read_table(smoke / "timeseries.parquet").to_pandas()
    np.testing.assert_allclose(curves[2], ts[ts["run_id"] == 2]["combined"])
    assert all(name.isidentifier() for name in outcomes)


def test_ema_workbench_loads_the_export_and_runs_prim_and_feature_scoring(smoke, tmp_path):
    import ema_workbench as ema  # a declared test dependency: never skipped
    from ema_workbench.analysis import feature_scoring, prim

    path = export_ema(smoke, tmp_path / "ema.tar.gz")
    experiments, outcomes = ema.load_results(str(path))
    y = outcomes["combined_loss_of_resilience"]
    x = experiments.drop(columns=["model"])
    box = prim.Prim(x, y > np.median(y)).find_box()
    assert 0 < box.coverage <= 1
    # EMA's extra-trees default takes 30% of the columns (0 of these 3): give it one
    scores = feature_scoring.get_feature_scores_all(x, {"y": y}, max_features=1)
    assert "mutual_aid_strength" in scores.index


@pytest.mark.unit
def test_sobol_and_morris_intervals_are_reproducible():
    # SALib seeds its bootstrap only for a truthy seed; the analysis passes a fixed one, so
    # analysing the same sweep twice gives the same confidence intervals.
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    from grassroots.analysis.sensitivity import morris_indices, sobol_indices

    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
    x = sobol_sample.sample(problem, 64, calc_second_order=False, seed=3)
    y = x[:, 0] + 0.5 * x[:, 1] ** 2
    first = [sobol_indices(problem, y)[0] for _ in range(2)]
    assert first[0].equals(first[1])
    xm = morris_sample.sample(problem, 20, num_levels=4, seed=3)
    ym = xm[:, 0] + 0.5 * xm[:, 1] ** 2
    assert morris_indices(problem, xm, ym).equals(morris_indices(problem, xm, ym))


# -- packages compared in a sweep --------------------------------------------------------
PACKAGES_SWEEP = """name = "packages"
description = "Two packages on the same seeds."
seed = 3
replicates = 4
days = 120
scenarios = ["flood"]
policies = ["baseline", "all-of-society"]
common_random_numbers = {crn}

[constants]
residents = 150

[outputs]
timeseries = "none"

[analysis]
outcomes = ["outcomes.resident_days_in_need"]
"""


def _packages_sweep(tmp_path, crn: bool) -> Path:
    path = tmp_path / "packages.toml"
    path.write_text(PACKAGES_SWEEP.format(crn=str(crn).lower()))
    out = tmp_path / "out"
    with SerialExecutor() as ex:
        assert execute(plan_sweep(load_experiment(path), out), ex,
                       progress=False).status == "complete"
    return out


def test_packages_in_a_sweep_are_compared_paired_by_seed(tmp_path):
    from grassroots import run
    from grassroots.measures.comparison import paired_comparison

    out = _packages_sweep(tmp_path, crn=True)
    analyze(out)
    table = pd.read_csv(out / "analysis" / "comparisons.csv")
    assert set(table["policy"]) == {"all-of-society"}
    assert set(table["reference_policy"]) == {"baseline"}
    # the same numbers as a paired comparison of run() on the sweep's seeds
    runs = pd.read_parquet(out / "runs.parquet")
    seeds = [int(s) for s in runs.loc[runs["policy"] == "baseline"].sort_values(
        "replicate")["seed"]]
    params = {"residents": 150, "days": 120}
    expect = {r["measure"]: r for r in paired_comparison(
        [run(params, seed=s, policy="baseline", indicators=False).summary for s in seeds],
        [run(params, seed=s, policy="all-of-society", indicators=False).summary
         for s in seeds])}
    for _, row in table.iterrows():
        e = expect[row["measure"]]
        assert row["seeds"] == 4
        for key in ("reference", "package", "difference", "low", "high"):
            assert row[key] == pytest.approx(e[key], rel=1e-9, abs=1e-12), (row["measure"], key)
        assert row["verdict"] == e["verdict"]
    assert {"outcomes.resident_days_in_need", "costs.per_resident_year",
            "combined.resilience_index", "structure.loss_of_resilience"} <= set(table["measure"])
    readme = (out / "analysis" / "README.md").read_text()
    assert "all-of-society − baseline (flood, sample 0), outcomes.resident_days_in_need" in readme


def test_packages_on_different_seeds_are_not_paired(tmp_path):
    out = _packages_sweep(tmp_path, crn=False)
    report = analyze(out)
    assert not (out / "analysis" / "comparisons.csv").exists()
    assert any("common_random_numbers = true" in n for n in report.notes)
