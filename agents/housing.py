"""Displacement and housing recovery: who leaves home, how long until they are back, who
never returns.

Households, not residents, are dislocated, rebuild and leave (their members share a home):

* **Dislocation** (`dislocation_probability`, `dislocate`): a household whose home was
  damaged today by at least dislocation_min_damage leaves it with the probability of the
  household dislocation logit of Lin (2008, *Modeling and predicting household dislocation*,
  Hazard Reduction & Recovery Center, Texas A&M), as NIST IN-CORE implements it
  (pyincore `PopulationDislocation`): logit P = beta0 + beta1 x value loss (%) + beta2 x
  single-family home. Its two race terms (the block group's Black and Hispanic shares) are
  left out: the model has no such attribute, and what they stand for (unequal insurance,
  aid and credit) is modelled here as households' means. A collapsed home is always left.
* **Stages** (`stages`): a displaced household is in emergency shelter for
  emergency_shelter_days, then in temporary shelter (family, friends, hotels) until
  temporary_shelter_days, then in temporary housing (rentals, trailers) until it is home
  again — permanent housing — or leaves (Sutley & Hamideh 2020, *Postdisaster housing
  stages: a Markov chain approach to model sequences and duration based on social
  vulnerability*, Risk Analysis 40(12)).
* **Rebuilding** (`claim_losses`, `pay_claims`, `rebuild`): damage up to self_repair_limit
  is repaired by the household and its neighbours (agents/resident.py `recover_gaps`);
  above it the work needs builders and money. Savings are there at once, insurance pays
  insurance_coverage of the loss after insurance_delay_days, public aid pays aid_share of
  the uninsured loss after aid_delay_days — less to low-resource households (aid follows
  resources: Howell & Elliott 2019, *Damages done: the longitudinal impacts of natural
  hazards on wealth inequality in the United States*, Social Problems 66(3)). The
  community's builders (contractor_capacity, plus outside builders with external openness)
  take the funded repairs first come, first served, each at most repair_pace_max a day; a
  household without funds waits.
* **Tenure** (`claim_losses`, `pay_claims`, `rebuild`): a rented home is the landlord's to
  repair. The tenants' savings do not pay for it; the landlord's insurance of the building
  does (hh_insured, taken up at insurance_take_up whatever the tenants' means), and public
  aid at aid_rental_factor of an owner-occupant's (repair grants go to owner-occupants;
  rental repairs wait for smaller landlord programmes: Lee & Van Zandt 2019, *Housing tenure
  and social vulnerability to disasters: a review of the evidence*, Journal of Planning
  Literature 34(2)); the landlord's builders start no earlier than rental_repair_delay_days
  after the onset — landlords decide whether to rebuild, sell or convert, and after
  Hurricane Andrew rental housing was restored later than owner-occupied (Zhang & Peacock
  2010, *Planning for housing recovery? Lessons learned from Hurricane Andrew*, Journal of
  the American Planning Association 76(1); Peacock, Van Zandt, Zhang & Highfield 2014,
  *Inequities in long-term housing recovery after disasters*, JAPA 80(4)). Neighbours'
  and volunteers' help and self-repair below self_repair_limit work as for owners. Whether
  renters leave for good more often than owners follows from the out-migration rule below
  (their funded share and their ties), not from a rule of tenure.
* **Out-migration** (`attachment`, `leave`): a household in temporary housing gives up and
  leaves for good with daily probability migration_rate x (1 - attachment) x (1 - funded
  share of its remaining repairs), attachment from its ties (their base strength: roots kept
  while away) and its membership of organisations — exit where ties and organisations are
  weak, voice where they are strong (Aldrich 2012, *Building Resilience*, ch. 3 on Kobe's
  wards; Chamlee-Wright & Storr 2009 on a congregation that returned together). The people
  who left and their ties are gone from the community (Population.leave, Ties.remove).
"""

from __future__ import annotations

import numpy as np

from grassroots.community.state import Population
from grassroots.community.ties import Ties
from grassroots.core.vocabulary import HOUSEHOLD, HOUSING

#: The displaced's housing stages, in order (`stages`).
STAGES = ("emergency_shelter", "temporary_shelter", "temporary_housing")


def dislocation_probability(value_loss: np.ndarray, single_family: np.ndarray,
                            p: dict) -> np.ndarray:
    """Lin (2008) household dislocation probability, 0-1, of a home with `value_loss` (share
    of its value, 0-1) and whether it is a single-family home: 1 / (1 + exp(-(beta0 + beta1
    x 100 value_loss + beta2 x single_family))) (dislocation_beta*; race terms left out)."""
    z = (p["dislocation_beta0"] + p["dislocation_beta1"] * 100.0 * value_loss
         + p["dislocation_beta2"] * single_family)
    return 1.0 / (1.0 + np.exp(-z))


