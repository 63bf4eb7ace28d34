"""Building the community: residents, households, neighbourhoods, ties and organisations.

Everything is drawn from the numpy Generator passed in (the model's community stream, spawned
from its seeded generator), so the same
parameters and seed give the same community. All work is vectorised: a 100,000-resident
community builds in about a second.

Tie types (Aldrich 2012, *Building Resilience*; Szreter & Woolcock 2004):
  HOUSEHOLD  bonding ties inside a household (all pairs),
  NEIGHBOUR  bonding ties with neighbours of the same neighbourhood,
  BRIDGING   ties across neighbourhoods,
  LINKING    the tie from an ordinary resident to "their" party member of the
             neighbourhood (of the community where the neighbourhood has none): the normalised
             contact mechanism of the framework's second capacity. Organisation membership
             is a linking tie too; it is kept as `Community.org` rather than as an edge.
Employment ties are `Community.employer`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from grassroots.core.vocabulary import BRIDGING, HOUSEHOLD, LINKING, NEIGHBOUR, TIE_TYPES

__all__ = ["BRIDGING", "HOUSEHOLD", "LINKING", "NEIGHBOUR", "TIE_TYPES", "Community",
           "build_synthetic", "tie_strength_range"]


def tie_strength_range(p: dict) -> dict[int, tuple[float, float]]:
    """Base strength range per tie type, [low, high) of a uniform draw, from the declared
    `<type>_tie_low` / `<type>_tie_high` constants. Household ties are strongest; bridging
    ties weakest (Granovetter's weak ties)."""
    return {k: (p[f"{name}_tie_low"], p[f"{name}_tie_high"]) for k, name in enumerate(TIE_TYPES)}


def draw_strengths(kind: np.ndarray, p: dict, rng: np.random.Generator) -> np.ndarray:
    """Base strengths of ties of types `kind`, uniform in their type's range."""
    ranges = tie_strength_range(p)
    low = np.array([ranges[k][0] for k in range(4)])
    high = np.array([ranges[k][1] for k in range(4)])
    return low[kind] + (high[kind] - low[kind]) * rng.random(len(kind))


@dataclass
class Community:
    """A built community: per-resident arrays (length `n`), ties as an edge list, and the
    organisations' locations. Indices are positions in these arrays."""

    n: int
    household: np.ndarray  # int, household id
    neighbourhood: np.ndarray  # int, neighbourhood id
    adult: np.ndarray  # bool
    vulnerability: np.ndarray  # float in [0, 1]: 0 robust, 1 most vulnerable
    vulnerable: np.ndarray  # bool, member of a vulnerable group
    party: np.ndarray  # bool, party member
    awareness: np.ndarray  # float in [0, 1]
    trust_neighbours: np.ndarray  # float in [0, 1]
    trust_institutions: np.ndarray  # float in [0, 1]: in the committee and organisations
    reserve_days: np.ndarray  # float >= 0, days of household emergency supplies
    volunteer: np.ndarray  # bool
    org: np.ndarray  # int, social organisation the resident belongs to, -1 none
    employer: np.ndarray  # int, enterprise employing the resident, -1 none
    exposure: np.ndarray  # float in [0, 1] per neighbourhood: hazard exposure
    tie_i: np.ndarray  # int, first end (tie_i < tie_j)
    tie_j: np.ndarray  # int, second end
    tie_type: np.ndarray  # int8, one of HOUSEHOLD..LINKING
    tie_strength: np.ndarray  # float in (0, 1], the tie's normal (pre-shock) strength
    org_neighbourhood: np.ndarray  # int per organisation
    enterprise_neighbourhood: np.ndarray  # int per enterprise
    patron: np.ndarray  # int, the party member an ordinary resident is linked to, -1 none
    # the household's means (the same for every member; `household_means`)
    low_resource: np.ndarray  # bool, a low-resource household (low income, little savings)
    savings: np.ndarray  # float >= 0, savings as a share of the home's value
    insured: np.ndarray  # bool, the home is insured against the hazard
    single_family: np.ndarray  # bool, a single-family home (not an apartment)
    renter: np.ndarray  # bool, the household rents its home (its landlord repairs it)
    trust_government: np.ndarray  # float in [0, 1]: in government departments
    labels: list[Any] | None = field(default=None)  # node ids of a loaded network
    #: exposure per neighbourhood to one shock type, where a community file's hazard layer
    #: gives it (community/geo.py); other shock types use `exposure`
    hazard_exposure: dict[str, np.ndarray] | None = field(default=None)

    @property
    def n_neighbourhoods(self) -> int:
        return len(self.exposure)

    def without(self, removed: np.ndarray) -> Community:
        """The community with the residents of the bool mask `removed` gone (moved away,
        or taken out in a removal experiment): their ties go with them, households are
        renumbered, and residents whose party member left have none."""
        keep = ~np.asarray(removed, bool)
        new_index = np.full(self.n, -1, np.int64)
        new_index[keep] = np.arange(int(keep.sum()))
        tie = keep[self.tie_i] & keep[self.tie_j]
        patron = self.patron[keep]
        patron = np.where(patron >= 0, new_index[np.maximum(patron, 0)], -1)
        per_resident = ("neighbourhood", "adult", "vulnerability", "vulnerable", "party",
                        "awareness", "trust_neighbours", "trust_institutions",
                        "reserve_days", "volunteer", "org", "employer", *MEANS)
        return Community(
            n=int(keep.sum()),
            household=np.unique(self.household[keep], return_inverse=True)[1].astype(np.int64),
            **{k: getattr(self, k)[keep] for k in per_resident},
            exposure=self.exposure, tie_i=new_index[self.tie_i[tie]],
            tie_j=new_index[self.tie_j[tie]], tie_type=self.tie_type[tie],
            tie_strength=self.tie_strength[tie], org_neighbourhood=self.org_neighbourhood,
            enterprise_neighbourhood=self.enterprise_neighbourhood, patron=patron,
            labels=None if self.labels is None else [x for x, k in zip(self.labels, keep) if k],
            hazard_exposure=self.hazard_exposure,
        )


def build_synthetic(p: dict, rng: np.random.Generator) -> Community:
    """A synthetic community from the community parameters `p` (see core/params.py)."""
    n = int(p["residents"])
    household = _households(n, p["household_size"], rng)
    n_nb = max(1, round(n / p["neighbourhood_size"]))
    # Households fill neighbourhoods in contiguous blocks, so residents of a neighbourhood
    # are contiguous too (used below to draw neighbours in O(n)).
    first_member = np.r_[0, np.flatnonzero(np.diff(household)) + 1]
    hh_nb = (first_member * n_nb) // n
    neighbourhood = hh_nb[household]

    adult = adult_draw(n, first_member, p["adult_share"], rng)
    attrs = _resident_attributes(n, adult, household, neighbourhood, p, rng)
    places = _places(n, adult, n_nb, neighbourhood, p, rng)
    means = household_means(household, p, rng)
    # Ties are drawn last, so the number of ties changes nothing else given the seed.
    linking, patron = _linking_ties(attrs["party"], neighbourhood, rng)
    ties = [
        _household_ties(first_member, n),
        _neighbour_ties(neighbourhood, p["neighbour_ties"], rng),
        _bridging_ties(neighbourhood, p["bridging_ties"], rng),
        linking,
    ]
    return _assemble(n, household, neighbourhood, adult, attrs, places, ties, p, rng,
                     patron=patron, means=means)


def adult_draw(n: int, first_member: np.ndarray, share: float, rng) -> np.ndarray:
    """Adults: the first member of every household, and others with the probability that
    makes the overall share `share` (as far as households allow)."""
    others = n - len(first_member)
    p_other = (share * n - len(first_member)) / others if others else 0.0
    adult = rng.random(n) < min(1.0, max(0.0, p_other))
    adult[first_member] = True
    return adult


def _households(n: int, mean_size: float, rng: np.random.Generator) -> np.ndarray:
    """Household id of each resident; sizes are 1 + Poisson(mean_size - 1)."""
    sizes: list[np.ndarray] = []
    total = 0
    while total < n:
        draw = 1 + rng.poisson(mean_size - 1.0, size=max(16, int(1.2 * (n - total) / mean_size)))
        sizes.append(draw)
        total += int(draw.sum())
    s = np.concatenate(sizes)
    cut = int(np.searchsorted(np.cumsum(s), n)) + 1
    s = s[:cut]
    s[-1] -= int(s.sum()) - n
    return np.repeat(np.arange(len(s)), s)


def _resident_attributes(n, adult, household, neighbourhood, p, rng,
                         vulnerable: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Residents' attributes; `vulnerable` (bool per resident) when the caller knows who is
    (a community file's ages and disability), else Bern(vulnerable_share)."""
    if vulnerable is None:
        vulnerable = rng.random(n) < p["vulnerable_share"]
    u = rng.random(n)
    vulnerability = np.where(vulnerable, 0.6 + 0.4 * u, 0.4 * u)
    party = adult & (rng.random(n) < p["party_member_share"])
    awareness = np.clip(p["initial_awareness"] * rng.uniform(0.5, 1.5, n), 0.0, 1.0)
    trust_nb = np.clip(p["initial_trust_neighbours"] * rng.uniform(0.8, 1.2, n), 0.0, 1.0)
    trust_in = np.clip(p["initial_trust_institutions"] * rng.uniform(0.8, 1.2, n), 0.0, 1.0)
    # Households keep a week of supplies: a base share, plus the campaign's converts among
    # the rest (the framework, adaptability: "guide community residents to reserve
    # emergency materials").
    n_hh = int(household.max()) + 1
    keep_share = p["household_reserve_share"] + p["household_reserve_campaign"] * (
        1.0 - p["household_reserve_share"]
    )
    keeps = rng.random(n_hh) < keep_share
    reserve_days = np.where(keeps[household], 7.0, 0.0)
    volunteer = adult & (rng.random(n) < p["volunteer_share"])
    return dict(
        vulnerable=vulnerable, vulnerability=vulnerability, party=party, awareness=awareness,
        trust_neighbours=trust_nb, trust_institutions=trust_in, reserve_days=reserve_days,
        volunteer=volunteer,
    )


def _household_ties(first_member: np.ndarray, n: int):
    sizes = np.diff(np.r_[first_member, n])
    ii, jj = [], []
    for k in np.unique(sizes):
        if k < 2:
            continue
        starts = first_member[sizes == k]
        a, b = np.triu_indices(k, 1)
        ii.append((starts[:, None] + a).ravel())
        jj.append((starts[:, None] + b).ravel())
    return _typed(ii, jj, HOUSEHOLD)


def _neighbour_ties(neighbourhood: np.ndarray, mean_ties: float, rng):
    n = len(neighbourhood)
    m = rng.poisson(n * mean_ties / 2.0)
    if m == 0:
        return _typed([], [], NEIGHBOUR)
    start = np.searchsorted(neighbourhood, np.arange(neighbourhood.max() + 1))
    size = np.bincount(neighbourhood)
    i = rng.integers(0, n, m)
    j = start[neighbourhood[i]] + (rng.random(m) * size[neighbourhood[i]]).astype(np.int64)
    return _typed([i], [j], NEIGHBOUR)


def _bridging_ties(neighbourhood: np.ndarray, mean_ties: float, rng):
    n = len(neighbourhood)
    m = rng.poisson(n * mean_ties / 2.0)
    i = rng.integers(0, n, m)
    j = rng.integers(0, n, m)
    keep = neighbourhood[i] != neighbourhood[j]
    return _typed([i[keep]], [j[keep]], BRIDGING)


def _linking_ties(party: np.ndarray, neighbourhood: np.ndarray, rng):
    """Each ordinary resident is linked to one party member of the neighbourhood (or of the
    community, where the neighbourhood has none)."""
    members = np.flatnonzero(party)
    patron = np.full(len(party), -1, np.int64)
    if len(members) == 0:
        return _typed([], [], LINKING), patron
    ordinary = np.flatnonzero(~party)
    by_nb = members[np.argsort(neighbourhood[members], kind="stable")]
    n_nb = int(neighbourhood.max()) + 1
    count = np.bincount(neighbourhood[members], minlength=n_nb)
    offset = np.r_[0, np.cumsum(count)[:-1]]
    nb = neighbourhood[ordinary]
    u = rng.random(len(ordinary))
    local = by_nb[np.minimum(offset[nb] + (u * count[nb]).astype(np.int64), len(by_nb) - 1)]
    anywhere = members[(u * len(members)).astype(np.int64)]
    patron[ordinary] = np.where(count[nb] > 0, local, anywhere)
    # The patron holds even where the pair's tie is kept as household or neighbour tie.
    return _typed([ordinary], [patron[ordinary]], LINKING), patron


def _typed(ii, jj, kind):
    i = np.concatenate(ii).astype(np.int64) if ii else np.zeros(0, np.int64)
    j = np.concatenate(jj).astype(np.int64) if jj else np.zeros(0, np.int64)
    return i, j, np.full(len(i), kind, np.int8)


def dedupe_ties(n, parts, p, rng):
    """Concatenate typed edge lists, drop self-loops and duplicates (the first listed type
    wins), orient i < j and draw base strengths by type."""
    i = np.concatenate([p[0] for p in parts])
    j = np.concatenate([p[1] for p in parts])
    t = np.concatenate([p[2] for p in parts])
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    keep = lo != hi
    lo, hi, t = lo[keep], hi[keep], t[keep]
    _, first = np.unique(lo * n + hi, return_index=True)
    first.sort()
    lo, hi, t = lo[first], hi[first], t[first]
    return lo, hi, t, draw_strengths(t, p, rng)


def _places(n, adult, n_nb, neighbourhood, p, rng) -> dict:
    """Neighbourhood exposure, organisations and their members, enterprises and employees."""
    exposure = stratified_exposure(n_nb, rng)
    org, org_nb = _organisations(n, neighbourhood, n_nb, p, rng)
    employer, ent_nb = _enterprises(n, adult, n_nb, p, rng)
    return dict(exposure=exposure, org=org, org_neighbourhood=org_nb, employer=employer,
                enterprise_neighbourhood=ent_nb)


def _assemble(n, household, neighbourhood, adult, attrs, places, ties, p, rng,
              patron, means) -> Community:
    tie_i, tie_j, tie_type, tie_strength = dedupe_ties(n, ties, p, rng)
    return Community(
        n=n, household=household, neighbourhood=neighbourhood, adult=adult,
        tie_i=tie_i, tie_j=tie_j, tie_type=tie_type, tie_strength=tie_strength,
        patron=patron, **places, **attrs, **means,
    )


#: The household means of `Community`, per resident (one value per household).
MEANS = ("low_resource", "savings", "insured", "single_family", "renter",
         "trust_government")


def household_means(household: np.ndarray, p: dict, rng: np.random.Generator,
                    low: np.ndarray | None = None,
                    single: np.ndarray | None = None,
                    renter: np.ndarray | None = None) -> dict:
    """What each household has to recover with (per resident, the same for every member):
    low_resource with probability low_resource_share; savings, a share of the home's value,
    exponential with mean savings_low_resource or savings_other; renter with probability
    renter_share; insured with probability insurance_take_up_low_resource or
    insurance_take_up — for a rented home, the landlord's insurance of the building, at
    insurance_take_up whatever the tenant's means; single_family with probability
    single_family_share. Drawn after the organisations and enterprises and before the ties
    (so the number of ties changes none of them given the seed). Resources, not a fixed vulnerability factor, set the pace of housing
    recovery (agents/housing.py). Also each resident's trust in government departments
    (initial_trust_government x U(0.8, 1.2), clipped), drawn here for the same reason.
    `low`, `single` and `renter` (bool per household), when given, are taken instead of
    drawn (a community file's exact shares, community/geo.py)."""
    n_hh = int(household.max()) + 1 if len(household) else 0
    if low is None:
        low = rng.random(n_hh) < p["low_resource_share"]
    savings = rng.exponential(1.0, n_hh) * np.where(low, p["savings_low_resource"],
                                                    p["savings_other"])
    insure = rng.random(n_hh)
    if single is None:
        single = rng.random(n_hh) < p["single_family_share"]
    # trust in government departments, drawn like the other trusts (issue 11 split trust
    # in institutions into trust in the committee and in government)
    n = len(household)
    trust_gov = np.clip(p["initial_trust_government"] * rng.uniform(0.8, 1.2, n), 0.0, 1.0)
    if renter is None:
        # drawn last, and only when some households rent, so that an owner-occupied
        # community (renter_share 0) draws exactly what it drew before tenure was modelled
        renter = (rng.random(n_hh) < p["renter_share"] if p["renter_share"] > 0
                  else np.zeros(n_hh, bool))
    insured = insure < np.where(low & ~renter, p["insurance_take_up_low_resource"],
                                p["insurance_take_up"])
    return {"low_resource": low[household], "savings": savings[household],
            "insured": insured[household], "single_family": single[household],
            "renter": renter[household], "trust_government": trust_gov}


def stratified_exposure(n_nb: int, rng) -> np.ndarray:
    """Hazard exposure per neighbourhood: a stratified sample of Beta(1.5, 3) (mean 1/3),
    so every community has both sheltered and low-lying, highly exposed neighbourhoods."""
    u = (rng.permutation(n_nb) + rng.random(n_nb)) / n_nb
    return stats.beta.ppf(u, 1.5, 3.0)


def _organisations(n, neighbourhood, n_nb, p, rng):
    n_org = round(n * p["organisations_per_1000"] / 1000.0)
    org = np.full(n, -1, np.int64)
    if n_org == 0:
        return org, np.zeros(0, np.int64)
    org_nb = rng.permutation(np.arange(n_org) % n_nb)
    joins = rng.random(n) < p["membership_share"]
    # A member joins an organisation of their own neighbourhood when there is one.
    order = np.argsort(org_nb, kind="stable")
    count = np.bincount(org_nb, minlength=n_nb)
    offset = np.r_[0, np.cumsum(count)[:-1]]
    nb = neighbourhood
    u = rng.random(n)
    local = order[np.minimum(offset[nb] + (u * count[nb]).astype(np.int64), n_org - 1)]
    anywhere = (u * n_org).astype(np.int64)
    org[joins] = np.where(count[nb] > 0, local, anywhere)[joins]
    return org, org_nb


def _enterprises(n, adult, n_nb, p, rng):
    n_ent = round(n * p["enterprises_per_1000"] / 1000.0)
    employer = np.full(n, -1, np.int64)
    if n_ent == 0:
        return employer, np.zeros(0, np.int64)
    ent_nb = rng.integers(0, n_nb, n_ent)
    employed = adult & (rng.random(n) < p["employment_rate"])
    employer[employed] = rng.integers(0, n_ent, int(employed.sum()))
    return employer, ent_nb
