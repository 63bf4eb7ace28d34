"""The one entry point: run a model from parameters and a seed, return curves and metrics.

The CLI, sweeps, notebooks and the dashboard all call `run` (or build a `GrassrootsModel` the
same way through `make_model`), so the same inputs give the same results on every surface.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .metrics import curve_metrics
from .model import GrassrootsModel
from .params import resolve
from .policy import load_policy

DIMENSIONS = ("structure", "function", "relationship", "combined")


@dataclass
class RunResult:
    """What one run returns: the daily table, the summary and the model itself."""

    timeseries: pd.DataFrame  # one row per day 0..days, columns model.OBSERVABLES
    summary: dict
    model: GrassrootsModel


def resolve_run(params: dict | None = None, policy: str = "baseline") -> tuple[dict, Any]:
    """Parameters as a run uses them: defaults < policy levers < explicit `params`."""
    pol = load_policy(policy)
    return resolve(pol.levers, params), pol


def make_model(params: dict | None = None, seed: int = 0, scenario: Any = "flood",
               policy: str = "baseline", network: Any = None) -> GrassrootsModel:
    """Build (without running) the model a `run` with these inputs would run."""
    p, _ = resolve_run(params, policy)
    return GrassrootsModel(rng=seed, scenario=scenario, network=network, **p)


def run(params: dict | None = None, seed: int = 0, scenario: Any = "flood",
        policy: str = "baseline", network: Any = None) -> RunResult:
    """Run one model to its horizon.

    Args:
        params: parameter overrides (names from model/params.py); validated.
        seed: the model's seed; every random draw derives from it.
        scenario: a shipped scenario name, a scenario TOML path, or `none`.
        policy: a shipped policy package name or a policy TOML path.
        network: a GraphML / edge-list path (or networkx graph) replacing the synthetic
            community.
    """
    p, pol = resolve_run(params, policy)
    model = GrassrootsModel(rng=seed, scenario=scenario, network=network, **p)
    model.run_for(p["days"])
    return RunResult(timeseries(model), summarise(model, seed, pol.name, network), model)


def timeseries(model: GrassrootsModel) -> pd.DataFrame:
    df = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    df.insert(0, "day", range(len(df)))
    return df


def summarise(model: GrassrootsModel, seed: int, policy: str, network: Any = None) -> dict:
    """Every per-run metric, the seed and the resolved parameters (JSON-ready)."""
    df = timeseries(model)
    p = model.p
    windows = model.scenario.windows()
    onset = windows[0][0] if windows else None
    metrics = {dim: curve_metrics(df[dim].to_numpy(), onset, p["recovery_epsilon"],
                                  p["control_window"]) for dim in DIMENSIONS}
    return {
        "seed": seed,
        "scenario": model.scenario.as_dict(),
        "policy": policy,
        "network": str(network) if isinstance(network, (str, Path)) else None,
        "residents": int(model.residents.n),
        "neighbourhoods": int(len(model.exposure)),
        "ties": int(len(model.ties.strength)),
        "parameters": dict(p),
        "metrics": metrics,
        "peaks": {
            "residents_in_need": int(df["residents_in_need"].max()),
            "unmet_needs": int(df["unmet_needs"].max()),
            "displaced": int(df["displaced"].max()),
            "ties_lost": int(df["ties_lost"].max()),
        },
        "final": {
            "giant_component": float(df["giant_component"].iloc[-1]),
            "trust": float(df["trust"].iloc[-1]),
            "ties_working": int(df["ties_working"].iloc[-1]),
            "bonding_ties": int(df["bonding_ties"].iloc[-1]),
            "bridging_ties": int(df["bridging_ties"].iloc[-1]),
            "linking_ties": int(df["linking_ties"].iloc[-1]),
        },
        "resources_used": float(model.resources_used),
        "warnings_issued": sum(bool(s.warned) for s in model.scenario.shocks),
        "community_reserve_left": float(model.committee.reserve),
    }
