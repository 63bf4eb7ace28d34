"""What is observed each day: the three dimensions of resilience and the counts.

Resilience is the stability of a community's **structure** (who is connected, which
organisations work), **function** (residents' needs met) and **relationships** (ties and
trust) under pressure (the governance framework). Each dimension is a *quality* Q(t) in
[0, 1] in the sense of Bruneau et al. (2003) and Cimellaro et al. (2010): the performance of
the community as a share of full performance, where "full" is a fixed reference — not the
share of what this community happened to have before the shock that is still there. So a
community with fewer organisations or ties starts lower and has more to regain, instead of
scoring better because it had less to lose:

    structure    = ½ (share of residents in the giant component of working ties)
                   x min(1, working ties per resident / reference_working_ties)
                 + ½ min(1, service capacity per resident / reference_service_capacity)
                   service capacity: the help its departments (throughput at their working
                   capacity, with cooperation), active volunteers and party members at home
                   and able to help (alive, healthy, not trapped) can deliver in a day
                   (at a fitting plan)
    function     = mean function of the living residents (mean share of four needs met, as
                   felt: a household living on its supplies today covers reserve_buffer of
                   its services gap), those who left for good counted at the function they
                   left with (leaving does not meet a need: without them, a community whose
                   worst-off households gave up and left would look better for it)
    relationship = ½ min(1, (tie strength + memberships x membership_tie_strength) per
                   resident / reference_tie_strength)
                 + ½ min(1, mean trust / reference_trust)
    combined     = (structure + function + relationship) / 3

The reference community is the default synthetic community under the baseline package (its
mean over seeds 0-19 at 2,000 residents, measured by benchmarks/reference_community.py): its
levels are declared constants (core/params.py, group `run`). Why this definition, with its
sources: docs/ODD.md §4.11.

`observe` is a pure function of the model's state: it reads and writes nothing else. Besides
the curves it counts people: residents in need (all, vulnerable), residents with each need
unmet (with those who left for good with needs unmet), displaced residents and residents ever
displaced, deaths, the trapped, the injured and live rescues by rescuer, from which
measures/outcomes.py computes the planner outcomes.
"Per resident" is per resident before the shock: the dead take their ties and their capacity
with them, a loss the curves keep.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grassroots.agents.department import throughputs
from grassroots.agents.housing import STAGES, stages
from grassroots.agents.social_organisation import team_capacity
from grassroots.community.state import (
    effective_gap, function_of, helpers_at_home, unmet_of,
)
from grassroots.core.vocabulary import CHANNELS, HEALTH, NEEDS, RESCUERS

#: Per-step observables, in the column order of the time-series table.
OBSERVABLES = (
    "structure", "function", "relationship", "combined",
    "residents_in_need", "unmet_needs", "displaced", "infectious", "ties_working", "ties_lost",
    "giant_component", "bonding_ties", "bridging_ties", "linking_ties",
    "organisations_working", "trust", "resources_used",
    *(f"help_{c}" for c in CHANNELS),
    # counts in people for the planner outcomes (measures/outcomes.py)
    "vulnerable_in_need", *(f"unmet_{k}" for k in NEEDS), "ever_displaced",
    # life safety (agents/rescue.py): cumulative deaths and live rescues by rescuer, and
    # today's trapped and injured (health need unmet: injured or ill); the share of the
    # pre-shock population alive and living at home
    "deaths", "trapped", "injured", *(f"rescued_{r}" for r in RESCUERS), "at_home_share",
    # housing (agents/housing.py): the share of the pre-shock population who left for good,
    # and the displaced by housing stage
    "left_share", *(f"in_{s}" for s in STAGES),
    # enterprises (agents/enterprise.py): the share of the pre-shock enterprises open
    "businesses_open_share",
    # trust split three ways (agents/resident.py `update_trust`), means over the living
    "trust_neighbours", "trust_committee", "trust_government",
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


def service_capacity(state: Any) -> float:
    """Units of help the community's own organisations can deliver today (help a day, all
    residents): the departments' throughput at their working capacity with cooperation's
    gain (agents/department.py `throughputs`), the volunteer teams' capacity
    (agents/social_organisation.py `team_capacity`), both at a fitting plan, and
    vanguard_units from each party member able to help (agents/party_member.py). It is what
    the rules could hand out, not what they did: capacity, whether or not anyone needs it."""
    pop, p = state.residents, state.p
    # At a fitting plan (fit 1): the plan's mismatch in the first days of a response is not
    # the organisations' loss but the committee's (adaptability); it shows in the help
    # delivered and so in function, and a shock that does nothing leaves structure alone.
    _, departments = throughputs(pop.n, state.department_capacity, 1.0, p)
    teams = team_capacity(state.team_active, 1.0, p)
    members = int((pop.party & helpers_at_home(pop, p)).sum())
    return float(departments.sum() + teams.sum() + members * p["vanguard_units"])


def raw_levels(state: Any) -> dict[str, float]:
    """The levels the curves are made of, per resident where they scale with the community
    (see module doc): giant-component share (0-1), working ties per resident, service
    capacity per resident (help a day), mean function (0-1), tie strength per resident
    (memberships included) and mean trust (0-1).

    Per resident means per resident before the shock (n): residents who died take their
    ties, memberships and capacity with them, a loss the curves keep. Function and trust
    are means over the living.

    `state` is the model (GrassrootsModel): it reads residents, ties, department_capacity,
    team_active and p.
    """
    pop, p = state.residents, state.p
    living = pop.present
    memberships = float(((pop.org >= 0) & living).sum())
    return {
        "giant": state.ties.giant_component_share(),
        "working": state.ties.working_count() / pop.n,
        "service": service_capacity(state) / pop.n,
        "function": _function_with_leavers(resident_function(state), pop),
        "strength": (state.ties.total_strength()
                     + memberships * p["membership_tie_strength"]) / pop.n,
        # half trust in neighbours, half in institutions (the committee and government)
        "trust": (_mean_over(pop.trust_neighbours, living)
                  + (_mean_over(pop.trust_committee, living)
                     + _mean_over(pop.trust_government, living)) / 2) / 2,
    }


def _function_with_leavers(function: np.ndarray, pop: Any) -> float:
    """Mean function of the living residents and of those who left for good, these at the
    function they left with (Population.left_gap)."""
    if not pop.left.any():
        return _mean_over(function, pop.present)
    gone = function_of(pop.left_gap[:, pop.left])
    return float((function[pop.present].sum() + gone.sum())
                 / max(1, int(pop.present.sum()) + len(gone)))


def _mean_over(values: np.ndarray, living: np.ndarray) -> float:
    """Mean over the living residents (all of them, fast, when nobody has died)."""
    if living.all():
        return float(values.mean())
    return float(values[living].mean()) if living.any() else 0.0


def qualities(raw: dict[str, float], p: dict) -> dict[str, float]:
    """The three dimension curves' values today, each 0-1, from `raw_levels` and the
    reference community's levels (p: reference_*), each term capped at full (1)."""
    def share(level: float, ref: float) -> float:
        return min(1.0, level / ref)

    structure = 0.5 * (raw["giant"] * share(raw["working"], p["reference_working_ties"])
                       + share(raw["service"], p["reference_service_capacity"]))
    relationship = 0.5 * (share(raw["strength"], p["reference_tie_strength"])
                          + share(raw["trust"], p["reference_trust"]))
    return {"structure": structure, "function": raw["function"],
            "relationship": relationship}


