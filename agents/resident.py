"""Residents: household members with needs, reserves, awareness, trust and ties.

State lives in a struct of arrays (`grassroots.community.state.Population`); the rules below
act on all residents at once. Each rule is a plain function: its arguments are what it reads
(arrays, the resolved parameters `p`, a random generator where it draws), its return value is
what it changes, and the model's step (model/model.py) writes the result back. A `Resident`
agent is a light Mesa agent that views its own row.

A resident's function is the share of four needs met (core/vocabulary.py); a shock opens a
gap in a need and the rules here close it: own means, mutual aid along ties, and the help of
party members, volunteer teams, outside organisations and departments (agents/).
"""

from __future__ import annotations

import mesa
import numpy as np

from grassroots.community.state import Population, helpers_at_home
from grassroots.community.ties import Ties
from grassroots.core.vocabulary import (
    DAYS_PER_MONTH, DAYS_PER_YEAR, HEALTH, HOUSING, INCOME, NEEDS, SERVICES, repair_step,
)


class Resident(mesa.Agent):
    """One resident: a view on row `idx` of the model's Population arrays.

    Its properties read the current state; nothing is stored on the agent itself.
    """

    def __init__(self, model, idx: int):
        super().__init__(model)
        self.idx = int(idx)

    @property
    def _pop(self) -> Population:
        return self.model.residents

    @property
    def needs(self) -> dict[str, float]:
        """Share of each need that is met, 0-1."""
        return {k: 1.0 - float(g) for k, g in zip(NEEDS, self._pop.gap[:, self.idx])}

    @property
    def function(self) -> float:
        """Share of the four needs met today, as felt (a household living on its supplies
        today covers reserve_buffer of its services gap), 0-1."""
        return float(self.model.function[self.idx])

    @property
    def in_need(self) -> bool:
        """Any need met below need_threshold (as of the end of the last step)."""
        return bool(self.model.in_need[self.idx])

    @property
    def household(self) -> int:
        return int(self._pop.household[self.idx])

    @property
    def neighbourhood(self) -> int:
        return int(self._pop.neighbourhood[self.idx])

    @property
    def vulnerability(self) -> float:
        """0 robust, 1 most vulnerable."""
        return float(self._pop.vulnerability[self.idx])

    @property
    def awareness(self) -> float:
        """Risk awareness, 0-1."""
        return float(self._pop.awareness[self.idx])

    @property
    def trust_neighbours(self) -> float:
        """Trust in neighbours, 0-1."""
        return float(self._pop.trust_neighbours[self.idx])

    @property
    def trust_committee(self) -> float:
        """Trust in the community committee, party members and organisations, 0-1."""
        return float(self._pop.trust_committee[self.idx])

    @property
    def trust_government(self) -> float:
        """Trust in government departments, 0-1."""
        return float(self._pop.trust_government[self.idx])

    @property
    def reserve_days(self) -> float:
        """Days of household emergency supplies left."""
        return float(self._pop.reserve_days[self.idx])

    @property
    def displaced(self) -> bool:
        return bool(self._pop.displaced[self.idx])

    @property
    def known(self) -> bool:
        """Whether the committee knows of this resident's current need."""
        return bool(self._pop.known[self.idx])

    @property
    def volunteer(self) -> bool:
        return bool(self._pop.volunteer[self.idx])

    @property
    def party(self) -> bool:
        return bool(self._pop.party[self.idx])

    @property
    def org(self) -> int:
        """Social organisation the resident belongs to, -1 none."""
        return int(self._pop.org[self.idx])

    @property
    def employer(self) -> int:
        """Enterprise employing the resident, -1 none."""
        return int(self._pop.employer[self.idx])


# -- prevention: awareness ------------------------------------------------------------------
def settle_awareness(pop: Population, patron: np.ndarray | None, p: dict) -> np.ndarray:
    """Awareness at the steady state of the prevention work the community has long had.

    Forgetting pulls awareness a toward its base a0 at f = 1/awareness_memory per day;
    trainings, drills and party contacts arrive at rates l_k and each closes g_k of the gap to
    1, so E[da/dt] = f (a0 - a) + L (1 - a), L = sum l_k g_k, which settles at
    a* = (f a0 + L) / (f + L). Later events then show no drift from a community merely
    getting used to its own policy. Returns the awareness array.
    """
    forgetting = 1.0 / p["awareness_memory"]
    turnout = np.where(pop.volunteer, 1.0, p["drill_turnout"])
    rate = p["training_gain"] * (p["awareness_training_rate"] + p["drills_per_year"] * turnout)
    rate = rate / DAYS_PER_YEAR
    if patron is not None:
        contact = min(1.0, p["party_contact_rate"] / DAYS_PER_MONTH) * p["contact_awareness_gain"]
        rate = rate + contact * (patron >= 0)
    a0 = pop.awareness_base
    return (forgetting * a0 + rate) / (forgetting + rate)


