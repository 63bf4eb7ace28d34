"""Each lever's effect in people and days: the five capacities on the new dynamics.

For each scenario (the catastrophic flood and the urban earthquake by default) the model runs
the defaults (policy baseline) on seeds 0..N-1, and once more on the same seeds with one lever
at its off value (`Param.off_value`: its low bound, or 3650 days for assessment_interval),
lever by lever, then with each capacity's levers all off. Runs on the same seed share their
community and random streams, so the paired difference (off − defaults) is the lever's effect;
it is reported as the mean difference with its 95% Student-t interval
(measures/comparison.py `paired_row`). A lever that *helps* people shows positive differences
when it is switched off (more deaths, more resident-days in need, ...).

Outcomes, all in people or days (model.run `run`):

* deaths: residents who died (the daily table's `deaths` at the horizon);
* left: residents who left the community for good (`left_share` x pre-shock residents);
* resident-days in need, and the same for vulnerable residents (summary outcomes);
* displaced resident-days (summary outcomes);
* days until 90% home: from the first onset until 90% of those ever displaced are home
  (censored at the horizon when not reached).

`python -m grassroots.validation.levers [--seeds N] [--residents N] [--workers N] --out FILE`
writes a Markdown table (`make levers` writes docs/validation/levers.md). Not part of
`grassroots validate`: it checks no published pattern, it reports what the levers do.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from grassroots.core.io import atomic_write_text
from grassroots.core.params import LEVER_GROUPS, levers
from grassroots.measures.comparison import paired_row
from grassroots.validation.patterns import parallel_map

SCENARIOS = ("catastrophic_flood", "urban_earthquake")
#: (key, label, unit) of the outcomes, in the table's order
OUTCOMES = (("deaths", "deaths", "people"), ("left", "left for good", "people"),
            ("need", "resident-days in need", "resident-days"),
            ("vulnerable_need", "vulnerable resident-days in need", "resident-days"),
            ("displaced", "displaced resident-days", "resident-days"),
            ("home90", "days until 90% home", "days"))


def settings_off() -> list[tuple[str, str, dict]]:
    """(label, capacity, parameters) of every comparison: each lever off, then each
    capacity's levers all off."""
    rows = [(f"`{p.name}` off", p.group, {p.name: p.off_value}) for p in levers()]
    for group in LEVER_GROUPS:
        rows.append((f"all {group} levers off", group,
                     {p.name: p.off_value for p in levers() if p.group == group}))
    return rows


def outcomes(job: tuple[str, int, int, dict]) -> dict[str, float]:
    """One run's outcomes (module docstring). Module-level, for the process pool."""
    from grassroots.model.run import run

    scenario, seed, residents, params = job
    result = run({"residents": residents, **params}, seed=seed, scenario=scenario,
                 indicators=False)
    s, ts = result.summary, result.timeseries
    out = s["outcomes"]
    onset = min((shock["onset"] for shock in s["scenario"].get("shocks", [])), default=0)
    home90 = out["days_until_90pct_home"]
    horizon = int(s["parameters"]["days"])
    return {"deaths": float(ts["deaths"].iloc[-1]),
            "left": float(ts["left_share"].iloc[-1]) * residents,
            "need": float(out["resident_days_in_need"]),
            "vulnerable_need": float(out["vulnerable_resident_days_in_need"]),
            "displaced": float(out["displaced_resident_days"]),
            "home90": float(horizon - onset if home90 is None else home90)}


def measure(scenarios=SCENARIOS, seeds: int = 30, residents: int = 500,
            workers: int = 1) -> dict[str, list[dict]]:
    """Per scenario, one row per comparison: label, capacity and, per outcome, the
    reference mean and the paired difference with its interval (`paired_row`)."""
    comparisons = [("defaults", "", {})] + settings_off()
    jobs = [(sc, seed, residents, params) for sc in scenarios
            for _, _, params in comparisons for seed in range(seeds)]
    results = parallel_map(outcomes, jobs, workers)
    tables: dict[str, list[dict]] = {}
    for i, sc in enumerate(scenarios):
        first = i * len(comparisons)
        by = [results[(first + c) * seeds:(first + c + 1) * seeds]
              for c in range(len(comparisons))]
        ref = by[0]
        rows = []
        for (label, group, _), runs in zip(comparisons[1:], by[1:]):
            row = {"label": label, "capacity": group}
            for key, _, _ in OUTCOMES:
                # every outcome here counts a harm: lower is better ("outcomes." rows)
                row[key] = paired_row(f"outcomes.{key}", np.array([r[key] for r in ref]),
                                      np.array([r[key] for r in runs]))
            rows.append(row)
        tables[sc] = rows
    return tables


def _cell(r: dict) -> str:
    def f(x: float) -> str:
        return f"{x:+,.0f}" if abs(x) >= 10 else f"{x:+.1f}"
    low, high = r["low"], r["high"]
    mark = "" if (low <= 0 <= high) else " ✱"
    return f"{f(r['difference'])} [{f(low)}, {f(high)}]{mark}"


def markdown(tables: dict[str, list[dict]], seeds: int, residents: int,
             seconds: float) -> str:
    lines = ["# Each lever's effect in people and days", "",
             f"Paired seeds 0–{seeds - 1}, {residents:,} residents, policy baseline: each row "
             "switches one lever (or one capacity's levers) to its off value; the cells are the "
             "mean paired difference *off − defaults* with its 95% interval (✱: the interval "
             "excludes 0). Positive means people are worse off without the lever. Written by "
             "`make levers` (`python -m grassroots.validation.levers`) in "
             f"{seconds:.0f} s.", ""]
    for sc, rows in tables.items():
        ref = rows[0]
        lines += [f"## {sc}", "",
                  "Defaults (means): " + "; ".join(
                      f"{label} {ref[key]['reference']:,.1f} {unit}"
                      for key, label, unit in OUTCOMES) + ".", "",
                  "| setting | capacity | " + " | ".join(label for _, label, _ in OUTCOMES)
                  + " |", "|---|---|" + "---|" * len(OUTCOMES)]
        for row in rows:
            lines.append(f"| {row['label']} | {row['capacity']} | "
                         + " | ".join(_cell(row[key]) for key, _, _ in OUTCOMES) + " |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m grassroots.validation.levers",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=30, help="paired seeds (default 30)")
    ap.add_argument("--residents", type=int, default=500, help="residents (default 500)")
    ap.add_argument("--workers", type=int, default=1, help="local worker processes")
    ap.add_argument("--scenarios", nargs="+", default=list(SCENARIOS))
    ap.add_argument("--out", type=Path, required=True, help="Markdown file to write")
    a = ap.parse_args(argv)
    if a.seeds < 2 or a.residents < 10 or a.workers < 1:
        print("levers: --seeds must be >= 2, --residents >= 10, --workers >= 1",
              file=sys.stderr)
        return 2
    from grassroots.scenarios import load_scenario
    from grassroots.scenarios.base import ScenarioError

    for name in a.scenarios:
        try:
            load_scenario(name)
        except ScenarioError as err:
            print(f"levers: --scenarios: {err}", file=sys.stderr)
            return 2
    t = time.perf_counter()
    tables = measure(a.scenarios, a.seeds, a.residents, a.workers)
    text = markdown(tables, a.seeds, a.residents, time.perf_counter() - t)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(text + "\n", a.out)
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