def home_damage(pop: Population) -> np.ndarray:
    """Each household's home damage today: its members' worst housing gap (0-1)."""
    worst = np.zeros(pop.n_households)
    np.maximum.at(worst, pop.household, pop.gap[HOUSING])
    return worst


def dislocate(pop: Population, damage: np.ndarray, damaged: np.ndarray,
              collapsed: np.ndarray, p: dict, rng: np.random.Generator) -> np.ndarray:
    """Households whose home was damaged today (`damaged`, bool per household, `damage` 0-1)
    by at least dislocation_min_damage leave it with the Lin (2008) probability; those whose
    home collapsed (`collapsed`, per household) always do. Returns `displaced` (per
    resident)."""
    chance = np.where(damaged & (damage >= p["dislocation_min_damage"]),
                      dislocation_probability(damage, pop.hh_single_family, p), 0.0)
    out = (rng.random(pop.n_households) < chance) | collapsed
    return pop.displaced | (out[pop.household] & pop.present)


def claim_losses(pop: Population, damage: np.ndarray, damaged: np.ndarray, day: int) -> None:
    """Households whose home was damaged today open a claim for this event: their loss is
    the home's damage, payouts are due from today, and an owner-occupant's savings become
    funds for the repairs (a renter's do not: the landlord repairs, hh_renter). Changes
    hh_loss, hh_claim_day, hh_insurance_paid, hh_aid_paid, hh_funds, hh_savings in place."""
    if not damaged.any():
        return
    pop.hh_loss[damaged] = damage[damaged]
    pop.hh_claim_day[damaged] = day
    pop.hh_insurance_paid[damaged] = False
    pop.hh_aid_paid[damaged] = False
    owners = damaged & ~pop.hh_renter
    pop.hh_funds[owners] += pop.hh_savings[owners]
    pop.hh_savings[owners] = 0.0


def pay_claims(pop: Population, day: int, p: dict) -> None:
    """Payouts that fall due today: insurers pay insured households insurance_coverage x
    loss insurance_delay_days after the onset; public aid pays aid_share of the uninsured
    loss aid_delay_days after it, x aid_low_resource_factor for a low-resource
    owner-occupant and x aid_rental_factor for a rented home (the landlord's programme, not
    the tenants' means). Adds to hh_funds in place."""
    open_ = pop.hh_claim_day >= 0
    if not open_.any():
        return
    since = day - pop.hh_claim_day
    insurance = open_ & pop.hh_insured & ~pop.hh_insurance_paid & (
        since >= p["insurance_delay_days"])
    pop.hh_funds[insurance] += p["insurance_coverage"] * pop.hh_loss[insurance]
    pop.hh_insurance_paid |= insurance
    aid = open_ & ~pop.hh_aid_paid & (since >= p["aid_delay_days"])
    if aid.any():
        covered = np.where(pop.hh_insured, p["insurance_coverage"], 0.0) * pop.hh_loss
        factor = np.where(pop.hh_renter, p["aid_rental_factor"],
                          np.where(pop.hh_low_resource, p["aid_low_resource_factor"], 1.0))
        grant = p["aid_share"] * np.maximum(0.0, pop.hh_loss - covered) * factor
        pop.hh_funds[aid] += grant[aid]
        pop.hh_aid_paid |= aid


def builders(n_households: int, p: dict) -> float:
    """Repair work (home-values a day) the builders working in the community can do:
    n_households / 1000 x (contractor_capacity + outside_contractor_capacity x
    external_openness)."""
    return n_households / 1000.0 * (p["contractor_capacity"]
                                    + p["outside_contractor_capacity"] * p["external_openness"])