def forget(awareness: np.ndarray, base: np.ndarray, day: int, p: dict) -> np.ndarray:
    """Once a week, awareness loses a week's worth of forgetting (1/awareness_memory a day)
    of its gap to its base — exactly what seven daily steps would do. Returns awareness
    (updated in place on the day of the week it applies)."""
    if day % 7:
        return awareness
    weekly = 1.0 - (1.0 - 1.0 / p["awareness_memory"]) ** 7
    awareness += weekly * (base - awareness)
    return awareness


def prepare_for_warning(pop: Population, footprint: np.ndarray,
                        rng: np.random.Generator) -> np.ndarray:
    """Warned residents of the footprint (bool per resident) who are aware of the risk take
    protective action, each with probability equal to their awareness (the framework's
    prevention: "take effective response measures ... before the occurrence"). Returns
    `prepared`."""
    act = footprint & (rng.random(pop.n) < pop.awareness)
    return pop.prepared | act


def react_to_onset(pop: Population, footprint: np.ndarray, plan_quality: np.ndarray | float,
                   rng: np.random.Generator, p: dict) -> np.ndarray:
    """Aware residents of the footprint act as the hazard arrives (moving belongings and
    people up, out of the water or heat), warned or not, with probability
    onset_reaction x (1 + q) x awareness: the committee's plan (quality q) tells them how.
    Returns `prepared`."""
    chance = p["onset_reaction"] * (1.0 + plan_quality) * pop.awareness
    act = footprint & (rng.random(pop.n) < chance)
    return pop.prepared | act


# -- adaptability: reserves and feedback ------------------------------------------------------
def use_reserves(pop: Population, anyone_in_need: bool, p: dict) -> tuple[np.ndarray, bool]:
    """A household short of services (its services need unmet: utilities out, shops shut)
    that has a day of supplies lives on them: it consumes a day of reserves and covers
    `reserve_buffer` of that day's services gap (community.state.effective_gap), so the day's
    services need is met from its own stock and it is not in need of help for it
    (community.state.felt_need). This is the self-sufficiency preparedness guidance asks of
    households for the first days, when responders cannot reach everyone (72 hours in the
    US Ready.gov guidance, three days to a week in Japan's). Supplies do not heal an injury:
    a health gap is not bridged.

    Returns (buffered, reserves_moved); `pop.reserve_days` is drawn down in place.
    """
    if not anyone_in_need:  # then no need is unmet: nothing to bridge
        if pop.buffered.any():
            pop.buffered[:] = False
        return pop.buffered, pop.reserves_moved
    short = 1.0 - pop.gap[SERVICES] < p["need_threshold"]  # services met below threshold
    buffered = short & (pop.reserve_days >= 1.0)
    pop.reserve_days[buffered] -= 1.0
    return buffered, pop.reserves_moved | bool(buffered.any())


def restock_households(pop: Population, in_need: np.ndarray,
                       p: dict) -> tuple[float, bool]:
    """Households that keep supplies, are not in need and did not live on their supplies
    today (their services are back) restock them over household_restock_days; rations from
    the community reserve left over when a need ends go back to it.

    Returns (person-days handed back to the community reserve, reserves_moved);
    `pop.reserve_days` is updated in place.
    """
    if not pop.reserves_moved:
        return 0.0, False
    back = 0.0
    settled = ~in_need & ~pop.buffered
    extra = (pop.reserve_days > pop.reserve_full) & settled
    if extra.any():
        back = float((pop.reserve_days[extra] - pop.reserve_full[extra]).sum())
        pop.reserve_days[extra] = pop.reserve_full[extra]
    low = (pop.reserve_days < pop.reserve_full) & settled
    if low.any():
        pop.reserve_days[low] = np.minimum(
            pop.reserve_full[low],
            pop.reserve_days[low] + pop.reserve_full[low] / p["household_restock_days"])
    return back, not np.array_equal(pop.reserve_days, pop.reserve_full)


