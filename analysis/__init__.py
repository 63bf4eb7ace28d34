"""Analyse a finished sweep: replicate summaries, sensitivity indices, plots, EMA export.

`analyze(DIR)` reads DIR/runs.parquet, DIR/timeseries.parquet, DIR/design.parquet and
DIR/manifest.json (written by grassroots.sweep) and writes into DIR/analysis/:

    summary.csv              per design point and outcome: runs, failed, mean, sd and the
                             95% confidence interval of the mean across replicates
                             (Student t; no interval from a single replicate)
    timeseries_summary.parquet   the same per point, kept day and series
    sobol_indices.csv        (Sobol designs) S1, ST and their 95% bootstrap intervals per
                             scenario, policy, outcome and parameter (S2 in sobol_s2.csv
                             when the design has second-order samples)
    morris_indices.csv       (Morris designs) mu, mu*, its 95% interval, sigma
    curves.png               structure, function, relationship, combined over time: mean
                             and 95% band
    effects.png              each outcome against each varied parameter
    sobol_<outcome>.png, morris_<outcome>.png   index bar charts
    README.md                what was written and the headline numbers

Sensitivity indices use the replicate mean of each design point as the model output (so
noise between seeds is averaged before the variance decomposition) and need every point of
the design: an outcome with a failed run or a missing value (e.g. time to recovery of a run
that never recovered) is reported and skipped. `sobol_indices` and `morris_indices` take a
SALib problem and outputs directly, so known-answer functions (Ishigami) test the same code.

`export_ema(DIR)` writes the sweep in EMA Workbench's `save_results` format (a tar.gz with
experiments.csv, one file per outcome and metadata.json) so that
`ema_workbench.load_results` reads it and PRIM and feature scoring run on it.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from scipy import stats

from grassroots.core.params import ParameterError

DIMENSIONS = ("structure", "function", "relationship", "combined")
CONF_LEVEL = 0.95
NUM_RESAMPLES = 1000
#: curves.png draws one line per design point up to this many points, else pooled bands
MAX_CURVES = 8
MAX_EFFECT_PARAMS = 6
MAX_EFFECT_OUTCOMES = 4


class AnalysisError(ParameterError):
    """A sweep folder that cannot be analysed as asked; one line naming what is wrong."""


@dataclass
class SweepData:
    folder: Path
    manifest: dict
    runs: pd.DataFrame
    design: pd.DataFrame | None

    @property
    def varied(self) -> list[str]:
        return list(self.manifest["design"]["varied"])

    @property
    def method(self) -> str:
        return self.manifest["experiment"]["sampler"]["method"]

    @property
    def outcomes(self) -> list[str]:
        return list(self.manifest["experiment"]["analysis"]["outcomes"])

    @property
    def metric_columns(self) -> list[str]:
        """Numeric per-run metrics (the dotted columns)."""
        return [c for c in self.runs.columns if "." in c
                and (pd.api.types.is_numeric_dtype(self.runs[c])
                     or pd.api.types.is_bool_dtype(self.runs[c]))]


def load_sweep(folder: str | Path) -> SweepData:
    """The finished sweep in `folder`, or an AnalysisError saying what is missing."""
    folder = Path(folder)
    mpath = folder / "manifest.json"
    if not mpath.is_file():
        raise AnalysisError(f"{folder}: holds no sweep (no manifest.json)")
    manifest = json.loads(mpath.read_text(encoding="utf-8"))
    if not (folder / "runs.parquet").is_file():
        counts = manifest.get("counts") or {}
        done = counts.get("ok", 0) + counts.get("failed", 0)
        raise AnalysisError(
            f"{folder}: the sweep is not complete (status {manifest.get('status')}, "
            f"{done} of {manifest['design']['runs']} runs recorded); finish it with "
            f"`grassroots sweep FILE --resume --out {folder}`")
    runs = pq.read_table(folder / "runs.parquet").to_pandas()
    design = (pq.read_table(folder / "design.parquet").to_pandas()
              if (folder / "design.parquet").is_file() else None)
    return SweepData(folder, manifest, runs, design)


# -- replicate statistics ----------------------------------------------------------------
def _interval(n: np.ndarray, mean: np.ndarray, sd: np.ndarray,
              level: float = CONF_LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """Student-t interval of the mean; NaN where n < 2."""
    n = np.asarray(n, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf(0.5 + level / 2, np.where(n > 1, n - 1, np.nan)) * sd / np.sqrt(n)
    return mean - half, mean + half


def replicate_summary(runs: pd.DataFrame, keys: list[str], outcomes: list[str]) -> pd.DataFrame:
    """Per group of `keys` (a design point) and outcome: runs (ok, with a value), failed
    runs, mean, sd and the 95% interval of the mean."""
    ok = runs[runs["status"] == "ok"]
    failed = runs.assign(_f=runs["status"] != "ok").groupby(keys, dropna=False)["_f"].sum()
    frames = []
    for outcome in outcomes:
        g = ok.assign(_y=ok[outcome].astype(float)).groupby(keys, dropna=False)["_y"]
        df = pd.DataFrame({"n": g.count(), "mean": g.mean(), "sd": g.std(ddof=1)})
        df["ci_low"], df["ci_high"] = _interval(df["n"], df["mean"], df["sd"])
        df = df.reindex(failed.index)
        df["n"] = df["n"].fillna(0).astype(int)
        df.insert(0, "failed", failed.astype(int))
        df.insert(0, "outcome", outcome)
        frames.append(df.reset_index())
    return pd.concat(frames, ignore_index=True)


def timeseries_summary(ts: pd.DataFrame, runs: pd.DataFrame, keys: list[str],
                       series: list[str]) -> pd.DataFrame:
    """Per design point, day and series: runs, mean and the 95% interval of the mean."""
    df = ts.merge(runs[["run_id", *keys]], on="run_id", how="inner")
    frames = []
    for col in series:
        g = df.groupby([*keys, "day"], dropna=False)[col]
        out = pd.DataFrame({"n": g.count(), "mean": g.mean(), "sd": g.std(ddof=1)})
        out["ci_low"], out["ci_high"] = _interval(out["n"], out["mean"], out["sd"])
        out.insert(0, "series", col)
        frames.append(out.reset_index())
    return pd.concat(frames, ignore_index=True)


# -- sensitivity indices -----------------------------------------------------------------
def sobol_indices(problem: dict, y: np.ndarray, calc_second_order: bool = False,
                  num_resamples: int = NUM_RESAMPLES, conf_level: float = CONF_LEVEL,
                  seed: int | None = 0) -> tuple[pd.DataFrame, pd.DataFrame | None]:
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
                   seed: int | None = 0) -> pd.DataFrame:
    """Morris elementary-effect statistics: mu, mu* (mean absolute effect) with its bootstrap
    confidence half-width, and sigma (spread: interactions or non-linearity)."""
    from SALib.analyze import morris

    res = morris.analyze(dict(problem), np.asarray(x, float), np.asarray(y, float),
                         num_resamples=num_resamples, conf_level=conf_level,
                         num_levels=num_levels, seed=seed)
    return pd.DataFrame({"parameter": list(problem["names"]), "mu": res["mu"],
                         "mu_star": res["mu_star"], "mu_star_conf": res["mu_star_conf"],
                         "sigma": res["sigma"]})


def _design_outputs(data: SweepData, outcome: str) -> dict[tuple[str, str], np.ndarray]:
    """Per (scenario, policy): the replicate mean of `outcome` at every sample, in sample
    order; raises AnalysisError when a sample has no value."""
    n = data.manifest["design"]["samples"]
    out = {}
    ok = data.runs[data.runs["status"] == "ok"]
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


# -- the analysis ------------------------------------------------------------------------
@dataclass
class AnalysisReport:
    folder: Path
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def analyze(folder: str | Path, outcomes: list[str] | None = None) -> AnalysisReport:
    """Write the tables and plots of the sweep in `folder` into folder/analysis/."""
    data = load_sweep(folder)
    outcomes = list(outcomes or data.outcomes)
    known = data.metric_columns
    for o in outcomes:
        if o not in data.runs.columns:
            from grassroots.core.params import _suggest

            close = _suggest(o, known)
            hint = f" (did you mean {close}?)" if close else ""
            raise AnalysisError(f"--outcome: unknown metric {o!r}{hint}; the runs table has "
                                f"{len(known)} metrics, e.g. {', '.join(known[:3])}")
        if o not in known:
            raise AnalysisError(f"--outcome: {o!r} is not numeric")
    target = data.folder / "analysis"
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-analysis-", dir=data.folder))
    report = AnalysisReport(target)
    try:
        _analyze_into(data, outcomes, tmp, report)
        old = None
        if target.exists():
            old = data.folder / f".tmp-old-analysis-{os.getpid()}"
            os.replace(target, old)
        os.replace(tmp, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report.files = [str(target / f) for f in report.files]
    return report


def _analyze_into(data: SweepData, outcomes: list[str], out: Path,
                  report: AnalysisReport) -> None:
    import matplotlib

    matplotlib.use("Agg")
    runs = data.runs
    keys = ["point", "scenario", "policy", *data.varied]
    summary = replicate_summary(runs, keys, outcomes)
    summary.to_csv(out / "summary.csv", index=False)
    report.files.append("summary.csv")
    n_failed = int((runs["status"] != "ok").sum())
    if n_failed:
        report.notes.append(f"{n_failed} of {len(runs)} runs failed; they are left out of "
                            f"every statistic (see runs.parquet, columns status and error)")

    ts_path = data.folder / "timeseries.parquet"
    if ts_path.is_file():
        series = [c for c in DIMENSIONS if c in pq.read_schema(ts_path).names]
        if series:
            ts = pq.read_table(ts_path, columns=["run_id", "day", *series]).to_pandas()
            tsum = timeseries_summary(ts, runs[runs["status"] == "ok"], keys, series)
            tsum.to_parquet(out / "timeseries_summary.parquet", index=False)
            report.files.append("timeseries_summary.parquet")
            _curves_plot(data, ts, series, out / "curves.png")
            report.files.append("curves.png")
            del ts
    else:
        report.notes.append("no time series were kept (outputs.timeseries = \"none\"): no "
                            "curves")

    if data.varied:
        _effects_plot(data, summary, outcomes, out / "effects.png")
        report.files.append("effects.png")

    method = data.method
    if method == "sobol":
        _sobol(data, outcomes, out, report)
    elif method == "morris":
        _morris(data, outcomes, out, report)
    else:
        report.notes.append(f"the {method} design gives no Sobol or Morris indices (use "
                            f"sampler.method = \"sobol\" or \"morris\")")
    _readme(data, outcomes, out, report)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_")


def _varying_outputs(data: SweepData, outcomes: list[str], method: str,
                     report: AnalysisReport):
    """(outcome, scenario, policy, outputs in design order) for every outcome and group
    whose outputs can be analysed; the others are noted in the report."""
    for outcome in outcomes:
        try:
            ys = _design_outputs(data, outcome)
        except AnalysisError as err:
            report.notes.append(f"{method} indices not computed for {err}")
            continue
        for (scenario, policy), y in ys.items():
            if np.ptp(y) == 0:
                report.notes.append(f"{method} indices not computed for {outcome} in "
                                    f"{scenario}/{policy}: it does not vary")
                continue
            yield outcome, scenario, policy, y


def _sobol(data: SweepData, outcomes: list[str], out: Path, report: AnalysisReport) -> None:
    problem = data.manifest["design"]["problem"]
    second = bool(data.manifest["experiment"]["sampler"].get("second_order"))
    firsts, seconds = [], []
    for outcome, scenario, policy, y in _varying_outputs(data, outcomes, "Sobol", report):
        f, s = sobol_indices(problem, y, calc_second_order=second)
        ids = {"scenario": scenario, "policy": policy, "outcome": outcome}
        firsts.append(f.assign(**ids))
        if s is not None:
            seconds.append(s.assign(**ids))
    if not firsts:
        return
    table = pd.concat(firsts, ignore_index=True)
    table = table[["scenario", "policy", "outcome", "parameter", "S1", "S1_conf", "ST",
                   "ST_conf"]]
    table.to_csv(out / "sobol_indices.csv", index=False)
    report.files.append("sobol_indices.csv")
    if seconds:
        s2 = pd.concat(seconds, ignore_index=True)
        s2[["scenario", "policy", "outcome", "parameter", "with", "S2", "S2_conf"]].to_csv(
            out / "sobol_s2.csv", index=False)
        report.files.append("sobol_s2.csv")
    for outcome, grp in table.groupby("outcome", sort=False):
        name = f"sobol_{_slug(outcome)}.png"
        _sobol_plot(grp, outcome, data.runs["residents"].iloc[0]
                    if "residents" in data.runs else None, out / name)
        report.files.append(name)


def _morris(data: SweepData, outcomes: list[str], out: Path, report: AnalysisReport) -> None:
    problem = data.manifest["design"]["problem"]
    levels = data.manifest["experiment"]["sampler"]["levels"]
    x = data.design.sort_values("sample")[problem["names"]].to_numpy(float)
    rows = []
    for outcome, scenario, policy, y in _varying_outputs(data, outcomes, "Morris", report):
        m = morris_indices(problem, x, y, num_levels=levels)
        rows.append(m.assign(scenario=scenario, policy=policy, outcome=outcome))
    if not rows:
        return
    table = pd.concat(rows, ignore_index=True)
    table = table[["scenario", "policy", "outcome", "parameter", "mu", "mu_star",
                   "mu_star_conf", "sigma"]]
    table.to_csv(out / "morris_indices.csv", index=False)
    report.files.append("morris_indices.csv")
    for outcome, grp in table.groupby("outcome", sort=False):
        name = f"morris_{_slug(outcome)}.png"
        _morris_plot(grp, outcome, out / name)
        report.files.append(name)


# -- plots -------------------------------------------------------------------------------
def _groups_label(scenario: str, policy: str) -> str:
    return f"{Path(scenario).stem} / {Path(policy).stem}"


def _sobol_plot(table: pd.DataFrame, outcome: str, residents, path: Path) -> None:
    import matplotlib.pyplot as plt

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
        ax.set_title(f"{outcome} — {_groups_label(scenario, policy)}", fontsize=10)
        ax.legend(fontsize=8, loc="upper right")
    fig.suptitle("Sobol' sensitivity indices (bars: 95% bootstrap intervals)", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _morris_plot(table: pd.DataFrame, outcome: str, path: Path) -> None:
    import matplotlib.pyplot as plt

    groups = list(table.groupby(["scenario", "policy"], sort=False))
    fig, axes = plt.subplots(len(groups), 2, squeeze=False,
                             figsize=(12, 3.8 * len(groups)))
    for (ax, bx), ((scenario, policy), g) in zip(axes, groups):
        g = g.sort_values("mu_star")
        y = np.arange(len(g))
        ax.barh(y, g["mu_star"], xerr=g["mu_star_conf"], capsize=3, color="#4c72b0")
        ax.set_yticks(y, [p.replace("_", " ") for p in g["parameter"]])
        ax.set_xlabel("mu* (mean |elementary effect|)")
        ax.set_title(f"{outcome} — {_groups_label(scenario, policy)}", fontsize=10)
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
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _point_label(row: pd.Series, varied: list[str], multi: bool) -> str:
    parts = [f"{v}={_fmt(row[v])}" for v in varied]
    if multi:
        parts.insert(0, _groups_label(row["scenario"], row["policy"]))
    return ", ".join(parts) or "all runs"


def _fmt(x) -> str:
    if isinstance(x, (float, np.floating)):
        return f"{x:.3g}"
    return str(x)


def _curves_plot(data: SweepData, ts: pd.DataFrame, series: list[str], path: Path) -> None:
    """Mean curve and 95% band per design point (few points: interval of the mean across
    replicates) or per scenario/policy (many points: the band holds 95% of the runs)."""
    import matplotlib.pyplot as plt

    runs = data.runs[data.runs["status"] == "ok"]
    df = ts.merge(runs[["run_id", "point", "scenario", "policy"]], on="run_id")
    points = runs.drop_duplicates("point").sort_values("point")
    multi = runs[["scenario", "policy"]].drop_duplicates().shape[0] > 1
    per_point = len(points) <= MAX_CURVES
    fig, axes = plt.subplots(2, 2, figsize=(12, 7.5), sharex=True)
    colours = plt.get_cmap("tab10")
    scenarios = runs["scenario"].unique()
    if len(scenarios) == 1:
        from grassroots.scenarios import load_scenario

        with np.errstate(all="ignore"):
            try:
                windows = load_scenario(scenarios[0]).windows()
            except Exception:  # a scenario file moved since the sweep: no shading
                windows = []
    else:
        windows = []
    if per_point:
        lines = [(_point_label(r, data.varied, multi), df[df["point"] == r["point"]])
                 for _, r in points.iterrows()]
        band = "95% interval of the mean across replicates"
    else:
        lines = [(_groups_label(s, p), g) for (s, p), g in
                 df.groupby(["scenario", "policy"], sort=False)]
        band = "band: 95% of runs (2.5-97.5 percentiles)"
    for ax, col in zip(axes.flat, series):
        for k, (label, g) in enumerate(lines):
            by_day = g.groupby("day")[col]
            mean = by_day.mean()
            if per_point:
                lo, hi = _interval(by_day.count().to_numpy(), mean.to_numpy(),
                                   by_day.std(ddof=1).to_numpy())
            else:
                lo, hi = by_day.quantile(0.025).to_numpy(), by_day.quantile(0.975).to_numpy()
            c = colours(k % 10)
            ax.plot(mean.index, mean.to_numpy(), color=c, lw=1.6, label=label)
            ax.fill_between(mean.index, lo, hi, color=c, alpha=0.2, lw=0)
        for w0, w1 in windows:
            ax.axvspan(w0 - 0.5, w1 - 0.5, color="0.6", alpha=0.25, lw=0)
        ax.axhline(1.0, color="grey", lw=0.8, ls=":")
        ax.set_title(col, fontsize=10)
        ax.set_ylabel("level relative to pre-shock")
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
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _effects_plot(data: SweepData, summary: pd.DataFrame, outcomes: list[str],
                  path: Path) -> None:
    """Each outcome (rows) against each varied parameter (columns): for a parameter with
    few values, the mean over all runs at each value with its 95% interval; otherwise the
    per-point means as a scatter."""
    import matplotlib.pyplot as plt

    params = data.varied[:MAX_EFFECT_PARAMS]
    outs = outcomes[:MAX_EFFECT_OUTCOMES]
    ok = data.runs[data.runs["status"] == "ok"]
    groups = list(ok.groupby(["scenario", "policy"], sort=False))
    fig, axes = plt.subplots(len(outs), len(params), squeeze=False,
                             figsize=(3.4 * len(params) + 1, 2.8 * len(outs) + 0.8))
    for i, outcome in enumerate(outs):
        for j, param in enumerate(params):
            ax = axes[i, j]
            for k, ((scenario, policy), g) in enumerate(groups):
                c = plt.get_cmap("tab10")(k % 10)
                label = _groups_label(scenario, policy) if len(groups) > 1 else None
                values = g[param]
                if values.nunique() <= 12:
                    by = g.assign(_y=g[outcome].astype(float)).groupby(param)["_y"]
                    mean, sd, n = by.mean(), by.std(ddof=1), by.count()
                    lo, hi = _interval(n.to_numpy(), mean.to_numpy(), sd.to_numpy())
                    x = np.asarray(mean.index, float)
                    if len(groups) > 1 and len(x) > 1:  # dodge, so intervals do not overlap
                        x = x + (k - (len(groups) - 1) / 2) * 0.02 * float(np.ptp(x))
                    ax.errorbar(x, mean.to_numpy(), yerr=[mean.to_numpy() - lo,
                                                          hi - mean.to_numpy()],
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
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _readme(data: SweepData, outcomes: list[str], out: Path, report: AnalysisReport) -> None:
    exp = data.manifest["experiment"]
    runs = data.runs
    lines = [f"# Analysis of sweep `{exp['name']}`", ""]
    if exp.get("description"):
        lines += [exp["description"], ""]
    lines += [f"- sampler: {exp['sampler']['method']}; {data.manifest['design']['points']} "
             f"design points x {exp['replicates']} replicates = {len(runs)} runs "
             f"({int((runs['status'] == 'ok').sum())} ok, "
             f"{int((runs['status'] != 'ok').sum())} failed); master seed {exp['seed']}",
             f"- varied: {', '.join(data.varied) or 'nothing (replicates only)'}",
             f"- outcomes: {', '.join(outcomes)}", "", "## Files", ""]
    lines += [f"- `{f}`" for f in report.files]
    for table, cols in (("sobol_indices.csv", ("S1", "ST")),
                        ("morris_indices.csv", ("mu_star", "sigma"))):
        if (out / table).is_file():
            t = pd.read_csv(out / table)
            lines += ["", f"## Most influential parameter per outcome ({table})", ""]
            key = cols[1] if table.startswith("sobol") else cols[0]
            for (outcome, scenario, policy), g in t.groupby(["outcome", "scenario", "policy"],
                                                            sort=False):
                top = g.sort_values(key, ascending=False).iloc[0]
                lines.append(f"- {outcome} ({_groups_label(scenario, policy)}): "
                             f"{top['parameter']} ({key} = {top[key]:.3f})")
    if report.notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in report.notes]
    (out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report.files.append("README.md")


# -- EMA Workbench export ----------------------------------------------------------------
def ema_name(column: str) -> str:
    """An outcome name EMA Workbench accepts (a Python identifier)."""
    name = re.sub(r"\W+", "_", column).strip("_")
    return name if name.isidentifier() else f"m_{name}"


def export_ema(folder: str | Path, out: str | Path | None = None,
               series: tuple[str, ...] = (*DIMENSIONS, "residents_in_need")) -> Path:
    """Write the sweep's successful runs (run_id order) as an EMA Workbench results archive:
    experiments = the varied parameters (numbers as float64) plus `scenario`, `policy` and
    `model` (categories);
    outcomes = every numeric metric as a ScalarOutcome (dots become underscores) and the
    kept time series in `series` as ArrayOutcomes (runs x days). Returns the archive path."""
    data = load_sweep(folder)
    ok = data.runs[data.runs["status"] == "ok"].sort_values("run_id")
    if ok.empty:
        raise AnalysisError(f"{data.folder}: no successful run to export")
    experiments = pd.DataFrame(index=range(len(ok)))
    for name in data.varied:
        col = ok[name].to_numpy()
        # numbers as float64: EMA's PRIM pastes fractional limits into integer columns,
        # which pandas >= 3 refuses
        experiments[name] = (col.astype(float) if pd.api.types.is_numeric_dtype(col)
                             else pd.Categorical(col.astype(str)))
    experiments["scenario"] = pd.Categorical([Path(s).stem for s in ok["scenario"]])
    experiments["policy"] = pd.Categorical([Path(p).stem for p in ok["policy"]])
    experiments["model"] = pd.Categorical(["grassroots"] * len(ok))

    outcomes: dict[str, tuple[str, np.ndarray]] = {}
    for col in data.metric_columns:
        name = ema_name(col)
        if name in outcomes:
            raise AnalysisError(f"EMA export: metrics {col!r} and another both become {name!r}")
        outcomes[name] = ("ScalarOutcome", ok[col].astype(float).to_numpy())
    ts_path = data.folder / "timeseries.parquet"
    if ts_path.is_file():
        have = [c for c in series if c in pq.read_schema(ts_path).names]
        if have:
            ts = pq.read_table(ts_path, columns=["run_id", "day", *have]).to_pandas()
            ts = ts[ts["run_id"].isin(ok["run_id"])]
            for col in have:
                wide = ts.pivot(index="run_id", columns="day", values=col)
                wide = wide.reindex(ok["run_id"].to_numpy())
                if col in outcomes:
                    raise AnalysisError(f"EMA export: series {col!r} clashes with a metric")
                outcomes[col] = ("ArrayOutcome", wide.to_numpy(float))

    target = Path(out) if out is not None else data.folder / "ema_results.tar.gz"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".tmp-{target.name}.{os.getpid()}")
    try:
        with tarfile.open(tmp, "w:gz") as z:
            _add(z, "experiments.csv", experiments.to_csv(index=False))
            meta = []
            for name, (kind, values) in outcomes.items():
                filename = f"{name}.cls" if kind == "ScalarOutcome" else f"{name}.csv"
                _add(z, filename, pd.DataFrame(values).to_csv(header=False, index=False))
                meta.append([kind, name, filename])
            _add(z, "metadata.json", json.dumps({
                "version": 0.1, "outcomes": meta,
                "experiments": {k: v.name for k, v in experiments.dtypes.items()}}))
            _add(z, "grassroots_run_ids.csv",
                 pd.DataFrame({"run_id": ok["run_id"].to_numpy()}).to_csv(index=False))
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return target


def _add(z: tarfile.TarFile, name: str, text: str) -> None:
    raw = text.encode("utf-8")
    info = tarfile.TarInfo(name)
    info.size = len(raw)
    z.addfile(info, io.BytesIO(raw))
