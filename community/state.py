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
    (indices of the employed). Changing state: awareness (0-1), trust_neighbours,
    trust_committee (in the committee, party members and organisations) and
    trust_government (in departments), 0-1, with their long-run levels *_base, reserve_days (days of
    household supplies) and reserve_full, registered (on the plan's list), ever_in_need,
    gap, displaced, ever_displaced, prepared (took protective action), known (need known to the committee),
    need_since (day the current need began, -1 none), relief (civil-affairs income relief,
    0-1), buffered (used reserves today); life safety (agents/rescue.py): alive, trapped
    (in a collapsed home), trapped_since (day trapped, -1 none), fatigue (0-1: how tired a
    helper is from days of digging and helping; it scales what they can give); housing
    (agents/housing.py): left (left the community for good), displaced_since (day displaced,
    -1 none), low_resource and renter (of their household); and per household (hh_*,
    length n_households): low_resource, savings and funds (shares of the home's value),
    insured (for a rented home, the landlord's insurance of the building), single_family,
    renter, loss (value loss of the home at its last damaging event), claim_day (that
    event's onset, -1 none), insurance_paid, aid_paid, queue_day (day it joined the
    builders' queue, -1 none). `trust_moved` and `reserves_moved` say whether
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
        self.trust_committee = c.trust_institutions.astype(float)
        self.trust_government = c.trust_government.astype(float)
        self.trust_neighbours_base = self.trust_neighbours.copy()  # long-run levels
        self.trust_committee_base = self.trust_committee.copy()
        self.trust_government_base = self.trust_government.copy()
        #: day each resident last received help from government, the committee and
        #: organisations, neighbours (rows in that order; agents/resident.py update_trust)
        self.last_helped = np.full((3, n), -(10**9), np.int64)
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
        self.alive = np.ones(n, bool)
        self.trapped = np.zeros(n, bool)
        self.trapped_since = np.full(n, -1, np.int64)
        self.fatigue = np.zeros(n)
        self.left = np.zeros(n, bool)
        #: each resident's gaps (4 x n) on the day they left for good (0 for the others): the
        #: needs the community never met, kept by the function curve and the need counts
        #: (measures/dimensions.py)
        self.left_gap = np.zeros((4, n))
        self.displaced_since = np.full(n, -1, np.int64)
        #: for each resident displaced at least once: the day they first left home, and the
        #: day they were last home again (-1: never displaced / not home again yet)
        self.first_displaced = np.full(n, -1, np.int64)
        self.home_again_day = np.full(n, -1, np.int64)
        self.low_resource = np.asarray(c.low_resource, bool)
        n_hh = int(c.household.max()) + 1 if n else 0
        first = np.unique(c.household, return_index=True)[1]
        self.n_households = n_hh
        self.hh_low_resource = self.low_resource[first]
        self.hh_savings = np.asarray(c.savings, float)[first].copy()
        self.hh_insured = np.asarray(c.insured, bool)[first]
        self.hh_single_family = np.asarray(c.single_family, bool)[first]
        self.renter = np.asarray(c.renter, bool)
        self.hh_renter = self.renter[first]
        self.hh_funds = np.zeros(n_hh)
        self.hh_loss = np.zeros(n_hh)
        self.hh_claim_day = np.full(n_hh, -1, np.int64)
        self.hh_insurance_paid = np.zeros(n_hh, bool)
        self.hh_aid_paid = np.zeros(n_hh, bool)
        self.hh_queue_day = np.full(n_hh, -1, np.int64)

    @property
    def present(self) -> np.ndarray:
        """Alive and still part of the community (not left for good)."""
        return self.alive & ~self.left

    def die(self, who: np.ndarray) -> None:
        """Residents `who` (bool mask) die: they leave every count of people in need, at home
        or displaced, and help no one. (Their ties are removed by the model: Ties.remove.)"""
        self.alive[who] = False
        self._depart(who)

    def leave(self, who: np.ndarray) -> None:
        """Residents `who` (bool mask) leave the community for good (out-migration): like
        the dead, they take their ties with them (Ties.remove, by the model) and no rule acts
        on them again; their gaps on the day they left are kept in `left_gap`, so the needs
        the community never met stay in its function curve and need counts."""
        self.left[who] = True
        self.left_gap[:, who] = self.gap[:, who]
        self._depart(who)

    def _depart(self, who: np.ndarray) -> None:
        self.displaced_since[who] = -1
        self.trapped[who] = False
        self.trapped_since[who] = -1
        self.gap[:, who] = 0.0
        self.displaced[who] = False
        self.known[who] = False
        self.need_since[who] = -1
        self.buffered[who] = False
        self.fatigue[who] = 0.0


def able_to_help(pop: Population, p: dict) -> np.ndarray:
    """Who can help others today (bool per resident): alive and present (not left), not
    trapped, and their health need met (health gap at most 1 - need_threshold) — whatever
    their other needs. A
    utility outage, a damaged home or a lost income does not stop a healthy neighbour from
    digging, sharing or volunteering; an injury or illness does. (Where they are matters
    too: the recovery rules ask helpers to be at home; rescue, in the first days, does not.)
    How much they can give is scaled by (1 - fatigue)."""
    return pop.present & ~pop.trapped & (1.0 - pop.gap[HEALTH] >= p["need_threshold"])


def helpers_at_home(pop: Population, p: dict) -> np.ndarray:
    """Able to help (`able_to_help`) and at home: who can share, lend and repair with their
    neighbours, go first as a party member or turn out with a volunteer team."""
    return able_to_help(pop, p) & ~pop.displaced


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
    # met (1 - gap) compared with the threshold, not gap with 1 - threshold: 1 - 0.8 is
    # 0.19999999999999996 in floating point, which made a need met exactly at the threshold
    # count as unmet
    return 1.0 - gap < threshold