def report_needs(pop: Population, in_need: np.ndarray, p: dict,
                 rng: np.random.Generator) -> np.ndarray:
    """Residents in need report through the feedback channels with daily probability
    feedback_reach x trust in institutions; reported needs become known, as do the needs of
    residents on the committee's list. Returns `known`."""
    chance = p["feedback_reach"] * pop.trust_committee
    report = in_need & ~pop.known & (rng.random(pop.n) < chance)
    return pop.known | report | (pop.registered & in_need)


# -- recovery: mutual aid and own means ------------------------------------------------------
def mutual_aid(pop: Population, ties: Ties, in_need: np.ndarray,
               p: dict) -> tuple[np.ndarray, np.ndarray]:
    """Help offered along ties: residents able to help and at home
    (community.state.helpers_at_home: alive, healthy, not trapped — a utility outage or a
    lost income does not stop a neighbour from sharing) offer mutual_aid_strength x their
    trust in neighbours x (1 - fatigue); each helper splits the offer over their
    neighbours in need in proportion to tie strength; the receiver accepts in proportion to
    their own trust in neighbours. Accepted offers adding up to 1 give mutual_aid_capacity of
    repair rate (the cap). Returns (units of help received per resident, the offer each
    resident made to someone in need today, for their fatigue)."""
    helper = helpers_at_home(pop, p)
    offer = p["mutual_aid_strength"] * pop.trust_neighbours * (1.0 - pop.fatigue) * helper
    if not offer.any():
        return np.zeros(pop.n), np.zeros(pop.n)
    need_weight = ties.spread(in_need.astype(float))  # tie strength to those in need
    share = np.divide(offer, need_weight, out=np.zeros(pop.n), where=need_weight > 0)
    received = ties.spread(share) * in_need * pop.trust_neighbours
    cap = p["mutual_aid_capacity"] / p["help_unit"]
    return np.minimum(received * cap, cap), offer * (need_weight > 0)


def recover_gaps(pop: Population, institutional: np.ndarray, mutual: np.ndarray,
                 hazard_ongoing: np.ndarray, p: dict) -> np.ndarray:
    """Close housing and health gaps by own means, mutual aid and institutional help.

    `institutional` is units of help for (housing, health) per resident, 2 x n; `mutual`
    units per resident; `hazard_ongoing` a bool per neighbourhood. The gap is repaired
    (repair_step) at a daily rate of help_unit per unit of help plus own means,
    self_recovery_rate x (1 - own_means_vulnerability_drag x vulnerability) x
    (1 - own_means_income_drag x income gap) (vulnerable and income-poor households rebuild
    more slowly). Nothing is repaired where the hazard is
    still ongoing, nor for a resident still trapped; a housing gap above self_repair_limit
    is builders' work (agents/housing.py `rebuild`), to which help adds labour there. Returns the gap (4 x n, updated in place).
    """
    g = pop.gap
    # only residents with a housing or health gap, outside an ongoing hazard, change
    who = np.flatnonzero((g[HOUSING] + g[HEALTH] > 0) & ~hazard_ongoing[pop.neighbourhood]
                         & ~pop.trapped)
    if len(who) == 0:
        return g
    own = p["self_recovery_rate"] * (
        1.0 - p["own_means_vulnerability_drag"] * pop.vulnerability[who]) * (
        1.0 - p["own_means_income_drag"] * g[INCOME, who])
    # damage above self_repair_limit waits for builders and money (agents/housing.py)
    diy = g[HOUSING, who] <= p["self_repair_limit"]
    for col, k in enumerate((HOUSING, HEALTH)):
        rate = own + p["help_unit"] * (institutional[col, who] + mutual[who])
        if k == HOUSING:
            rate = rate * diy  # above the limit: builders' work (agents/housing.py)
        g[k, who] = repair_step(g[k, who], rate, p["repair_floor"])
    return g


def return_home(pop: Population, hazard_ongoing: np.ndarray, outage: np.ndarray, day: int,
                p: dict) -> np.ndarray:
    """Displaced residents return when their housing gap is below return_threshold, the
    hazard has passed in their neighbourhood and its utility outage is below
    return_outage_max (`hazard_ongoing`, `outage`: per neighbourhood). Returns `displaced`;
    `displaced_since` is reset and `home_again_day` set to `day` for those back."""
    nb = pop.neighbourhood
    back = pop.displaced & (pop.gap[HOUSING] < p["return_threshold"]) & ~hazard_ongoing[nb] & (
        outage[nb] < p["return_outage_max"])
    displaced = pop.displaced.copy()
    displaced[back] = False
    pop.displaced_since[back] = -1
    pop.home_again_day[back] = int(day)
    return displaced


