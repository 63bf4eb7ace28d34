"""The run summary: every per-run metric, computed from a run record alone.

A `RunRecord` is what a run leaves behind — its daily table (OBSERVABLES per day) and the
counters the model kept (help by channel, resident-days in need and reached, first response,
the committee's plan and reserve, ...). `summarise(record)` turns it into the JSON-ready
summary that the CLI writes, sweeps tabulate and the dashboard shows; it reads no live
model, so every surface gets the same numbers from the same record. The summary leads with the
planner outcomes (measures/outcomes.py: people, days, units of help), then the curve metrics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from grassroots.core.vocabulary import CHANNELS
from grassroots.measures.metrics import curve_metrics
from grassroots.measures.outcomes import planner_outcomes

DIMENSIONS = ("structure", "function", "relationship", "combined")
#: The full quality every dimension curve is measured against (measures/dimensions.py).
FULL = 1.0


@dataclass
class RunRecord:
    """What one run (so far) leaves: the daily table and the run's counters.

    `counters` holds: seed, policy, network, scenario (as a dict), windows (onset, end of
    each shock), residents, neighbourhoods, ties, parameters, resources_used,
    warnings_issued, community_reserve_left, help_totals (units by channel, CHANNELS order),
    need_days, reached_days, aided_days, first_response, half_known, plan_adjustments,
    plan_quality, plan_quality_at_onsets, residents_ever_in_need.
    """

    timeseries: pd.DataFrame
    counters: dict[str, Any] = field(default_factory=dict)


def summarise(record: RunRecord) -> dict:
    """Every per-run metric, the seed and the resolved parameters (JSON-ready)."""
    df, c = record.timeseries, record.counters
    p = c["parameters"]
    windows = c["windows"]
    onset = windows[0][0] if windows else None
    metrics = {dim: curve_metrics(df[dim].to_numpy(), onset, p["recovery_epsilon"],
                                  p["control_window"], reference=FULL) for dim in DIMENSIONS}
    events = event_metrics(df, [w[0] for w in windows], p)
    return {
        "seed": c["seed"],
        "scenario": c["scenario"],
        "policy": c["policy"],
        "network": c["network"],
        "residents": c["residents"],
        "neighbourhoods": c["neighbourhoods"],
        "ties": c["ties"],
        "outcomes": planner_outcomes(df, c),
        "costs": c.get("costs"),
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
        "capacities": capacity_indicators(c, metrics, events),
        "resources_used": float(c["resources_used"]),
        "warnings_issued": c["warnings_issued"],
        "community_reserve_left": float(c["community_reserve_left"]),
    }


def event_metrics(df: pd.DataFrame, onsets: list[int], p: dict) -> list[dict]:
    """Metrics of each shock event separately: event k's curve runs from its onset to the
    day before the next onset (or the horizon), after the pre-shock level q[0], measured
    against full performance (FULL).
    Shocks with the same onset form one event."""
    onsets = sorted(set(onsets))
    out = []
    for k, onset in enumerate(onsets):
        end = onsets[k + 1] if k + 1 < len(onsets) else len(df)
        event = {"onset": onset, "end": end - 1}
        for dim in DIMENSIONS:
            q = df[dim].to_numpy()
            curve = np.concatenate([q[:1], q[onset:end]])
            event[dim] = curve_metrics(curve, 1, p["recovery_epsilon"], p["control_window"],
                                       reference=FULL)
        out.append(event)
    return out


def capacity_indicators(c: dict, metrics: dict, events: list[dict]) -> dict:
    """One indicator set per capacity, so each can be read separately (prevention comes
    from a paired run: `prevention_indicator`)."""
    combined = metrics["combined"]
    totals = np.asarray(c["help_totals"], float)
    shares = (totals / totals.sum()) if totals.sum() > 0 else np.zeros(len(totals))
    ttr = combined["time_to_recovery"]
    need_days = c["need_days"]
    learning = {"events": len(events), "plan_quality_final": c["plan_quality"],
                "plan_quality_at_onsets": list(c["plan_quality_at_onsets"])}
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
        "adaptability": {"days_to_first_response": c["first_response"],
                         "days_to_half_needs_known": c["half_known"],
                         "plan_adjustments": c["plan_adjustments"]},
        "recovery": {
            "time_to_recovery": ttr,
            "rapidity": (combined["depth"] / ttr) if ttr else None,
            "help_by_channel": {ch: float(s) for ch, s in zip(CHANNELS, shares)},
            "help_units": {ch: float(t) for ch, t in zip(CHANNELS, totals)},
            # share of the resident-days in need on which help of at least reach_units came
            "share_reached": (c["reached_days"] / need_days) if need_days else None,
            "share_reached_any": (c["aided_days"] / need_days) if need_days else None,
            "residents_ever_in_need": c["residents_ever_in_need"],
        },
        "learning": learning,
    }


def prevention_indicator(actual: dict, without: dict) -> dict:
    """Damage avoided by prevention: the paired run (same seed, prevention levers off)
    minus this run, from the two summaries."""
    f, f0 = actual["metrics"]["function"], without["metrics"]["function"]
    return {
        "damage_avoided": f0["loss_of_resilience"] - f["loss_of_resilience"],
        "peak_in_need_avoided": (without["peaks"]["residents_in_need"]
                                 - actual["peaks"]["residents_in_need"]),
        "compared_with": "the same run with every prevention lever off",
    }
