"""The sweep folder: its files, the batches (parts) streamed into it and their consolidation.

Layout of a sweep folder (DIR):

    manifest.json          resolved experiment, master seed, design, package versions, git
                           commit, start/end of every session, status, counts
    design.parquet         the sampler's rows (what Morris analysis needs as X)
    runs/part-NNNNNN.parquet        finished runs, one file per flush (a batch of runs)
    timeseries/part-NNNNNN.parquet  their kept time series, same batch number
    runs.parquet           consolidated: one row per run, sorted by run_id
    timeseries.parquet     consolidated: one row per run and kept day, sorted by (run_id, day)

Every file is written under a hidden temporary name (`.tmp-...`) and renamed into place
(atomic on POSIX; grassroots.core.io.atomic_write), so a reader never sees a partial file
under a final name. A batch's time-series part is renamed before its runs part: the runs
part commits the batch, and a time-series part without its runs part is an orphan that the
next session deletes. runs.parquet and timeseries.parquet exist only once every run of the
experiment is recorded (ok or failed); then the part files are removed. While runs go on,
the driver holds at most one unwritten batch, so its memory does not grow with the sweep;
consolidation holds the runs table (one row per run) and CONSOLIDATE_CHUNK runs' time
series at a time. A killed sweep keeps every flushed batch; it loses the runs in flight and
the finished runs not yet flushed — at most `flush_every` runs or FLUSH_SECONDS of work
(grassroots.sweeps.runner). `--resume` runs only the run ids not yet recorded.

The columns of runs.parquet and timeseries.parquet: grassroots.sweeps.rows.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from grassroots.core.io import atomic_write, atomic_write_text
from grassroots.sweeps.experiment import Experiment
from grassroots.sweeps.rows import column_order, rows_to_table

#: runs per chunk when timeseries.parquet is consolidated (bounds the driver's memory) ...
CONSOLIDATE_CHUNK = 256
#: ... unless all the time series together have at most this many rows
CONSOLIDATE_IN_MEMORY_ROWS = 250_000
#: how grassroots.core.io.temporary_name begins the names of files being written
TEMPORARY = ".tmp-*"


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write a Parquet file atomically."""
    atomic_write(path, lambda f: pq.write_table(table, f), "wb")


def design_table(exp: Experiment) -> pa.Table:
    """The sampler's rows: `sample` and each varied parameter, as the sampler drew it
    (before rounding integers) for lhs/sobol/morris, as run for factorial."""
    if exp.raw is not None:
        cols = {"sample": np.arange(exp.n_samples)}
        cols.update({name: exp.raw[:, j] for j, name in enumerate(exp.problem["names"])})
        return pa.table(cols)
    return rows_to_table([{"sample": k, **s} for k, s in enumerate(exp.samples)])


def _part_files(folder: Path) -> dict[int, Path]:
    """Batch number -> part file in `folder` (none if it does not exist)."""
    if not folder.is_dir():
        return {}
    return {int(p.stem.split("-")[1]): p for p in folder.glob("part-*.parquet")}


