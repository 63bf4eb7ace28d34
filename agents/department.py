"""Government departments: emergency management, health, civil affairs, housing & utilities.

FRAMEWORK.txt, second capacity: "a cross-departmental emergency command mechanism ... to
coordinate and guarantee the mobilization of various emergency resources across levels,
departments"; fourth: "vertical interaction ... public policies can be effectively uploaded and
issued and respond to the needs ... in a timely manner" and "cooperation between different
functional departments at the same level ... information sharing, resource integration".

Each department serves one need of the residents whose need is *known* (reported or detected)
and has waited the response delay, 1 + max_response_delay x (1 - vertical_responsiveness) days:

  emergency management  -> housing of the displaced (shelter, relief supplies)
  health                -> health
  civil affairs         -> income (relief payments: relief rises one HELP_UNIT per unit,
                           up to RELIEF_MAX of the lost income)
  housing & utilities   -> housing of residents at home (repairs); it also repairs utility
                           outages, at utility_repair_rate x its capacity per day

Throughput T_d = department_throughput x residents/1000 x capacity_d x
(1 + 0.5 horizontal_cooperation) x plan fit units of help per day. The emergency command pools
command_coordination of every department's spare throughput and hands it to the departments
whose demand exceeds their throughput, in proportion to their shortfall. The help for a need
goes by triage: the residents with the largest gaps first, one unit each a day, until the
department has given its throughput. So what departments know decides whom they reach.
"""

from __future__ import annotations

import mesa
import numpy as np

from ..model.repair import repair_step
from .resident import HEALTH, HOUSING, INCOME, SERVICES

DEPARTMENTS = ("emergency_management", "health", "civil_affairs", "housing_utilities")
EMERGENCY, HEALTH_DEPT, CIVIL, HOUSING_UTIL = range(4)
SERVES = (HOUSING, HEALTH, INCOME, HOUSING)
#: Relief replaces at most this share of lost income (a minimum-living-standard payment).
RELIEF_MAX = 0.6


class GovernmentDepartment(mesa.Agent):
    """One department (index `idx` into DEPARTMENTS)."""

    def __init__(self, model, idx):
        super().__init__(model)
        self.idx = int(idx)
        self.kind = DEPARTMENTS[self.idx]

    @property
    def capacity(self) -> float:
        return float(self.model.department_capacity[self.idx])

    @staticmethod
    def response_delay(p, plan_quality: float) -> int:
        """Days a known need waits for departments: 1 + max_response_delay x
        (1 - vertical_responsiveness) x (1.5 - plan quality); a practised plan (learnt from
        past events) halves the wait of a plan of quality 0.5."""
        wait = p["max_response_delay"] * (1.0 - p["vertical_responsiveness"])
        return 1 + round(wait * (1.5 - plan_quality))

    @staticmethod
    def respond(model, in_need: np.ndarray) -> tuple[np.ndarray, float, float]:
        """Units of help per need and resident (4 x n) delivered today, accepted in
        proportion to trust in institutions; and the units that came down the vertical line
        (each department's own throughput) and horizontally (pooled by the command or gained
        by cooperation)."""
        pop, p = model.residents, model.p
        units = np.zeros((4, pop.n))
        eligible = pop.known & in_need & (model.day - pop.need_since >= model.response_delay())
        if not eligible.any():
            return units, 0.0, 0.0
        wants = np.stack([eligible & (pop.gap[k] > 0) for k in SERVES])  # 4 x n
        # shelter for the displaced, repairs for those at home: two separate housing lists
        wants[EMERGENCY] &= pop.displaced
        wants[HOUSING_UTIL] &= ~pop.displaced
        demand = wants.sum(axis=1).astype(float)
        own = (p["department_throughput"] * pop.n / 1000.0 * model.department_capacity
               * model.committee.plan_fit)
        throughput = own * (1.0 + 0.5 * p["horizontal_cooperation"])
        served = _pool(throughput, demand, p["command_coordination"])
        for d, k in enumerate(SERVES):
            # Triage: the largest known gaps first, one unit per resident a day.
            idx = np.flatnonzero(wants[d])
            if served[d] <= 0 or len(idx) == 0:
                continue
            order = idx[np.argsort(-pop.gap[k, idx], kind="stable")]
            full = min(int(served[d]), len(order))
            units[k, order[:full]] += 1.0
            if full < len(order):
                units[k, order[full]] += served[d] - full
        units *= pop.trust_institutions
        total = float(units.sum())
        vertical_share = float(np.minimum(served, own).sum() / served.sum()) if served.sum() else 0
        model.resources_used += total
        return units, total * vertical_share, total * (1.0 - vertical_share)

    @staticmethod
    def repair_utilities(model) -> None:
        """Housing & utilities repairs outages where the hazard has passed."""
        o = model.outage
        if not o.any():
            return
        rate = model.p["utility_repair_rate"] * model.department_capacity[HOUSING_UTIL]
        o[:] = np.where(model.hazard_ongoing, o, repair_step(o, rate))
        pop = model.residents
        pop.gap[SERVICES] = o[pop.neighbourhood]

    @staticmethod
    def recover(model) -> None:
        c = model.department_capacity
        if c.min() < 1.0:
            c[:] = 1.0 - repair_step(1.0 - c, model.p["department_recovery_rate"])


def _pool(throughput: np.ndarray, demand: np.ndarray, coordination: float) -> np.ndarray:
    """Served amount per department after the command pools `coordination` of the spare."""
    own = np.minimum(throughput, demand)
    spare = throughput - own
    short = demand - own
    if short.sum() <= 0:
        return own
    pool = coordination * spare.sum()
    return own + np.minimum(short, pool * short / short.sum())
