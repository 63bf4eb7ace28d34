"""The budget as a hard constraint: what a candidate allocation costs, and the repair that
brings any candidate within the budget.

A candidate is a vector of the searched levers' values; every other lever keeps its default
(or the file's `[set]`) value. Its cost is the whole package's cost per resident-year
(core/costs.py `package_cost`, over the file's `cost_days`), the unit the budget is given in.

Each lever's cost grows monotonically as the lever moves away from its off value (the cost
models of core/cost_model.py price the amount moved), so within a lever's bounds one end is
the cheap end. The *cheapest allocation* puts every searched lever at its cheap end. The
repair of a candidate x that costs more than the budget moves it straight towards the
cheapest allocation x0, to the point x0 + t (x - x0) with the largest t in [0, 1] that is
within the budget (bisection; cost is monotone along the segment), with integer levers
rounded towards their cheap end. So every candidate the search evaluates is feasible — the
budget is never a penalty the search may trade against — and the repair keeps the
proportions of the candidate's spending, scaled down.
"""

from __future__ import annotations

import numpy as np

from grassroots.core.costs import load_costs, package_cost
from grassroots.core.params import PARAMS, resolve

#: Bisection steps of the repair: the segment is halved this often (2^-48 of its length).
REPAIR_STEPS = 48


class Budget:
    """The cost model and the repair of one optimisation (module doc)."""

    def __init__(self, opt):
        self.opt = opt
        self.names = list(opt.levers)
        self.low = np.array([opt.levers[k][0] for k in self.names], float)
        self.high = np.array([opt.levers[k][1] for k in self.names], float)
        self.integer = np.array([PARAMS[k].kind is int for k in self.names])
        self.base = resolve(opt.fixed)
        self.costs = load_costs()
        cheap_low = np.array([self._lever_cost_at(k, lo) <= self._lever_cost_at(k, hi)
                              for k, lo, hi in zip(self.names, self.low, self.high)])
        #: each searched lever's cheap end, and the cheapest allocation
        self.cheap = np.where(cheap_low, self.low, self.high)

    def _lever_cost_at(self, name: str, value: float) -> float:
        """The cost with lever `name` at `value` and the other searched levers at their low
        bounds: compared at both ends, it tells the lever's cheap end."""
        return self.cost_of({**dict(zip(self.names, self.low)), name: value})

    def params(self, x: np.ndarray) -> dict:
        """The parameters a run of candidate x is given: the file's `[set]` values and the
        searched levers (integer levers as int); the rest take their defaults in the run,
        the scenario's horizon included."""
        values = {k: (int(round(v)) if i else float(v))
                  for k, v, i in zip(self.names, x, self.integer)}
        return {**self.opt.fixed, **values}

    def cost_of(self, levers: dict) -> float:
        p = {**self.base, **{k: (int(round(v)) if PARAMS[k].kind is int else float(v))
                             for k, v in levers.items()}}
        return float(package_cost(p, self.costs, residents=self.opt.residents,
                                  days=self.opt.cost_days)["per_resident_year"])

    def cost(self, x: np.ndarray) -> float:
        """Cost of candidate x, WD per resident-year."""
        return self.cost_of(dict(zip(self.names, x)))

    def cheapest_cost(self) -> float:
        return self.cost(self.cheap)

    def _round(self, x: np.ndarray) -> np.ndarray:
        """Integer levers rounded towards their cheap end (never dearer), within bounds."""
        if not self.integer.any():
            return x
        x = x.copy()
        towards_low = self.cheap <= self.low
        i = self.integer
        x[i & towards_low] = np.floor(x[i & towards_low] + 1e-9)
        x[i & ~towards_low] = np.ceil(x[i & ~towards_low] - 1e-9)
        return np.clip(x, self.low, self.high)

    def repair(self, x: np.ndarray) -> np.ndarray:
        """x within its bounds and the budget (module doc)."""
        x = self._round(np.clip(np.asarray(x, float), self.low, self.high))
        if self.cost(x) <= self.opt.budget:
            return x
        x0 = self.cheap
        lo, hi = 0.0, 1.0  # the point at lo is within the budget, the one at hi is not
        for _ in range(REPAIR_STEPS):
            mid = 0.5 * (lo + hi)
            if self.cost(self._round(x0 + mid * (x - x0))) <= self.opt.budget:
                lo = mid
            else:
                hi = mid
        return self._round(x0 + lo * (x - x0))
