"""The figure `grassroots run` writes: the resilience curves of one run."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

COLOURS = {"structure": "#1f77b4", "function": "#d62728", "relationship": "#2ca02c",
           "combined": "black"}


def resilience_figure(ts: pd.DataFrame, summary: dict, path: str | Path | None = None):
    """Structure, function, relationship and combined curves (shares of full performance), shock
    windows shaded, key metrics of the combined curve annotated; below, the counts a planner
    reads (residents in need, displaced, ties lost, infectious). Saved to `path` and closed;
    without a path the figure is returned (notebooks)."""
    fig, (ax, bx) = plt.subplots(2, 1, figsize=(10, 7.5), sharex=True,
                                 gridspec_kw={"height_ratios": [3, 2]})
    shocks = summary["scenario"]["shocks"]
    for k, s in enumerate(shocks):
        for a in (ax, bx):
            a.axvspan(s["onset"] - 0.5, s["onset"] + s["duration"] - 0.5, color="#f4a261",
                      alpha=0.25, lw=0, label=("shock window" if (k == 0 and a is ax) else None))
    for dim, colour in COLOURS.items():
        ax.plot(ts["day"], ts[dim], color=colour, lw=2.2 if dim == "combined" else 1.5,
                ls="--" if dim == "combined" else "-", label=dim)
    ax.axhline(1.0, color="grey", lw=0.8, ls=":")
    eps = summary["parameters"]["recovery_epsilon"]
    ax.axhline(1.0 - eps, color="grey", lw=0.8, ls="-.", label=f"recovered ({1 - eps:.0%})")
    lo = min(ts[list(COLOURS)].min().min(), 1.0 - eps)
    hi = max(ts[list(COLOURS)].max().max(), 1.0)
    pad = max(0.01, 0.08 * (hi - lo))
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_ylabel("share of full performance")
    m = summary["metrics"]["combined"]
    ttr = m["time_to_recovery"]
    ttr_text = f"{ttr} days" if ttr is not None else m["recovery_status"]
    o = summary.get("outcomes") or {}
    people = ""
    if o:  # the planner outcomes lead (measures/outcomes.py)
        people = (f"resident-days in need {o['resident_days_in_need']:,}"
                  f" (peak {o['peak_residents_in_need']:,})\n"
                  f"displaced resident-days {o['displaced_resident_days']:,}\n")
    text = (f"{people}combined Q(t): before {m['pre_shock']:.3f}, "
            f"robustness {m['robustness']:.3f}\n"
            f"loss of resilience {m['loss_of_resilience']:.2f} quality-days\n"
            f"resilience index {m['resilience_index']:.5f} ({m['control_window']}-day window)\n"
            f"time to recovery {ttr_text}")
    ax.text(0.99, 0.03, text, transform=ax.transAxes, ha="right", va="bottom", fontsize=9,
            bbox=dict(boxstyle="round", fc="white", ec="0.7"))
    ax.legend(loc="lower left", fontsize=9, ncol=2)
    title = (f"{summary['scenario']['name']} scenario, policy {summary['policy']}, "
             f"{summary['residents']:,} residents, seed {summary['seed']}")
    ax.set_title(title)
    for col, colour in (("residents_in_need", "#d62728"), ("displaced", "#9467bd"),
                        ("ties_lost", "#8c564b"), ("infectious", "#ff7f0e")):
        if col == "infectious" and not ts[col].any():
            continue
        bx.plot(ts["day"], ts[col], color=colour, label=col.replace("_", " "))
    bx.set_ylabel("count")
    bx.set_xlabel("day")
    bx.legend(loc="upper right", fontsize=9)
    bx.set_xlim(0, ts["day"].iloc[-1])
    fig.tight_layout()
    if path is None:
        return fig
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None