class SweepStore:
    """The files of one sweep folder."""

    def __init__(self, out: str | Path):
        self.out = Path(out)
        self.manifest_path = self.out / "manifest.json"
        self.runs_path = self.out / "runs.parquet"
        self.ts_path = self.out / "timeseries.parquet"
        self.design_path = self.out / "design.parquet"
        self.runs_dir = self.out / "runs"
        self.ts_dir = self.out / "timeseries"

    # reading
    def manifest(self) -> dict | None:
        if not self.manifest_path.is_file():
            return None
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))

    def parts(self) -> list[int]:
        """Committed batch numbers (a runs part exists), ascending."""
        return sorted(_part_files(self.runs_dir))

    def part(self, k: int) -> tuple[Path, Path]:
        return self.runs_dir / f"part-{k:06d}.parquet", self.ts_dir / f"part-{k:06d}.parquet"

    def sources(self) -> list[tuple[Path, Path | None]]:
        """Where recorded runs are, oldest first: the consolidated files, then the parts;
        a later record of a run id wins over an earlier one."""
        out = []
        if self.runs_path.is_file():
            out.append((self.runs_path, self.ts_path if self.ts_path.is_file() else None))
        for k in self.parts():
            r, t = self.part(k)
            out.append((r, t if t.is_file() else None))
        return out

    def recorded(self) -> dict[int, str]:
        """run_id -> status of every recorded run (the latest record wins)."""
        status: dict[int, str] = {}
        for runs, _ in self.sources():
            t = pq.ParquetFile(runs).read(columns=["run_id", "status"])
            status.update(zip(t["run_id"].to_pylist(), t["status"].to_pylist()))
        return status

    def clean(self) -> None:
        """Remove temporary files and time-series parts whose batch was never committed."""
        for d in (self.out, self.runs_dir, self.ts_dir):
            if d.is_dir():
                for p in d.glob(TEMPORARY):
                    with contextlib.suppress(OSError):
                        p.unlink() if p.is_file() else shutil.rmtree(p)
        committed = set(self.parts())
        for k, p in _part_files(self.ts_dir).items():
            if k not in committed:
                p.unlink()

    # writing
    def next_part(self) -> int:
        return max([0, *_part_files(self.runs_dir), *_part_files(self.ts_dir)]) + 1

    def write_batch(self, rows: list[dict], ts: list[pa.Table]) -> int:
        k = self.next_part()
        runs_file, ts_file = self.part(k)
        self.runs_dir.mkdir(exist_ok=True)
        if ts:
            self.ts_dir.mkdir(exist_ok=True)
            write_parquet(pa.concat_tables(ts, promote_options="permissive"), ts_file)
        write_parquet(rows_to_table(rows), runs_file)  # commits the batch
        return k

    def write_manifest(self, manifest: dict) -> None:
        atomic_write_text(json.dumps(manifest, indent=2, default=str) + "\n",
                          self.manifest_path)

    def write_design(self, exp: Experiment) -> None:
        """design.parquet, unless a previous session wrote it."""
        if not self.design_path.is_file():
            write_parquet(design_table(exp), self.design_path)

    def consolidate(self, param_columns: list[str]) -> dict[str, int]:
        """Write runs.parquet and timeseries.parquet from every recorded batch (latest record
        of a run wins), sorted by run id; the time series chunk by chunk, so memory stays
        bounded. Returns the counts of ok and failed runs."""
        sources = self.sources()
        tables, src = [], []
        for i, (runs, _) in enumerate(sources):
            t = pq.ParquetFile(runs).read()
            tables.append(t)
            src.append(np.full(t.num_rows, i, np.int64))
        table = pa.concat_tables(tables, promote_options="permissive")
        ids = table["run_id"].to_numpy()
        src_all = np.concatenate(src)
        # the last record of each run id wins
        keep = len(ids) - 1 - np.unique(ids[::-1], return_index=True)[1]  # sorted by run id
        table = table.take(pa.array(keep))
        winner_src = src_all[keep]
        for name in ("error", "traceback"):  # text columns even when no run failed
            col = table[name].cast(pa.string()) if name in table.column_names \
                else pa.nulls(table.num_rows, pa.string())
            if name in table.column_names:
                table = table.set_column(table.column_names.index(name), name, col)
            else:
                table = table.append_column(name, col)
        table = table.select(column_order(table.column_names, param_columns))

        ts_sources = [(i, t) for i, (_, t) in enumerate(sources) if t is not None]
        if ts_sources:
            # sources holding a record that lost to a later one must be read filtered
            partial = set(np.unique(src_all[np.setdiff1d(np.arange(len(ids)), keep)]))
            self._consolidate_timeseries(table["run_id"].to_numpy(), winner_src, sources,
                                         partial)
        write_parquet(table, self.runs_path)  # after the time series: see the docstring
        status = table["status"].to_pylist()
        return {"ok": status.count("ok"), "failed": status.count("failed")}

    def _consolidate_timeseries(self, run_ids: np.ndarray, winner_src: np.ndarray,
                                sources: list[tuple[Path, Path | None]],
                                partial: set) -> None:
        paths = [t for _, t in sources if t is not None]
        schema = pa.unify_schemas([pq.read_schema(t) for t in paths],
                                  promote_options="permissive")
        rows = sum(pq.read_metadata(t).num_rows for t in paths)
        size = len(run_ids) if rows <= CONSOLIDATE_IN_MEMORY_ROWS else CONSOLIDATE_CHUNK

        def write(f) -> None:
            with pq.ParquetWriter(f, schema) as writer:
                for start in range(0, len(run_ids), size):
                    ids = run_ids[start:start + size]
                    srcs = winner_src[start:start + size]
                    parts = []
                    for s in np.unique(srcs):
                        path = sources[s][1]
                        if path is None:
                            continue
                        if size >= len(run_ids) and s not in partial:
                            t = pq.ParquetFile(path).read()  # every run is wanted
                        else:
                            want = ids[srcs == s].tolist()
                            t = pq.read_table(path, filters=[("run_id", "in", want)])
                        parts.append(_conform(t, schema))
                    if not parts:
                        continue
                    chunk = pa.concat_tables(parts).sort_by([("run_id", "ascending"),
                                                             ("day", "ascending")])
                    writer.write_table(chunk)
                    del chunk, parts
                    pa.default_memory_pool().release_unused()

        atomic_write(self.ts_path, write, "wb")

    def remove_parts(self) -> None:
        for d in (self.runs_dir, self.ts_dir):
            shutil.rmtree(d, ignore_errors=True)


def _conform(t: pa.Table, schema: pa.Schema) -> pa.Table:
    """`t` with exactly the columns of `schema` (cast; nulls for a missing column)."""
    cols = [t[name].cast(fld.type) if name in t.column_names
            else pa.nulls(t.num_rows, fld.type) for name, fld in zip(schema.names, schema)]
    return pa.table(cols, schema=schema)
