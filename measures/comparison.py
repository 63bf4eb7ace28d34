"""Paired comparison of two packages on the same seeds: differences and their 95% intervals.

Two runs with the same seed share their community and, stream by stream, their random draws
(model/model.py), so the difference package - reference on one seed is mostly the effect of
the package. Over n seeds the mean paired difference d̄ has the Student-t interval
d̄ ± t(0.975, n-1) s / sqrt(n) (s the sample sd of the differences); an interval that
excludes 0 says the package changes the measure on these seeds beyond their noise.

`headline_measures(summary)` names the measures compared: the planner outcomes
(measures/outcomes.py), the package's cost (core/costs.py) and, per dimension, robustness, loss of resilience, resilience index
and time to recovery. A run not recovered within the horizon counts its time to recovery as
the days from onset to the horizon (censored: it is at least that).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

from grassroots.measures.summary import DIMENSIONS

#: Which way is better for each kind of measure: -1 lower, +1 higher, 0 neither.
DIRECTION = {"robustness": +1, "resilience_index": +1, "loss_of_resilience": -1,
             "time_to_recovery": -1}
CONFIDENCE = 0.95
#: The package's costs compared (core/costs.py: package_cost).
COST_KEYS = ("one_off", "recurring_per_year", "per_resident_year")


def headline_measures(summary: dict) -> dict[str, float]:
    """The compared measures of one run summary, flat: `outcomes.*` and `<dimension>.*`."""
    out: dict[str, float] = {}
    o = summary["outcomes"]
    for key, value in o.items():
        if isinstance(value, dict):
            for k, v in value.items():
                out[f"outcomes.{key}.{k}"] = float(v)
        elif value is None:  # not within the horizon: censored at the horizon
            out[f"outcomes.{key}"] = float(_days_after_onset(summary))
        else:
            out[f"outcomes.{key}"] = float(value)
    if summary.get("costs"):
        for key in COST_KEYS:
            out[f"costs.{key}"] = float(summary["costs"][key])
    for dim in DIMENSIONS:
        m = summary["metrics"][dim]
        for key in DIRECTION:
            value = m[key]
            out[f"{dim}.{key}"] = float(_days_after_onset(summary) if value is None else value)
    return out


def better_direction(measure: str) -> int:
    """-1 when lower is better, +1 when higher is better, 0 when neither (help delivered)."""
    if measure.startswith("outcomes."):
        return 0 if measure.startswith("outcomes.help_delivered") else -1
    if measure.startswith("costs."):
        return -1
    return DIRECTION[measure.rsplit(".", 1)[1]]


def paired_comparison(reference: list[dict], package: list[dict]) -> list[dict[str, Any]]:
    """One row per headline measure: means of reference and package over the paired seeds,
    the mean difference (package - reference), its 95% interval, and whether the package is
    better, worse or not distinguishable on these seeds."""
    if len(reference) != len(package) or not reference:
        raise ValueError("paired comparison: the same non-zero number of runs on each side")
    ref = [headline_measures(s) for s in reference]
    pkg = [headline_measures(s) for s in package]
    return [paired_row(name, np.array([r[name] for r in ref]),
                       np.array([p[name] for p in pkg])) for name in ref[0]]


def paired_row(name: str, a: np.ndarray, b: np.ndarray) -> dict[str, Any]:
    """One measure's paired comparison: `a` the reference's values, `b` the package's, seed
    by seed (module doc: the Student-t interval of the mean difference b - a)."""
    n = len(a)
    d = np.asarray(b, float) - np.asarray(a, float)
    mean = float(d.mean())
    if n > 1:
        half = float(stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1) * d.std(ddof=1) / math.sqrt(n))
    else:
        half = float("nan")
    low, high = mean - half, mean + half
    direction = better_direction(name)
    if n < 2 or not (low > 0 or high < 0) or direction == 0:
        verdict = "no clear difference" if direction else "—"
    else:
        verdict = "better" if (mean > 0) == (direction > 0) else "worse"
    return {"measure": name, "reference": float(np.mean(a)), "package": float(np.mean(b)),
            "difference": mean, "low": low, "high": high, "seeds": n, "verdict": verdict}


def _days_after_onset(summary: dict) -> int:
    shocks = summary["scenario"].get("shocks", [])
    onset = min((s["onset"] for s in shocks), default=0)
    return int(summary["parameters"]["days"]) - onset + 1