def rebuild(pop: Population, blocked: np.ndarray, day: int, p: dict,
            help_units: np.ndarray | None = None) -> None:
    """A day of builders' work. Homes damaged above self_repair_limit whose household has
    funds, outside an ongoing hazard (`blocked`, per household), queue for builders from the
    first day they can pay (hh_queue_day); builders take them first come, first served, each
    job at up to repair_pace_max a day (no more than its funds or its damage above the
    limit), until the day's `builders` capacity is used. Households with savings or
    insurance queue first: resources set the pace. A rented home joins the queue no
    earlier than rental_repair_delay_days after its claim's onset (the landlord's
    decision). Help adds labour without money
    (`help_units`: units of housing help and mutual aid per resident today): a household's
    members' units x help_unit x help_rebuild_share of home-value a day, at no cost —
    neighbours, volunteers and the housing department's crews rebuilding homes whose owners
    cannot pay (after Katrina, volunteer groups rebuilt thousands of homes). Lowers the
    members' housing gaps and the funds in place."""
    limit = p["self_repair_limit"]
    damage = home_damage(pop)
    if help_units is not None and help_units.any():
        labour = p["help_rebuild_share"] * p["help_unit"] * np.bincount(
            pop.household, weights=help_units, minlength=pop.n_households)
        labour = np.where(blocked, 0.0, np.minimum(labour, np.maximum(0.0, damage - limit)))
        if labour.any():
            damage = damage - labour
            members = np.flatnonzero(labour[pop.household] > 0)
            pop.gap[HOUSING, members] = np.minimum(pop.gap[HOUSING, members],
                                                   damage[pop.household[members]])
    ready = (damage > limit) & (pop.hh_funds > 0) & ~blocked
    if pop.hh_renter.any():
        ready &= ~pop.hh_renter | (day - pop.hh_claim_day >= p["rental_repair_delay_days"])
    pop.hh_queue_day[ready & (pop.hh_queue_day < 0)] = day
    pop.hh_queue_day[damage <= limit] = -1
    jobs = np.flatnonzero(ready)
    if len(jobs) == 0:
        return
    jobs = jobs[np.argsort(pop.hh_queue_day[jobs], kind="stable")]  # first come
    want = np.minimum(p["repair_pace_max"], np.minimum(damage[jobs] - limit,
                                                       pop.hh_funds[jobs]))
    before = np.cumsum(want) - want  # work taken by the jobs ahead in the queue
    work = np.clip(builders(pop.n_households, p) - before, 0.0, want)
    pop.hh_funds[jobs] -= work
    level = damage.copy()
    level[jobs] -= work
    members = np.flatnonzero(np.isin(pop.household, jobs))
    pop.gap[HOUSING, members] = np.minimum(pop.gap[HOUSING, members],
                                           level[pop.household[members]])


def stages(pop: Population, day: int, p: dict) -> np.ndarray:
    """Each displaced resident's housing stage (index into STAGES), -1 for those not
    displaced: emergency shelter for the first emergency_shelter_days, temporary shelter
    until temporary_shelter_days, temporary housing after."""
    since = day - pop.displaced_since
    stage = np.where(since < p["emergency_shelter_days"], 0,
                     np.where(since < p["temporary_shelter_days"], 1, 2))
    return np.where(pop.displaced, stage, -1)


def attachment(pop: Population, ties: Ties, p: dict) -> np.ndarray:
    """Each household's attachment to the community, 0 up (capped at 1 where it is used):
    attachment_ties x min(1, base tie strength per member outside the household /
    reference_tie_strength) + attachment_organisations x share of members in a social
    organisation. The ties' base strength, not today's: ties weaken while a household is
    away (model.py `_update_ties`), but its roots in the place do not fade with them (phone,
    visits, a congregation meeting in exile: Chamlee-Wright & Storr 2009, *Rationality and
    Society* 21(4)); they are lost only as tie-neighbours leave (Ties.remove)."""
    outside = ties.kind != HOUSEHOLD
    s = ties.base[outside]
    per_resident = (np.bincount(ties.i[outside], weights=s, minlength=pop.n)
                    + np.bincount(ties.j[outside], weights=s, minlength=pop.n))
    size = np.bincount(pop.household, minlength=pop.n_households)
    strength = np.bincount(pop.household, weights=per_resident,
                           minlength=pop.n_households) / np.maximum(size, 1)
    members = np.bincount(pop.household, weights=pop.org >= 0,
                          minlength=pop.n_households) / np.maximum(size, 1)
    return (p["attachment_ties"] * np.minimum(1.0, strength / p["reference_tie_strength"])
            + p["attachment_organisations"] * members)


def leave(pop: Population, ties: Ties, day: int, p: dict,
          rng: np.random.Generator) -> np.ndarray:
    """Households in temporary housing (`stages`) leave for good with daily probability
    migration_rate x (1 - attachment) x (1 - funded), funded = min(1, funds / damage above
    self_repair_limit) (1 when only self-repair is left). Returns the bool mask of residents
    who leave today (the model removes them: Population.leave, Ties.remove)."""
    waiting = stages(pop, day, p) == 2
    if not waiting.any():
        return waiting
    hh = np.zeros(pop.n_households, bool)
    hh[pop.household[waiting]] = True
    left_to_pay = np.maximum(0.0, home_damage(pop) - p["self_repair_limit"])
    funded = np.where(left_to_pay > 0,
                      np.minimum(1.0, pop.hh_funds / np.maximum(left_to_pay, 1e-12)), 1.0)
    chance = p["migration_rate"] * (1.0 - np.minimum(1.0, attachment(pop, ties, p))) * (
        1.0 - funded) * hh
    going = rng.random(pop.n_households) < chance
    return going[pop.household] & waiting
