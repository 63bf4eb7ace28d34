"""The one entry point: run a model from parameters and a seed, return curves and metrics.

The CLI, sweeps, notebooks and the dashboard all call `run` (or build a `GrassrootsModel` the
same way through `make_model`), so the same inputs give the same results on every surface.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .metrics import curve_metrics
from .model import CHANNELS, GrassrootsModel
from .params import by_group

DIMENSIONS = ("structure", "function", "relationship", "combined")


@dataclass
class RunResult:
    """What one run returns: the daily table, the summary and the model itself."""

    timeseries: pd.DataFrame  # one row per day 0..days, columns model.OBSERVABLES
    summary: dict
    model: GrassrootsModel


def make_model(params: dict | None = None, seed: int = 0, scenario: Any = "flood",
               policy: str = "baseline", network: Any = None) -> GrassrootsModel:
    """Build (without running) the model a `run` with these inputs would run."""
    return GrassrootsModel(rng=seed, scenario=scenario, policy=policy, network=network,
                           **(params or {}))


def run(params: dict | None = None, seed: int = 0, scenario: Any = "flood",
        policy: str = "baseline", network: Any = None, indicators: bool = True) -> RunResult:
    """Run one model to its horizon.

    Args:
        params: parameter overrides (names from model/params.py); validated. They win over
            the policy's levers and the scenario's horizon.
        seed: the model's seed; every random draw derives from it.
        scenario: a shipped scenario name, a scenario TOML path, or `none`.
        policy: a shipped policy package name or a policy TOML path.
        network: a GraphML / edge-list path (or networkx graph) replacing the synthetic
            community.
        indicators: also run the paired model with every prevention lever off (same seed)
            that the prevention indicator needs (doubles the run time).
    """
    model = make_model(params, seed, scenario, policy, network)
    model.run_for(model.p["days"])
    summary = summarise(model, seed, model.policy.name, network)
    if indicators and model.shock_scenario.shocks:
        twin = make_model(prevention_off(params), seed, scenario, policy, network)
        twin.run_for(twin.p["days"])
        summary["capacities"]["prevention"] = prevention_indicator(summary,
                                                                   summarise(twin, seed, ""))
    return RunResult(timeseries(model), summary, model)


def prevention_off(params: dict | None) -> dict:
    """`params` with every prevention lever switched off (the paired run's parameters)."""
    return {**(params or {}), **{p.name: p.off_value for p in by_group("prevention")}}


def prevention_indicator(actual: dict, without: dict) -> dict:
    """Damage avoided by prevention: the paired run (same seed, prevention levers off)
    minus this run."""
    f, f0 = actual["metrics"]["function"], without["metrics"]["function"]
    return {
        "damage_avoided": f0["loss_of_resilience"] - f["loss_of_resilience"],
        "peak_in_need_avoided": (without["peaks"]["residents_in_need"]
                                 - actual["peaks"]["residents_in_need"]),
        "compared_with": "the same run with every prevention lever off",
    }


def timeseries(model: GrassrootsModel) -> pd.DataFrame:
    df = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    df.insert(0, "day", range(len(df)))
    return df


def summarise(model: GrassrootsModel, seed: int, policy: str, network: Any = None) -> dict:
    """Every per-run metric, the seed and the resolved parameters (JSON-ready)."""
    df = timeseries(model)
    p = model.p
    windows = model.shock_scenario.windows()
    onset = windows[0][0] if windows else None
    metrics = {dim: curve_metrics(df[dim].to_numpy(), onset, p["recovery_epsilon"],
                                  p["control_window"]) for dim in DIMENSIONS}
    events = event_metrics(df, [w[0] for w in windows], p)
    return {
        "seed": seed,
        "scenario": model.shock_scenario.as_dict(),
        "policy": policy,
        "network": str(network) if isinstance(network, (str, Path)) else None,
        "residents": int(model.residents.n),
        "neighbourhoods": int(len(model.exposure)),
        "ties": int(len(model.ties.strength)),
        "parameters": dict(p),
        "metrics": metrics,
        "events": events,
        "peaks": {
            "residents_in_need": int(df["residents_in_need"].max()),
            "unmet_needs": int(df["unmet_needs"].max()),
            "displaced": int(df["displaced"].max()),
            "infectious": int(df["infectious"].max()),
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
        "capacities": capacity_indicators(model, metrics, events),
        "resources_used": float(model.resources_used),
        "warnings_issued": sum(bool(s.warned) for s in model.shock_scenario.shocks),
        "community_reserve_left": float(model.committee.reserve),
    }


def event_metrics(df: pd.DataFrame, onsets: list[int], p: dict) -> list[dict]:
    """Metrics of each shock event separately: event k's curve runs from its onset to the
    day before the next onset (or the horizon), measured against the pre-shock level q[0].
    Shocks with the same onset form one event."""
    onsets = sorted(set(onsets))
    out = []
    for k, onset in enumerate(onsets):
        end = onsets[k + 1] if k + 1 < len(onsets) else len(df)
        event = {"onset": onset, "end": end - 1}
        for dim in DIMENSIONS:
            q = df[dim].to_numpy()
            curve = np.concatenate([q[:1], q[onset:end]])
            event[dim] = curve_metrics(curve, 1, p["recovery_epsilon"], p["control_window"])
        out.append(event)
    return out


def capacity_indicators(model: GrassrootsModel, metrics: dict, events: list[dict]) -> dict:
    """One indicator set per capacity, so each can be read separately (prevention is added
    by `run` from its paired run)."""
    pop = model.residents
    combined = metrics["combined"]
    totals = model.help_totals
    shares = (totals / totals.sum()) if totals.sum() > 0 else np.zeros(len(totals))
    ttr = combined["time_to_recovery"]
    ever = int(pop.ever_in_need.sum())
    learning = {"events": len(events), "plan_quality_final": model.committee.plan_quality,
                "plan_quality_at_onsets": list(model.plan_quality_at_onsets)}
    if len(events) >= 2:
        first = events[0]["combined"]["loss_of_resilience"]
        last = events[-1]["combined"]["loss_of_resilience"]
        learning.update(loss_first_event=first, loss_last_event=last,
                        loss_change=last - first,
                        relative_change=(last - first) / first if first > 0 else 0.0)
    return {
        "prevention": None,
        "resistance": {"depth": combined["depth"], "robustness": combined["robustness"],
                       "function_depth": metrics["function"]["depth"]},
        "adaptability": {"days_to_first_response": model.first_response,
                         "days_to_half_needs_known": model.half_known,
                         "plan_adjustments": model.committee.adjustments},
        "recovery": {
            "time_to_recovery": ttr,
            "rapidity": (combined["depth"] / ttr) if ttr else None,
            "help_by_channel": {c: float(s) for c, s in zip(CHANNELS, shares)},
            "help_units": {c: float(t) for c, t in zip(CHANNELS, totals)},
            # share of the resident-days in need on which help of at least REACH_UNITS arrived
            "share_reached": (model.reached_days / model.need_days) if model.need_days else None,
            "share_reached_any": ((model.aided_days / model.need_days) if model.need_days
                                  else None),
            "residents_ever_in_need": ever,
        },
        "learning": learning,
    }
