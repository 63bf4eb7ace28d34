"""Residents: household members with needs, reserves, awareness, trust and ties.

A resident's function is the share of four needs that are met — housing, health, income and
services (DESIGN.md: "residents' needs met: housing, health, income, services"). A shock
opens a *gap* in a need (0 = fully met, 1 = entirely unmet); the rules below close it.

State lives in numpy arrays on `model.residents` (a `Population`), so the rules run for all
residents at once; each `Resident` agent is a view on its own row for inspection.
"""

from __future__ import annotations

import mesa
import numpy as np

from ..model.repair import repair_step

NEEDS = ("housing", "health", "income", "services")
HOUSING, HEALTH, INCOME, SERVICES = range(4)
#: One unit of help closes this share of a resident's gap in a day ("resident-help").
HELP_UNIT = 0.1


class Population:
    """Per-resident state arrays, all of length n (gap is 4 x n: one row per need)."""

    def __init__(self, community, params):
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
        self.awareness = c.awareness.astype(float)
        self.trust_neighbours = c.trust_neighbours.astype(float)
        self.trust_institutions = c.trust_institutions.astype(float)
        self.reserve_days = c.reserve_days.astype(float)
        self.gap = np.zeros((4, n))
        self.displaced = np.zeros(n, bool)
        self.prepared = np.zeros(n, bool)  # took protective action after a warning
        self.known = np.zeros(n, bool)  # need known to the committee
        self.need_since = np.full(n, -1, np.int64)  # day the current need began, -1 none
        self.relief = np.zeros(n)  # civil-affairs income relief, 0-1
        self.buffered = np.zeros(n, bool)  # used reserves today
        self.help_today = np.zeros(n)  # institutional help received today (units)
        self.aid_today = np.zeros(n)  # mutual aid received today (units)

    def effective_gap(self, buffer: float) -> np.ndarray:
        """Gaps as felt today (4 x n): reserves used today bridge `buffer` of the services and
        health gaps."""
        g = self.gap
        if not self.buffered.any():
            return g
        g = g.copy()
        g[HEALTH, self.buffered] *= 1.0 - buffer
        g[SERVICES, self.buffered] *= 1.0 - buffer
        return g

    @staticmethod
    def function_of(gap: np.ndarray) -> np.ndarray:
        """Function of each resident: the mean share of the four needs that is met, 0-1."""
        return 1.0 - gap.sum(axis=0) / 4.0

    @staticmethod
    def in_need_of(gap: np.ndarray, threshold: float) -> np.ndarray:
        """A resident is in need when any one need is met below `threshold`."""
        return (gap > 1.0 - threshold).any(axis=0)


