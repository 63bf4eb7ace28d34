"""Paired comparisons of the policy packages of a sweep (issue 10: wherever packages are
compared, each difference comes with its 95% interval over seeds).

A sweep with more than one policy and `common_random_numbers = true` runs replicate r of every
point on the same seed, so at the same scenario and sampler row (`sample`) the runs of two
packages share their community and their random draws: their difference is the packages'
effect. Each package is compared with the reference package (`baseline` when the sweep has
it, else its first policy) by measures/comparison.py's `paired_row`: mean difference, Student-t
95% interval over the paired replicates, verdict. Without common random numbers the seeds
differ between packages and nothing is paired: `package_comparisons` says so and returns None.
A pair where a measure is missing (days until 90% are home, when they were not within the
horizon) is left out of that measure's comparison.
"""

from __future__ import annotations

import pandas as pd

from grassroots.analysis.load import SweepData
from grassroots.measures.comparison import COST_KEYS, better_direction, paired_row

REFERENCE = "baseline"
#: The measures compared, when the runs table has them: planner outcomes, costs and each
#: dimension's robustness, loss and index (times to recovery can be censored and are left to
#: `grassroots compare`, which knows each run's onset).
CURVE_METRICS = ("robustness", "loss_of_resilience", "resilience_index")


def compared_measures(runs: pd.DataFrame) -> list[str]:
    dims = ("structure", "function", "relationship", "combined")
    names = [c for c in runs.columns if c.startswith("outcomes.")
             and not c.startswith("outcomes.help_delivered")
             and pd.api.types.is_numeric_dtype(runs[c])]
    names += [f"costs.{k}" for k in COST_KEYS if f"costs.{k}" in runs.columns]
    names += [f"{d}.{m}" for d in dims for m in CURVE_METRICS if f"{d}.{m}" in runs.columns]
    return names


def package_comparisons(data: SweepData, notes: list[str]) -> pd.DataFrame | None:
    """One row per scenario, sampler row, package other than the reference, and measure;
    None (with a note) when the sweep has one policy or no common random numbers."""
    runs = data.ok_runs
    policies = list(dict.fromkeys(runs["policy"]))
    if len(policies) < 2:
        return None
    if not data.manifest["experiment"].get("common_random_numbers", False):
        notes.append("the packages were not compared pairwise: the sweep ran them on "
                     "different seeds (set common_random_numbers = true to pair them)")
        return None
    reference = REFERENCE if REFERENCE in policies else policies[0]
    measures = compared_measures(runs)
    rows = []
    for (scenario, sample), group in runs.groupby(["scenario", "sample"], sort=True):
        ref = group[group["policy"] == reference].set_index("replicate")
        point = {k: ref[k].iloc[0] for k in data.varied} if len(ref) else {}
        for policy in policies:
            if policy == reference:
                continue
            pkg = group[group["policy"] == policy].set_index("replicate")
            both = ref.index.intersection(pkg.index)
            if len(both) < 2:
                notes.append(f"{policy} against {reference} ({scenario}, sample {sample}): "
                             f"fewer than 2 paired replicates finished, not compared")
                continue
            a, b = ref.loc[both], pkg.loc[both]
            assert (a["seed"] == b["seed"]).all(), "common random numbers: same seeds"
            for m in measures:
                x, y = a[m].astype(float), b[m].astype(float)
                keep = x.notna() & y.notna()
                if keep.sum() < 2:
                    continue
                rows.append({"scenario": scenario, "sample": int(sample), **point,
                             "policy": policy, "reference_policy": reference,
                             **paired_row(m, x[keep].to_numpy(), y[keep].to_numpy())})
    if not rows:
        return None
    return pd.DataFrame(rows)


def headline_lines(table: pd.DataFrame) -> list[str]:
    """README lines: resident-days in need and cost per resident-year of each package."""
    lines = []
    for m in ("outcomes.resident_days_in_need", "costs.per_resident_year"):
        for _, r in table[table["measure"] == m].iterrows():
            sign = better_direction(m)
            lines.append(f"- {r['policy']} − {r['reference_policy']} ({r['scenario']}, sample "
                         f"{r['sample']}), {m}: {r['difference']:+,.4g} "
                         f"[{r['low']:+,.4g}, {r['high']:+,.4g}] over {r['seeds']} paired "
                         f"seeds: {r['verdict'] if sign else '—'}")
    return lines
