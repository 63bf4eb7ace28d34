"""What is observed each day: the three dimensions of resilience and the counts.

Resilience is the stability of a community's **structure** (who is connected, which
organisations work), **function** (residents' needs met) and **relationships** (ties and
trust) under pressure (the governance framework). Each is measured relative to its pre-shock
level:

    structure    = ½ (giant component of working ties / before) + ½ (mean working capacity
                   of departments, enterprises and volunteer teams / before)
    function     = mean resident function / before (function: mean share of four needs met,
                   with the reserves used today bridging reserve_buffer of health and services)
    relationship = ½ (total tie strength / before) + ½ (mean trust / before)
    combined     = (structure + function + relationship) / 3

`observe` is a pure function of the model's state: it reads and writes nothing else. Besides
the curves it counts people: residents in need (all, vulnerable), residents with each need
unmet, displaced residents and residents ever displaced, from which measures/outcomes.py
computes the planner outcomes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grassroots.community.state import effective_gap, function_of, unmet_of
from grassroots.core.vocabulary import CHANNELS, NEEDS

#: Per-step observables, in the column order of the time-series table.
OBSERVABLES = (
    "structure", "function", "relationship", "combined",
    "residents_in_need", "unmet_needs", "displaced", "infectious", "ties_working", "ties_lost",
    "giant_component", "bonding_ties", "bridging_ties", "linking_ties",
    "organisations_working", "trust", "resources_used",
    *(f"help_{c}" for c in CHANNELS),
    # counts in people for the planner outcomes (measures/outcomes.py)
    "vulnerable_in_need", *(f"unmet_{k}" for k in NEEDS), "ever_displaced",
)


def organisation_capacities(department_capacity: np.ndarray, enterprise_capacity: np.ndarray,
                            team_active: np.ndarray, team_enrolled: np.ndarray) -> np.ndarray:
    """Working capacity, 0-1, of every organisation: departments, enterprises, and each
    volunteer team with enrolled volunteers (active / enrolled)."""
    has = team_enrolled > 0
    teams = team_active[has] / team_enrolled[has]
    return np.concatenate([department_capacity, enterprise_capacity, teams])


def _organisations(state: Any) -> np.ndarray:
    return organisation_capacities(state.department_capacity, state.enterprise_capacity,
                                   state.team_active, state.team_enrolled)


def resident_function(state: Any) -> np.ndarray:
    """Each resident's function today, 0-1 (gaps as felt, reserves bridging)."""
    pop = state.residents
    return function_of(effective_gap(pop.gap, pop.buffered, state.p["reserve_buffer"]))


def raw_levels(state: Any, orgs: np.ndarray | None = None) -> dict[str, float]:
    """The un-normalised levels whose ratio to the pre-shock value makes the curves.

    `state` is the model (GrassrootsModel): it reads residents, ties, department_capacity,
    enterprise_capacity, team_active, team_enrolled and p; `orgs` are the organisations'
    capacities when the caller has them already (`organisation_capacities`).
    """
    pop = state.residents
    if orgs is None:
        orgs = _organisations(state)
    return {
        "giant": state.ties.giant_component_share(),
        "organisations": float(orgs.mean()),
        "function": float(resident_function(state).mean()),
        "strength": state.ties.total_strength(),
        "trust": float((pop.trust_neighbours.mean() + pop.trust_institutions.mean()) / 2),
    }


def observe(state: Any, reference: dict[str, float]) -> dict[str, float]:
    """Today's observables (OBSERVABLES), from the model's state and the pre-shock levels
    `reference` (raw_levels before any shock). Reads, besides raw_levels' inputs: infectious,
    resources_used and help_today (units by channel)."""
    orgs = _organisations(state)
    raw = raw_levels(state, orgs)
    rel = {k: (raw[k] / reference[k] if reference[k] > 0 else 1.0) for k in raw}
    structure = 0.5 * (rel["giant"] + rel["organisations"])
    relationship = 0.5 * (rel["strength"] + rel["trust"])
    function = rel["function"]
    pop, t = state.residents, state.ties
    working = t.working_counts()
    unmet = unmet_of(pop.gap, state.p["need_threshold"])
    in_need = unmet.any(axis=0)
    return {
        "structure": structure,
        "function": function,
        "relationship": relationship,
        "combined": (structure + function + relationship) / 3.0,
        "residents_in_need": int(in_need.sum()),
        "unmet_needs": int(unmet.sum()),
        "displaced": int(pop.displaced.sum()),
        "infectious": state.infectious,
        "ties_working": t.working_count(),
        "ties_lost": t.base_working_count() - t.working_count(),
        "giant_component": raw["giant"],
        "bonding_ties": working["household"] + working["neighbour"],
        "bridging_ties": working["bridging"],
        "linking_ties": working["linking"] + int((pop.org >= 0).sum()),
        "organisations_working": int((orgs >= 0.5).sum()),
        "trust": raw["trust"],
        "resources_used": state.resources_used,
        **{f"help_{c}": float(h) for c, h in zip(CHANNELS, state.help_today)},
        "vulnerable_in_need": int((in_need & pop.vulnerable).sum()),
        **{f"unmet_{k}": int(unmet[i].sum()) for i, k in enumerate(NEEDS)},
        "ever_displaced": int(pop.ever_displaced.sum()),
    }
