"""Export a sweep for the EMA Workbench.

`export_ema(DIR)` writes the sweep in EMA Workbench's `save_results` format (a tar.gz with
experiments.csv, one file per outcome and metadata.json) so that
`ema_workbench.load_results` reads it and PRIM and feature scoring run on it.
"""

from __future__ import annotations

import io
import json
import re
import tarfile
from pathlib import Path

import numpy as np
import pandas as pd

from grassroots.analysis.load import DIMENSIONS, AnalysisError, load_sweep
from grassroots.core.io import atomic_write


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
    ok = data.ok_runs.sort_values("run_id")
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
    have = data.kept_series(series)
    if have:
        ts = data.read_timeseries(have)
        ts = ts[ts["run_id"].isin(ok["run_id"])]
        for col in have:
            wide = ts.pivot(index="run_id", columns="day", values=col)
            wide = wide.reindex(ok["run_id"].to_numpy())
            if col in outcomes:
                raise AnalysisError(f"EMA export: series {col!r} clashes with a metric")
            outcomes[col] = ("ArrayOutcome", wide.to_numpy(float))

    target = Path(out) if out is not None else data.folder / "ema_results.tar.gz"
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, lambda f: _write_archive(f, experiments, outcomes, ok), "wb")
    return target


def _write_archive(f, experiments: pd.DataFrame, outcomes: dict[str, tuple[str, np.ndarray]],
                   ok: pd.DataFrame) -> None:
    with tarfile.open(fileobj=f, mode="w:gz") as z:
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


def _add(z: tarfile.TarFile, name: str, text: str) -> None:
    raw = text.encode("utf-8")
    info = tarfile.TarInfo(name)
    info.size = len(raw)
    z.addfile(info, io.BytesIO(raw))
