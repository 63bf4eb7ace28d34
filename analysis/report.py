"""`analyze(DIR)`: the whole analysis of a finished sweep, written into DIR/analysis/.

It reads DIR/runs.parquet, DIR/timeseries.parquet, DIR/design.parquet and DIR/manifest.json
(written by grassroots.sweeps) and writes:

    summary.csv              per design point and outcome: runs, failed, mean, sd and the
                             95% confidence interval of the mean across replicates
                             (Student t; no interval from a single replicate)
    timeseries_summary.parquet   the same per point, kept day and series
    sobol_indices.csv        (Sobol designs) S1, ST and their 95% bootstrap intervals per
                             scenario, policy, outcome and parameter (S2 in sobol_s2.csv
                             when the design has second-order samples)
    morris_indices.csv       (Morris designs) mu, mu*, its 95% interval, sigma
    comparisons.csv          (several policies, common random numbers) each package against
                             the baseline, paired by replicate: mean difference, its 95%
                             interval over seeds and a verdict (analysis/comparisons.py)
    curves.png               structure, function, relationship, combined over time: mean
                             and 95% band
    effects.png              each outcome against each varied parameter
    sobol_<outcome>.png, morris_<outcome>.png   index bar charts
    README.md                what was written and the headline numbers

Everything is written into a hidden folder first, which then replaces DIR/analysis/ in one
rename: a failed analysis leaves the previous one as it was.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from grassroots.analysis.comparisons import headline_lines, package_comparisons
from grassroots.analysis.load import DIMENSIONS, AnalysisError, SweepData, load_sweep
from grassroots.analysis.plots import (curves_plot, effects_plot, groups_label, morris_plot,
                                       sobol_plot)
from grassroots.analysis.sensitivity import morris_table, sobol_tables
from grassroots.analysis.statistics import replicate_summary, timeseries_summary
from grassroots.core.io import suggest, temporary_name


@dataclass
class AnalysisReport:
    folder: Path
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def analyze(folder: str | Path, outcomes: list[str] | None = None) -> AnalysisReport:
    """Write the tables and plots of the sweep in `folder` into folder/analysis/."""
    data = load_sweep(folder)
    outcomes = _check_outcomes(data, list(outcomes or data.outcomes))
    target = data.folder / "analysis"
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-analysis-", dir=data.folder))
    report = AnalysisReport(target)
    try:
        _analyze_into(data, outcomes, tmp, report)
        old = None
        if target.exists():
            old = temporary_name(target)
            os.replace(target, old)
        os.replace(tmp, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report.files = [str(target / f) for f in report.files]
    return report


def _check_outcomes(data: SweepData, outcomes: list[str]) -> list[str]:
    known = data.metric_columns
    for o in outcomes:
        if o not in data.runs.columns:
            close = suggest(o, known)
            hint = f" (did you mean {close}?)" if close else ""
            raise AnalysisError(f"--outcome: unknown metric {o!r}{hint}; the runs table has "
                                f"{len(known)} metrics, e.g. {', '.join(known[:3])}")
        if o not in known:
            raise AnalysisError(f"--outcome: {o!r} is not numeric")
    return outcomes


def _analyze_into(data: SweepData, outcomes: list[str], out: Path,
                  report: AnalysisReport) -> None:
    import matplotlib

    matplotlib.use("Agg")
    runs = data.runs
    keys = ["point", "scenario", "policy", *data.varied]
    summary = replicate_summary(runs, keys, outcomes)
    _write_csv(summary, "summary.csv", out, report)
    n_failed = int((runs["status"] != "ok").sum())
    if n_failed:
        report.notes.append(f"{n_failed} of {len(runs)} runs failed; they are left out of "
                            f"every statistic (see runs.parquet, columns status and error)")

    if not data.has_timeseries:
        report.notes.append("no time series were kept (outputs.timeseries = \"none\"): no "
                            "curves")
    series = data.kept_series(DIMENSIONS)
    if series:
        ts = data.read_timeseries(series)
        tsum = timeseries_summary(ts, data.ok_runs, keys, series)
        tsum.to_parquet(out / "timeseries_summary.parquet", index=False)
        report.files.append("timeseries_summary.parquet")
        curves_plot(data, ts, series, out / "curves.png")
        report.files.append("curves.png")
        del ts

    if data.varied:
        effects_plot(data, summary, outcomes, out / "effects.png")
        report.files.append("effects.png")

    _write_csv(package_comparisons(data, report.notes), "comparisons.csv", out, report)

    method = data.method
    if method == "sobol":
        table, s2 = sobol_tables(data, outcomes, report.notes)
        _write_csv(table, "sobol_indices.csv", out, report)
        _write_csv(s2, "sobol_s2.csv", out, report)
        _plot_per_outcome(table, "sobol", sobol_plot, out, report)
    elif method == "morris":
        table = morris_table(data, outcomes, report.notes)
        _write_csv(table, "morris_indices.csv", out, report)
        _plot_per_outcome(table, "morris", morris_plot, out, report)
    else:
        report.notes.append(f"the {method} design gives no Sobol or Morris indices (use "
                            f"sampler.method = \"sobol\" or \"morris\")")
    _readme(data, outcomes, out, report)


def _write_csv(table: pd.DataFrame | None, name: str, out: Path,
               report: AnalysisReport) -> None:
    if table is not None:
        table.to_csv(out / name, index=False)
        report.files.append(name)


def _plot_per_outcome(table: pd.DataFrame | None, kind: str, plot: Callable, out: Path,
                      report: AnalysisReport) -> None:
    """One <kind>_<outcome>.png per outcome of an indices table."""
    if table is None:
        return
    for outcome, grp in table.groupby("outcome", sort=False):
        name = f"{kind}_{_slug(outcome)}.png"
        plot(grp, outcome, out / name)
        report.files.append(name)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_")


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
    for table, key in (("sobol_indices.csv", "ST"), ("morris_indices.csv", "mu_star")):
        if (out / table).is_file():
            t = pd.read_csv(out / table)
            lines += ["", f"## Most influential parameter per outcome ({table})", ""]
            for (outcome, scenario, policy), g in t.groupby(["outcome", "scenario", "policy"],
                                                            sort=False):
                top = g.sort_values(key, ascending=False).iloc[0]
                lines.append(f"- {outcome} ({groups_label(scenario, policy)}): "
                             f"{top['parameter']} ({key} = {top[key]:.3f})")
    if (out / "comparisons.csv").is_file():
        lines += ["", "## Packages against the reference, paired by seed (comparisons.csv)", ""]
        lines += headline_lines(pd.read_csv(out / "comparisons.csv"))
    if report.notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in report.notes]
    (out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report.files.append("README.md")
