"""Read a finished sweep folder: its manifest, runs table, design and kept time series.

A sweep folder is what `grassroots sweep` (grassroots.sweeps) writes: manifest.json,
runs.parquet (one row a run, a `status` column and the flattened metrics as dotted
columns), design.parquet (the sampler's design) and, when the experiment keeps them,
timeseries.parquet (run_id, day and one column a series). Only this module opens them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from grassroots.core.params import ParameterError

#: the four resilience curves a sweep can keep as time series
DIMENSIONS = ("structure", "function", "relationship", "combined")


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
    def ok_runs(self) -> pd.DataFrame:
        """The runs that finished (status "ok"); failed runs enter no statistic."""
        return self.runs[self.runs["status"] == "ok"]

    @property
    def metric_columns(self) -> list[str]:
        """Numeric per-run metrics (the dotted columns)."""
        return [c for c in self.runs.columns if "." in c
                and (pd.api.types.is_numeric_dtype(self.runs[c])
                     or pd.api.types.is_bool_dtype(self.runs[c]))]

    @property
    def timeseries_path(self) -> Path:
        return self.folder / "timeseries.parquet"

    @property
    def has_timeseries(self) -> bool:
        return self.timeseries_path.is_file()

    def kept_series(self, wanted: Iterable[str]) -> list[str]:
        """Those of `wanted` that the sweep kept as time series, in the order asked."""
        if not self.has_timeseries:
            return []
        names = pq.read_schema(self.timeseries_path).names
        return [c for c in wanted if c in names]

    def read_timeseries(self, series: list[str]) -> pd.DataFrame:
        """The kept time series: columns run_id, day and `series`."""
        return pq.read_table(self.timeseries_path,
                             columns=["run_id", "day", *series]).to_pandas()


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
