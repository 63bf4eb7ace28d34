"""Emergency phase: who frees the trapped, who dies, and how helpers tire.

A collapse (scenarios/earthquake.py) traps some residents of the collapsed homes and kills
some at once (`entrap`). Each following day, every trapped resident may be freed by one of
five rescuers (core/vocabulary.py RESCUERS), each a daily hazard (competing risks, Cox
1972 style: freed today with probability 1 - exp(-H), H the sum, by rescuer c with
probability h_c / H):

    self           self_rescue_rate x (1 - vulnerability)
    household      household_rescue_rate x able household members / trapped in it
    neighbours     neighbour_rescue_rate x digging effort reaching them along their ties
                   (outside the household): each able helper not digging for their own
                   household, nor in an organised team, gives 1 - fatigue, split over the
                   trapped they are tied to in proportion to tie strength
    volunteers     organised_rescue_rate x the effort of the neighbourhood's able volunteers
                   and party members (1 - fatigue each), shared among its trapped
    professionals  capacity / trapped in the community, capacity = n / 1000 x
                   (professional_rescue_capacity x emergency-management capacity
                   + outside_rescue_capacity x external_openness once outside teams arrive)

"Able" is community.state.able_to_help: alive, not trapped, health need met — in need of
shelter, water or income or not. So the help is limited by proximity (household, ties,
neighbourhood), ability (health, fatigue) and capacity (professionals), and who rescues
whom is an outcome: after the 1995 Kobe earthquake the large majority of those rescued alive
were freed by themselves, their families and neighbours, professional teams saving a small
share (docs/ODD.md §7.34), because the professionals were few against the trapped, not
because a share is written here.

Those still trapped after the day's rescues die with the Weibull hazard of
trapped_survival_days and trapped_survival_shape: survival falls steeply over the first
three days (the "golden 72 hours"; Coburn, Spence & Pomonis 1992; Macintyre et al. 2006).
Helpers tire (`tire`): fatigue grows with the effort they give and fades as they rest.
"""

from __future__ import annotations

import numpy as np

from grassroots.community.state import Population, able_to_help
from grassroots.community.ties import Ties
from grassroots.core.vocabulary import EMERGENCY, HEALTH, HOUSEHOLD, RESCUERS, repair_step

SELF, HOUSEHOLD_RESCUE, NEIGHBOURS, VOLUNTEERS, PROFESSIONALS = range(len(RESCUERS))


