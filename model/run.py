"""The one entry point: run a model from parameters and a seed, return curves and metrics.

`Run` builds the model a set of inputs describes — and, when the scenario has shocks and the
indicators are asked for, its prevention-off twin on the same seed — and steps them together.
`run()` steps a `Run` to the horizon; the dashboard steps one a day at a time; sweeps and
notebooks call `run()`. The summary is computed from a run record (measures/summary.py), never
from a live model, so the same inputs give the same results on every surface.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from grassroots.core.costs import Costs, load_costs, package_cost
from grassroots.core.params import by_group
from grassroots.measures.summary import RunRecord, prevention_indicator, summarise
from grassroots.model.model import GrassrootsModel

__all__ = ["Run", "RunRecord", "RunResult", "make_model", "prevention_off", "record", "run",
           "timeseries"]


@dataclass
class RunResult:
    """What one run returns: the daily table, the summary and the model itself."""

    timeseries: pd.DataFrame  # one row per day 0..days, columns measures.dimensions.OBSERVABLES
    summary: dict
    model: GrassrootsModel


def make_model(params: dict | None = None, seed: int = 0, scenario: Any = "flood",
               policy: str = "baseline", network: Any = None) -> GrassrootsModel:
    """Build (without running) the model a `run` with these inputs would run."""
    return GrassrootsModel(rng=seed, scenario=scenario, policy=policy, network=network,
                           **(params or {}))


def prevention_off(params: dict | None) -> dict:
    """`params` with every prevention lever switched off (the paired run's parameters)."""
    return {**(params or {}), **{p.name: p.off_value for p in by_group("prevention")}}


def timeseries(model: GrassrootsModel) -> pd.DataFrame:
    """The model's daily table so far: `day` and every observable."""
    df = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    df.insert(0, "day", range(len(df)))
    return df


def record(model: GrassrootsModel, seed: int, policy: str, network: Any = None,
           costs: Costs | None = None) -> RunRecord:
    """The run record of a model so far: its table and the counters the summary reads
    (with the cost of its levers when `costs` is given)."""
    scenario = model.shock_scenario
    return RunRecord(timeseries(model), {
        "costs": (None if costs is None else
                  package_cost(model.p, costs, residents=int(model.residents.n))),
        "seed": seed,
        "scenario": scenario.as_dict(),
        "policy": policy,
        "network": str(network) if isinstance(network, (str, Path)) else None,
        "windows": scenario.windows(),
        "residents": int(model.residents.n),
        "neighbourhoods": int(len(model.exposure)),
        "ties": int(len(model.ties.strength)),
        "parameters": dict(model.p),
        "resources_used": float(model.resources_used),
        "warnings_issued": sum(bool(s.warned) for s in scenario.shocks),
        "community_reserve_left": float(model.committee.reserve),
        "help_totals": model.help_totals.copy(),
        "need_days": model.need_days,
        "reached_days": model.reached_days,
        "aided_days": model.aided_days,
        "first_response": model.first_response,
        "half_known": model.half_known,
        "plan_adjustments": model.committee.adjustments,
        "plan_quality": model.committee.plan_quality,
        "plan_quality_at_onsets": list(model.plan_quality_at_onsets),
        "residents_ever_in_need": int(model.residents.ever_in_need.sum()),
    })


class Run:
    """A run in progress: the model and, for the prevention indicator, its twin with every
    prevention lever off (same seed), stepped together.

    Args are those of `run`. `step(days)` advances both, never past the horizon;
    `summary()` and `result()` describe the run so far.
    """

    def __init__(self, params: dict | None = None, seed: int = 0, scenario: Any = "flood",
                 policy: str = "baseline", network: Any = None, indicators: bool = True,
                 label: str | None = None, costs: Costs | str | Path | None = None):
        self.seed, self.network = seed, network
        self.costs = costs if isinstance(costs, Costs) else load_costs(costs)
        self.model = make_model(params, seed, scenario, policy, network)
        self.policy = self.model.policy.name
        self.label = label or self.policy
        self.twin = (make_model(prevention_off(params), seed, scenario, policy, network)
                     if indicators and self.model.shock_scenario.shocks else None)
        self.days = int(self.model.p["days"])

    @property
    def day(self) -> int:
        return int(self.model.time)

    @property
    def done(self) -> bool:
        return self.day >= self.days

    def step(self, days: int = 1) -> int:
        """Advance by up to `days` days (never past the horizon); returns the days stepped."""
        n = max(0, min(int(days), self.days - self.day))
        if n:
            self.model.run_for(n)
            if self.twin is not None:
                self.twin.run_for(n)
        return n

    def finish(self) -> Run:
        """Step to the horizon."""
        self.step(self.days - self.day)
        return self

    def record(self) -> RunRecord:
        return record(self.model, self.seed, self.policy, self.network, self.costs)

    def summary(self) -> dict:
        """The summary so far, with the prevention indicator when there is a twin."""
        summary = summarise(self.record())
        if self.twin is not None:
            without = summarise(record(self.twin, self.seed, ""))
            summary["capacities"]["prevention"] = prevention_indicator(summary, without)
        return summary

    def result(self) -> RunResult:
        return RunResult(timeseries(self.model), self.summary(), self.model)


def run(params: dict | None = None, seed: int = 0, scenario: Any = "flood",
        policy: str = "baseline", network: Any = None, indicators: bool = True,
        costs: Costs | str | Path | None = None) -> RunResult:
    """Run one model to its horizon.

    Args:
        params: parameter overrides (names from core/params.py); validated. They win over
            the policy's levers and the scenario's horizon.
        seed: the model's seed; every random draw derives from it.
        scenario: a shipped scenario name, a scenario TOML path, or `none`.
        policy: a shipped policy package name or a policy TOML path.
        network: a GraphML / edge-list path (or networkx graph) replacing the synthetic
            community.
        indicators: also run the paired model with every prevention lever off (same seed)
            that the prevention indicator needs (doubles the run time).
        costs: the unit costs of the levers (a Costs, or a cost TOML file; default: the
            shipped policies/costs.toml, core/costs.py); the summary's `costs` section.
    """
    return Run(params, seed, scenario, policy, network, indicators,
               costs=costs).finish().result()
