"""The plots of a sweep analysis: curves over time, effects of the varied parameters, and
the Sobol' and Morris index charts. Each function draws one PNG at `path` and closes it."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from grassroots.analysis.load import SweepData
from grassroots.analysis.statistics import describe
from grassroots.scenarios import load_scenario

#: curves.png draws one line per design point up to this many points, else pooled bands
MAX_CURVES = 8
MAX_EFFECT_PARAMS = 6
MAX_EFFECT_OUTCOMES = 4


def groups_label(scenario: str, policy: str) -> str:
    """`scenario / policy`, by file stem."""
    return f"{Path(scenario).stem} / {Path(policy).stem}"


def _save(fig, path: Path, dpi: int = 110) -> None:
    fig.savefig(path, dpi=dpi)
    plt.close(fig)


def _fmt(x) -> str:
    if isinstance(x, (float, np.floating)):
        return f"{x:.3g}"
    return str(x)


def _point_label(row: pd.Series, varied: list[str], multi: bool) -> str:
    parts = [f"{v}={_fmt(row[v])}" for v in varied]
    if multi:
        parts.insert(0, groups_label(row["scenario"], row["policy"]))
    return ", ".join(parts) or "all runs"


def _shock_windows(scenarios) -> list[tuple[int, int]]:
    """The shock windows to shade: those of the one scenario, none for several."""
    if len(scenarios) != 1:
        return []
    with np.errstate(all="ignore"):
        try:
            return load_scenario(scenarios[0]).windows()
        except Exception:  # a scenario file moved since the sweep: no shading
            return []


def curves_plot(data: SweepData, ts: pd.DataFrame, series: list[str], path: Path) -> None:
    """Mean curve and 95% band per design point (few points: interval of the mean across
    replicates) or per scenario/policy (many points: the band holds 95% of the runs)."""
    runs = data.ok_runs
    df = ts.merge(runs[["run_id", "point", "scenario", "policy"]], on="run_id")
    points = runs.drop_duplicates("point").sort_values("point")
    multi = runs[["scenario", "policy"]].drop_duplicates().shape[0] > 1
    per_point = len(points) <= MAX_CURVES
    fig, axes = plt.subplots(2, 2, figsize=(12, 7.5), sharex=True)
    colours = plt.get_cmap("tab10")
    windows = _shock_windows(runs["scenario"].unique())
    if per_point:
        lines = [(_point_label(r, data.varied, multi), df[df["point"] == r["point"]])
                 for _, r in points.iterrows()]
        band = "95% interval of the mean across replicates"
    else:
        lines = [(groups_label(s, p), g) for (s, p), g in
                 df.groupby(["scenario", "policy"], sort=False)]
        band = "band: 95% of runs (2.5-97.5 percentiles)"
    for ax, col in zip(axes.flat, series):
        for k, (label, g) in enumerate(lines):
            by_day = g.groupby("day")[col]
            if per_point:
                d = describe(by_day)
                mean, lo, hi = d["mean"], d["ci_low"].to_numpy(), d["ci_high"].to_numpy()
            else:
                mean = by_day.mean()
                lo, hi = by_day.quantile(0.025).to_numpy(), by_day.quantile(0.975).to_numpy()
            c = colours(k % 10)
            ax.plot(mean.index, mean.to_numpy(), color=c, lw=1.6, label=label)
            ax.fill_between(mean.index, lo, hi, color=c, alpha=0.2, lw=0)
        for w0, w1 in windows:
            ax.axvspan(w0 - 0.5, w1 - 0.5, color="0.6", alpha=0.25, lw=0)
        ax.axhline(1.0, color="grey", lw=0.8, ls=":")
        ax.set_title(col, fontsize=10)
        ax.set_ylabel("share of full performance")
    for ax in axes[1]:
        ax.set_xlabel("day")
    for ax in list(axes.flat)[len(series):]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(4, len(labels)), fontsize=8,
               frameon=False)
    n_runs = runs["run_id"].nunique()
    every = data.manifest["experiment"]["outputs"]["timeseries"]
    fig.suptitle(f"{data.manifest['experiment']['name']}: mean of {n_runs} runs, {band}"
                 + ("; shaded: shock windows" if windows else "")
                 + (f"; every {every}th day kept" if every > 1 else ""), fontsize=11)
    rows_of_legend = math.ceil(len(labels) / min(4, max(1, len(labels))))
    fig.tight_layout(rect=(0, 0.035 * rows_of_legend + 0.01, 1, 1))
    _save(fig, path)


def effects_plot(data: SweepData, summary: pd.DataFrame, outcomes: list[str],
                 path: Path) -> None:
    """Each outcome (rows) against each varied parameter (columns): for a parameter with
    few values, the mean over all runs at each value with its 95% interval; otherwise the
    per-point means (`summary`, from replicate_summary) as a scatter."""
    params = data.varied[:MAX_EFFECT_PARAMS]
    outs = outcomes[:MAX_EFFECT_OUTCOMES]
    groups = list(data.ok_runs.groupby(["scenario", "policy"], sort=False))
    fig, axes = plt.subplots(len(outs), len(params), squeeze=False,
                             figsize=(3.4 * len(params) + 1, 2.8 * len(outs) + 0.8))
    for i, outcome in enumerate(outs):
        for j, param in enumerate(params):
            ax = axes[i, j]
            for k, ((scenario, policy), g) in enumerate(groups):
                c = plt.get_cmap("tab10")(k % 10)
                label = groups_label(scenario, policy) if len(groups) > 1 else None
                if g[param].nunique() <= 12:
                    d = describe(g.assign(_y=g[outcome].astype(float)).groupby(param)["_y"])
                    mean, lo, hi = (d[col].to_numpy() for col in ("mean", "ci_low", "ci_high"))
                    x = np.asarray(d.index, float)
                    if len(groups) > 1 and len(x) > 1:  # dodge, so intervals do not overlap
                        x = x + (k - (len(groups) - 1) / 2) * 0.02 * float(np.ptp(x))
                    ax.errorbar(x, mean, yerr=[mean - lo, hi - mean],
                                marker="o", ms=4, capsize=3, color=c, label=label)
                else:
                    pts = summary[(summary["outcome"] == outcome)
                                  & (summary["scenario"] == scenario)
                                  & (summary["policy"] == policy)]
                    ax.scatter(pts[param], pts["mean"], s=8, alpha=0.6, color=c, label=label)
            if i == len(outs) - 1:
                ax.set_xlabel(param.replace("_", " "))
            if j == 0:
                ax.set_ylabel(outcome, fontsize=8)
    if len(groups) > 1:
        axes[0, 0].legend(fontsize=7)
    fig.suptitle(f"{data.manifest['experiment']['name']}: outcomes against varied parameters\n"
                 f"few values: mean and 95% interval of the mean at each value;\n"
                 f"many values: one dot per design point (its replicate mean)", fontsize=9)
    fig.tight_layout()
    _save(fig, path, dpi=100)


def sobol_plot(table: pd.DataFrame, outcome: str, path: Path) -> None:
    """S1 and ST bars with their intervals, one panel per scenario/policy (rows of
    sensitivity.sobol_tables for one outcome)."""
    groups = list(table.groupby(["scenario", "policy"], sort=False))
    n_par = table["parameter"].nunique()
    fig, axes = plt.subplots(len(groups), 1, squeeze=False,
                             figsize=(max(6.0, 1.1 * n_par + 2.5), 3.6 * len(groups)))
    for ax, ((scenario, policy), g) in zip(axes[:, 0], groups):
        x = np.arange(len(g))
        ax.bar(x - 0.2, g["S1"], 0.4, yerr=g["S1_conf"], capsize=3, color="#4c72b0",
               label="first order S1")
        ax.bar(x + 0.2, g["ST"], 0.4, yerr=g["ST_conf"], capsize=3, color="#dd8452",
               label="total ST")
        ax.set_xticks(x, [p.replace("_", " ") for p in g["parameter"]], rotation=20,
                      ha="right")
        ax.axhline(0, color="black", lw=0.8)
        ax.set_ylabel("Sobol index")
        ax.set_ylim(min(-0.05, float((g["S1"] - g["S1_conf"]).min()) - 0.05),
                    max(1.0, float((g["ST"] + g["ST_conf"]).max()) + 0.05))
        ax.set_title(f"{outcome} — {groups_label(scenario, policy)}", fontsize=10)
        ax.legend(fontsize=8, loc="upper right")
    fig.suptitle("Sobol' sensitivity indices (bars: 95% bootstrap intervals)", fontsize=11)
    fig.tight_layout()
    _save(fig, path)


def morris_plot(table: pd.DataFrame, outcome: str, path: Path) -> None:
    """mu* bars and the mu*-sigma plane, one row per scenario/policy (rows of
    sensitivity.morris_table for one outcome)."""
    groups = list(table.groupby(["scenario", "policy"], sort=False))
    fig, axes = plt.subplots(len(groups), 2, squeeze=False,
                             figsize=(12, 3.8 * len(groups)))
    for (ax, bx), ((scenario, policy), g) in zip(axes, groups):
        g = g.sort_values("mu_star")
        y = np.arange(len(g))
        ax.barh(y, g["mu_star"], xerr=g["mu_star_conf"], capsize=3, color="#4c72b0")
        ax.set_yticks(y, [p.replace("_", " ") for p in g["parameter"]])
        ax.set_xlabel("mu* (mean |elementary effect|)")
        ax.set_title(f"{outcome} — {groups_label(scenario, policy)}", fontsize=10)
        bx.scatter(g["mu_star"], g["sigma"], color="#dd8452")
        top = g["mu_star"] >= 0.15 * float(g["mu_star"].max())  # label the ones that matter
        for _, r in g[top].iterrows():
            bx.annotate(r["parameter"].replace("_", " "), (r["mu_star"], r["sigma"]),
                        fontsize=8, xytext=(4, 2), textcoords="offset points")
        lim = max(float(g["mu_star"].max()), float(g["sigma"].max()), 1e-12) * 1.15
        bx.plot([0, lim], [0, lim], color="grey", lw=0.8, ls=":", label="sigma = mu*")
        bx.set_xlim(0, lim)
        bx.set_ylim(0, lim)
        bx.set_xlabel("mu*")
        bx.set_ylabel("sigma (interactions, non-linearity)")
        bx.set_title("labelled: mu* at least 15% of the largest", fontsize=9)
        bx.legend(fontsize=8, loc="upper left")
    fig.suptitle("Morris elementary effects (bars: 95% bootstrap intervals)", fontsize=11)
    fig.tight_layout()
    _save(fig, path)
