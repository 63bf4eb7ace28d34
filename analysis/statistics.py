"""Replicate statistics: the mean of each design point across its replicates, with the 95%
confidence interval of that mean (Student t; no interval from a single replicate)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

CONF_LEVEL = 0.95


def mean_interval(n: np.ndarray, mean: np.ndarray, sd: np.ndarray,
                  level: float = CONF_LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """Student-t interval of the mean; NaN where n < 2."""
    n = np.asarray(n, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf(0.5 + level / 2, np.where(n > 1, n - 1, np.nan)) * sd / np.sqrt(n)
    return mean - half, mean + half


def describe(grouped) -> pd.DataFrame:
    """Per group of a grouped series: n (values), mean, sd and the interval of the mean."""
    df = pd.DataFrame({"n": grouped.count(), "mean": grouped.mean(),
                       "sd": grouped.std(ddof=1)})
    df["ci_low"], df["ci_high"] = mean_interval(df["n"], df["mean"], df["sd"])
    return df


def replicate_summary(runs: pd.DataFrame, keys: list[str], outcomes: list[str]) -> pd.DataFrame:
    """Per group of `keys` (a design point) and outcome: runs (ok, with a value), failed
    runs, mean, sd and the 95% interval of the mean."""
    ok = runs[runs["status"] == "ok"]
    failed = runs.assign(_f=runs["status"] != "ok").groupby(keys, dropna=False)["_f"].sum()
    frames = []
    for outcome in outcomes:
        df = describe(ok.assign(_y=ok[outcome].astype(float)).groupby(keys, dropna=False)["_y"])
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
        out = describe(df.groupby([*keys, "day"], dropna=False)[col])
        out.insert(0, "series", col)
        frames.append(out.reset_index())
    return pd.concat(frames, ignore_index=True)
