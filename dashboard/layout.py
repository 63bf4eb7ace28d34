"""Where the network view draws each resident: computed once per community, never per frame.

A community of thousands of residents and tens of thousands of ties is unreadable as a
hairball, and a spring layout of it costs seconds (MESA_NOTES.md). The view therefore draws
a *sample*: up to `MAX_NEIGHBOURHOODS` neighbourhoods and, in them, whole households up to
`MAX_RESIDENTS` residents, with every tie among the sampled residents. The geometry is
deterministic and costs milliseconds: neighbourhood centres on a circle, household centres in
a sunflower (phyllotaxis) pattern inside each neighbourhood's disc, household members
jittered around their household's centre. All draws come from a generator seeded by the
model's seed, so the same community always looks the same.

`layout_for(model, seed)` caches the result by seed and community parameters (the inputs
that build the synthetic community), checked against a fingerprint of the built community,
so changing a lever, the scenario or the policy reuses the layout; each frame only recolours.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from grassroots.core.params import by_group

#: Most residents drawn; larger communities are sampled (whole households).
MAX_RESIDENTS = 600
#: Most neighbourhoods drawn; larger communities show a sample of neighbourhoods.
MAX_NEIGHBOURHOODS = 12
#: Layouts kept in memory (one per community seen recently).
CACHE_SIZE = 8
#: Salt of the layout's own generator, so it never shares draws with the model.
_LAYOUT_SALT = 0x6C61796F

COMMUNITY_KEYS = tuple(p.name for p in by_group("community"))


@dataclass(frozen=True)
class Layout:
    """Positions of the sampled residents and of the organisations drawn on the map."""

    n_residents: int  # residents in the whole community
    n_neighbourhoods: int
    neighbourhoods: np.ndarray  # indices of the neighbourhoods drawn
    centres: np.ndarray  # (len(neighbourhoods), 2)
    radius: float  # radius of a neighbourhood's disc
    sample: np.ndarray  # resident indices drawn, sorted
    xy: np.ndarray  # (len(sample), 2) positions of the sampled residents
    party: np.ndarray  # bool per sampled resident: party member
    ties: np.ndarray  # tie indices (into model.ties) with both ends in the sample
    segments: np.ndarray  # (len(ties), 2, 2) end points of those ties
    orgs: np.ndarray  # social organisations in the drawn neighbourhoods
    org_xy: np.ndarray
    enterprises: np.ndarray  # enterprises in the drawn neighbourhoods
    enterprise_xy: np.ndarray
    exposure: np.ndarray  # hazard exposure of the drawn neighbourhoods

    @property
    def sampled(self) -> bool:
        return len(self.sample) < self.n_residents


_cache: OrderedDict[tuple, Layout] = OrderedDict()
#: How many layouts have been computed (not served from the cache); read by the tests.
computed = 0


def layout_key(seed: int, params: dict) -> tuple:
    """Cache key: the seed and the community parameters that build the community."""
    return (int(seed), *(params[k] for k in COMMUNITY_KEYS))


def _fingerprint(model) -> str:
    c = model.community
    h = hashlib.blake2b(digest_size=16)
    for a in (c.household, c.neighbourhood, model.ties.i, model.ties.j):
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def layout_for(model, seed: int) -> Layout:
    """The cached layout of this model's community, computed on first sight."""
    global computed
    key = (*layout_key(seed, model.p), _fingerprint(model))
    hit = _cache.get(key)
    if hit is not None:
        _cache.move_to_end(key)
        return hit
    layout = build_layout(model, seed)
    computed += 1
    _cache[key] = layout
    while len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return layout