def entrap(pop: Population, collapsed: np.ndarray, day: int, p: dict,
           rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Residents of collapsed homes (`collapsed`, bool per resident) are trapped with
    probability quake_entrapment; of the trapped, collapse_lethality x (1 +
    collapse_lethality_vulnerability x vulnerability) are killed at once; the others are
    trapped from `day`, their health gap at least trapped_injury.

    Returns (trapped, killed) as bool masks of the newly trapped survivors and the killed;
    `pop.trapped`, `trapped_since` and the health gap are updated in place (the caller
    records the deaths: Population.die).
    """
    caught = collapsed & pop.alive & ~pop.trapped & (rng.random(pop.n) < p["quake_entrapment"])
    lethality = p["collapse_lethality"] * (
        1.0 + p["collapse_lethality_vulnerability"] * pop.vulnerability)
    killed = caught & (rng.random(pop.n) < lethality)
    trapped = caught & ~killed
    pop.trapped |= trapped
    pop.trapped_since[trapped] = day
    pop.gap[HEALTH, trapped] = np.maximum(pop.gap[HEALTH, trapped], p["trapped_injury"])
    return trapped, killed


def rescue_hazards(pop: Population, along: np.ndarray, household: np.ndarray,
                   organised: np.ndarray, days_since_onset: int,
                   department_capacity: np.ndarray, p: dict) -> tuple[np.ndarray, np.ndarray]:
    """Today's daily hazard of being freed, by rescuer (5 x k, RESCUERS order), for each of
    the k trapped residents, by the rules of the module doc; the efforts (along ties, from
    the household, organised; length n) are `rescue_effort`'s. Returns (hazards, the
    trapped residents' indices)."""
    victims = np.flatnonzero(pop.trapped)
    h = np.zeros((len(RESCUERS), len(victims)))
    if len(victims) == 0:
        return h, victims
    h[SELF] = p["self_rescue_rate"] * (1.0 - pop.vulnerability[victims])
    h[HOUSEHOLD_RESCUE] = p["household_rescue_rate"] * household[victims]
    h[NEIGHBOURS] = p["neighbour_rescue_rate"] * along[victims]
    h[VOLUNTEERS] = p["organised_rescue_rate"] * organised[victims]
    capacity = pop.n / 1000.0 * (
        p["professional_rescue_capacity"] * department_capacity[EMERGENCY]
        + p["outside_rescue_capacity"] * p["external_openness"]
        * (days_since_onset >= p["outside_arrival_days"]))
    h[PROFESSIONALS] = capacity / len(victims)
    return h, victims


def rescue_effort(pop: Population, ties: Ties,
                  p: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Digging effort reaching each resident today (arrays of length n): along ties from
    neighbours and friends, from their own household (able members per trapped member), and
    from the organised volunteers and party members of their neighbourhood (effort per
    trapped resident there). Returns (ties, household, organised, given), `given` the
    effort each resident gave (1 - fatigue for those who dug, 0 for the others; for
    `tire`).

    Each able resident helps through one channel: their own household first, if a member of
    it is trapped; else, if a volunteer or party member, in the neighbourhood's organised
    effort; else their neighbours and friends along ties.
    """
    n = pop.n
    trapped = pop.trapped
    able = able_to_help(pop, p)
    give = (1.0 - pop.fatigue) * able
    n_hh = int(pop.household.max()) + 1
    trapped_hh = np.bincount(pop.household, weights=trapped, minlength=n_hh)
    own_busy = able & (trapped_hh[pop.household] > 0)
    hh_effort = np.bincount(pop.household, weights=give * own_busy, minlength=n_hh)
    household = np.divide(hh_effort, trapped_hh, out=np.zeros(n_hh), where=trapped_hh > 0)
    household = household[pop.household] * trapped

    organiser = able & ~own_busy & (pop.volunteer | pop.party)
    n_nb = int(pop.neighbourhood.max()) + 1
    trapped_nb = np.bincount(pop.neighbourhood, weights=trapped, minlength=n_nb)
    org_effort = np.bincount(pop.neighbourhood, weights=give * organiser, minlength=n_nb)
    organised = np.divide(org_effort, trapped_nb, out=np.zeros(n_nb), where=trapped_nb > 0)
    organised = organised[pop.neighbourhood] * trapped
    organiser &= trapped_nb[pop.neighbourhood] > 0

    # ties outside the household with a trapped end and an able, free helper at the other
    helper = able & ~own_busy & ~organiser
    i, j, s = ties.i, ties.j, ties.strength
    e = np.flatnonzero((trapped[i] | trapped[j]) & (ties.kind != HOUSEHOLD) & (s > 0))
    victim = np.where(trapped[i[e]], i[e], j[e])
    helper_end = np.where(trapped[i[e]], j[e], i[e])
    ok = helper[helper_end] & trapped[victim]
    e, victim, helper_end = e[ok], victim[ok], helper_end[ok]
    w = s[e]
    load = np.bincount(helper_end, weights=w, minlength=n)  # tie strength to the trapped
    along = np.bincount(victim, weights=give[helper_end] * w / load[helper_end], minlength=n)
    helped = own_busy | organiser
    helped[helper_end] = True
    return along, household, organised, give * helped


def free_trapped(hazards: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Who is freed today and by whom: for each trapped resident (a column of `hazards`,
    5 x k), freed with probability 1 - exp(-H) by rescuer c with probability h_c / H.
    Returns the rescuer index per trapped resident, -1 for those still trapped."""
    total = hazards.sum(axis=0)
    k = hazards.shape[1]
    freed = rng.random(k) < -np.expm1(-total)
    cum = np.cumsum(hazards, axis=0)
    pick = rng.random(k) * total
    by = (cum < pick).sum(axis=0)
    return np.where(freed, np.minimum(by, len(RESCUERS) - 1), -1)


def die_trapped(pop: Population, still: np.ndarray, day: int, p: dict,
                rng: np.random.Generator) -> np.ndarray:
    """Of the residents still trapped at the end of `day` (indices `still`), each dies with
    the Weibull hazard of that day: 1 - S(t + 1) / S(t), S(t) = exp(-(t / scale)^shape),
    t = days trapped so far. Returns the bool mask (length n) of those who die."""
    t = (day - pop.trapped_since[still]).astype(float)
    scale, shape = p["trapped_survival_days"], p["trapped_survival_shape"]
    dying = -np.expm1(-(((t + 1.0) / scale) ** shape - (t / scale) ** shape))
    dead = np.zeros(pop.n, bool)
    dead[still[rng.random(len(still)) < dying]] = True
    return dead


def tire(fatigue: np.ndarray, effort: np.ndarray, p: dict) -> np.ndarray:
    """Helpers tire: a helper who gave `effort` today (1: a day of digging; a mutual-aid
    offer counts its size) closes helper_fatigue_gain x effort of its fatigue's gap to 1;
    then everyone rests, fatigue fading at helper_rest_rate by the repair rule
    (core/vocabulary.py). Steady help settles at a moderate fatigue (gain x effort against
    rest), and fatigue ends in finite time once the help stops. Returns `fatigue`, updated
    in place."""
    fatigue += p["helper_fatigue_gain"] * effort * (1.0 - fatigue)
    tired = np.flatnonzero(fatigue > 0)
    fatigue[tired] = repair_step(fatigue[tired], p["helper_rest_rate"], p["repair_floor"])
    return fatigue
