"""Government departments: emergency management, health, civil affairs, housing & utilities.

The framework, second capacity: "a cross-departmental emergency command mechanism ... to
coordinate and guarantee the mobilization of various emergency resources across levels,
departments"; fourth: "vertical interaction ... public policies can be effectively uploaded and
issued and respond to the needs ... in a timely manner" and "cooperation between different
functional departments at the same level ... information sharing, resource integration".

Each department serves one need of the residents whose need is *known* (reported or detected)
and has waited the response delay, 1 + max_response_delay x (1 - vertical_responsiveness) days:

  emergency management  -> housing of the displaced (shelter, relief supplies)
  health                -> health
  civil affairs         -> income (relief payments: relief rises one help_unit per unit,
                           up to relief_max of the lost income)
  housing & utilities   -> housing of residents at home (repairs); it also repairs utility
                           outages, at utility_repair_rate x its capacity per day

Throughput T_d = department_throughput x residents/1000 x capacity_d x
(1 + cooperation_gain x horizontal_cooperation) x plan fit units of help per day. The emergency command pools
command_coordination of every department's spare throughput and hands it to the departments
whose demand exceeds their throughput, in proportion to their shortfall. The help for a need
goes by triage: the residents not yet answered since their need began first (first contact
before repeat visits), then the largest gaps, one unit each a day, until the department has
given its throughput. So what departments know decides whom they reach.

The rules over all residents are functions (`respond`, `repair_utilities`,
`recover_departments`, `response_delay`); a `GovernmentDepartment` agent views its own
department's capacity.
"""

from __future__ import annotations

import mesa
import numpy as np

from grassroots.community.state import Population
from grassroots.core.vocabulary import (
    DEPARTMENTS, EMERGENCY, HOUSING_UTIL, SERVES, repair_step,
)


class GovernmentDepartment(mesa.Agent):
    """One department (index `idx` into DEPARTMENTS); a view on its working capacity."""

    def __init__(self, model, idx: int):
        super().__init__(model)
        self.idx = int(idx)
        self.kind = DEPARTMENTS[self.idx]

    @property
    def capacity(self) -> float:
        """Working capacity, 0-1."""
        return float(self.model.department_capacity[self.idx])


def response_delay(p: dict, plan_quality: float) -> int:
    """Days a known need waits for departments: 1 + max_response_delay x
    (1 - vertical_responsiveness) x (response_plan_offset - plan quality), rounded; a
    practised plan (learnt from past events) halves the wait of a plan of quality 0.5."""
    wait = p["max_response_delay"] * (1.0 - p["vertical_responsiveness"])
    return 1 + round(wait * (p["response_plan_offset"] - plan_quality))


def respond(pop: Population, in_need: np.ndarray, day: int, delay: int,
            capacity: np.ndarray, plan_fit: float,
            p: dict) -> tuple[np.ndarray, float, float]:
    """Departments help the residents whose need is known and has waited `delay` days.

    `capacity` is each department's working capacity (0-1). Returns the units of help per
    need and resident (4 x n) delivered today, accepted in proportion to trust in
    institutions; and the units that came down the vertical line (each department's own
    throughput) and horizontally (pooled by the command or gained by cooperation).
    """
    units = np.zeros((4, pop.n))
    eligible = pop.known & in_need & (day - pop.need_since >= delay)
    if not eligible.any():
        return units, 0.0, 0.0
    wants = np.stack([eligible & (pop.gap[k] > 0) for k in SERVES])  # 4 x n
    # shelter for the displaced, repairs for those at home: two separate housing lists
    wants[EMERGENCY] &= pop.displaced
    wants[HOUSING_UTIL] &= ~pop.displaced
    demand = wants.sum(axis=1).astype(float)
    own, throughput = throughputs(pop.n, capacity, plan_fit, p)
    served = pool(throughput, demand, p["command_coordination"])
    for d, k in enumerate(SERVES):
        # Triage: first contact (not yet answered since the need began), then the largest
        # known gaps; one unit per resident a day.
        idx = np.flatnonzero(wants[d])
        if served[d] <= 0 or len(idx) == 0:
            continue
        # not yet answered since the need began first, then the largest gaps
        answered = pop.last_helped[0, idx] >= pop.need_since[idx]
        full = min(int(served[d]), len(idx))
        order = idx[triage_order(answered, -pop.gap[k, idx], full + 1)]
        units[k, order[:full]] += 1.0
        if full < len(order):
            units[k, order[full]] += served[d] - full
    units *= pop.trust_government
    total = float(units.sum())
    vertical_share = float(np.minimum(served, own).sum() / served.sum()) if served.sum() else 0
    return units, total * vertical_share, total * (1.0 - vertical_share)