def build_layout(model, seed: int) -> Layout:
    """Sample the community and place every drawn resident (see module doc)."""
    c = model.community
    rng = np.random.default_rng([int(seed), _LAYOUT_SALT])
    n, n_nb = c.n, c.n_neighbourhoods
    hh = c.household
    nb = c.neighbourhood

    # neighbourhoods drawn: all, or a random sample kept in index order
    if n_nb <= MAX_NEIGHBOURHOODS:
        shown = np.arange(n_nb)
    else:
        shown = np.sort(rng.choice(n_nb, MAX_NEIGHBOURHOODS, replace=False))
    in_shown = np.zeros(n_nb, bool)
    in_shown[shown] = True

    # households of the drawn neighbourhoods, in random order, taken whole up to the cap
    n_hh = int(hh.max()) + 1
    hh_size = np.bincount(hh, minlength=n_hh)
    hh_nb = np.zeros(n_hh, np.int64)
    hh_nb[hh] = nb
    candidates = np.flatnonzero(in_shown[hh_nb] & (hh_size > 0))
    candidates = candidates[rng.permutation(len(candidates))]
    total = np.cumsum(hh_size[candidates])
    keep = candidates[total <= MAX_RESIDENTS] if total[-1] > MAX_RESIDENTS else candidates
    if len(keep) == 0:  # one household larger than the cap
        keep = candidates[:1]
    take_hh = np.zeros(n_hh, bool)
    take_hh[keep] = True
    sample = np.flatnonzero(take_hh[hh])

    # geometry: neighbourhood centres on a circle, discs that do not overlap
    k = len(shown)
    if k == 1:
        centres = np.zeros((1, 2))
        radius = 1.0
    else:
        angle = np.pi / 2 - 2 * np.pi * np.arange(k) / k
        centres = np.column_stack([np.cos(angle), np.sin(angle)])
        radius = 0.78 * np.sin(np.pi / k) if k > 2 else 0.7
    centre_of = {int(b): centres[i] for i, b in enumerate(shown)}

    xy = np.zeros((len(sample), 2))
    golden = np.pi * (3 - np.sqrt(5))
    for b in shown:
        households = np.flatnonzero(take_hh & (hh_nb == b))
        m = len(households)
        if m == 0:
            continue
        order = households[rng.permutation(m)]
        r = radius * np.sqrt((np.arange(m) + 0.5) / m)
        theta = np.arange(m) * golden
        hh_centre = centre_of[int(b)] + np.column_stack([r * np.cos(theta), r * np.sin(theta)])
        spacing = radius / np.sqrt(m)
        # members around their household's centre (vectorised over the neighbourhood)
        rows = np.flatnonzero(nb[sample] == b)
        sorter = np.argsort(order)
        slot = sorter[np.searchsorted(order, hh[sample[rows]], sorter=sorter)]
        jitter = rng.normal(0.0, 0.28 * spacing, size=(len(rows), 2))
        xy[rows] = hh_centre[slot] + jitter

    in_sample = np.zeros(n, bool)
    in_sample[sample] = True
    ti, tj = model.ties.i, model.ties.j
    ties = np.flatnonzero(in_sample[ti] & in_sample[tj])
    pos = np.full(n, -1, np.int64)
    pos[sample] = np.arange(len(sample))
    segments = np.stack([xy[pos[ti[ties]]], xy[pos[tj[ties]]]], axis=1)

    orgs, org_xy = _rim(c.org_neighbourhood, shown, centre_of, radius, 0.0)
    ents, ent_xy = _rim(c.enterprise_neighbourhood, shown, centre_of, radius, np.pi / 7)
    return Layout(n_residents=n, n_neighbourhoods=n_nb, neighbourhoods=shown,
                  centres=centres, radius=float(radius), sample=sample, xy=xy,
                  party=np.asarray(c.party, bool)[sample], ties=ties, segments=segments,
                  orgs=orgs, org_xy=org_xy, enterprises=ents, enterprise_xy=ent_xy,
                  exposure=np.asarray(c.exposure, float)[shown])


def _rim(where: np.ndarray, shown: np.ndarray, centre_of: dict, radius: float,
         offset: float) -> tuple[np.ndarray, np.ndarray]:
    """Organisations of the drawn neighbourhoods, placed on the rim of their disc."""
    where = np.asarray(where, np.int64)
    idx = np.flatnonzero(np.isin(where, shown))
    xy = np.zeros((len(idx), 2))
    for b in np.unique(where[idx]):
        mine = np.flatnonzero(where[idx] == b)
        centre = centre_of[int(b)]
        # outward direction from the figure's centre, spread around it
        base = np.arctan2(centre[1], centre[0]) if np.any(centre) else np.pi / 2
        angles = base + offset + (np.arange(len(mine)) - (len(mine) - 1) / 2) * 0.32
        xy[mine] = centre + 1.12 * radius * np.column_stack([np.cos(angles), np.sin(angles)])
    return idx, xy
