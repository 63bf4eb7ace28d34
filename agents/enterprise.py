"""Enterprises: employment (income through employment ties) and their own recovery.

An enterprise works at a capacity in [0, 1]. A shock that hits its neighbourhood cuts its
capacity; it regains enterprise_recovery_rate of the lost capacity per day, in proportion to
the utilities working in its neighbourhood (1 - outage) and to its customers — the share
of its neighbourhood's pre-shock residents living there again (`customers`) — by the repair
rule (core/vocabulary.py). It is *open* while its capacity is at least
business_open_capacity and at least business_min_customers of its customers are back
(`open_enterprises`); a closed enterprise fails for good with daily probability
business_failure_rate x (1 - customers) x (1 - capacity) (`fail_enterprises`): small
businesses reopen when their customers return, and fail when they do not (Lam, Pace,
Campanella, LeSage & Arenas 2009, *Business return in New Orleans: decision making amid
post-Katrina uncertainty*, PLoS ONE, e6765; Chang & Falit-Baiamonte 2002). Employees of an open enterprise lose
the capacity it lost of their income, of a closed one all of it, less the civil-affairs
relief they receive; employees of a failed one look for work with the open ones
(`find_jobs`). Rules are functions; an `Enterprise` agent views its own row.
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


def customers(pop: Population, neighbourhood: np.ndarray, residents_before: np.ndarray) -> np.ndarray:
    """Each enterprise's customers back, 0-1: residents of its neighbourhood present and at
    home, as a share of the neighbourhood's residents before any shock
    (`residents_before`, per neighbourhood)."""
    home = pop.present & ~pop.displaced
    back = np.bincount(pop.neighbourhood[home], minlength=len(residents_before))
    share = back / np.maximum(residents_before, 1)
    return np.minimum(1.0, share[neighbourhood])


def recover_enterprises(capacity: np.ndarray, outage: np.ndarray, hazard_ongoing: np.ndarray,
                        neighbourhood: np.ndarray, blocked: bool, custom: np.ndarray,
                        failed: np.ndarray, p: dict) -> np.ndarray:
    """Enterprises (in `neighbourhood`) regain enterprise_recovery_rate x working utilities
    x customers (`custom`) of lost capacity a day; none recovers while a market-wide crisis
    `blocked` it, nor where the hazard is ongoing, nor once it has `failed`. Returns the
    capacity."""
    if len(capacity) == 0 or capacity.min() >= 1.0 or blocked:
        return capacity
    utilities = 1.0 - outage[neighbourhood]
    utilities = np.where(hazard_ongoing[neighbourhood] | failed, 0.0, utilities)
    return 1.0 - repair_step(1.0 - capacity,
                             p["enterprise_recovery_rate"] * utilities * custom,
                             p["repair_floor"])


def open_enterprises(capacity: np.ndarray, custom: np.ndarray, failed: np.ndarray,
                     p: dict) -> np.ndarray:
    """Open: capacity at least business_open_capacity, at least business_min_customers of
    its customers back, not failed (bool per enterprise)."""
    return (capacity >= p["business_open_capacity"]) & (
        custom >= p["business_min_customers"]) & ~failed


def fail_enterprises(capacity: np.ndarray, custom: np.ndarray, is_open: np.ndarray,
                     failed: np.ndarray, p: dict, rng: np.random.Generator) -> np.ndarray:
    """A closed enterprise fails for good with daily probability business_failure_rate x
    (1 - customers) x (1 - capacity). Returns `failed` (bool per enterprise)."""
    closed = ~is_open & ~failed
    if not closed.any():
        return failed
    chance = p["business_failure_rate"] * (1.0 - custom) * (1.0 - capacity) * closed
    return failed | (rng.random(len(capacity)) < chance)


def find_jobs(pop: Population, failed: np.ndarray, is_open: np.ndarray, p: dict,
              rng: np.random.Generator) -> None:
    """Employees of a failed enterprise find work with an open one with daily probability
    job_finding_rate x the share of enterprises open (the employer drawn among the open
    ones). Changes `pop.employer` in place."""
    employed = pop.employed
    looking = employed[failed[pop.employer[employed]]]
    if len(looking) == 0 or not is_open.any():
        return
    found = looking[rng.random(len(looking)) < p["job_finding_rate"] * is_open.mean()]
    openings = np.flatnonzero(is_open)
    pop.employer[found] = openings[rng.integers(0, len(openings), len(found))]


def pay_wages(pop: Population, capacity: np.ndarray, is_open: np.ndarray,
              wages_cut: bool) -> bool:
    """Employees' income gap = (lost capacity of their employer if it is open, all of it if
    it is closed) x (1 - relief); relief ends for those back at full work. Changes
    `pop.gap[INCOME]` and `pop.relief` in place; returns whether some wages are still
    cut."""
    employed = pop.employed
    if len(employed) == 0 or not (wages_cut or capacity.min() < 1 or not is_open.all()):
        return wages_cut
    lost = np.where(is_open, 1.0 - capacity, 1.0)[pop.employer[employed]]
    pop.relief[employed[lost == 0]] = 0.0  # back at work: relief ends
    pop.gap[INCOME, employed] = lost * (1.0 - pop.relief[employed])
    return bool(lost.any())


def relieve_income(relief: np.ndarray, civil_units: np.ndarray, p: dict) -> np.ndarray:
    """Civil-affairs relief rises help_unit per unit of help received, up to relief_max of
    the lost income. Returns the relief (0-1 per resident)."""
    return np.minimum(p["relief_max"], relief + p["help_unit"] * civil_units)