def triage_order(answered: np.ndarray, key: np.ndarray, count: int) -> np.ndarray:
    """The first `count` positions of `np.lexsort((key, answered))`: the not yet answered
    (False) before the answered, each by ascending `key`, ties in position order — found
    without sorting the whole list (a waiting list can hold most of a city while a day's
    capacity serves a small share of it). Returns positions, in that order."""
    n = len(answered)
    count = min(count, n)
    if 4 * count >= n:
        return np.lexsort((key, answered))[:count]
    first, later = np.flatnonzero(~answered), np.flatnonzero(answered)
    take = min(count, len(first))
    head = first[_smallest(key[first], take)]
    if take == count:
        return head
    return np.concatenate([head, later[_smallest(key[later], count - take)]])


def _smallest(key: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k smallest values of `key` in stable ascending order (ties by
    position), as `np.argsort(key, kind="stable")[:k]` gives them."""
    if k >= len(key):
        return np.argsort(key, kind="stable")
    if k <= 0:
        return np.zeros(0, np.int64)
    cut = np.partition(key, k - 1)[k - 1]
    below = np.flatnonzero(key < cut)
    chosen = np.concatenate([below, np.flatnonzero(key == cut)[:k - len(below)]])
    chosen.sort()
    return chosen[np.argsort(key[chosen], kind="stable")]


def throughputs(n: int, capacity: np.ndarray, plan_fit: float,
                p: dict) -> tuple[np.ndarray, np.ndarray]:
    """Each department's units of help a day for a community of `n` residents: its own
    (department_throughput x n/1000 x working capacity x plan fit, the vertical line) and
    with cooperation's gain (x (1 + cooperation_gain x horizontal_cooperation))."""
    own = p["department_throughput"] * n / 1000.0 * capacity * plan_fit
    return own, own * (1.0 + p["cooperation_gain"] * p["horizontal_cooperation"])


def pool(throughput: np.ndarray, demand: np.ndarray, coordination: float) -> np.ndarray:
    """The emergency command: the amount each department serves after `coordination` of all
    spare throughput is pooled and handed to departments short of it, in proportion to their
    shortfall."""
    own = np.minimum(throughput, demand)
    spare = throughput - own
    short = demand - own
    if short.sum() <= 0:
        return own
    pooled = coordination * spare.sum()
    return own + np.minimum(short, pooled * short / short.sum())


def repair_utilities(outage: np.ndarray, hazard_ongoing: np.ndarray, capacity: float,
                     p: dict) -> np.ndarray:
    """Housing & utilities (at working `capacity`) repairs outages (per neighbourhood, 0-1)
    at utility_repair_rate x capacity where the hazard has passed. Returns the outage."""
    rate = p["utility_repair_rate"] * capacity
    return np.where(hazard_ongoing, outage, repair_step(outage, rate, p["repair_floor"]))


def services_gap(outage: np.ndarray, neighbourhood: np.ndarray) -> np.ndarray:
    """Each resident's services gap is the utility outage of their neighbourhood."""
    return outage[neighbourhood]


def recover_departments(capacity: np.ndarray, p: dict) -> np.ndarray:
    """Departments regain department_recovery_rate of lost capacity a day. Returns the
    capacity."""
    if capacity.min() >= 1.0:
        return capacity
    return 1.0 - repair_step(1.0 - capacity, p["department_recovery_rate"], p["repair_floor"])


__all__ = ["DEPARTMENTS", "GovernmentDepartment", "pool", "recover_departments",
           "repair_utilities", "respond", "response_delay", "services_gap"]
