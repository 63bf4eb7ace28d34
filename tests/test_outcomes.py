"""Planner outcomes (measures/outcomes.py) and paired comparisons (measures/comparison.py,
`grassroots compare`), on hand-made tables and through the command line."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from grassroots import run
from grassroots.core.vocabulary import CHANNELS, NEEDS
from grassroots.measures.comparison import better_direction, headline_measures, paired_comparison
from grassroots.measures.outcomes import days_until_home, planner_outcomes


def table(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base = {"residents_in_need": [0] * n, "vulnerable_in_need": [0] * n, "displaced": [0] * n,
            "ever_displaced": [0] * n, "deaths": [0] * n, "left_share": [0.0] * n,
            **{f"unmet_{k}": [0] * n for k in NEEDS}}
    return pd.DataFrame({**base, **columns})


COUNTERS = {"windows": [(2, 5)], "residents_ever_in_need": 4, "residents": 10,
            "help_totals": np.arange(len(CHANNELS), dtype=float)}


@pytest.mark.unit
def test_outcomes_count_people_and_days():
    df = table(residents_in_need=[0, 0, 4, 3, 1, 0], vulnerable_in_need=[0, 0, 2, 1, 0, 0],
               displaced=[0, 0, 2, 2, 1, 0], ever_displaced=[0, 0, 2, 2, 2, 2],
               unmet_housing=[0, 0, 2, 2, 1, 0], unmet_income=[0, 0, 1, 0, 0, 0],
               deaths=[0, 0, 1, 1, 2, 2], left_share=[0, 0, 0, 0.1, 0.1, 0.3])
    o = planner_outcomes(df, COUNTERS)
    assert o["resident_days_in_need"] == 8
    assert o["vulnerable_resident_days_in_need"] == 3
    assert o["peak_residents_in_need"] == 4 and o["residents_ever_in_need"] == 4
    assert o["displaced_resident_days"] == 5 and o["residents_ever_displaced"] == 2
    assert o["days_until_90pct_home"] == 5 - 2  # both home on day 5; onset day 2
    assert o["deaths"] == 2 and o["residents_left"] == 3  # at the end: 2 died, 30% of 10 left
    assert o["unmet_need_days"] == {"housing": 5, "health": 0, "income": 1, "services": 0}
    assert o["help_delivered"] == {c: float(k) for k, c in enumerate(CHANNELS)}


@pytest.mark.unit
def test_days_until_home_cases():
    ever = np.array([0, 10, 10, 10, 10])
    assert days_until_home(np.array([0, 10, 5, 1, 0]), ever, 1) == 2  # 9 of 10 home on day 3
    assert days_until_home(np.array([0, 10, 5, 2, 2]), ever, 1) is None  # never 90%
    assert days_until_home(np.zeros(5, int), np.zeros(5, int), 1) == 0  # nobody displaced
    # a second displacement counts towards the total: 90% of all 20 home only on day 5
    assert days_until_home(np.array([0, 10, 0, 10, 5, 2, 1]),
                           np.array([0, 10, 10, 20, 20, 20, 20]), 1) == 4


@pytest.mark.model
def test_no_shock_no_outcome():
    o = run({"residents": 200, "days": 30}, scenario="none").summary["outcomes"]
    assert o["resident_days_in_need"] == o["displaced_resident_days"] == 0
    assert o["days_until_90pct_home"] == 0 and not any(o["unmet_need_days"].values())
    assert not any(o["help_delivered"].values())


@pytest.mark.model
def test_outcomes_agree_with_the_daily_table():
    r = run({"residents": 400}, seed=3, scenario="flood", indicators=False)
    o, ts = r.summary["outcomes"], r.timeseries
    assert o["resident_days_in_need"] == ts["residents_in_need"].sum() > 0
    assert 0 < o["vulnerable_resident_days_in_need"] < o["resident_days_in_need"]
    assert o["displaced_resident_days"] == ts["displaced"].sum()
    # residents with some need unmet are in need: the per-need days add up to at least that
    assert sum(o["unmet_need_days"].values()) >= o["resident_days_in_need"]
    assert sum(o["help_delivered"].values()) == pytest.approx(
        sum(r.summary["capacities"]["recovery"]["help_units"].values()))
    assert (ts["ever_displaced"].diff().fillna(0) >= 0).all()


def summary(in_need: float, loss: float, ttr) -> dict:
    metrics = {d: {"robustness": 0.9, "resilience_index": 0.99, "loss_of_resilience": loss,
                   "time_to_recovery": ttr} for d in ("structure", "function",
                                                      "relationship", "combined")}
    return {"outcomes": {"resident_days_in_need": in_need, "days_until_90pct_home": None,
                         "help_delivered": {"mutual_aid": 1.0}},
            "metrics": metrics, "scenario": {"shocks": [{"onset": 10}]},
            "parameters": {"days": 100}}


@pytest.mark.unit
def test_paired_comparison_gives_the_t_interval_of_the_differences():
    ref = [summary(100, 5.0, 20), summary(120, 6.0, 22), summary(90, 4.0, None)]
    pkg = [summary(80, 5.0, 18), summary(102, 6.0, 21), summary(68, 4.0, None)]
    rows = {r["measure"]: r for r in paired_comparison(ref, pkg)}
    d = np.array([-20.0, -18.0, -22.0])
    half = stats.t.ppf(0.975, 2) * d.std(ddof=1) / math.sqrt(3)
    r = rows["outcomes.resident_days_in_need"]
    assert r["difference"] == pytest.approx(-20.0)
    assert (r["low"], r["high"]) == pytest.approx((-20.0 - half, -20.0 + half))
    assert r["verdict"] == "better"  # fewer resident-days in need, interval below 0
    assert rows["combined.loss_of_resilience"]["verdict"] == "no clear difference"
    # not recovered within the horizon: censored at horizon - onset + 1 days
    assert rows["combined.time_to_recovery"]["reference"] == pytest.approx((20 + 22 + 91) / 3)
    assert rows["outcomes.days_until_90pct_home"]["difference"] == 0
    assert rows["outcomes.help_delivered.mutual_aid"]["verdict"] == "—"  # no better way


@pytest.mark.unit
def test_directions():
    assert better_direction("outcomes.resident_days_in_need") == -1
    assert better_direction("function.robustness") == +1
    assert better_direction("combined.resilience_index") == +1
    assert better_direction("combined.time_to_recovery") == -1
    assert better_direction("outcomes.help_delivered.party") == 0
    assert set(headline_measures(summary(1, 1, 1))) >= {"combined.loss_of_resilience",
                                                        "outcomes.resident_days_in_need"}


def cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "grassroots", *args], cwd=cwd,
                          capture_output=True, text=True)


@pytest.mark.surfaces
def test_compare_command_writes_the_table(tmp_path):
    res = cli("compare", "--policy", "all-of-society", "--seeds", "3", "--residents", "300",
              "--out", str(tmp_path / "cmp"), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "outcomes.resident_days_in_need" in res.stdout and "95% interval" in res.stdout
    data = json.loads((tmp_path / "cmp" / "compare.json").read_text())
    assert data["seeds"] == [0, 1, 2] and data["reference"] == "baseline"
    rows = {r["measure"]: r for r in data["rows"]}
    assert rows["outcomes.resident_days_in_need"]["seeds"] == 3
    assert (tmp_path / "cmp" / "compare.csv").read_text().startswith("measure,reference")


@pytest.mark.surfaces
@pytest.mark.parametrize("args, field", [
    (["--policy", "all-of-society", "--seeds", "1"], "--seeds"),
    (["--policy", "no-such-package"], "policy"),
    (["--policy", "baseline", "--reference", "nope"], "policy"),
    (["--policy", "baseline", "--scenario", "nope"], "scenario"),
    (["--policy", "baseline", "--set", "mutual_aid_strength=2"], "mutual_aid_strength"),
    (["--policy", "baseline", "--costs", "no-such-costs.toml"], "costs"),
])
def test_compare_bad_input_is_one_line_and_writes_nothing(tmp_path, args, field, capsys):
    # in-process through the command's main(); test_compare_command_writes_the_table runs the
    # real process
    from grassroots.cli import main

    assert main(["compare", *args, "--out", str(tmp_path / "cmp")]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and field in lines[0] and "Traceback" not in err
    assert not (tmp_path / "cmp").exists()
