"""The "What to fund" tab without any user interface: the optimisations it offers, their
fronts within a budget, an allocation as dashboard settings, and the front's figure.

Where the fronts come from: those shipped with Grassroots (`optimise/fronts/<name>/`, made by
`make fronts` from `experiments/*.optimise.toml`) and every optimisation folder (a finished
`grassroots optimise` output: `front.parquet` and `manifest.json`) directly inside the
folders the server was started with (`grassroots dashboard --fronts DIR`, passed on as the
environment variable GRASSROOTS_FRONTS, folders separated by the path separator). The picker
offers their names; a name that is not offered is refused, and nothing else is read.

A budget keeps the front's allocations that cost at most that much; the one proposed is the
best within it on the objective looked at. "Run it against baseline" fills the dashboard's
levers with the allocation (every other lever at the baseline package's value, the
optimisation's fixed `[set]` values and its community size applied) and turns on the live
comparison with the baseline package on the same seed.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
from matplotlib.figure import Figure

from grassroots.core.params import ParameterError
from grassroots.dashboard.serve import FRONTS_ENV as ENV
from grassroots.dashboard.state import BASELINE, Settings, scenario_choices

#: the fronts shipped with Grassroots (package data of grassroots.optimise)
SHIPPED = Path(__file__).resolve().parent.parent / "optimise" / "fronts"


@dataclass(frozen=True)
class Front:
    """One finished optimisation, as the tab shows it."""

    name: str
    folder: Path
    optimisation: dict  # the manifest's record of the optimisation file
    front: pd.DataFrame  # sorted by cost
    packages: pd.DataFrame | None
    failures: dict | None

    @property
    def outcomes(self) -> list[str]:
        return [o for o in self.optimisation["objectives"] if o != "cost"]

    @property
    def levers(self) -> list[str]:
        return list(self.optimisation["levers"])

    @property
    def budget(self) -> float:
        return float(self.optimisation["budget"])

    def scenarios(self) -> list[str]:
        """The optimisation's scenarios the dashboard can run (shipped names)."""
        names = [Path(s).stem if s.endswith(".toml") else s
                 for s in self.optimisation["scenarios"]]
        return [s for s in names if s in scenario_choices()]


def folders() -> list[Path]:
    """The folders fronts are read from: the shipped one, then GRASSROOTS_FRONTS's."""
    extra = [Path(p) for p in os.environ.get(ENV, "").split(os.pathsep) if p.strip()]
    return [SHIPPED, *extra]


def front_choices() -> dict[str, Path]:
    """Name -> folder of every finished optimisation found (module doc); the first found
    wins a name."""
    found: dict[str, Path] = {}
    for base in folders():
        if not base.is_dir():
            continue
        for d in sorted(p for p in base.iterdir() if p.is_dir()):
            if (d / "front.parquet").is_file() and (d / "manifest.json").is_file():
                found.setdefault(d.name, d)
    return found


def load_front(name: str) -> Front:
    """A front by the name the picker offers; any other name is refused (ParameterError)."""
    choices = front_choices()
    if name not in choices:
        raise ParameterError(f"optimisation: got {name!r}; allowed: one of "
                             f"{', '.join(choices) or '(none found)'}")
    folder = choices[name]
    stamp = tuple((folder / f).stat().st_mtime_ns if (folder / f).is_file() else 0
                  for f in ("front.parquet", "packages.parquet", "failures.json",
                            "manifest.json"))
    return _load(str(folder), stamp)


@lru_cache(maxsize=16)
def _load(folder: str, stamp: tuple) -> Front:
    d = Path(folder)
    manifest = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    front = pq.read_table(d / "front.parquet").to_pandas().sort_values(["cost", "candidate"])
    packages = (pq.read_table(d / "packages.parquet").to_pandas()
                if (d / "packages.parquet").is_file() else None)
    failures = (json.loads((d / "failures.json").read_text(encoding="utf-8"))
                if (d / "failures.json").is_file() else None)
    return Front(d.name, d, manifest["optimisation"], front.reset_index(drop=True), packages,
                 failures)


def within_budget(front: Front, budget: float) -> pd.DataFrame:
    """The front's allocations that cost at most `budget`, cheapest first."""
    f = front.front
    return f[(f["cost"] <= budget + 1e-12) & (f["status"] == "ok")]


def best_within(front: Front, budget: float, objective: str) -> int | None:
    """The front's rank of the best allocation within the budget on `objective` (the
    cheaper one on a tie), or None if nothing is within it."""
    f = within_budget(front, budget)
    if f.empty:
        return None
    return int(f.sort_values([objective, "cost"]).iloc[0]["rank"])


def allocation(front: Front, rank: int) -> dict[str, Any]:
    """The front's row of rank `rank` as a dict."""
    row = front.front[front.front["rank"] == rank]
    if row.empty:
        raise ParameterError(f"allocation: got {rank!r}; allowed: a rank of the front "
                             f"{front.name} (0-{len(front.front) - 1})")
    return row.iloc[0].to_dict()


def allocation_settings(current: Settings, front: Front, rank: int,
                        scenario: str) -> Settings:
    """The dashboard settings that run allocation `rank` (module doc), on `scenario`, with
    the current seed; raises ParameterError or ScenarioError if a value is not allowed."""
    row = allocation(front, rank)
    s = current.with_policy(BASELINE).with_scenario(scenario)
    fixed = dict(front.optimisation.get("set") or {})
    fixed.setdefault("residents", front.optimisation["residents"])
    for name, value in {**fixed, **{k: row[k] for k in front.levers}}.items():
        s = s.with_value(name, int(round(value)) if isinstance(s.values[name], int)
                         and not isinstance(s.values[name], bool) else value)
    return s.with_compare(True)