def observe(state: Any) -> dict[str, float]:
    """Today's observables (OBSERVABLES), a pure function of the model's state: it reads,
    besides raw_levels' inputs, enterprise_capacity, team_enrolled, infectious, resources_used and
    help_today (units by channel)."""
    pop, p = state.residents, state.p
    # needs as felt: a household living on its supplies has today's services covered
    here = unmet_of(effective_gap(pop.gap, pop.buffered, p["reserve_buffer"]),
                    p["need_threshold"])
    # those who left for good with needs unmet stay counted in need (their needs as they
    # left): leaving does not meet a need
    unmet = here | (unmet_of(pop.left_gap, p["need_threshold"]) & pop.left) \
        if pop.left.any() else here
    counted = unmet.any(axis=0)
    orgs = _organisations(state)
    raw = raw_levels(state)
    q = qualities(raw, p)
    structure, function, relationship = q["structure"], q["function"], q["relationship"]
    t = state.ties
    working = t.working_counts()
    return {
        "structure": structure,
        "function": function,
        "relationship": relationship,
        "combined": (structure + function + relationship) / 3.0,
        "residents_in_need": int(counted.sum()),
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
        "vulnerable_in_need": int((counted & pop.vulnerable).sum()),
        **{f"unmet_{k}": int(unmet[i].sum()) for i, k in enumerate(NEEDS)},
        "ever_displaced": int(pop.ever_displaced.sum()),
        "deaths": int(state.deaths),
        "trapped": int(pop.trapped.sum()),
        "injured": int(here[HEALTH].sum()),
        **{f"rescued_{r}": int(k) for r, k in zip(RESCUERS, state.rescued)},
        "at_home_share": float((pop.present & ~pop.displaced).sum()) / pop.n,
        "left_share": float(pop.left.sum()) / pop.n,
        "businesses_open_share": (float(state.enterprise_open.mean())
                                  if len(state.enterprise_open) else 1.0),
        **{f"trust_{k}": _mean_over(getattr(pop, f"trust_{k}"), pop.present)
           for k in ("neighbours", "committee", "government")},
        **{f"in_{s}": int(k) for s, k in zip(STAGES, _stage_counts(state))},
    }


def _stage_counts(state: Any) -> np.ndarray:
    """Displaced residents in each housing stage (agents/housing.py STAGES)."""
    pop = state.residents
    if not pop.displaced.any():
        return np.zeros(len(STAGES), np.int64)
    stage = stages(pop, state.day, state.p)
    return np.bincount(stage[stage >= 0], minlength=len(STAGES))
