"""Figures of a finished search, from its folder alone:

    front.png         each outcome objective against cost, as the paired difference from the
                      baseline package on the same seeds (mean over scenarios; 95% interval
                      over seeds): every candidate evaluated (grey), the front (with its
                      intervals; the line joins the allocations no cheaper one beats on that
                      objective), each shipped package at its cost (labelled), the budget.
                      Paired, because the seeds' communities differ far more than the
                      allocations do: unpaired intervals would hide every difference
    front_levers.png  the searched levers' values along the front, ordered by cost, each as
                      a share of its searched range
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
from matplotlib.figure import Figure  # no pyplot: no backend chosen, no global state

from grassroots.core.io import atomic_save


def plot_all(folder: str | Path) -> list[str]:
    folder = Path(folder)
    opt = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["optimisation"]
    ev = pq.read_table(folder / "evaluations.parquet").to_pandas()
    front = pq.read_table(folder / "front.parquet").to_pandas()
    packages_file = folder / "packages.parquet"
    packages = pq.read_table(packages_file).to_pandas() if packages_file.is_file() else None
    outcomes = [o for o in opt["objectives"] if o != "cost"]
    files = []

    fig = Figure(figsize=(5.2 * len(outcomes), 4.2))
    axes = fig.subplots(1, len(outcomes), squeeze=False)
    ok = ev[ev["status"] == "ok"]
    for ax, o in zip(axes[0], outcomes):
        d = f"{o}.vs_baseline"
        ax.scatter(ok["cost"], ok[d], s=12, color="0.75", label="candidates evaluated")
        if len(front):
            f = front.sort_values("cost")
            ax.errorbar(f["cost"], f[d], yerr=[f[d] - f[f"{d}_low"], f[f"{d}_high"] - f[d]],
                        fmt="o", color="tab:blue", ms=4, capsize=2, label="front")
            # the line joins the allocations that no cheaper one beats on this objective:
            # what each extra worker-day buys here (the others are on the front for
            # another objective)
            best = f[f[d] < f[d].cummin().shift(fill_value=float("inf"))]
            ax.plot(best["cost"], best[d], "-", color="tab:blue", lw=1.2,
                    label="best so far at its cost")
        if packages is not None:
            for _, row in packages.iterrows():
                ax.errorbar([row["cost"]], [row[d]],
                            yerr=[[row[d] - row[f"{d}_low"]], [row[f"{d}_high"] - row[d]]],
                            fmt="s", color="tab:red", ms=5, capsize=2)
                ax.annotate(row["package"], (row["cost"], row[d]), fontsize=7,
                            xytext=(4, 4), textcoords="offset points", color="tab:red")
        ax.axvline(opt["budget"], color="k", ls="--", lw=0.8, label="budget")
        ax.axhline(0.0, color="0.4", lw=0.6)
        ax.set_xlabel("cost, WD per resident-year")
        ax.set_ylabel(f"{o} minus baseline (paired)", fontsize=8)
        ax.set_title(o.replace("_", " "), fontsize=10)
    axes[0][0].legend(fontsize=7)
    n = len(opt["scenarios"])
    fig.suptitle(f"{opt['name']}: the front over {n} scenario{'s' if n != 1 else ''} x "
                 f"{opt['seeds']} seeds (packages: red squares)", fontsize=10)
    fig.tight_layout()
    atomic_save(folder / "front.png", lambda p: fig.savefig(p, dpi=110, format="png"))
    files.append(str(folder / "front.png"))

    fig = Figure(figsize=(7, 4))
    ax = fig.subplots()
    if len(front):
        f = front.sort_values("cost")
        for lever, (lo, hi) in opt["levers"].items():
            ax.plot(f["cost"], (f[lever] - lo) / (hi - lo), "o-", ms=3, label=lever)
    ax.set_xlabel("cost of the allocation on the front, WD per resident-year")
    ax.set_ylabel("lever, share of its searched range")
    ax.set_ylim(-0.05, 1.05)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    ax.set_title("what the front funds as the budget grows", fontsize=10)
    fig.tight_layout()
    atomic_save(folder / "front_levers.png", lambda p: fig.savefig(p, dpi=110, format="png"))
    files.append(str(folder / "front_levers.png"))
    return files