class Resident(mesa.Agent):
    """One resident, a view on row `idx` of the model's Population arrays."""

    def __init__(self, model, idx):
        super().__init__(model)
        self.idx = int(idx)

    # Inspection ------------------------------------------------------------------------
    @property
    def needs(self) -> dict[str, float]:
        """Share of each need that is met, 0-1."""
        return {k: 1.0 - float(g) for k, g in zip(NEEDS, self.model.residents.gap[:, self.idx])}

    @property
    def function(self) -> float:
        return float(self.model.function[self.idx])

    @property
    def in_need(self) -> bool:
        return bool(self.model.in_need[self.idx])

    def __getattr__(self, name):
        # Read any other per-resident array (awareness, trust_neighbours, displaced, ...).
        pop = self.__dict__.get("model") and self.model.residents
        if pop is not None and isinstance(getattr(pop, name, None), np.ndarray):
            return getattr(pop, name)[self.idx].item()
        raise AttributeError(name)

    # Rules (all residents at once) -------------------------------------------------------
    @staticmethod
    def prepare_for_warning(model, footprint_mask: np.ndarray) -> None:
        """Warned residents who are aware of the risk take protective action (DESIGN §1,
        prevention: "take effective response measures ... before the occurrence")."""
        pop = model.residents
        act = footprint_mask & (model.rng.random(pop.n) < pop.awareness)
        pop.prepared |= act

    @staticmethod
    def use_reserves(model) -> None:
        """A resident with a services or health gap consumes a day of household reserves;
        that day the reserves bridge part of those gaps (`reserve_buffer`)."""
        pop = model.residents
        short = (pop.gap[HEALTH] > 0) | (pop.gap[SERVICES] > 0)
        pop.buffered = short & (pop.reserve_days >= 1.0)
        pop.reserve_days[pop.buffered] -= 1.0

    @staticmethod
    def report_needs(model, in_need: np.ndarray) -> None:
        """Residents in need report through the feedback channels with daily probability
        feedback_reach x trust in institutions; reported needs become known."""
        pop = model.residents
        p = model.p["feedback_reach"] * pop.trust_institutions
        report = in_need & ~pop.known & (model.rng.random(pop.n) < p)
        pop.known |= report

    @staticmethod
    def mutual_aid(model, in_need: np.ndarray) -> np.ndarray:
        """Help offered along ties: residents who are not in need and at home offer
        mutual_aid_strength x their trust in neighbours; each helper splits the offer over
        their neighbours in need in proportion to tie strength; the receiver accepts in
        proportion to their own trust in neighbours. Returns units received per resident."""
        pop = model.residents
        helper = ~in_need & ~pop.displaced
        offer = model.p["mutual_aid_strength"] * pop.trust_neighbours * helper
        if not offer.any():
            return np.zeros(pop.n)
        need_weight = model.ties.spread(in_need.astype(float))  # tie strength to those in need
        share = np.divide(offer, need_weight, out=np.zeros(pop.n), where=need_weight > 0)
        received = model.ties.spread(share) * in_need * pop.trust_neighbours
        cap = model.p["mutual_aid_capacity"] / HELP_UNIT
        return np.minimum(received * cap, cap)

    @staticmethod
    def recover(model, institutional: np.ndarray, mutual: np.ndarray) -> None:
        """Close housing and health gaps by own means, mutual aid and institutional help.

        `institutional` is units of help for (housing, health) per resident, 2 x n; `mutual`
        units per resident. The gap is repaired (model/repair.py) at a daily rate of
        HELP_UNIT per unit of help plus own means, self_recovery_rate x (1 - vulnerability/2)
        x (1 - income gap/2) (vulnerable and income-poor households rebuild more slowly).
        Nothing is repaired where the hazard is still ongoing."""
        pop = model.residents
        g = pop.gap
        own = model.p["self_recovery_rate"] * (1.0 - 0.5 * pop.vulnerability) * (
            1.0 - 0.5 * g[INCOME]
        )
        blocked = model.hazard_ongoing[pop.neighbourhood]
        for col, k in enumerate((HOUSING, HEALTH)):
            rate = own + HELP_UNIT * (institutional[col] + mutual)
            g[k] = np.where(blocked, g[k], repair_step(g[k], rate))

    @staticmethod
    def return_home(model) -> None:
        """Displaced residents return when their housing gap falls below return_threshold."""
        pop = model.residents
        back = pop.displaced & (pop.gap[HOUSING] < model.p["return_threshold"])
        pop.displaced[back] = False

    @staticmethod
    def update_trust(model, in_need, institutional, mutual, delay: int) -> None:
        """Help received while in need raises trust by trust_gain x units x (1 - trust)
        (diminishing as trust nears 1); a need unserved past the response delay erodes trust
        in institutions, and a need no neighbour helps erodes trust in neighbours
        (trust_erosion per day). Bounded in [0, 1]."""
        pop = model.residents
        p = model.p
        t = model.day
        waited = in_need & (pop.need_since >= 0) & (t - pop.need_since > delay)
        pop.trust_institutions += p["trust_gain"] * institutional * (1.0 - pop.trust_institutions)
        pop.trust_institutions -= p["trust_erosion"] * (waited & (institutional == 0))
        pop.trust_neighbours += p["trust_gain"] * mutual * (1.0 - pop.trust_neighbours)
        pop.trust_neighbours -= p["trust_erosion"] * (waited & (mutual == 0))
        np.clip(pop.trust_institutions, 0.0, 1.0, out=pop.trust_institutions)
        np.clip(pop.trust_neighbours, 0.0, 1.0, out=pop.trust_neighbours)
