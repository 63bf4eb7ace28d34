"""The runs the Katrina patterns share: the catastrophic flood, and what they read of it.

The patterns `return`, `businesses` and `unequal` measure different numbers of one set of
runs of the shipped `catastrophic_flood` scenario (baseline policy): the seeds of the
pattern `return` (their `Pattern.seeds_from`), each run to its horizon, collected by
`housing_state` — its daily table and, per resident at the horizon, what the time to
permanent housing needs. `run_models` caches them, so a suite run makes them once.

Calendar: the model's onset day is 29 August 2005 (Katrina's landfall); a date's day is the
onset day plus the days between them (`day_of`), computed with datetime.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from grassroots.validation.patterns import ModelRun, PatternError, Settings, run_models

SCENARIO = "catastrophic_flood"
#: the pattern whose seeds the shared runs use
SEEDS_FROM = "return"
LANDFALL = dt.date(2005, 8, 29)
#: per-resident arrays `housing_state` keeps (community.state.Population)
RESIDENT_FIELDS = ("low_resource", "renter", "first_displaced", "home_again_day", "alive", "left",
                   "present", "displaced")


def onset_day(scenario: str) -> int:
    """The onset day of a shipped scenario's first shock."""
    from grassroots.scenarios import load_scenario

    return int(load_scenario(scenario).shocks[0].onset)


def day_of(date: dt.date, onset: int) -> int:
    """The model day of a calendar date, the onset being Katrina's landfall."""
    return onset + (date - LANDFALL).days


def housing_state(job: ModelRun) -> tuple[pd.DataFrame, dict[str, np.ndarray], int]:
    """One run to its horizon: (daily table, per-resident arrays RESIDENT_FIELDS at the
    horizon and `enterprises` (their number, one element), the horizon day). Module-level,
    for the process pool."""
    result = job.result()
    pop = result.model.residents
    missing = [f for f in RESIDENT_FIELDS if not hasattr(pop, f)]
    if missing:
        raise PatternError(f"the model's residents have no {', '.join(missing)}")
    arrays = {f: np.asarray(getattr(pop, f)).copy() for f in RESIDENT_FIELDS}
    arrays["enterprises"] = np.array([len(result.model.enterprise_capacity)])
    return result.timeseries, arrays, int(result.model.p["days"])


def runs(settings: Settings, scenario: str = SCENARIO, params: dict | None = None) -> list:
    """The runs of `scenario` (baseline policy, the seeds of SEEDS_FROM, `params` over the
    settings' community size) collected by `housing_state`: (table, arrays, horizon)."""
    return run_models(settings, SEEDS_FROM, scenario, params, collect=housing_state)


def column(tables: list[pd.DataFrame], name: str) -> np.ndarray:
    """A column of every run's daily table, as an array (runs x days)."""
    if name not in tables[0].columns:
        raise PatternError(f"the model's time series has no column {name}")
    days = min(len(t) for t in tables)
    return np.stack([t[name].to_numpy(float)[:days] for t in tables])


def band(ax, values: np.ndarray, x: np.ndarray, colour: str, label: str, ls: str = "-",
         lw: float = 1.8) -> None:
    """The mean over runs as a line and the runs' 10-90% range as a band."""
    mean = values.mean(axis=0)
    if len(values) > 1:
        low, high = np.percentile(values, [10, 90], axis=0)
        ax.fill_between(x, low, high, color=colour, alpha=0.18, lw=0)
    ax.plot(x, mean, color=colour, ls=ls, lw=lw, label=label)