# -- relationships: trust ----------------------------------------------------------------------
def update_trust(pop: Population, ties: Ties, in_need: np.ndarray, government: np.ndarray,
                 community: np.ndarray, mutual: np.ndarray, day: int, p: dict) -> None:
    """Trust split three ways, each moved by what its holder experiences:

    * in government departments by their help (`government`, units per resident, utilities
      restored for those at home included), in the committee and organisations by theirs
      (`community`: party members, volunteer teams, the committee's reserve, outside
      organisations), in neighbours by mutual aid (`mutual`): help received while in need
      raises that trust by trust_gain x units x (1 - trust);
    * once a need has gone without that help for longer than trust_patience_days (since it
      began or since the last such help, `last_helped`: at least reach_units a day from
      government or the committee's side, any help from neighbours) — what people expect,
      not what the departments' plan promises — each further day loses trust_erosion of that
      trust (of trust in neighbours only where a neighbour at home could have helped);
    * fairness seen: every resident present loses trust_witness x (the share of the
      community whose need has waited past trust_patience_days with no answer at all from
      the departments since it began) of their trust in government a day, in need or not —
      what people see and hear of others' wait (after Katrina trust in the federal
      government fell nationwide, not only among those who waited).

    Bounded in [0, 1]. Changes trust_government, trust_committee and trust_neighbours in
    place.
    """
    need = in_need & (pop.need_since >= 0)
    # neighbours are blamed only where some neighbour could have helped
    could = ties.spread(helpers_at_home(pop, p).astype(float)) > 0
    for k, (trust, got) in enumerate(((pop.trust_government, government),
                                      (pop.trust_committee, community),
                                      (pop.trust_neighbours, mutual))):
        # institutions answer with at least reach_units a day (a restored outage's daily
        # trickle is not an answer); any help from a neighbour counts
        helped = got >= p["reach_units"] if k < 2 else got > 0
        pop.last_helped[k, helped] = day
        since = day - np.maximum(pop.need_since, pop.last_helped[k])
        waited = need & (since > p["trust_patience_days"])
        if k == 2:
            waited &= could
        trust += p["trust_gain"] * got * (1.0 - trust)
        trust -= p["trust_erosion"] * trust * waited
        if k == 0:  # never answered by the departments since the need began
            unhelped = waited & (pop.last_helped[0] < pop.need_since)
    if p["trust_witness"] > 0 and unhelped.any():
        seen = unhelped.sum() / max(1, int(pop.present.sum()))
        pop.trust_government -= p["trust_witness"] * seen * pop.present * pop.trust_government
    for trust in (pop.trust_government, pop.trust_committee, pop.trust_neighbours):
        np.clip(trust, 0.0, 1.0, out=trust)


#: (current, long-run) trust arrays of a Population, by name
TRUSTS = ("neighbours", "committee", "government")


def _trust_pairs(pop: Population):
    return [(getattr(pop, f"trust_{k}"), getattr(pop, f"trust_{k}_base")) for k in TRUSTS]


def remember(pop: Population, p: dict) -> None:
    """Trust gained or lost in a shock fades back toward its long-run level at
    1/trust_memory a day, while the long-run level itself moves toward it at
    trust_base_drift a day (both by the repair rule on their difference): they meet at a
    level that keeps trust_base_drift / (1/trust_memory + trust_base_drift) of the change.
    A badly handled response leaves a lasting mark, a good one a lasting gain; none of it
    snaps back. Changes the trust arrays and their long-run levels in place (only where
    they differ)."""
    if not pop.trust_moved:
        return
    fade, drift = 1.0 / p["trust_memory"], p["trust_base_drift"]
    for now, base in _trust_pairs(pop):
        who = np.flatnonzero(now != base)
        if len(who) == 0:
            continue
        d = now[who] - base[who]
        left = np.sign(d) * repair_step(np.abs(d), fade + drift, p["repair_floor"])
        moved = d - left
        now[who] -= moved * (fade / (fade + drift))
        base[who] = now[who] - left


def trust_moved(pop: Population) -> bool:
    """Whether trust still differs from its long-run level anywhere (checked only when it
    has moved since it was last at rest)."""
    if not pop.trust_moved:
        return False
    return not all(np.array_equal(now, base) for now, base in _trust_pairs(pop))
