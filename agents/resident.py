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
#: Daily share of the gap between awareness and its base that is forgotten.
FORGETTING = 1.0 / 365.0
WEEKLY_FORGETTING = 1.0 - (1.0 - FORGETTING) ** 7
#: Chance, per unit of awareness, that a resident acts as the hazard arrives when
#: the committee's plan is worthless; a perfect plan (q = 1) doubles it.
ONSET_REACTION = 0.4
#: Days a household takes to restock its emergency supplies.
RESTOCK_DAYS = 30


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
        self.awareness_base = c.awareness.astype(float)  # without any prevention work
        self.awareness = self.awareness_base.copy()  # settled by Resident.settle_awareness
        self.trust_neighbours = c.trust_neighbours.astype(float)
        self.trust_institutions = c.trust_institutions.astype(float)
        self.trust_neighbours_base = self.trust_neighbours.copy()  # long-run levels
        self.trust_institutions_base = self.trust_institutions.copy()
        self.trust_moved = False  # trust differs from its long-run level somewhere
        self.reserve_days = c.reserve_days.astype(float)
        self.reserve_full = self.reserve_days.copy()  # what the household keeps
        self.reserves_moved = False  # reserve_days differs from reserve_full somewhere
        self.registered = np.zeros(n, bool)  # on the committee's list at the last onset
        self.ever_in_need = np.zeros(n, bool)
        self.gap = np.zeros((4, n))
        self.displaced = np.zeros(n, bool)
        self.prepared = np.zeros(n, bool)  # took protective action after a warning
        self.known = np.zeros(n, bool)  # need known to the committee
        self.need_since = np.full(n, -1, np.int64)  # day the current need began, -1 none
        self.relief = np.zeros(n)  # civil-affairs income relief, 0-1
        self.buffered = np.zeros(n, bool)  # used reserves today

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
        model = self.__dict__.get("model")
        pop = getattr(model, "residents", None) if model is not None else None
        values = getattr(pop, name, None) if pop is not None else None
        if isinstance(values, np.ndarray) and values.ndim == 1 and len(values) == pop.n:
            return values[self.idx].item()
        raise AttributeError(name)

    # Rules (all residents at once) -------------------------------------------------------
    @staticmethod
    def settle_awareness(model) -> None:
        """Start awareness at the steady state of the prevention work the community has long
        had: forgetting pulls awareness a toward its base a0 at FORGETTING per day; trainings,
        drills and party contacts arrive at rates l_k and each closes g_k of the gap to 1, so
        E[da/dt] = FORGETTING (a0 - a) + L (1 - a), L = sum l_k g_k, settles at
        a* = (FORGETTING a0 + L) / (FORGETTING + L). Later events then show no drift from a
        community merely getting used to its own policy."""
        from .committee import DRILL_TURNOUT, TRAINING_GAIN
        from .party_member import CONTACT_AWARENESS_GAIN

        pop, p = model.residents, model.p
        turnout = np.where(pop.volunteer, 1.0, DRILL_TURNOUT)
        rate = TRAINING_GAIN * (p["awareness_training_rate"] + p["drills_per_year"] * turnout)
        rate = rate / 365.0
        if model.patron is not None:
            contact = min(1.0, p["party_contact_rate"] / 30.0) * CONTACT_AWARENESS_GAIN
            rate = rate + contact * (model.patron >= 0)
        a0 = pop.awareness_base
        pop.awareness = (FORGETTING * a0 + rate) / (FORGETTING + rate)

    @staticmethod
    def forget(model) -> None:
        """Once a week, awareness loses a week's worth of FORGETTING of its gap to its base
        (exactly what seven daily steps would do)."""
        if model.day % 7:
            return
        pop = model.residents
        pop.awareness += WEEKLY_FORGETTING * (pop.awareness_base - pop.awareness)

    @staticmethod
    def prepare_for_warning(model, footprint_mask: np.ndarray) -> None:
        """Warned residents who are aware of the risk take protective action (DESIGN §1,
        prevention: "take effective response measures ... before the occurrence")."""
        pop = model.residents
        act = footprint_mask & (model.rng.random(pop.n) < pop.awareness)
        pop.prepared |= act

    @staticmethod
    def react_to_onset(model, footprint_mask: np.ndarray) -> None:
        """Aware residents of the footprint act as the hazard arrives (moving belongings and
        people up, out of the water or heat), warned or not, with probability
        ONSET_REACTION x (1 + q) x awareness: the committee's plan (quality q) tells them how."""
        pop = model.residents
        chance = ONSET_REACTION * (1.0 + model.committee.plan_quality) * pop.awareness
        act = footprint_mask & (model.rng.random(pop.n) < chance)
        pop.prepared |= act

    @staticmethod
    def restock(model, in_need: np.ndarray) -> None:
        """Households that keep supplies restock them over RESTOCK_DAYS when not in need;
        rations from the community reserve left over when a need ends go back to it."""
        pop = model.residents
        if not pop.reserves_moved:
            return
        extra = (pop.reserve_days > pop.reserve_full) & ~in_need
        if extra.any():
            model.committee.take_back(float((pop.reserve_days[extra] - pop.reserve_full[extra]).sum()))
            pop.reserve_days[extra] = pop.reserve_full[extra]
        low = (pop.reserve_days < pop.reserve_full) & ~in_need
        if low.any():
            pop.reserve_days[low] = np.minimum(
                pop.reserve_full[low], pop.reserve_days[low] + pop.reserve_full[low] / RESTOCK_DAYS)
        pop.reserves_moved = not np.array_equal(pop.reserve_days, pop.reserve_full)

    @staticmethod
    def remember(model) -> None:
        """Trust gained or lost in a shock fades back to its long-run level over
        trust_memory days (by the repair rule of model/repair.py)."""
        pop, rate = model.residents, 1.0 / model.p["trust_memory"]
        if not pop.trust_moved:
            return
        for now, base in ((pop.trust_neighbours, pop.trust_neighbours_base),
                          (pop.trust_institutions, pop.trust_institutions_base)):
            who = np.flatnonzero(now != base)
            d = now[who] - base[who]
            now[who] = base[who] + np.sign(d) * repair_step(np.abs(d), rate)

    @staticmethod
    def trust_settled(model) -> bool:
        pop = model.residents
        if pop.trust_moved:
            pop.trust_moved = not (
                np.array_equal(pop.trust_neighbours, pop.trust_neighbours_base)
                and np.array_equal(pop.trust_institutions, pop.trust_institutions_base))
        return not pop.trust_moved

    @staticmethod
    def use_reserves(model, anyone_in_need: bool = True) -> None:
        """A resident whose services or health need is unmet consumes a day of household
        reserves; that day the reserves bridge `reserve_buffer` of those gaps."""
        pop = model.residents
        if not anyone_in_need:  # then no need is unmet: nothing to bridge
            if pop.buffered.any():
                pop.buffered[:] = False
            return
        unmet = 1.0 - model.p["need_threshold"]
        short = (pop.gap[HEALTH] > unmet) | (pop.gap[SERVICES] > unmet)
        pop.buffered = short & (pop.reserve_days >= 1.0)
        pop.reserve_days[pop.buffered] -= 1.0
        pop.reserves_moved |= bool(pop.buffered.any())

    @staticmethod
    def report_needs(model, in_need: np.ndarray) -> None:
        """Residents in need report through the feedback channels with daily probability
        feedback_reach x trust in institutions; reported needs become known, as do the
        needs of residents on the committee's list."""
        pop = model.residents
        p = model.p["feedback_reach"] * pop.trust_institutions
        report = in_need & ~pop.known & (model.rng.random(pop.n) < p)
        pop.known |= report | (pop.registered & in_need)

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
        # only residents with a housing or health gap, outside an ongoing hazard, change
        who = np.flatnonzero((g[HOUSING] + g[HEALTH] > 0)
                             & ~model.hazard_ongoing[pop.neighbourhood])
        if len(who) == 0:
            return
        own = model.p["self_recovery_rate"] * (1.0 - 0.5 * pop.vulnerability[who]) * (
            1.0 - 0.5 * g[INCOME, who]
        )
        for col, k in enumerate((HOUSING, HEALTH)):
            rate = own + HELP_UNIT * (institutional[col, who] + mutual[who])
            g[k, who] = repair_step(g[k, who], rate)

    @staticmethod
    def return_home(model) -> None:
        """Displaced residents return when their housing gap falls below return_threshold."""
        pop = model.residents
        back = pop.displaced & (pop.gap[HOUSING] < model.p["return_threshold"])
        pop.displaced[back] = False

    @staticmethod
    def update_trust(model, in_need, institutional, mutual, delay: int) -> None:
        """Help received while in need raises trust by trust_gain x units x (1 - trust)
        (diminishing as trust nears 1). Once a need has lasted longer than the response
        delay, a day without institutional help erodes trust in institutions and a day
        without a neighbour's help erodes trust in neighbours (trust_erosion each). Bounded
        in [0, 1]."""
        pop = model.residents
        pop.trust_moved = True
        p = model.p
        t = model.day
        waited = in_need & (pop.need_since >= 0) & (t - pop.need_since > delay)
        pop.trust_institutions += p["trust_gain"] * institutional * (1.0 - pop.trust_institutions)
        pop.trust_institutions -= p["trust_erosion"] * (waited & (institutional == 0))
        pop.trust_neighbours += p["trust_gain"] * mutual * (1.0 - pop.trust_neighbours)
        pop.trust_neighbours -= p["trust_erosion"] * (waited & (mutual == 0))
        np.clip(pop.trust_institutions, 0.0, 1.0, out=pop.trust_institutions)
        np.clip(pop.trust_neighbours, 0.0, 1.0, out=pop.trust_neighbours)
