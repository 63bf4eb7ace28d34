"""Where an allocation fails: scenario discovery with PRIM on sampled hazard conditions.

After the search, `points` allocations along the front (evenly spaced by cost, the cheapest
and the dearest included) and the baseline package are each run on the same `samples` hazard
conditions. A condition is one of the optimisation's scenarios (in turn, so every hazard has
the same share of the conditions) with its shocks changed by the values a Latin hypercube
draws over `[conditions.ranges]`:

    intensity           every shock's intensity (0-1)
    duration            a factor on every shock's duration (days, rounded, at least 1)
    <type>.<key>        one key of the shocks of one type, e.g. epidemic.transmissibility

and a seed of its own — the same conditions and seeds for every allocation (common random
numbers). A condition is a *failure* of an allocation when its outcome (`outcome`, default the
first outcome objective) exceeds `threshold` (default: the baseline package's median over the
conditions — "more people in need than the community without new spending sees in half of
them"). A range applies only to the hazards that have the shock; for the others its value is
drawn but changes nothing, as an irrelevant uncertainty does in any scenario discovery.

PRIM, the patient rule induction method (Friedman and Fisher 1999, "Bump hunting in
high-dimensional data", Statistics and Computing 9:123-143), as EMA Workbench implements it
(Kwakkel 2017, "The Exploratory Modeling Workbench", Environmental Modelling & Software
96:239-250), peels the conditions' space towards a box in which failures are dense. Following
Bryant and Lempert (2010, "Thinking inside the box", Technological Forecasting & Social Change
77:34-49), a box is judged by its *coverage* (the share of the allocation's failures inside
it) and its *density* (the share of the conditions inside it that are failures): of the boxes
on the peeling trajectory, the one kept has the largest coverage among those with density at
least `density`, or is the densest if none reaches it. Its restricted dimensions are the
conditions named in the report: those whose quasi-p value (Bryant and Lempert's one-sided
binomial test of the density a restriction adds) is below 0.05 as the conditions; the others
are listed as not significant.

Files: `conditions.parquet` (every allocation on every condition: the condition's values, the
outcome, failed or not), `failures.json` (per allocation: its levers, cost, failures and box)
and `failures.md` (the same as a short report per allocation).
"""

from __future__ import annotations

import json
import logging
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from grassroots.core.io import atomic_write_text
from grassroots.optimise.spec import apply_ranges
from grassroots.scenarios import Scenario, load_scenario
from grassroots.sweeps.experiment import spawn_seed
from grassroots.sweeps.store import write_parquet

#: seed index of the conditions' Latin hypercube; condition j's run has seed index STREAM+1+j
#: (spawn_seed), far from the search's seed indices 0..seeds-1
STREAM = 1_000_000
#: a box's restriction is named when its quasi-p value is below this (Bryant and Lempert 2010)
SIGNIFICANT = 0.05

def design(opt) -> pd.DataFrame:
    """The conditions: one row each (condition, hazard, every range's value, seed)."""
    from scipy.stats import qmc

    cond = opt.conditions
    names = list(cond.ranges)
    rng = np.random.default_rng(spawn_seed(opt.seed, STREAM))
    table = pd.DataFrame({"condition": np.arange(cond.samples),
                          "hazard": [Path(opt.scenarios[j % len(opt.scenarios)]).stem
                                     for j in range(cond.samples)]})
    if names:
        u = qmc.LatinHypercube(d=len(names), rng=rng).random(cond.samples)
        for i, k in enumerate(names):
            low, high = cond.ranges[k]
            value = low + u[:, i] * (high - low)
            table[k] = np.round(value) if k in cond.integer else value
    table["seed"] = [spawn_seed(opt.seed, STREAM + 1 + j) for j in range(cond.samples)]
    return table


def condition_scenario(opt, row: dict) -> Scenario:
    """The scenario of one condition (a row of `design`)."""
    cond = opt.conditions
    path = opt.scenarios[int(row["condition"]) % len(opt.scenarios)]
    base = load_scenario(path, horizon=opt.fixed.get("days"))
    values = {k: float(row[k]) for k in cond.ranges}
    scenario = apply_ranges([base], values, cond.integer, f"optimisation {opt.name}")[0]
    scenario.name = f"{base.name}, condition {int(row['condition'])}"
    return scenario


def condition_keys(table: pd.DataFrame) -> list[str]:
    """The runs cache's name of each condition: a digest of its hazard, values and seed, so
    that a --resume with other ranges or samples never takes an old condition's run for a
    new one."""
    import hashlib

    return ["condition:" + hashlib.sha1(json.dumps(
        {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()},
        sort_keys=True).encode()).hexdigest()[:12] for row in table.to_dict("records")]


