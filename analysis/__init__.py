"""Analyse a finished sweep: replicate summaries, sensitivity indices, plots, EMA export.

    from grassroots.analysis import analyze, export_ema
    analyze("results/sweeps/smoke")      # tables, plots and a README in .../smoke/analysis/
    export_ema("results/sweeps/smoke")   # .../smoke/ema_results.tar.gz for the EMA Workbench

The modules, in the order they build on each other:

    load         read a sweep folder (SweepData, load_sweep, AnalysisError)
    statistics   replicate means and their 95% intervals
    sensitivity  Sobol' and Morris indices through SALib
    plots        curves, effects and index charts of a sweep
    report       `analyze`: every table and plot, and the README, into DIR/analysis/
    ema          `export_ema`: the EMA Workbench results archive
    figures      the one-run resilience figure of `grassroots run` (separate and light)

The names below are imported from their modules on first use, so that
`import grassroots.analysis.figures` (the CLI's `run`, the dashboard) loads none of the
sweep-analysis modules.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_HOME = {
    "AnalysisError": "load", "SweepData": "load", "load_sweep": "load",
    "replicate_summary": "statistics", "timeseries_summary": "statistics",
    "morris_indices": "sensitivity", "sobol_indices": "sensitivity",
    "AnalysisReport": "report", "analyze": "report",
    "ema_name": "ema", "export_ema": "ema",
}
__all__ = sorted(_HOME)

if TYPE_CHECKING:
    from grassroots.analysis.ema import ema_name, export_ema
    from grassroots.analysis.load import AnalysisError, SweepData, load_sweep
    from grassroots.analysis.report import AnalysisReport, analyze
    from grassroots.analysis.sensitivity import morris_indices, sobol_indices
    from grassroots.analysis.statistics import replicate_summary, timeseries_summary


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
