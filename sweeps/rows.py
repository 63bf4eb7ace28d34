"""One run of a sweep and the runs-table row it becomes.

`run_one` runs a RunSpec through grassroots.model.run.run, the one entry point, and never
raises for a failing run: a failure is a row with status "failed".

Runs table columns, in this order (`column_order`): HEAD (run_id, point, sample, replicate,
scenario, policy), the parameters the experiment sets, TAIL (seed, status "ok" or "failed",
error: type and first line of the exception, wall_time: seconds the run took on its worker),
every summary metric (`outcomes.*`, `costs.*`, `<dimension>.<metric>`, `peaks.*`, `final.*`,
`capacities.*`, `community.*`, `totals.*`; numbers as float64, missing as null, `flatten_summary`) and last
traceback (failed runs). Only wall_time depends on the executor; the rest is a function of
the experiment file and its master seed.

The kept time series of a run: run_id, day and the experiment's timeseries_columns, every
timeseries_every-th day.
"""

from __future__ import annotations

import time
import traceback as _traceback
from typing import Any

import numpy as np
import pyarrow as pa

from grassroots.sweeps.experiment import RunSpec

HEAD = ("run_id", "point", "sample", "replicate", "scenario", "policy")
TAIL = ("seed", "status", "error", "wall_time")


def run_one(spec: RunSpec) -> tuple[dict, pa.Table | None]:
    """Run one spec through the model's one entry point; never raises for a failing run.

    Returns the runs-table row and the kept time series (run_id, day, columns) or None.
    """
    from grassroots.model.run import run

    row: dict[str, Any] = {"run_id": spec.run_id, "point": spec.point, "sample": spec.sample,
                           "replicate": spec.replicate, "scenario": spec.scenario,
                           "policy": spec.policy, **spec.params, "seed": spec.seed}
    t0 = time.perf_counter()
    try:
        result = run(dict(spec.params), seed=spec.seed, scenario=spec.scenario,
                     policy=spec.policy, network=spec.network, indicators=spec.indicators)
        metrics = flatten_summary(result.summary)
        ts = None
        if spec.timeseries_every:
            df = result.timeseries
            df = df.loc[df["day"] % spec.timeseries_every == 0,
                        ["day", *spec.timeseries_columns]]
            ts = pa.Table.from_pandas(df, preserve_index=False)
            ts = ts.add_column(0, "run_id", pa.array(np.full(len(df), spec.run_id, np.int64)))
    except Exception as err:  # the run failed: record it, the sweep goes on
        row.update(status="failed", error=error_line(err),
                   wall_time=time.perf_counter() - t0, traceback=_traceback.format_exc())
        return row, None
    row.update(status="ok", error=None, wall_time=time.perf_counter() - t0)
    row.update(metrics)
    return row, ts


def error_line(err: BaseException) -> str:
    """`Type: first line of the message`."""
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0]}" if text else type(err).__name__


def flatten_summary(summary: dict) -> dict[str, Any]:
    """The run summary as flat columns: numbers as float, flags as bool, labels as text,
    None kept (a null); lists, the parameters, the scenario description and fixed texts are
    left out (the parameters are columns already)."""
    out: dict[str, Any] = {}

    def put(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                put(f"{prefix}.{k}" if prefix else k, v)
        elif isinstance(value, bool) or value is None or isinstance(value, str):
            out[prefix] = value
        elif isinstance(value, (int, float, np.integer, np.floating)):
            out[prefix] = float(value)
        # lists (onset-wise plan quality, events) are not columns

    put("outcomes", summary["outcomes"])
    if summary.get("costs"):
        put("costs", {k: summary["costs"][k] for k in ("one_off", "recurring_per_year",
                                                       "total_over_horizon",
                                                       "per_resident_year")})
    put("", summary["metrics"])
    for section in ("peaks", "final"):
        put(section, summary[section])
    caps = dict(summary["capacities"])
    if caps.get("prevention") is None:
        caps.pop("prevention", None)
    else:
        caps["prevention"] = {k: v for k, v in caps["prevention"].items()
                              if k != "compared_with"}
    put("capacities", caps)
    put("community", {k: summary[k] for k in ("residents", "neighbourhoods", "ties")})
    out["events.count"] = float(len(summary["events"]))
    put("totals", {k: summary[k] for k in ("resources_used", "warnings_issued",
                                           "community_reserve_left")})
    return out


def rows_to_table(rows: list[dict]) -> pa.Table:
    """A batch of runs-table rows as an Arrow table (columns: union of the rows' keys)."""
    keys: dict[str, None] = {}
    for r in rows:
        keys.update(dict.fromkeys(r))
    return pa.table({k: pa.array([r.get(k) for r in rows]) for k in keys})


def column_order(names: list[str], params: list[str]) -> list[str]:
    """The runs table's column order: HEAD, parameters, TAIL, metrics sorted, traceback."""
    head = [c for c in (*HEAD, *params, *TAIL) if c in names]
    rest = sorted(c for c in names if c not in head and c != "traceback")
    return head + rest + (["traceback"] if "traceback" in names else [])