def pick_points(front: list, points: int) -> list[int]:
    """Indices of `points` allocations along a front sorted by cost, evenly spaced, the
    cheapest and the dearest included."""
    if not front:
        return []
    idx = np.round(np.linspace(0, len(front) - 1, min(points, len(front)))).astype(int)
    return sorted(set(idx.tolist()))


def prim_box(x: pd.DataFrame, failed: np.ndarray, density: float) -> dict | None:
    """The PRIM box of the failures (module doc): its coverage, density, mass, the number
    of conditions in it, and its limits on the restricted dimensions (numbers: [low, high];
    hazard: the hazards kept). None when there is no failure, or nothing but failures."""
    failed = np.asarray(failed, bool)
    if failed.all() or not failed.any():
        return None
    logging.getLogger("EMA").setLevel(logging.WARNING)
    logging.getLogger("ema_workbench").setLevel(logging.WARNING)
    x = x.copy()
    for c in x.columns:
        if not pd.api.types.is_numeric_dtype(x[c]):
            x[c] = x[c].astype("category")
    # ema_workbench warns of evaluators it will not use and of pandas keywords it still
    # uses; neither concerns the result
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim
        p = prim.Prim(x, failed, mass_min=0.05)
        box = p.find_box()
    traj = box.peeling_trajectory
    dense = traj[traj["density"] >= density - 1e-12]
    i = int(dense["coverage"].idxmax() if len(dense) else traj["density"].idxmax())
    lims = box.box_lims[i]
    init = p.box_init
    qp = box.p_values[i] if i < len(box.p_values) else {}
    limits: dict[str, Any] = {}
    weak: dict[str, Any] = {}
    for c in x.columns:
        lo, hi = lims[c].iloc[0], lims[c].iloc[1]
        if isinstance(lo, set):
            if lo == init[c].iloc[0]:
                continue
            lim: Any = sorted(lo)
        elif lo > init[c].iloc[0] or hi < init[c].iloc[1]:
            # a side left at the data's own edge is open: "at least" or "at most"
            lim = [float(lo) if lo > init[c].iloc[0] else None,
                   float(hi) if hi < init[c].iloc[1] else None]
        else:
            continue
        # the quasi-p value of the restriction (Bryant and Lempert 2010: a one-sided
        # binomial test of the density gained by it); -1 where a side is not restricted
        p_c = [v for v in qp.get(c, []) if v is not None and v >= 0]
        p_value = float(min(p_c)) if p_c else None
        entry = {"limits": lim, "quasi_p": p_value}
        (limits if p_value is None or p_value < SIGNIFICANT else weak)[c] = entry
    row = traj.loc[i]
    return {"coverage": float(row["coverage"]), "density": float(row["density"]),
            "mass": float(row["mass"]), "conditions": int(row["n"]), "limits": limits,
            "weak_limits": weak, "reaches_density": bool(len(dense))}


def look_for_failures(opt, ev, budget, front: list, baseline, out: Path) -> list[str]:
    """Run the chosen allocations on the conditions and write the three files (module
    doc). `front`: the front's outcomes sorted by cost; `baseline`: the baseline package's
    outcome; `ev`: the search's Evaluation (its executor, cache and progress bar)."""
    cond = opt.conditions
    table = design(opt)
    scenarios = [condition_scenario(opt, row) for row in table.to_dict("records")]
    chosen = [("baseline package", baseline, dict(opt.fixed))]
    for rank in pick_points(front, cond.points):
        o = front[rank]
        x = np.array([o.values[k] for k in budget.names], float)
        chosen.append((f"front allocation {rank}", o, budget.params(x)))
    keys = condition_keys(table)
    todo = [(o.cid, keys[j], j, params, scenarios[j], int(table["seed"][j]))
            for _, o, params in chosen for j in range(cond.samples)
            if (o.cid, keys[j], j) not in ev.runs.rows]
    if todo:
        ev.run_jobs(todo, label="failure conditions")

    censor = {Path(s).stem: ev.censor[s] for s in opt.scenarios}
    values = {}
    for label, o, _ in chosen:
        v = []
        for j, hazard in enumerate(table["hazard"]):
            row = ev.runs.rows[(o.cid, keys[j], j)]
            x = row.get(f"outcomes.{cond.outcome}") if row["status"] == "ok" else math.nan
            v.append(censor[hazard] if x is None else float(x))
        values[label] = np.array(v)
    base_v = values["baseline package"]
    threshold = cond.threshold if cond.threshold is not None else \
        float(np.nanmedian(base_v))
    x_cols = ["hazard", *cond.ranges] if len(opt.scenarios) > 1 else list(cond.ranges)
    report, rows = [], []
    for label, o, _ in chosen:
        v = values[label]
        ok = ~np.isnan(v)
        failed = ok & (v > threshold)
        box = prim_box(table.loc[ok, x_cols].reset_index(drop=True), failed[ok], cond.density)
        report.append({"allocation": label, "candidate": o.cid, "cost": o.cost,
                       "levers": {k: o.values.get(k) for k in opt.levers},
                       "conditions": int(ok.sum()), "runs_failed": int((~ok).sum()),
                       "failures": int(failed.sum()),
                       "failure_share": float(failed.sum() / max(1, ok.sum())),
                       "mean_outcome": float(np.nanmean(v)) if ok.any() else None,
                       "box": box})
        for j in range(cond.samples):
            rows.append({"allocation": label, "candidate": o.cid,
                         **{k: table[k][j] for k in table.columns},
                         cond.outcome: None if np.isnan(v[j]) else float(v[j]),
                         "failed": bool(failed[j])})
    write_parquet(pa.Table.from_pylist(rows), out / "conditions.parquet")
    summary = {"outcome": cond.outcome, "threshold": threshold,
               "threshold_from": "file" if cond.threshold is not None else
               "the baseline package's median over the conditions",
               "density": cond.density, "samples": cond.samples,
               "hazards": [Path(s).stem for s in opt.scenarios],
               "ranges": {k: list(v) for k, v in cond.ranges.items()},
               "allocations": report}
    atomic_write_text(json.dumps(summary, indent=2) + "\n", out / "failures.json")
    atomic_write_text(markdown(opt, summary), out / "failures.md")
    return [str(out / "conditions.parquet"), str(out / "failures.json"),
            str(out / "failures.md")]


