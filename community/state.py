"""Resident state: a struct of arrays, one row per resident, and what follows from it.

`Population` holds every per-resident array the rules read and change (the rules are in
agents/; each takes the arrays it reads and returns what it changes). Gaps are 4 x n, one
row per need in the order of `grassroots.core.vocabulary.NEEDS` (0 = met, 1 = unmet).
"""

from __future__ import annotations

import numpy as np

from grassroots.core.vocabulary import HEALTH, SERVICES


class Population:
    """Per-resident state arrays, all of length n (gap is 4 x n: one row per need).

    Fixed attributes (from the community): household, neighbourhood, adult, vulnerability
    (0-1), vulnerable (bool), party, volunteer, org (-1 none), employer (-1 none), employed
    (indices of the employed). Changing state: awareness (0-1), trust_neighbours and
    trust_institutions (0-1) with their long-run levels *_base, reserve_days (days of
    household supplies) and reserve_full, registered (on the plan's list), ever_in_need,
    gap, displaced, ever_displaced, prepared (took protective action), known (need known to the committee),
    need_since (day the current need began, -1 none), relief (civil-affairs income relief,
    0-1), buffered (used reserves today). `trust_moved` and `reserves_moved` say whether
    trust or reserves differ from their long-run levels anywhere (so the rules that pull
    them back can be skipped when nothing moved).
    """

    def __init__(self, community):
        c = community
        n = c.n
        self.n = n
        self.household = c.household
        self.neighbourhood = c.neighbourhood
        self.adult = c.adult
        self.vulnerability = c.vulnerability
        self.vulnerable = c.vulnerable
        self.party = c.party
        self.volunteer = c.volunteer
        self.org = c.org
        self.employer = c.employer
        self.employed = np.flatnonzero(c.employer >= 0)
        self.awareness_base = c.awareness.astype(float)  # without any prevention work
        self.awareness = self.awareness_base.copy()  # settled by settle_awareness
        self.trust_neighbours = c.trust_neighbours.astype(float)
        self.trust_institutions = c.trust_institutions.astype(float)
        self.trust_neighbours_base = self.trust_neighbours.copy()  # long-run levels
        self.trust_institutions_base = self.trust_institutions.copy()
        self.trust_moved = False
        self.reserve_days = c.reserve_days.astype(float)
        self.reserve_full = self.reserve_days.copy()  # what the household keeps
        self.reserves_moved = False
        self.registered = np.zeros(n, bool)
        self.ever_in_need = np.zeros(n, bool)
        self.gap = np.zeros((4, n))
        self.displaced = np.zeros(n, bool)
        self.ever_displaced = np.zeros(n, bool)
        self.prepared = np.zeros(n, bool)
        self.known = np.zeros(n, bool)
        self.need_since = np.full(n, -1, np.int64)
        self.relief = np.zeros(n)
        self.buffered = np.zeros(n, bool)


def effective_gap(gap: np.ndarray, buffered: np.ndarray, buffer: float) -> np.ndarray:
    """Gaps as felt today (4 x n): a household living on its own supplies today (`buffered`)
    covers `buffer` of its services gap from them (water, food, light, medicines in place of
    the utilities and shops). Returns `gap` itself when nobody used reserves."""
    if not buffered.any():
        return gap
    g = gap.copy()
    g[SERVICES, buffered] *= 1.0 - buffer
    return g


def felt_need(gap: np.ndarray, buffered: np.ndarray, buffer: float,
              threshold: float) -> np.ndarray:
    """In need today (bool per resident), judged on the gaps as felt (`effective_gap`): a
    household covering its services from its own supplies is not in need of help for them."""
    return in_need_of(effective_gap(gap, buffered, buffer), threshold)


def function_of(gap: np.ndarray) -> np.ndarray:
    """Function of each resident: the mean share of the four needs that is met, 0-1."""
    return 1.0 - gap.sum(axis=0) / 4.0


def in_need_of(gap: np.ndarray, threshold: float) -> np.ndarray:
    """A resident is in need when any one need is met below `threshold` (need_threshold)."""
    return unmet_of(gap, threshold).any(axis=0)


def unmet_of(gap: np.ndarray, threshold: float) -> np.ndarray:
    """Which needs (4 x n) are unmet: met below `threshold`."""
    return gap > 1.0 - threshold