def number(x: float | None, sign: bool = True) -> str:
    """A number as the tab shows it: whole with thousands separators from 100 on, else
    three significant digits."""
    if x is None or pd.isna(x):
        return "–"
    if abs(x) >= 100:
        return f"{x:+,.0f}" if sign else f"{x:,.0f}"
    return f"{x:+.3g}" if sign else f"{x:.3g}"


def label(front: Front, row: dict, objective: str) -> str:
    """An allocation as the picker names it."""
    d = row.get(f"{objective}.vs_baseline")
    change = "" if d is None or pd.isna(d) else \
        f" · {objective.replace('_', ' ')} {number(d)} vs baseline"
    return f"#{int(row['rank'])} · cost {row['cost']:.3g}{change}"


def failure_text(front: Front, candidate: str) -> str:
    """What the optimisation's failure conditions say of this allocation, in words; of the
    nearest allocation tested when this one was not."""
    from grassroots.optimise.failures import describe_limits

    f = front.failures
    if not f:
        return ("This optimisation looked for no failure conditions (its file has no "
                "[conditions] table).")
    tested = [a for a in f["allocations"] if a["allocation"] != "baseline package"]
    base = f["allocations"][0]
    if not tested:
        return "No allocation of the front was tested on the failure conditions."
    row = front.front[front.front["candidate"] == candidate]
    cost = float(row.iloc[0]["cost"]) if len(row) else 0.0
    mine = [a for a in tested if a["candidate"] == candidate]
    a = mine[0] if mine else min(tested, key=lambda a: abs(a["cost"] - cost))
    head = ("This allocation " if mine else
            f"This allocation was not tested on the failure conditions; the nearest one "
            f"tested ({a['allocation']}, cost {a['cost']:.3g}) ")
    text = (f"{head}fails in {a['failures']} of {a['conditions']} sampled hazard conditions "
            f"(the baseline package: {base['failures']}), failing meaning "
            f"{f['outcome'].replace('_', ' ')} above {f['threshold']:,.0f}.")
    box = a["box"]
    if box is None:
        return text + (" It never fails." if a["failures"] == 0 else " It fails in all.")
    where = describe_limits(box["limits"])
    text += (" Its failures are densest where " + "; ".join(where) if where else
             " No condition significantly concentrates its failures")
    return text + (f" ({box['conditions']} conditions, {100 * box['density']:.0f}% of them "
                   f"failures, {100 * box['coverage']:.0f}% of its failures).")


def front_figure(front: Front, budget: float, objective: str, chosen: int | None) -> Figure:
    """The objective's paired difference from baseline against cost along the front: within
    the budget (blue) or not (grey), the chosen allocation ringed, the shipped packages
    (red squares), the budget (dashed)."""
    fig = Figure(figsize=(6.4, 3.6), dpi=100)
    ax = fig.add_subplot()
    f = front.front
    d = f"{objective}.vs_baseline"
    inside = f["cost"] <= budget + 1e-12
    for mask, colour, name in ((inside, "tab:blue", "front within the budget"),
                               (~inside, "0.7", "front above it")):
        g = f[mask]
        if len(g):
            ax.errorbar(g["cost"], g[d], yerr=[g[d] - g[f"{d}_low"], g[f"{d}_high"] - g[d]],
                        fmt="o", color=colour, ms=4, capsize=2, label=name)
    if chosen is not None and (f["rank"] == chosen).any():
        r = f[f["rank"] == chosen].iloc[0]
        ax.plot([r["cost"]], [r[d]], "o", ms=12, mfc="none", mec="k", mew=1.5,
                label="chosen")
    if front.packages is not None:
        for k, (_, p) in enumerate(front.packages.iterrows()):
            ax.plot([p["cost"]], [p[d]], "s", color="tab:red", ms=5,
                    label="shipped packages" if k == 0 else None)
            ax.annotate(p["package"], (p["cost"], p[d]), fontsize=7, color="tab:red",
                        xytext=(4, 3), textcoords="offset points")
    ax.axvline(budget, color="k", ls="--", lw=0.8)
    ax.axhline(0.0, color="0.5", lw=0.6)
    ax.set_xlabel("cost, WD per resident-year")
    ax.set_ylabel(f"{objective.replace('_', ' ')}\nminus baseline (paired)", fontsize=8)
    ax.legend(fontsize=7, loc="best")
    ax.set_title(f"{front.name}: budget {budget:.3g}", fontsize=9)
    fig.tight_layout()
    return fig


def front_rows(front: Front, budget: float, objective: str) -> str:
    """The allocations within the budget as an HTML table: rank, cost, each outcome's
    difference from baseline with its 95% interval over seeds."""
    f = within_budget(front, budget).sort_values([objective, "cost"])
    outs = front.outcomes
    head = "<tr><th>#</th><th>cost</th>" + "".join(
        f"<th>{o.replace('_', ' ')} vs baseline [95%]</th>" for o in outs) + "</tr>"
    body = []
    for _, r in f.iterrows():
        cells = "".join(
            f"<td>{number(r[f'{o}.vs_baseline'])} [{number(r[f'{o}.vs_baseline_low'])}, "
            f"{number(r[f'{o}.vs_baseline_high'])}]</td>" for o in outs)
        body.append(f"<tr class='gr-front-row'><td>{int(r['rank'])}</td>"
                    f"<td>{r['cost']:.3g}</td>{cells}</tr>")
    return head + "".join(body)