def describe_limits(limits: dict[str, Any]) -> list[str]:
    """The box's restricted dimensions in words, one line each."""
    lines = []
    for k, entry in limits.items():
        lim, p = entry["limits"], entry["quasi_p"]
        tail = f" (quasi-p {p:.2g})" if p is not None else ""
        if k == "hazard":
            lines.append(f"the hazard is {' or '.join(lim)}{tail}")
            continue
        lo, hi = lim
        what = "the shocks' duration factor" if k == "duration" else k
        if lo is not None and hi is not None:
            lines.append(f"{what} is between {lo:.3g} and {hi:.3g}{tail}")
        elif lo is not None:
            lines.append(f"{what} is at least {lo:.3g}{tail}")
        else:
            lines.append(f"{what} is at most {hi:.3g}{tail}")
    return lines


def markdown(opt, summary: dict) -> str:
    """The short report per allocation (module doc)."""
    s = summary
    ranges = "; ".join(f"{k} in [{lo:g}, {hi:g}]" for k, (lo, hi) in s["ranges"].items())
    out = [f"# Where each allocation fails: {opt.name}", "",
           f"{s['samples']} hazard conditions, each one of {', '.join(s['hazards'])} in turn"
           + (f", with {ranges}" if ranges else "")
           + " (Latin hypercube), each with its own seed, the same for every allocation. "
           f"An allocation *fails* a condition when {s['outcome']} exceeds "
           f"{s['threshold']:,.6g} ({s['threshold_from']}). The box is PRIM's (EMA "
           f"Workbench): the conditions where failures are dense (density at least "
           f"{s['density']:g} if reachable); coverage is the share of the allocation's "
           f"failures inside it.", ""]
    base = s["allocations"][0]
    for a in s["allocations"]:
        out += [f"## {a['allocation']} (cost {a['cost']:.3g} WD per resident-year)", ""]
        if a["allocation"] != base["allocation"]:
            funded = sorted(a["levers"].items())
            out.append("Levers: " + ", ".join(f"{k} {v:.3g}" for k, v in funded) + ".")
            out.append("")
        out.append(f"Fails in {a['failures']} of {a['conditions']} conditions "
                   f"({100 * a['failure_share']:.0f}%; the baseline package: "
                   f"{base['failures']}); mean {s['outcome']} {a['mean_outcome']:,.6g}."
                   + (f" {a['runs_failed']} runs failed and are left out."
                      if a["runs_failed"] else ""))
        box = a["box"]
        if box is None:
            out.append("No box: " + ("it never fails." if a["failures"] == 0
                                     else "it fails in every condition."))
        else:
            reach = "" if box["reaches_density"] else \
                f" (no box reaches density {s['density']:g}: the densest is shown)"
            out.append(f"Its failures are densest where{reach}:")
            out += [f"- {line}" for line in describe_limits(box["limits"])] or \
                ["- (no restriction is significant: failures are spread over the conditions)"]
            if box["weak_limits"]:
                out.append(f"- and, not significant (quasi-p >= {SIGNIFICANT:g}): "
                           + "; ".join(describe_limits(box["weak_limits"])))
            out.append(f"That box holds {box['conditions']} conditions "
                       f"({100 * box['mass']:.0f}% of them), {100 * box['density']:.0f}% of "
                       f"them failures, and {100 * box['coverage']:.0f}% of this "
                       f"allocation's failures.")
        out.append("")
    return "\n".join(out)
