"""Enterprises: employment (income through employment ties) and their own recovery.

An enterprise works at a capacity in [0, 1]. A shock that hits its neighbourhood cuts its
capacity; it regains enterprise_recovery_rate of the lost capacity per day, in proportion to
the utilities working in its neighbourhood (1 - outage), by the repair rule of
model/repair.py. Its employees' income gap is the
capacity it lost, less the civil-affairs relief they receive.
"""

from __future__ import annotations

import mesa
import numpy as np

from ..model.repair import repair_step
from .resident import INCOME


class Enterprise(mesa.Agent):
    """One enterprise (index `idx` into the model's enterprise arrays)."""

    def __init__(self, model, idx):
        super().__init__(model)
        self.idx = int(idx)

    @property
    def capacity(self) -> float:
        return float(self.model.enterprise_capacity[self.idx])

    @property
    def employees(self) -> int:
        return int((self.model.residents.employer == self.idx).sum())

    @staticmethod
    def recover(model) -> None:
        c = model.enterprise_capacity
        if len(c) == 0 or c.min() >= 1.0 or model.enterprise_recovery_blocked:
            return
        utilities = 1.0 - model.outage[model.enterprise_neighbourhood]
        utilities = np.where(model.hazard_ongoing[model.enterprise_neighbourhood], 0.0, utilities)
        c[:] = 1.0 - repair_step(1.0 - c, model.p["enterprise_recovery_rate"] * utilities)

    @staticmethod
    def pay_wages(model) -> None:
        """Employees' income gap = lost capacity of their employer x (1 - relief)."""
        pop = model.residents
        employed = pop.employed
        if len(employed) == 0 or not (model.wages_cut or model.enterprise_capacity.min() < 1):
            return
        lost = 1.0 - model.enterprise_capacity[pop.employer[employed]]
        pop.relief[employed[lost == 0]] = 0.0  # back at work: relief ends
        pop.gap[INCOME, employed] = lost * (1.0 - pop.relief[employed])
        model.wages_cut = bool(lost.any())
