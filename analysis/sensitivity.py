"""Sensitivity indices through SALib: Sobol' (S1, ST, S2) and Morris (mu, mu*, sigma).

`sobol_indices` and `morris_indices` take a SALib problem and outputs directly, so
known-answer functions (Ishigami) test the same code the sweeps use. `sobol_tables` and
`morris_table` apply them to a sweep: the model output of a design point is the mean of its
replicates (noise between seeds is averaged before the variance decomposition), and every
point of the design is needed, so an outcome with a failed run or a missing value (e.g. time
to recovery of a run that never recovered), or one that does not vary, is noted and skipped.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from grassroots.analysis.load import AnalysisError, SweepData
from grassroots.analysis.statistics import CONF_LEVEL

NUM_RESAMPLES = 1000
#: Seed of SALib's bootstrap of the confidence intervals. SALib seeds only when the seed is
#: truthy (`if seed:`), so 0 would leave the intervals unseeded and different on every
#: analysis of the same sweep; any non-zero constant makes them reproducible.
BOOTSTRAP_SEED = 20_261_201
GROUP = ["scenario", "policy", "outcome"]


def sobol_indices(problem: dict, y: np.ndarray, calc_second_order: bool = False,
                  num_resamples: int = NUM_RESAMPLES, conf_level: float = CONF_LEVEL,
                  seed: int = BOOTSTRAP_SEED) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Sobol' first-order (S1) and total (ST) indices with their bootstrap confidence
    half-widths, from outputs `y` in the order of SALib's Sobol'/Saltelli sample; plus the
    second-order indices when the sample has them."""
    from SALib.analyze import sobol

    y = np.asarray(y, float)
    res = sobol.analyze(dict(problem), y, calc_second_order=calc_second_order,
                        num_resamples=num_resamples, conf_level=conf_level, seed=seed)
    names = list(problem["names"])
    first = pd.DataFrame({"parameter": names, "S1": res["S1"], "S1_conf": res["S1_conf"],
                          "ST": res["ST"], "ST_conf": res["ST_conf"]})
    second = None
    if calc_second_order:
        rows = [{"parameter": a, "with": b, "S2": res["S2"][i, j],
                 "S2_conf": res["S2_conf"][i, j]}
                for i, a in enumerate(names) for j, b in enumerate(names) if j > i]
        second = pd.DataFrame(rows)
    return first, second


def morris_indices(problem: dict, x: np.ndarray, y: np.ndarray, num_levels: int = 4,
                   num_resamples: int = NUM_RESAMPLES, conf_level: float = CONF_LEVEL,
                   seed: int = BOOTSTRAP_SEED) -> pd.DataFrame:
    """Morris elementary-effect statistics: mu, mu* (mean absolute effect) with its bootstrap
    confidence half-width, and sigma (spread: interactions or non-linearity)."""
    from SALib.analyze import morris

    res = morris.analyze(dict(problem), np.asarray(x, float), np.asarray(y, float),
                         num_resamples=num_resamples, conf_level=conf_level,
                         num_levels=num_levels, seed=seed)
    return pd.DataFrame({"parameter": list(problem["names"]), "mu": res["mu"],
                         "mu_star": res["mu_star"], "mu_star_conf": res["mu_star_conf"],
                         "sigma": res["sigma"]})


# -- applied to a sweep ------------------------------------------------------------------
def design_outputs(data: SweepData, outcome: str) -> dict[tuple[str, str], np.ndarray]:
    """Per (scenario, policy): the replicate mean of `outcome` at every sample, in sample
    order; raises AnalysisError when a sample has no value."""
    n = data.manifest["design"]["samples"]
    out = {}
    ok = data.ok_runs
    for (scenario, policy), grp in data.runs.groupby(["scenario", "policy"], sort=False):
        good = ok[(ok["scenario"] == scenario) & (ok["policy"] == policy)]
        y = good.assign(_y=good[outcome].astype(float)).groupby("sample")["_y"].mean()
        y = y.reindex(range(n))
        missing = int(y.isna().sum())
        if missing:
            failed = int((grp["status"] != "ok").sum())
            raise AnalysisError(f"{outcome}: {missing} of {n} design points have no value "
                                f"({failed} failed runs, the rest missing values) in "
                                f"{scenario}/{policy}")
        out[(scenario, policy)] = y.to_numpy()
    return out


def varying_outputs(data: SweepData, outcomes: list[str], method: str,
                    notes: list[str]) -> Iterator[tuple[str, str, str, np.ndarray]]:
    """(outcome, scenario, policy, outputs in design order) for every outcome and group
    whose outputs can be analysed; why the others cannot is appended to `notes`."""
    for outcome in outcomes:
        try:
            ys = design_outputs(data, outcome)
        except AnalysisError as err:
            notes.append(f"{method} indices not computed for {err}")
            continue
        for (scenario, policy), y in ys.items():
            if np.ptp(y) == 0:
                notes.append(f"{method} indices not computed for {outcome} in "
                             f"{scenario}/{policy}: it does not vary")
                continue
            yield outcome, scenario, policy, y


def sobol_tables(data: SweepData, outcomes: list[str],
                 notes: list[str]) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """The Sobol' indices of a Sobol sweep, one row per scenario, policy, outcome and
    parameter (None when no outcome can be analysed); and the second-order indices, one row
    per pair of parameters, when the design has second-order samples."""
    problem = data.manifest["design"]["problem"]
    second = bool(data.manifest["experiment"]["sampler"].get("second_order"))
    firsts, seconds = [], []
    for outcome, scenario, policy, y in varying_outputs(data, outcomes, "Sobol", notes):
        f, s = sobol_indices(problem, y, calc_second_order=second)
        ids = {"scenario": scenario, "policy": policy, "outcome": outcome}
        firsts.append(f.assign(**ids))
        if s is not None:
            seconds.append(s.assign(**ids))
    if not firsts:
        return None, None
    first = pd.concat(firsts, ignore_index=True)
    first = first[[*GROUP, "parameter", "S1", "S1_conf", "ST", "ST_conf"]]
    if not seconds:
        return first, None
    s2 = pd.concat(seconds, ignore_index=True)
    return first, s2[[*GROUP, "parameter", "with", "S2", "S2_conf"]]


def morris_table(data: SweepData, outcomes: list[str], notes: list[str]) -> pd.DataFrame | None:
    """The Morris statistics of a Morris sweep, one row per scenario, policy, outcome and
    parameter; None when no outcome can be analysed."""
    problem = data.manifest["design"]["problem"]
    levels = data.manifest["experiment"]["sampler"]["levels"]
    x = data.design.sort_values("sample")[problem["names"]].to_numpy(float)
    rows = []
    for outcome, scenario, policy, y in varying_outputs(data, outcomes, "Morris", notes):
        m = morris_indices(problem, x, y, num_levels=levels)
        rows.append(m.assign(scenario=scenario, policy=policy, outcome=outcome))
    if not rows:
        return None
    table = pd.concat(rows, ignore_index=True)
    return table[[*GROUP, "parameter", "mu", "mu_star", "mu_star_conf", "sigma"]]
