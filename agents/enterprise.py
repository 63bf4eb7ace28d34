"""Enterprises: employment (income through employment ties) and their own recovery.

An enterprise works at a capacity in [0, 1]. A shock that hits its neighbourhood cuts its
capacity; it regains enterprise_recovery_rate of the lost capacity per day, in proportion to
the utilities working in its neighbourhood (1 - outage), by the repair rule
(core/vocabulary.py). Its employees' income gap is the capacity it lost, less the
civil-affairs relief they receive. Rules are functions; an `Enterprise` agent views its own
row.
"""

from __future__ import annotations

import mesa
import numpy as np

from grassroots.community.state import Population
from grassroots.core.vocabulary import INCOME, repair_step


class Enterprise(mesa.Agent):
    """One enterprise (index `idx` into the model's enterprise arrays)."""

    def __init__(self, model, idx: int):
        super().__init__(model)
        self.idx = int(idx)

    @property
    def capacity(self) -> float:
        """Working capacity, 0-1."""
        return float(self.model.enterprise_capacity[self.idx])

    @property
    def employees(self) -> int:
        return int((self.model.residents.employer == self.idx).sum())


def recover_enterprises(capacity: np.ndarray, outage: np.ndarray, hazard_ongoing: np.ndarray,
                        neighbourhood: np.ndarray, blocked: bool, p: dict) -> np.ndarray:
    """Enterprises (in `neighbourhood`) regain enterprise_recovery_rate x working utilities
    of lost capacity a day; none recovers while a market-wide crisis `blocked` it, nor where
    the hazard is ongoing. Returns the capacity."""
    if len(capacity) == 0 or capacity.min() >= 1.0 or blocked:
        return capacity
    utilities = 1.0 - outage[neighbourhood]
    utilities = np.where(hazard_ongoing[neighbourhood], 0.0, utilities)
    return 1.0 - repair_step(1.0 - capacity, p["enterprise_recovery_rate"] * utilities,
                             p["repair_floor"])


def pay_wages(pop: Population, capacity: np.ndarray, wages_cut: bool) -> bool:
    """Employees' income gap = lost capacity of their employer x (1 - relief); relief ends
    for those back at full work. Changes `pop.gap[INCOME]` and `pop.relief` in place;
    returns whether some wages are still cut."""
    employed = pop.employed
    if len(employed) == 0 or not (wages_cut or capacity.min() < 1):
        return wages_cut
    lost = 1.0 - capacity[pop.employer[employed]]
    pop.relief[employed[lost == 0]] = 0.0  # back at work: relief ends
    pop.gap[INCOME, employed] = lost * (1.0 - pop.relief[employed])
    return bool(lost.any())


def relieve_income(relief: np.ndarray, civil_units: np.ndarray, p: dict) -> np.ndarray:
    """Civil-affairs relief rises help_unit per unit of help received, up to relief_max of
    the lost income. Returns the relief (0-1 per resident)."""
    return np.minimum(p["relief_max"], relief + p["help_unit"] * civil_units)
