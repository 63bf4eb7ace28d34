"""The model's rules as plain functions, on a handful of hand-built residents.

Every rule in agents/ (and the pure helpers in community/state.py, core/vocabulary.py and
measures/dimensions.py) is called directly on a tiny Population built by `make_pop`, with
expected values computed by hand in the comments. No model is built: the committee, which
needs a Mesa model for its constructor, gets a bare `mesa.Model(rng=0)`.

Rules that draw random numbers are checked on their boundary cases (probability 0 -> nobody,
probability 1 -> everyone eligible), where the outcome does not depend on the draw.
"""

from __future__ import annotations

from types import SimpleNamespace

import mesa
import numpy as np
import pytest

from grassroots.agents import department as dept
from grassroots.agents import enterprise as ent
from grassroots.agents import housing
from grassroots.agents import party_member as party
from grassroots.agents import rescue
from grassroots.agents import resident as res
from grassroots.agents import social_organisation as orgs
from grassroots.agents.committee import CommunityCommittee
from grassroots.community.state import (
    Population, able_to_help, effective_gap, felt_need, function_of, helpers_at_home,
    in_need_of, unmet_of,
)
from grassroots.community.ties import Ties
from grassroots.core.params import defaults
from grassroots.core.vocabulary import (
    BRIDGING, EMERGENCY, HEALTH, HEALTH_DEPT, HOUSEHOLD, HOUSING, HOUSING_UTIL, INCOME,
    NEIGHBOUR, RESCUERS, SERVICES, repair_step,
)
from grassroots.measures.dimensions import organisation_capacities, qualities

pytestmark = pytest.mark.unit

approx = pytest.approx

# -- fixtures ----------------------------------------------------------------------------------

#: What Population's constructor reads from a community, with a neutral default per resident.
_COMMUNITY = {
    "household": (np.int64, 0), "neighbourhood": (np.int64, 0), "adult": (bool, True),
    "vulnerability": (float, 0.0), "vulnerable": (bool, False), "party": (bool, False),
    "volunteer": (bool, False), "org": (np.int64, -1), "employer": (np.int64, -1),
    "awareness": (float, 0.3), "trust_neighbours": (float, 0.6),
    "trust_institutions": (float, 0.6), "reserve_days": (float, 0.0),
    "low_resource": (bool, False), "savings": (float, 0.0), "insured": (bool, False),
    "single_family": (bool, False), "renter": (bool, False), "trust_government": (float, 0.6),
}
_GAP_ROWS = {"housing": HOUSING, "health": HEALTH, "income": INCOME, "services": SERVICES}


def make_pop(n: int, **overrides) -> Population:
    """A Population of n residents from a hand-made community (a SimpleNamespace with the
    attributes Population's constructor reads). Keyword arguments override, in this order:
    community attributes (`trust_neighbours=[...]`, which also sets the long-run level),
    gap rows by need name (`health=[...]`), then any Population attribute (`displaced=[...]`,
    `need_since=[...]`, `trust_moved=True`, ...), converted to that attribute's dtype."""
    c = {"n": n}
    for name, (dtype, default) in _COMMUNITY.items():
        value = overrides.pop(name, None)
        c[name] = np.full(n, default, dtype) if value is None else np.asarray(value, dtype)
        assert c[name].shape == (n,), name
    if not (c["household"] != 0).any():  # not given: one household per resident
        c["household"] = np.arange(n)
    pop = Population(SimpleNamespace(**c))
    for name, row in _GAP_ROWS.items():
        if name in overrides:
            pop.gap[row] = np.asarray(overrides.pop(name), float)
    for name, value in overrides.items():
        old = getattr(pop, name)  # an AttributeError here is a typo in a test
        if isinstance(old, np.ndarray):
            value = np.asarray(value, old.dtype)
            assert value.shape == old.shape, name
        setattr(pop, name, value)
    return pop


def make_ties(n: int, edges: list[tuple[int, int, float]]) -> Ties:
    """Neighbour ties (i, j, strength) between n residents, all working."""
    i, j, s = (np.array(x) for x in zip(*edges))
    return Ties(n, i.astype(np.int64), j.astype(np.int64), np.full(len(i), NEIGHBOUR, np.int8),
                s.astype(float), working_threshold=0.2)


def make_committee(n: int, p: dict) -> CommunityCommittee:
    return CommunityCommittee(mesa.Model(rng=0), n, p)


@pytest.fixture
def p() -> dict:
    return defaults()


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


def B(*values) -> np.ndarray:
    return np.array(values, bool)


# -- core/vocabulary.py and community/state.py -------------------------------------------------

def test_repair_step_proportional_above_floor_steady_below():
    d = np.array([0.5, 0.05, 0.0, 0.1])
    # 0.5 - 0.1 x 0.5; 0.05 - 0.1 x 0.1 (the floor); 0 stays 0; 0.1 - 0.1 x 0.1
    assert repair_step(d, 0.1, 0.1) == approx([0.45, 0.04, 0.0, 0.09])
    assert repair_step(d, 0.0, 0.1) == approx(d)  # rate 0: no repair
    assert repair_step(np.array([0.05]), 1.0, 0.1)[0] == 0.0  # never below zero


def test_repair_step_last_floor_takes_one_over_rate_days():
    d, days = np.array([0.1]), 0
    while d[0] > 0:
        d = repair_step(d, 0.1, 0.1)
        days += 1
    assert days in (10, 11)  # 1 / rate days, give or take a rounding residue


def test_population_reads_the_community():
    pop = make_pop(4, employer=[0, -1, 2, -1], trust_neighbours=[0.1, 0.2, 0.3, 0.4],
                   awareness=[0.0, 0.5, 1.0, 0.2], reserve_days=[3, 0, 1, 2])
    assert pop.n == 4
    assert pop.employed.tolist() == [0, 2]
    assert pop.trust_neighbours_base.tolist() == [0.1, 0.2, 0.3, 0.4]
    assert pop.trust_neighbours is not pop.trust_neighbours_base
    assert pop.awareness.tolist() == [0.0, 0.5, 1.0, 0.2]
    assert pop.reserve_full.tolist() == [3, 0, 1, 2]
    assert pop.gap.shape == (4, 4) and not pop.gap.any()
    assert pop.need_since.tolist() == [-1] * 4
    assert not (pop.displaced.any() or pop.known.any() or pop.trust_moved or pop.reserves_moved)


def test_effective_gap_covers_the_services_of_buffered():
    gap = np.array([[0.4, 0.4], [0.6, 0.6], [0.2, 0.2], [0.8, 0.8]])
    assert effective_gap(gap, B(False, False), 0.5) is gap  # nobody used reserves
    g = effective_gap(gap, B(True, False), 0.5)
    assert g[:, 0] == approx([0.4, 0.6, 0.2, 0.4])  # services halved, health untouched
    assert g[:, 1] == approx(gap[:, 1])
    assert gap[HEALTH, 0] == 0.6  # the input is not changed


def test_function_in_need_and_unmet():
    gap = np.array([[0.0, 0.5, 0.1], [0.0, 0.0, 0.1], [0.0, 0.0, 0.1], [0.0, 0.3, 0.1]])
    assert function_of(gap) == approx([1.0, 1 - 0.8 / 4, 1 - 0.4 / 4])
    # threshold 0.8: a need is unmet when its gap exceeds 0.2
    assert in_need_of(gap, 0.8).tolist() == [False, True, False]
    unmet = unmet_of(gap, 0.8)
    assert unmet[:, 1].tolist() == [True, False, False, True]
    assert not unmet[:, [0, 2]].any()


def test_need_met_exactly_at_threshold_is_not_unmet():
    # was a strict xfail until issue 11 (1 - 0.8 == 0.19999999999999996 in floating point)
    gap = np.array([[0.2], [0.0], [0.0], [0.0]])
    assert not in_need_of(gap, 0.8)[0]
    assert in_need_of(np.array([[0.2001], [0.0], [0.0], [0.0]]), 0.8)[0]


def test_ties_spread_sums_strength_times_neighbour_value():
    t = make_ties(3, [(0, 1, 0.5), (1, 2, 0.75)])
    assert t.spread(np.array([1.0, 2.0, 4.0])) == approx([1.0, 0.5 + 3.0, 1.5])


# -- residents: prevention -----------------------------------------------------------------

def _settled_rates(p, volunteer, has_patron):
    """The arrival rate L of awareness gains, by hand from the defaults (per day)."""
    turnout = 1.0 if volunteer else p["drill_turnout"]
    L = p["training_gain"] * (p["awareness_training_rate"] + p["drills_per_year"] * turnout) / 365
    if has_patron:
        L += min(1.0, p["party_contact_rate"] / 30) * p["contact_awareness_gain"]
    return L


def test_settle_awareness_fixed_point(p):
    # defaults: memory 365, training_gain 1/3, training rate 0.2/yr, 1 drill/yr, turnout 0.2,
    # 0.5 contacts a month, contact gain 0.1
    pop = make_pop(4, awareness=[0.3, 0.3, 0.5, 0.0], volunteer=[True, False, False, False])
    patron = np.array([-1, 0, 0, -1])
    a = res.settle_awareness(pop, patron, p)
    f = 1 / 365
    L = np.array([_settled_rates(p, True, False), _settled_rates(p, False, True),
                  _settled_rates(p, False, True), _settled_rates(p, False, False)])
    # resident 0 (volunteer): L = (1/3)(0.2 + 1) / 365; resident 1: (1/3)(0.4)/365 + 0.1/60
    assert L[0] == approx(0.4 / 365) and L[1] == approx(0.4 / 3 / 365 + 1 / 600)
    a0 = np.array([0.3, 0.3, 0.5, 0.0])
    assert a == approx((f * a0 + L) / (f + L))
    # forgetting toward a0 and the arrivals toward 1 balance at a*
    assert f * (a0 - a) + L * (1 - a) == approx(np.zeros(4), abs=1e-15)
    assert np.all(a > a0) and np.all(a < 1)
    # the patron's contacts raise the settled level of those linked
    assert a[1] > res.settle_awareness(pop, None, p)[1]


def test_settle_awareness_without_prevention_work_is_the_base(p):
    p |= {"awareness_training_rate": 0.0, "drills_per_year": 0.0}
    pop = make_pop(3, awareness=[0.1, 0.4, 0.9], volunteer=[True, False, False])
    assert res.settle_awareness(pop, None, p) == approx([0.1, 0.4, 0.9])
    # a patron alone raises awareness of those linked, no one else
    a = res.settle_awareness(pop, np.array([-1, 0, -1]), p)
    assert a[0] == approx(0.1) and a[2] == approx(0.9) and a[1] > 0.4


def test_forget_only_on_days_divisible_by_seven(p):
    p["awareness_memory"] = 7.0
    base = np.array([0.2, 0.2, 0.5])
    a = np.array([0.9, 0.2, 0.1])
    assert res.forget(a.copy(), base, 15, p) == approx([0.9, 0.2, 0.1])
    out = res.forget(a.copy(), base, 14, p)
    weekly = 1 - (6 / 7) ** 7
    assert out == approx(a + weekly * (base - a))
    # exactly what seven daily steps of 1/memory would do
    daily = a.copy()
    for _ in range(7):
        daily += (base - daily) / 7
    assert out == approx(daily)
    assert res.forget(a.copy(), base, 0, p) == approx(out)  # day 0 is a forgetting day


def test_forget_updates_in_place(p):
    a = np.array([0.9])
    assert res.forget(a, np.array([0.0]), 7, p) is a
    assert a[0] < 0.9


def test_prepare_for_warning_boundaries(rng):
    pop = make_pop(4, awareness=[0.0, 1.0, 1.0, 0.0], prepared=[False, False, False, True])
    footprint = B(True, True, False, False)
    prepared = res.prepare_for_warning(pop, footprint, rng)
    # awareness 0 never acts, awareness 1 in the footprint always does; already prepared stay
    assert prepared.tolist() == [False, True, False, True]


def test_react_to_onset_boundaries(p, rng):
    footprint = B(True, True, True, False)
    pop = make_pop(4, awareness=[0.0, 1.0, 0.5, 1.0])
    p["onset_reaction"] = 0.0
    assert not res.react_to_onset(pop, footprint, 1.0, rng, p).any()
    # onset_reaction 0.5 x (1 + plan quality 1) = 1 x awareness: everyone aware at 1 acts
    p["onset_reaction"] = 0.5
    prepared = res.react_to_onset(pop, footprint, 1.0, rng, p)
    assert prepared[1] and not prepared[0] and not prepared[3]
    # with quality 1 and awareness 0.5 the chance is 1 x 0.5: over many residents, about half
    big = make_pop(4000, awareness=np.full(4000, 0.5))
    share = res.react_to_onset(big, np.ones(4000, bool), 0.0, rng, p | {"onset_reaction": 1.0})
    assert share.mean() == approx(0.5, abs=0.03)


# -- residents: reserves and feedback --------------------------------------------------------

def test_use_reserves_covers_unmet_services(p):
    # need_threshold 0.8: unmet when the gap exceeds 0.2
    pop = make_pop(6, health=[0.0, 0.1, 0.0, 0.0, 0.0, 0.5],
                   services=[0.9, 0.3, 0.0, 0.3, 0.1, 0.0],
                   housing=[0.0, 0.0, 0.9, 0.0, 0.0, 0.0], reserve_days=[2, 1, 5, 0.5, 4, 3])
    buffered, moved = res.use_reserves(pop, True, p)
    # 0 and 1 short of services and stocked; 2 only a housing need; 3 short but < 1 day
    # left; 4 services met; 5 injured: supplies do not heal, so none is used
    assert buffered.tolist() == [True, True, False, False, False, False]
    assert pop.reserve_days.tolist() == [1, 0, 5, 0.5, 4, 3]
    assert moved is True


def test_a_household_on_its_supplies_is_not_in_need_for_services(p):
    # services gap 0.9 covered 0.8 -> felt 0.18 <= 0.2: met today; the housing need stays
    gap = np.array([[0.0, 0.0, 0.5], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.9, 0.9, 0.9]])
    felt = felt_need(gap, B(True, False, True), 0.8, 0.8)
    assert felt.tolist() == [False, True, True]
    assert in_need_of(gap, 0.8).tolist() == [True, True, True]  # the gaps themselves


def test_use_reserves_nobody_in_need_clears_buffered(p):
    pop = make_pop(3, health=[0.9, 0.9, 0.9], reserve_days=[2, 2, 2],
                   buffered=[True, False, True])
    buffered, moved = res.use_reserves(pop, False, p)
    assert not buffered.any()
    assert pop.reserve_days.tolist() == [2, 2, 2]  # nothing consumed
    assert moved is False


def test_restock_households(p):
    p["household_restock_days"] = 3.0
    pop = make_pop(6, reserve_days=[3, 3, 0, 3, 3, 3], reserves_moved=True)
    pop.reserve_days[:] = [5, 1, 3, 0, 1, 4]
    pop.buffered[5] = True  # lived on its supplies today: its services are not back
    in_need = B(False, False, False, False, True, False)
    back, moved = res.restock_households(pop, in_need, p)
    # 0 hands back 2 extra days, 2 (keeps none) hands back 3; 1 and 3 restock a third of 3 a
    # day; 4 is in need and 5 on its supplies: both keep what they have
    assert back == approx(5.0)
    assert pop.reserve_days.tolist() == approx([3, 2, 0, 1, 1, 4])
    assert moved is True
    pop.buffered[5] = False
    for _ in range(3):
        back, moved = res.restock_households(pop, B(*[False] * 6), p)
    assert pop.reserve_days.tolist() == approx([3, 3, 0, 3, 3, 3]) and moved is False


def test_restock_households_skipped_when_nothing_moved(p):
    pop = make_pop(2, reserve_days=[3, 3])
    pop.reserve_days[:] = [0, 9]  # would change if the rule ran
    assert res.restock_households(pop, B(False, False), p) == (0.0, False)
    assert pop.reserve_days.tolist() == [0, 9]


def test_report_needs_feedback_reach_zero_only_registered(p, rng):
    p["feedback_reach"] = 0.0
    pop = make_pop(5, trust_institutions=[1.0] * 5, registered=[True, False, False, True, False],
                   known=[False, False, False, False, True])
    in_need = B(True, True, False, False, True)
    known = res.report_needs(pop, in_need, p, rng)
    # registered and in need: 0; registered but not in need: 3 stays unknown; 4 was known
    assert known.tolist() == [True, False, False, False, True]


def test_report_needs_full_reach_and_trust_everyone_in_need(p, rng):
    p["feedback_reach"] = 1.0
    pop = make_pop(4, trust_institutions=[1.0, 1.0, 0.0, 1.0])
    known = res.report_needs(pop, B(True, True, True, False), p, rng)
    # trust 0 never reports; not in need never reports
    assert known.tolist() == [True, True, False, False]


# -- residents: mutual aid and recovery ---------------------------------------------------------

def test_mutual_aid_on_a_line(p):
    # 0 --0.5-- 1 --0.75-- 2 ; 1 helps, 0 and 2 are in need
    ties = make_ties(3, [(0, 1, 0.5), (1, 2, 0.75)])
    pop = make_pop(3, trust_neighbours=[0.8, 0.6, 0.5])
    in_need = B(True, False, True)
    units, _ = res.mutual_aid(pop, ties, in_need, p)
    # offer of 1: 0.5 x 0.6 = 0.3, split by strength over 1.25: 0.24 per unit of strength;
    # accepted: 0 gets 0.5 x 0.24 x 0.8 = 0.096, 2 gets 0.75 x 0.24 x 0.5 = 0.09; an accepted
    # 1 is mutual_aid_capacity / help_unit = 0.8 units
    assert units == approx([0.096 * 0.8, 0.0, 0.09 * 0.8])


def test_mutual_aid_is_capped(p):
    ties = make_ties(3, [(0, 1, 0.5), (1, 2, 0.75)])
    pop = make_pop(3, trust_neighbours=[0.8, 0.6, 0.5])
    units, _ = res.mutual_aid(pop, ties, B(True, False, True), p | {"mutual_aid_strength": 10.0})
    cap = p["mutual_aid_capacity"] / p["help_unit"]
    assert units == approx([cap, 0.0, cap])


def test_mutual_aid_nobody_at_home_or_nobody_able(p):
    ties = make_ties(3, [(0, 1, 0.5), (1, 2, 0.75)])
    pop = make_pop(3, displaced=[True, True, True])
    assert not res.mutual_aid(pop, ties, B(True, False, True), p)[0].any()  # all away
    pop = make_pop(3, health=[0.5, 0.5, 0.5])
    assert not res.mutual_aid(pop, ties, B(True, True, True), p)[0].any()  # all injured
    pop = make_pop(3)
    assert not res.mutual_aid(pop, ties, B(False, False, False), p)[0].any()  # none in need
    pop = make_pop(3, trust_neighbours=[0.6, 0.0, 0.6])
    assert not res.mutual_aid(pop, ties, B(True, False, True), p)[0].any()  # helper distrusts


def test_mutual_aid_needs_a_tie(p):
    ties = make_ties(4, [(0, 1, 0.5)])  # 2 and 3 unconnected
    pop = make_pop(4)
    units, _ = res.mutual_aid(pop, ties, B(True, False, True, False), p)
    assert units[0] > 0 and units[2] == 0.0


def test_recover_gaps(p):
    # self_recovery_rate 0.02, help_unit 0.1, repair_floor 0.1; neighbourhood 1 still hit;
    # every housing gap here is within what a household repairs itself (see below)
    p["self_repair_limit"] = 1.0
    pop = make_pop(4, neighbourhood=[0, 0, 1, 1], vulnerability=[0.0, 1.0, 0.0, 0.5],
                   housing=[0.5, 0.05, 0.5, 0.3], health=[0.2, 0.0, 0.1, 0.4],
                   income=[0.4, 0.0, 0.0, 0.0], services=[0.3, 0.3, 0.3, 0.3])
    before = pop.gap.copy()
    institutional = np.array([[1.0, 0.0, 1.0, 1.0], [0.0, 0.0, 0.0, 0.0]])
    mutual = np.array([0.5, 0.0, 0.0, 0.0])
    g = res.recover_gaps(pop, institutional, mutual, B(False, True), p)
    # resident 0: own 0.02 x 1 x (1 - 0.2) = 0.016; housing rate 0.016 + 0.1 x 1.5 = 0.166,
    # 0.5 - 0.166 x 0.5 = 0.417; health rate 0.016 + 0.1 x 0.5 = 0.066, 0.2 - 0.066 x 0.2
    assert g[HOUSING, 0] == approx(0.417) and g[HEALTH, 0] == approx(0.2 - 0.066 * 0.2)
    # resident 1: own 0.02 x 0.5 = 0.01; housing below the floor: 0.05 - 0.01 x 0.1
    assert g[HOUSING, 1] == approx(0.049) and g[HEALTH, 1] == 0.0
    # residents 2 and 3 are where the hazard is ongoing: unchanged, help or not
    assert g[:, 2:] == approx(before[:, 2:])
    # income and services are not this rule's
    assert g[[INCOME, SERVICES]] == approx(before[[INCOME, SERVICES]])
    assert g is pop.gap


def test_housing_damage_above_the_self_repair_limit_waits_for_builders(p):
    # self_repair_limit 0.3: 0's home (0.5) is builders' work; 1's (0.3) its own
    pop = make_pop(2, housing=[0.5, 0.3], health=[0.2, 0.0])
    g = res.recover_gaps(pop, np.ones((2, 2)), np.ones(2), B(False), p)
    assert g[HOUSING, 0] == 0.5 and g[HOUSING, 1] < 0.3
    assert g[HEALTH, 0] < 0.2  # health is not held up


def test_recover_gaps_rate_zero_no_change(p):
    p["self_recovery_rate"] = 0.0
    pop = make_pop(2, housing=[0.5, 0.2], health=[0.3, 0.0])
    before = pop.gap.copy()
    res.recover_gaps(pop, np.zeros((2, 2)), np.zeros(2), B(False), p)
    assert pop.gap == approx(before)


def test_return_home(p):
    # return_threshold 0.25
    pop = make_pop(4, displaced=[True, True, False, True], housing=[0.1, 0.3, 0.0, 0.25])
    calm, none_out = B(False), np.zeros(1)
    displaced = res.return_home(pop, calm, none_out, 9, p)
    assert pop.home_again_day.tolist() == [9, -1, -1, -1]
    assert displaced.tolist() == [False, True, False, True]  # 0.25 is not below 0.25
    assert pop.displaced.tolist() == [True, True, False, True]  # a new array is returned
    # not while the hazard is ongoing, nor while the utilities are still mostly out
    pop = make_pop(4, displaced=[True, True, False, True], housing=[0.1, 0.3, 0.0, 0.25])
    assert res.return_home(pop, B(True), none_out, 9, p).tolist() == [True, True, False, True]
    out = np.array([p["return_outage_max"]])
    assert res.return_home(pop, calm, out, 9, p).tolist() == [True, True, False, True]


# -- residents: trust --------------------------------------------------------------------------

def test_update_trust_gain_and_erosion(p):
    # trust_patience_days 7; no ties, so nobody "could" have been helped by a neighbour
    p |= {"trust_gain": 0.1, "trust_erosion": 0.05, "trust_witness": 0.0}
    day = 10
    ties = make_ties(5, [(0, 4, 0.5)])  # 4 (not in need, at home) could help 0
    pop = make_pop(5, trust_institutions=[0.5] * 5, trust_government=[0.5] * 5,
                   trust_neighbours=[0.5] * 5, need_since=[2, 9, 2, 2, -1])
    in_need = B(True, True, True, True, False)
    gov = np.array([0.0, 2.0, 1.0, 0.0, 0.0])
    com = np.array([0.0, 0.0, 0.0, 1.0, 0.0])
    mutual = np.array([0.0, 1.0, 0.0, 0.0, 0.0])
    res.update_trust(pop, ties, in_need, gov, com, mutual, day, p)
    # 0 waited 8 days > 7 with no help at all: government and committee trust lose 5% of
    #   themselves; neighbours too, since 4 could have helped
    # 1 waited 1 day: gains 0.1 x 2 x 0.5 = 0.1 (government) and 0.05 (neighbours)
    # 2 waited 8 days, government help only: gains 0.05; committee trust erodes; trust in
    #   neighbours does not (no neighbour could help)
    # 3 waited, committee help only; 4 not in need: unchanged
    assert pop.trust_government == approx([0.475, 0.6, 0.55, 0.475, 0.5])
    assert pop.trust_committee == approx([0.475, 0.5, 0.475, 0.55, 0.5])
    assert pop.trust_neighbours == approx([0.475, 0.55, 0.5, 0.5, 0.5])
    assert pop.last_helped[:, 1].tolist() == [10, -(10**9), 10]


def test_update_trust_patience_counts_from_the_last_help(p):
    p |= {"trust_witness": 0.0}
    ties = make_ties(2, [(0, 1, 0.5)])
    pop = make_pop(2, trust_government=[0.5, 0.5], need_since=[0, 0])
    pop.last_helped[0] = [5, 2]  # government helped 0 five days ago, 1 eight days ago
    res.update_trust(pop, ties, B(True, True), np.zeros(2), np.zeros(2), np.zeros(2), 10, p)
    assert pop.trust_government == approx([0.5, 0.5 * (1 - p["trust_erosion"])])


def test_update_trust_witnessing_others_wait_lowers_trust_in_government(p):
    p |= {"trust_erosion": 0.0, "trust_witness": 0.1}
    ties = make_ties(4, [(0, 1, 0.5)])
    # 0 and 1 waited 8 days unhelped: half the community; 2 and 3 are not in need
    pop = make_pop(4, trust_government=[0.5] * 4, need_since=[2, 2, -1, -1])
    res.update_trust(pop, ties, B(True, True, False, False), np.zeros(4), np.zeros(4),
                     np.zeros(4), 10, p)
    assert pop.trust_government == approx([0.5 * (1 - 0.1 * 0.5)] * 4)
    assert pop.trust_neighbours == approx([0.6] * 4)  # untouched


def test_update_trust_clipped_at_one(p):
    p["trust_gain"] = 0.5
    ties = make_ties(1 + 1, [(0, 1, 0.5)])
    pop = make_pop(2, trust_government=[0.2, 0.2], trust_neighbours=[0.9, 0.9],
                   need_since=[0, -1])
    res.update_trust(pop, ties, B(True, False), np.array([10.0, 0]), np.zeros(2),
                     np.array([3.0, 0]), 1, p)
    # 0.2 + 0.5 x 10 x 0.8 = 4.2 -> 1; 0.9 + 0.5 x 3 x 0.1 = 1.05 -> 1
    assert pop.trust_government[0] == 1.0 and pop.trust_neighbours[0] == 1.0


def test_remember_fades_back_and_leaves_a_mark(p):
    p |= {"trust_memory": 10.0, "trust_base_drift": 0.0}  # rate 0.1, floor 0.1
    pop = make_pop(3, trust_neighbours=[0.9, 0.6, 0.6], trust_institutions=[0.5, 0.5, 0.5],
                   trust_moved=True)
    pop.trust_neighbours_base[:] = [0.4, 0.6, 0.65]
    res.remember(pop, p)
    # 0: 0.5 above -> 0.45 above; 1: at base; 2: 0.05 below -> 0.05 - 0.1 x 0.1 = 0.04 below
    assert pop.trust_neighbours == approx([0.85, 0.6, 0.61])
    assert pop.trust_committee == approx([0.5, 0.5, 0.5])
    # with drift, the long-run level moves too: they meet at base + d x drift / (fade + drift)
    p |= {"trust_memory": 10.0, "trust_base_drift": 0.1}
    pop = make_pop(1, trust_government=[0.3], trust_moved=True)
    pop.trust_government_base[:] = 0.5
    for _ in range(200):
        res.remember(pop, p)
    assert pop.trust_government[0] == approx(pop.trust_government_base[0])
    assert pop.trust_government[0] == approx(0.5 - 0.2 * 0.1 / 0.2)
    assert not res.trust_moved(pop)


def test_remember_skipped_when_trust_not_moved(p):
    pop = make_pop(1, trust_neighbours=[0.9])
    pop.trust_neighbours_base[:] = 0.1
    res.remember(pop, p)
    assert pop.trust_neighbours[0] == 0.9


def test_trust_moved():
    pop = make_pop(2)
    pop.trust_neighbours[0] = 0.9
    assert res.trust_moved(pop) is False  # the flag says trust has not moved
    pop.trust_moved = True
    assert res.trust_moved(pop) is True
    pop.trust_neighbours[0] = pop.trust_neighbours_base[0]
    assert res.trust_moved(pop) is False


# -- party members -------------------------------------------------------------------------------

def test_contact_residents_rate_one_contacts_all_with_patron_at_home(p, rng):
    p |= {"party_contact_rate": 30.0, "contact_awareness_gain": 0.1}  # once a day
    patron = np.array([-1, 0, 0, -1, 3, 3])
    pop = make_pop(6, awareness=[0.0, 0.5, 0.0, 0.0, 0.0, 0.0],
                   displaced=[False, False, False, True, False, False])
    in_need = B(False, True, False, False, True, False)
    a, known = party.contact_residents(pop, patron, np.flatnonzero(patron >= 0), in_need, p, rng)
    # 1 and 2 contacted (patron 0 at home); 4 and 5's patron 3 is away
    assert a == approx([0.0, 0.55, 0.1, 0.0, 0.0, 0.0])
    assert known.tolist() == [False, True, False, False, False, False]


def test_contact_residents_rate_zero_or_no_patrons(p, rng):
    patron = np.array([-1, 0, 0])
    pop = make_pop(3, awareness=[0.2, 0.2, 0.2])
    a, known = party.contact_residents(pop, patron, np.array([1, 2]), B(True, True, True),
                                       p | {"party_contact_rate": 0.0}, rng)
    assert a == approx([0.2] * 3) and not known.any()
    a, known = party.contact_residents(pop, None, np.array([], np.int64), B(True, True, True),
                                       p | {"party_contact_rate": 30.0}, rng)
    assert a == approx([0.2] * 3) and not known.any()


def test_go_first_splits_vanguard_units(p):
    p["vanguard_units"] = 1.0
    # party member 0 is linked to 1, 2, 3; party member 4 (in need) to 5
    patron = np.array([-1, 0, 0, 0, -1, 4])
    pop = make_pop(6, trust_institutions=[1.0, 0.8, 0.5, 1.0, 1.0, 1.0],
                   health=[0, 0, 0, 0, 0.5, 0])
    in_need = B(False, True, True, False, True, True)
    units = party.go_first(pop, patron, in_need, p)
    # 0's one unit split over its two linked residents in need, times their trust; 5's member
    # is injured (unable to help) and gives nothing; the party member in need has no patron
    assert units == approx([0.0, 0.4, 0.25, 0.0, 0.0, 0.0])


def test_go_first_at_most_one_unit_and_nothing_when_member_displaced(p):
    p["vanguard_units"] = 4.0
    patron = np.array([-1, 0, 0])
    pop = make_pop(3, trust_institutions=[1.0, 0.9, 1.0])
    units = party.go_first(pop, patron, B(False, True, True), p)
    assert units == approx([0.0, 0.9, 1.0])  # 2 each, at most 1 accepted
    pop.displaced[0] = True
    assert not party.go_first(pop, patron, B(False, True, True), p).any()
    assert not party.go_first(pop, None, B(False, True, True), p).any()
    assert not party.go_first(pop, patron, B(False, False, False), p).any()


# -- departments ------------------------------------------------------------------------------

def _dept_params(p, n, **kw):
    """Department throughput of exactly `capacity x plan fit` units a day for n residents."""
    return p | {"department_throughput": 1000.0 / n, "cooperation_gain": 0.0,
                "command_coordination": 0.0} | kw


def test_response_delay(p):
    p |= {"max_response_delay": 20, "vertical_responsiveness": 0.5, "response_plan_offset": 1.5}
    # 1 + round(20 x 0.5 x (1.5 - q))
    assert dept.response_delay(p, 0.5) == 11
    assert dept.response_delay(p, 1.0) == 6  # a practised plan halves the wait
    assert dept.response_delay(p | {"vertical_responsiveness": 1.0}, 0.0) == 1
    assert dept.response_delay(defaults(), defaults()["plan_quality_start"]) == 8


def test_respond_triages_largest_gaps_first(p):
    n = 5
    p = _dept_params(p, n)
    pop = make_pop(n, health=[0.3, 0.9, 0.5, 0.0, 0.7], known=[True] * n, need_since=[0] * n,
                   trust_government=[1.0, 1.0, 0.5, 1.0, 1.0])
    capacity = np.zeros(4)
    capacity[HEALTH_DEPT] = 2.5
    units, vertical, horizontal = dept.respond(pop, B(*[True] * n), 10, 5, capacity, 1.0, p)
    # 2.5 units: one each to the gaps 0.9 (1) and 0.7 (4), half a unit to 0.5 (2), accepted
    # at trust 0.5
    assert units[HEALTH] == approx([0.0, 1.0, 0.25, 0.0, 1.0])
    assert not units[[HOUSING, INCOME, SERVICES]].any()
    assert vertical == approx(2.25) and horizontal == 0.0


def test_triage_order_is_the_head_of_the_full_sort():
    """The departments' triage picks a day's residents without sorting the whole waiting
    list; it must give exactly the head of the full stable sort (first contact, then the
    largest gaps, ties by position), short lists and long, with many ties."""
    rng = np.random.default_rng(0)
    for n in [1, 2, 7, 50, 400, 5000]:
        for _ in range(20):
            answered = rng.random(n) < rng.random()
            key = -np.round(rng.random(n), int(rng.integers(0, 3)))  # 0-2 decimals: ties
            for count in {0, 1, n // 10, n // 3, n, n + 1}:
                assert np.array_equal(dept.triage_order(answered, key, count),
                                      np.lexsort((key, answered))[:count]), (n, count)


def test_respond_plan_fit_scales_throughput(p):
    n = 4
    p = _dept_params(p, n)
    pop = make_pop(n, health=[0.9, 0.8, 0.7, 0.6], known=[True] * n, need_since=[0] * n,
                   trust_government=[1.0] * n)
    capacity = np.array([0.0, 4.0, 0.0, 0.0])
    units, _, _ = dept.respond(pop, B(*[True] * n), 10, 1, capacity, 0.5, p)
    assert units[HEALTH] == approx([1.0, 1.0, 0.0, 0.0])


def test_respond_honours_delay_and_known(p):
    n = 4
    p = _dept_params(p, n)
    pop = make_pop(n, health=[0.9, 0.8, 0.7, 0.6], known=[True, True, False, True],
                   need_since=[0, 8, 0, 5], trust_government=[1.0] * n)
    in_need = B(True, True, True, False)
    units, _, _ = dept.respond(pop, in_need, 10, 5, np.full(4, 10.0), 1.0, p)
    # 0 waited 10 >= 5 days: served; 1 waited 2; 2 is not known; 3 is not in need
    assert units[HEALTH] == approx([1.0, 0.0, 0.0, 0.0])
    # waiting exactly the delay is enough
    units, _, _ = dept.respond(pop, in_need, 13, 5, np.full(4, 10.0), 1.0, p)
    assert units[HEALTH] == approx([1.0, 1.0, 0.0, 0.0])
    # nobody eligible: nothing, and no vertical or horizontal help
    pop.known[:] = False
    units, v, h = dept.respond(pop, in_need, 10, 5, np.full(4, 10.0), 1.0, p)
    assert not units.any() and v == 0.0 and h == 0.0


def test_respond_shelter_for_displaced_repairs_for_those_at_home(p):
    n = 2
    p = _dept_params(p, n)
    pop = make_pop(n, housing=[0.6, 0.9], displaced=[True, False], known=[True, True],
                   need_since=[0, 0], trust_government=[1.0, 1.0])
    capacity = np.zeros(4)
    capacity[EMERGENCY] = 5.0  # emergency management only: shelters the displaced
    units, _, _ = dept.respond(pop, B(True, True), 10, 1, capacity, 1.0, p)
    assert units[HOUSING] == approx([1.0, 0.0])
    capacity = np.zeros(4)
    capacity[HOUSING_UTIL] = 5.0  # housing & utilities only: repairs at home
    units, _, _ = dept.respond(pop, B(True, True), 10, 1, capacity, 1.0, p)
    assert units[HOUSING] == approx([0.0, 1.0])


def test_respond_pooled_help_is_horizontal(p):
    n = 3
    p = _dept_params(p, n, command_coordination=1.0)
    pop = make_pop(n, health=[0.5, 0.0, 0.0], income=[0.0, 0.5, 0.5], known=[True] * n,
                   need_since=[0] * n, trust_government=[1.0] * n)
    capacity = np.zeros(4)
    capacity[HEALTH_DEPT] = 3.0  # health has 2 spare units; civil affairs has none
    units, vertical, horizontal = dept.respond(pop, B(True, True, True), 10, 1, capacity, 1.0, p)
    assert units[HEALTH] == approx([1.0, 0.0, 0.0])
    assert units[INCOME] == approx([0.0, 1.0, 1.0])
    # served (0, 1, 2, 0) against own lines (0, 3, 0, 0): 1 of 3 units vertical
    assert vertical == approx(1.0) and horizontal == approx(2.0)


def test_pool_in_proportion_to_shortfall():
    throughput = np.array([4.0, 1.0, 0.0, 2.0])
    demand = np.array([1.0, 3.0, 2.0, 2.0])
    # own (1, 1, 0, 2); spare 3; shortfalls (0, 2, 2, 0); half of the spare pooled: 1.5
    assert dept.pool(throughput, demand, 0.5) == approx([1.0, 1.75, 0.75, 2.0])
    assert dept.pool(throughput, demand, 0.0) == approx([1.0, 1.0, 0.0, 2.0])
    # enough pooled to cover every shortfall: each gets its demand, no more
    assert dept.pool(np.array([10.0, 0.0]), np.array([1.0, 2.0]), 1.0) == approx([1.0, 2.0])
    # nobody short: own
    assert dept.pool(np.array([3.0, 3.0]), np.array([1.0, 2.0]), 1.0) == approx([1.0, 2.0])


def test_repair_utilities(p):
    # utility_repair_rate 0.08, capacity 0.5: rate 0.04
    outage = np.array([0.5, 0.5, 0.05])
    out = dept.repair_utilities(outage, B(False, True, False), 0.5, p)
    assert out == approx([0.5 - 0.04 * 0.5, 0.5, 0.05 - 0.04 * 0.1])
    assert dept.repair_utilities(outage, B(False, False, False), 0.0, p) == approx(outage)


def test_services_gap():
    assert dept.services_gap(np.array([0.0, 0.7]), np.array([1, 0, 1])).tolist() == [0.7, 0, 0.7]


def test_recover_departments(p):
    # department_recovery_rate 0.05, floor 0.1
    cap = np.array([0.5, 1.0, 0.95, 0.0])
    assert dept.recover_departments(cap, p) == approx([0.525, 1.0, 0.955, 0.05])
    full = np.ones(4)
    assert dept.recover_departments(full, p) is full
    assert dept.recover_departments(cap, p | {"department_recovery_rate": 0.0}) == approx(cap)


# -- social organisations ------------------------------------------------------------------------

def test_serving_enrolled_and_muster():
    pop = make_pop(5, org=[-1, 0, 1, -1, 0], volunteer=[True, True, False, True, True],
                   displaced=[False, False, False, False, True])
    assert orgs.serving_teams(pop.org, 2).tolist() == [2, 0, 1, 2, 0]
    # volunteers 1 and 4 in org 0; 0 and 3 in the committee's team; org 1 has none
    assert orgs.enrolled_volunteers(pop, 2).tolist() == [2, 0, 2]
    # 0 injured (unable), 4 displaced: one active volunteer left in org 0 and in the
    # committee's team
    pop.gap[HEALTH, 0] = 0.5
    active = orgs.muster(pop, 2, defaults())
    assert active.tolist() == [1, 0, 1]


def test_help_residents_shares_team_capacity(p):
    p["volunteer_capacity"] = 3.0
    serving = np.array([0, 0, 0, 1, 1, 1])  # org 0, then the committee's team (slot 1)
    pop = make_pop(6, trust_institutions=[1.0, 0.5, 1.0, 1.0, 1.0, 1.0])
    in_need = B(True, True, True, True, False, False)
    # org 0: 1 active x 3 x fit 0.5 = 1.5 for 3 in need, 0.5 each; committee's team: nobody
    units = orgs.help_residents(pop, in_need, serving, np.array([1, 0]), 0.5, p)
    assert units == approx([0.5, 0.25, 0.5, 0.0, 0.0, 0.0])
    # plenty of volunteers: at most one unit each
    units = orgs.help_residents(pop, in_need, serving, np.array([5, 5]), 1.0, p)
    assert units == approx([1.0, 0.5, 1.0, 1.0, 0.0, 0.0])
    # nobody in need: no help
    assert not orgs.help_residents(pop, np.zeros(6, bool), serving, np.array([5, 5]), 1.0,
                                   p).any()


def test_outside_help_waits_for_arrival(p):
    p |= {"outside_arrival_days": 3, "external_openness": 0.5, "outside_help_per_need": 0.2,
          "enterprise_donation": 1.0}
    pop = make_pop(5, trust_institutions=[1.0, 0.5, 1.0, 1.0, 1.0])
    in_need = B(True, True, True, True, False)
    enterprises = np.array([1.0, 0.5])
    assert not orgs.outside_help(pop, in_need, 2, enterprises, p).any()
    units = orgs.outside_help(pop, in_need, 3, enterprises, p)
    # 0.5 x (0.2 x 4 + 1 x 1.5) = 1.15 units for 4 residents in need
    assert units == approx(np.array([1.0, 0.5, 1.0, 1.0, 0.0]) * 1.15 / 4)
    assert not orgs.outside_help(pop, in_need, 30, enterprises,
                                 p | {"external_openness": 0.0}).any()
    # at most one unit each
    many = orgs.outside_help(pop, in_need, 3, enterprises, p | {"enterprise_donation": 100.0})
    assert many == approx([1.0, 0.5, 1.0, 1.0, 0.0])


def test_outside_help_nobody_in_need(p):
    pop = make_pop(3)
    units = orgs.outside_help(pop, np.zeros(3, bool), 10, np.ones(1), p)
    assert not units.any()


# -- enterprises -------------------------------------------------------------------------------

def test_recover_enterprises(p):
    p |= {"enterprise_recovery_rate": 0.1, "repair_floor": 0.1}
    cap = np.array([0.5, 0.5, 0.5, 1.0])
    nb = np.array([0, 1, 2, 0])
    outage = np.array([0.0, 0.5, 0.0])
    ongoing = B(False, False, True)
    custom, ok = np.ones(4), B(False, False, False, False)
    out = ent.recover_enterprises(cap, outage, ongoing, nb, False, custom, ok, p)
    # lost 0.5 at 0.1 (utilities on), at 0.05 (half the utilities), not at all (hazard on)
    assert out == approx([0.55, 0.525, 0.5, 1.0])
    assert ent.recover_enterprises(cap, outage, ongoing, nb, True, custom, ok,
                                   p) == approx(cap)  # blocked
    # half the customers back: half the pace; failed: none
    half = ent.recover_enterprises(cap, outage, ongoing, nb, False, np.full(4, 0.5),
                                   B(False, True, False, False), p)
    assert half == approx([0.525, 0.5, 0.5, 1.0])
    empty = np.zeros(0)
    assert len(ent.recover_enterprises(empty, outage, ongoing, nb[:0], False, empty,
                                       empty.astype(bool), p)) == 0


def test_enterprises_open_fail_and_their_employees_find_work(p, rng):
    cap = np.array([0.6, 0.3, 1.0, 0.0])
    custom = np.array([1.0, 1.0, 0.1, 0.0])
    failed = B(False, False, False, False)
    is_open = ent.open_enterprises(cap, custom, failed, p)
    # 1 lacks capacity, 2 customers (0.1 < business_min_customers 0.25), 3 both
    assert is_open.tolist() == [True, False, False, False]
    sure = p | {"business_failure_rate": 1.0}
    # chance x (1 - customers) x (1 - capacity): 1 and 2 cannot fail (no customer or no
    # capacity lost), 3 surely does
    assert ent.fail_enterprises(cap, custom, is_open, failed, sure, rng).tolist() == [
        False, False, False, True]
    pop = make_pop(3, employer=[3, 3, 0])
    ent.find_jobs(pop, B(False, False, False, True), is_open, p | {"job_finding_rate": 4.0},
                  rng)
    assert pop.employer.tolist() == [0, 0, 0]  # the only open one


def test_pay_wages_gap_is_lost_capacity_less_relief():
    pop = make_pop(5, employer=[0, 1, -1, 1, 0], relief=[0.5, 0.3, 0.2, 0.0, 0.0],
                   income=[0.0, 0.0, 0.7, 0.0, 0.0])
    capacity = np.array([0.6, 1.0])
    assert ent.pay_wages(pop, capacity, B(True, True), False) is True
    # employer 0 lost 0.4: 0.4 x (1 - 0.5) = 0.2 for resident 0, 0.4 for 4; employer 1 is at
    # full work: no gap, relief ends (1); 2 is not employed and keeps its gap and relief
    assert pop.gap[INCOME] == approx([0.2, 0.0, 0.7, 0.0, 0.4])
    assert pop.relief == approx([0.5, 0.0, 0.2, 0.0, 0.0])
    # a closed employer pays nothing: the whole income is lost (less relief)
    ent.pay_wages(pop, capacity, B(False, True), True)
    assert pop.gap[INCOME] == approx([0.5, 0.0, 0.7, 0.0, 1.0])


def test_pay_wages_back_at_full_work():
    pop = make_pop(2, employer=[0, 0], relief=[0.4, 0.4], income=[0.3, 0.3])
    # nothing cut and every enterprise at full capacity: nothing to do
    assert ent.pay_wages(pop, np.ones(1), B(True), False) is False
    assert pop.gap[INCOME] == approx([0.3, 0.3])
    # wages were cut and are now paid in full: gaps close, relief ends
    assert ent.pay_wages(pop, np.ones(1), B(True), True) is False
    assert not pop.gap[INCOME].any() and not pop.relief.any()


def test_relieve_income(p):
    # help_unit 0.1, relief_max 0.6
    out = ent.relieve_income(np.array([0.0, 0.55, 0.2]), np.array([1.0, 1.0, 0.0]), p)
    assert out == approx([0.1, 0.6, 0.2])


# -- the committee ----------------------------------------------------------------------------

def test_train_residents_boundaries(p, rng):
    pop = make_pop(4, awareness=[0.0, 0.4, 1.0, 0.7])
    c = make_committee(4, p | {"awareness_training_rate": 0.0})
    c.train_residents(pop, rng)
    assert pop.awareness == approx([0.0, 0.4, 1.0, 0.7]) and c.trainings_given == 0
    c = make_committee(4, p | {"awareness_training_rate": 365.0, "training_gain": 0.5})
    c.train_residents(pop, rng)  # everyone trained: half of the gap to 1 closed
    assert pop.awareness == approx([0.5, 0.7, 1.0, 0.85]) and c.trainings_given == 4


def test_run_drill_boundaries(p, rng):
    pop = make_pop(3, awareness=[0.0, 0.0, 0.0], volunteer=[True, False, False])
    c = make_committee(3, p | {"drills_per_year": 0.0})
    c.run_drill(pop, rng)
    assert not pop.awareness.any() and c.drills_held == 0
    # a drill every day, nobody turns out but the volunteers
    c = make_committee(3, p | {"drills_per_year": 365.0, "drill_turnout": 0.0,
                              "training_gain": 0.5})
    c.run_drill(pop, rng)
    assert pop.awareness == approx([0.5, 0.0, 0.0]) and c.drills_held == 1
    c.p = c.p | {"drill_turnout": 1.0}
    c.run_drill(pop, rng)
    assert pop.awareness == approx([0.75, 0.5, 0.5]) and c.drills_held == 2


def test_restock_and_take_back(p):
    p |= {"reserve_stock": 2.0, "reserve_restock_days": 4.0}
    c = make_committee(5, p)
    assert c.reserve_full == 10.0 and c.reserve == 10.0
    c.reserve = 1.0
    c.restock()  # 10 / 4 a day
    assert c.reserve == approx(3.5)
    c.take_back(5.0)
    assert c.reserve == approx(8.5)
    c.take_back(5.0)
    assert c.reserve == 10.0  # never above the full stock
    c.restock()
    assert c.reserve == 10.0


def test_distribute_reserves(p, rng):
    p["reserve_ration"] = 3.0
    pop = make_pop(5, known=[True, True, True, False, True],
                   reserve_days=[0.0, 0.5, 2.0, 0.0, 0.0],
                   trust_institutions=[1.0, 1.0, 1.0, 1.0, 0.0])
    c = make_committee(5, p)
    c.reserve = 10.0
    in_need = B(True, True, True, True, True)
    c.distribute_reserves(pop, in_need, rng)
    # 0 and 1 known, in need, < 1 day left, trusting; 2 has reserves; 3 unknown; 4 distrusts
    assert pop.reserve_days == approx([3.0, 3.5, 2.0, 0.0, 0.0])
    assert c.reserve == approx(4.0) and pop.reserves_moved is True
    # the reserve covers one ration only: one of two eligible gets it
    pop = make_pop(2, known=[True, True], trust_institutions=[1.0, 1.0])
    c.reserve = 4.0
    c.distribute_reserves(pop, B(True, True), rng)
    assert sorted(pop.reserve_days.tolist()) == [0.0, 3.0] and c.reserve == approx(1.0)
    # less than a ration left: nothing
    pop = make_pop(1, known=[True], trust_institutions=[1.0])
    c.distribute_reserves(pop, B(True), rng)
    assert pop.reserve_days[0] == 0.0 and pop.reserves_moved is False


def test_monitor_needs_boundaries(p, rng):
    pop = make_pop(3)
    c = make_committee(3, p | {"monitoring_accuracy": 0.0})
    c.monitor_needs(pop, B(True, True, False), rng)
    assert not pop.known.any()
    c = make_committee(3, p | {"monitoring_accuracy": 1.0, "monitor_detect": 1.0})
    c.monitor_needs(pop, B(True, True, False), rng)
    assert pop.known.tolist() == [True, True, False]


def test_activate_and_adjust_plan(p, rng):
    p |= {"plan_quality_start": 1.0, "plan_fit_base": 0.4, "plan_fit_quality": 0.3,
          "plan_fit_drills": 0.3, "drills_per_year": 1.0, "plan_fit_drills_full": 4.0,
          "max_adjust_delay": 21, "grassroots_autonomy": 0.0}
    pop = make_pop(4, neighbourhood=[0, 0, 1, 1], vulnerable=[True, False, True, True],
                   registered=[False, True, False, False])
    c = make_committee(4, p)
    c.activate_plan(pop, B(True, False), 5, rng)
    assert c.plan_fit == approx(0.4 + 0.3 * 1.0 + 0.3 * 0.25)
    assert c.adjust_day == 5 + 1 + 21
    # quality 1: every vulnerable resident of the footprint is listed, no one else; the old
    # list is replaced
    assert pop.registered.tolist() == [True, False, False, False]
    c.adjust_plan(26)
    assert c.plan_fit < 1.0 and c.adjustments == 0
    c.adjust_plan(27)
    assert c.plan_fit == 1.0 and c.adjust_day is None and c.adjustments == 1
    c.adjust_plan(40)
    assert c.adjustments == 1  # adjusted once per activation
    c.plan_quality = 0.0
    c.activate_plan(pop, B(True, True), 50, rng)
    assert not pop.registered.any()  # quality 0: nobody listed


def test_assess_event_learns_from_what_failed(p, rng):
    p |= {"max_lesson_delay": 180, "assessment_feedback_speed": 0.5, "pilot_share": 0.0,
          "learning_rate": 0.3, "plan_quality_start": 0.5}
    c = make_committee(4, p)
    nb = np.array([0, 0, 1, 1])
    # two days: 4 need-days, 1 reached -> the response failed 3/4 of them
    c.record_day(nb, B(True, True, False, False), B(True, False, False, False), 2)
    c.record_day(nb, B(False, True, True, False), B(False, False, False, False), 2)
    c.assess_event(10, 2, rng)
    assert c.events_assessed == 1 and c.last_shortfall == approx(0.75)
    assert c.lessons == [(100, approx(0.3 * 0.5 * 0.75), 0.0)]
    c.apply_lessons(99)
    assert c.plan_quality == 0.5  # not due yet
    c.apply_lessons(100)
    assert c.plan_quality == approx(0.5 + 0.3 * 0.5 * 0.75) and c.lessons == []
    # an event where everyone in need was reached teaches nothing
    c.record_day(nb, B(True, True, True, True), B(True, True, True, True), 2)
    c.assess_event(200, 2, rng)
    assert c.lessons[-1][1] == 0.0


def test_pilots_are_tried_somewhere_and_kept_only_if_they_did_better(p, rng):
    p |= {"pilot_share": 0.5, "pilot_effect_low": 0.2, "pilot_effect_high": 0.2,
          "learning_rate": 0.3, "max_lesson_delay": 0}
    c = make_committee(4, p)
    c.assess_event(0, 2, rng)  # the first event: no pilot ran; one is drawn for the next
    assert c.pilot.sum() == 1 and c.pilot_variation == approx(0.2)
    inside = int(np.flatnonzero(c.pilot)[0])
    nb = np.array([0, 0, 1, 1])
    q = c.local_quality(nb)
    assert q[nb == inside] == approx(c.plan_quality + 0.2)
    assert q[nb != inside] == approx(c.plan_quality)
    # the pilot neighbourhood is reached on all its need-days, the rest on none: kept
    c.record_day(nb, B(True, True, True, True), nb == inside, 2)
    c.assess_event(50, 2, rng)
    assert c.lessons[-1][2] == approx(0.2) and c.pilots_kept == 1
    # the next pilot does worse than the rest: dropped
    inside = int(np.flatnonzero(c.pilot)[0])
    c.record_day(nb, B(True, True, True, True), nb != inside, 2)
    c.assess_event(100, 2, rng)
    assert c.lessons[-1][2] == 0.0 and c.pilots_kept == 1


def test_apply_lessons_learning_rate_zero(p, rng):
    c = make_committee(2, p | {"learning_rate": 0.0, "pilot_share": 1.0})
    q = c.plan_quality
    c.record_day(np.array([0, 1]), B(True, True), B(False, False), 10)
    c.assess_event(0, 10, rng)
    c.apply_lessons(10**6)
    assert c.plan_quality == q and c.lessons == []


def test_apply_lessons_clipped_to_one(p, rng):
    c = make_committee(2, p | {"learning_rate": 1.0})
    c.lessons = [(0, 0.25, 1.0)]
    c.apply_lessons(0)
    assert c.plan_quality == 1.0


# -- measures ----------------------------------------------------------------------------------

def test_organisation_capacities():
    out = organisation_capacities(np.array([1.0, 0.5, 1.0, 1.0]), np.array([0.8]),
                                  np.array([1, 0, 3]), np.array([2, 0, 4]))
    # the team without enrolled volunteers is left out
    assert out == approx([1.0, 0.5, 1.0, 1.0, 0.8, 0.5, 0.75])
    assert len(organisation_capacities(np.ones(4), np.zeros(0), np.zeros(1), np.zeros(1))) == 4


def _reference_levels(p, **change):
    """raw_levels of a community exactly at the reference, with `change` applied."""
    raw = {"giant": 1.0, "working": p["reference_working_ties"],
           "service": p["reference_service_capacity"], "function": 1.0,
           "strength": p["reference_tie_strength"], "trust": p["reference_trust"]}
    return {**raw, **change}


def test_qualities_are_one_at_the_reference_and_capped_above_it():
    p = defaults()
    q = qualities(_reference_levels(p), p)
    assert q == {"structure": 1.0, "function": 1.0, "relationship": 1.0}
    more = qualities(_reference_levels(p, working=2 * p["reference_working_ties"],
                                       service=5.0, strength=9.0, trust=1.0), p)
    assert more == q  # full is full: more than the reference scores no higher


def test_qualities_fall_in_proportion_to_what_the_community_lacks():
    p = defaults()
    # half the working ties: structure's first half counts giant x 0.5
    q = qualities(_reference_levels(p, working=0.5 * p["reference_working_ties"]), p)
    assert q["structure"] == approx(0.5 * (0.5 + 1.0))
    # no service capacity at all, and 80% of the giant component
    q = qualities(_reference_levels(p, service=0.0, giant=0.8), p)
    assert q["structure"] == approx(0.5 * 0.8)
    # a quarter less tie strength, trust at half the reference
    q = qualities(_reference_levels(p, strength=0.75 * p["reference_tie_strength"],
                                    trust=0.5 * p["reference_trust"]), p)
    assert q["relationship"] == approx(0.5 * (0.75 + 0.5))
    assert q["function"] == 1.0


# -- life safety: able to help, entrapment, rescue, deaths, fatigue (agents/rescue.py) -----------

def test_able_to_help_is_not_the_same_as_in_need(p):
    # 0 without water or income (in need, able); 1 injured; 2 trapped; 3 dead; 4 well
    pop = make_pop(5, services=[1.0, 0, 0, 0, 0], income=[1.0, 0, 0, 0, 0],
                   health=[0.0, 0.5, 0, 0, 0], trapped=[False, False, True, False, False],
                   alive=[True, True, True, False, True])
    assert felt_need(pop.gap, pop.buffered, p["reserve_buffer"], p["need_threshold"])[0]
    assert able_to_help(pop, p).tolist() == [True, False, False, False, True]
    pop.displaced[4] = True
    assert helpers_at_home(pop, p).tolist() == [True, False, False, False, False]


def test_mutual_aid_from_a_neighbour_who_is_in_need_too(p):
    # 1 has no water (in need) but is healthy and at home: they still share with 0
    ties = make_ties(2, [(0, 1, 0.5)])
    pop = make_pop(2, services=[1.0, 1.0], housing=[0.6, 0.0])
    units, offered = res.mutual_aid(pop, ties, B(True, True), p)
    assert units[0] > 0 and (offered > 0).tolist() == [True, True]
    pop.fatigue[:] = 1.0  # exhausted helpers give nothing
    units, _ = res.mutual_aid(pop, ties, B(True, True), p)
    assert not units.any()


def test_entrap_boundaries(p, rng):
    collapsed = B(True, True, False)
    pop = make_pop(3)
    trapped, killed = rescue.entrap(pop, collapsed, 5, p | {"quake_entrapment": 1.0,
                                                            "collapse_lethality": 0.0}, rng)
    assert trapped.tolist() == [True, True, False] and not killed.any()
    assert pop.trapped_since.tolist() == [5, 5, -1]
    assert pop.gap[HEALTH].tolist() == [p["trapped_injury"]] * 2 + [0.0]
    pop = make_pop(3)
    trapped, killed = rescue.entrap(pop, collapsed, 5, p | {"quake_entrapment": 1.0,
                                                            "collapse_lethality": 1.0}, rng)
    assert killed.tolist() == [True, True, False] and not trapped.any() and not pop.trapped.any()
    pop = make_pop(3)
    trapped, killed = rescue.entrap(pop, collapsed, 5, p | {"quake_entrapment": 0.0}, rng)
    assert not (trapped.any() or killed.any())


def test_rescue_effort_one_channel_per_helper(p):
    # household {0, 1}: 0 trapped, 1 digs for 0. 2 and 3 neighbours of 0 (ties 0.5 and 1.0);
    # 3 is also tied to trapped 4 (strength 1.0): 3 splits 1 unit over strengths 1.0 + 1.0.
    # 5 is a volunteer in the neighbourhood: organised effort 1 shared by trapped 0 and 4.
    # 1 is tied to 4 as well, but is busy with its own household.
    ties = Ties(6, np.array([0, 0, 0, 3, 1]), np.array([1, 2, 3, 4, 4]),
                np.array([HOUSEHOLD, NEIGHBOUR, NEIGHBOUR, BRIDGING, NEIGHBOUR], np.int8),
                np.array([1.0, 0.5, 1.0, 1.0, 1.0]), working_threshold=0.2)
    pop = make_pop(6, household=[0, 0, 1, 2, 3, 4], trapped=[True, False, False, False, True, False],
                   volunteer=[False, False, False, False, False, True])
    along, household, organised, given = rescue.rescue_effort(pop, ties, p)
    assert household.tolist() == [1.0, 0, 0, 0, 0, 0]
    # 0 gets 1 (all of 2's) + 0.5 (half of 3's); 4 gets the other half of 3's
    assert along == approx([1.5, 0, 0, 0, 0.5, 0])
    assert organised == approx([0.5, 0, 0, 0, 0.5, 0])
    assert given.tolist() == [0.0, 1.0, 1.0, 1.0, 0.0, 1.0]
    pop.fatigue[:] = 0.5  # tired helpers give half
    along, household, organised, _ = rescue.rescue_effort(pop, ties, p)
    assert along == approx([0.75, 0, 0, 0, 0.25, 0]) and household[0] == approx(0.5)


def test_rescue_hazards_and_professionals(p):
    pop = make_pop(2000, trapped=[True] * 4 + [False] * 1996,
                   vulnerability=[0.0, 0.5, 0.0, 0.0] + [0.0] * 1996)
    zeros = np.zeros(pop.n)
    capacity = np.ones(4)
    p = p | {"external_openness": 0.5, "outside_arrival_days": 3}
    h, victims = rescue.rescue_hazards(pop, zeros, zeros, zeros, 0, capacity, p)
    assert victims.tolist() == [0, 1, 2, 3]
    assert h[0] == approx([p["self_rescue_rate"], p["self_rescue_rate"] * 0.5,
                           p["self_rescue_rate"], p["self_rescue_rate"]])
    # 2 x professional capacity (2000 residents) shared by 4 trapped; outside teams later
    assert h[4] == approx([2 * p["professional_rescue_capacity"] / 4] * 4)
    h3, _ = rescue.rescue_hazards(pop, zeros, zeros, zeros, 3, capacity, p)
    assert h3[4] == approx([2 * (p["professional_rescue_capacity"]
                                 + 0.5 * p["outside_rescue_capacity"]) / 4] * 4)
    assert not h[1:4].any()


def test_free_trapped_boundaries(rng):
    k = 50
    assert (rescue.free_trapped(np.zeros((5, k)), rng) == -1).all()
    h = np.zeros((5, k))
    h[3] = 1e6  # only volunteers, overwhelmingly
    assert (rescue.free_trapped(h, rng) == 3).all()


def test_free_trapped_shares_follow_hazards():
    # competing risks: freed with 1 - exp(-H), by c with h_c / H (20,000 draws)
    rng = np.random.default_rng(1)
    h = np.tile(np.array([[0.2], [0.1], [0.1], [0.0], [0.0]]), 20_000)
    by = rescue.free_trapped(h, rng)
    assert (by >= 0).mean() == approx(1 - np.exp(-0.4), abs=0.01)
    freed = by[by >= 0]
    assert np.bincount(freed, minlength=5) / len(freed) == approx([0.5, 0.25, 0.25, 0, 0],
                                                                  abs=0.02)


def test_die_trapped_follows_weibull_survival(p):
    n = 20_000
    scale, shape = p["trapped_survival_days"], p["trapped_survival_shape"]
    for t in (0, 2):
        pop = make_pop(n, trapped=[True] * n, trapped_since=[0] * n)
        dead = rescue.die_trapped(pop, np.arange(n), t, p, np.random.default_rng(t))
        S = lambda x: np.exp(-(x / scale) ** shape)  # noqa: E731
        assert dead.mean() == approx(1 - S(t + 1) / S(t), abs=0.015)


def test_fatigue_grows_with_help_and_fades_in_finite_time(p):
    g, r, floor = p["helper_fatigue_gain"], p["helper_rest_rate"], p["repair_floor"]
    f = rescue.tire(np.zeros(3), np.array([1.0, 0.5, 0.0]), p)
    # gain x effort, then a day's rest: g - r x max(g, floor)
    assert f == approx([g - r * max(g, floor), g / 2 - r * max(g / 2, floor), 0.0])
    for _ in range(400):  # a year of daily digging settles at g / (g + r), not exhaustion
        f = rescue.tire(f, np.array([1.0, 0.0, 0.0]), p)
    assert 0 < f[0] < 2 * g / (g + r) < 1
    for _ in range(int(2 / r / floor)):
        f = rescue.tire(f, np.zeros(3), p)
    assert not f.any()


def test_dead_leave_every_count():
    pop = make_pop(3, housing=[0.5, 0.5, 0], displaced=[True, True, False])
    pop.die(B(True, False, False))
    assert pop.alive.tolist() == [False, True, True]
    assert pop.gap[:, 0].tolist() == [0.0] * 4 and not pop.displaced[0]


def test_removed_ties_are_lost_not_damaged():
    ties = make_ties(3, [(0, 1, 0.5), (1, 2, 0.75)])
    ties.weaken(np.array([0]), 0.1)  # damaged and broken
    ties.remove(np.array([0]))
    assert len(ties.damaged) == 0 and ties.working_count() == 1
    assert ties.base_working_count() == 2
    assert ties.total_strength() == approx(0.75)
    assert ties.spread(np.ones(3)) == approx([0.0, 0.75, 0.75])
    ties.weaken(np.array([0, 1]), 0.5)  # a gone tie stays gone, not damaged
    assert ties.damaged.tolist() == [1] and ties.strength[0] == 0.0
    assert len(RESCUERS) == 5


# -- housing: dislocation, claims, rebuilding, out-migration (agents/housing.py) ----------------

def test_dislocation_probability_is_lins_logit(p):
    # Lin (2008) as in NIST IN-CORE: -0.42523 + 0.02480 x loss% - 0.50166 x single family
    loss = np.array([0.0, 0.5, 1.0])
    multi = housing.dislocation_probability(loss, np.zeros(3, bool), p)
    single = housing.dislocation_probability(loss, np.ones(3, bool), p)
    expit = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    assert multi == approx(expit(-0.42523 + 0.02480 * 100 * loss))
    assert single == approx(expit(-0.42523 - 0.50166 + 0.02480 * 100 * loss))
    assert (single < multi).all() and (np.diff(multi) > 0).all()


def test_dislocate_boundaries(p, rng):
    pop = make_pop(4, household=[0, 0, 1, 2])
    damage = np.array([0.9, 0.05, 0.9])
    damaged = B(True, True, False)
    sure = p | {"dislocation_beta0": 50.0}
    out = housing.dislocate(pop, damage, damaged, B(False, False, False), sure, rng)
    # household 0 (both members) leaves; 1 is below dislocation_min_damage; 2 was not hit today
    assert out.tolist() == [True, True, False, False]
    never = p | {"dislocation_beta0": -50.0}
    out = housing.dislocate(pop, damage, damaged, B(False, False, True), never, rng)
    assert out.tolist() == [False, False, False, True]  # a collapsed home is always left


def test_claims_insurance_and_aid_follow_resources(p):
    p |= {"insurance_delay_days": 10, "aid_delay_days": 20, "insurance_coverage": 0.8,
          "aid_share": 0.5, "aid_low_resource_factor": 0.6}
    pop = make_pop(3, savings=[0.1, 0.0, 0.0], insured=[True, False, False],
                   low_resource=[False, False, True])
    damage = np.array([0.5, 0.5, 0.5])
    housing.claim_losses(pop, damage, B(True, True, True), 0)
    assert pop.hh_funds == approx([0.1, 0.0, 0.0]) and not pop.hh_savings.any()
    housing.pay_claims(pop, 9, p)
    assert pop.hh_funds == approx([0.1, 0.0, 0.0])
    housing.pay_claims(pop, 10, p)
    assert pop.hh_funds == approx([0.1 + 0.4, 0.0, 0.0])
    housing.pay_claims(pop, 20, p)  # aid: half the uninsured loss, less for low resources
    assert pop.hh_funds == approx([0.5 + 0.5 * 0.1, 0.25, 0.25 * 0.6])
    housing.pay_claims(pop, 30, p)  # paid once
    assert pop.hh_funds == approx([0.55, 0.25, 0.15])


def test_rebuild_first_come_first_served(p):
    # builders for 3 households: 3 / 1000 x (contractor + outside x openness)
    p |= {"self_repair_limit": 0.3, "repair_pace_max": 0.1, "contractor_capacity": 50.0,
          "outside_contractor_capacity": 0.0}
    pop = make_pop(3, housing=[0.8, 0.8, 0.8])
    pop.hh_funds[:] = [1.0, 1.0, 0.0]
    pop.hh_queue_day[:] = [-1, 3, -1]  # 1 has been waiting since day 3
    housing.rebuild(pop, B(False, False, False), 5, p)
    # capacity 0.15: 1 (first in the queue) gets 0.1, 0 the rest 0.05; 2 has no funds
    assert pop.gap[HOUSING] == approx([0.75, 0.7, 0.8])
    assert pop.hh_funds == approx([0.95, 0.9, 0.0])
    assert pop.hh_queue_day.tolist() == [5, 3, -1]
    housing.rebuild(pop, B(True, True, True), 6, p)  # an ongoing hazard blocks the work
    assert pop.gap[HOUSING] == approx([0.75, 0.7, 0.8])


def test_a_landlord_repairs_a_rented_home_with_its_insurance_and_less_aid(p):
    # household 0 owns, 1 and 2 rent (2 is a low-resource tenant); all have savings and
    # the same loss; 0 and 1 are insured (for 1, the landlord's building)
    p |= {"insurance_delay_days": 10, "aid_delay_days": 20, "insurance_coverage": 0.8,
          "aid_share": 0.5, "aid_low_resource_factor": 0.6, "aid_rental_factor": 0.5}
    pop = make_pop(3, savings=[0.1, 0.1, 0.1], insured=[True, True, False],
                   low_resource=[False, False, True], renter=[False, True, True])
    housing.claim_losses(pop, np.array([0.5, 0.5, 0.5]), B(True, True, True), 0)
    # the tenants' savings do not pay for the landlord's building, and are kept
    assert pop.hh_funds == approx([0.1, 0.0, 0.0])
    assert pop.hh_savings == approx([0.0, 0.1, 0.1])
    housing.pay_claims(pop, 10, p)
    assert pop.hh_funds == approx([0.5, 0.4, 0.0])
    housing.pay_claims(pop, 20, p)
    # aid: half the uninsured loss to the owner; half of that again for a rented home,
    # whatever the tenant's means (not the low-resource factor)
    assert pop.hh_funds == approx([0.5 + 0.05, 0.4 + 0.025, 0.25 * 0.5])


def test_a_rented_home_waits_for_its_landlord_before_the_builders_come(p):
    p |= {"self_repair_limit": 0.3, "repair_pace_max": 0.1, "contractor_capacity": 1000.0,
          "outside_contractor_capacity": 0.0, "rental_repair_delay_days": 30}
    pop = make_pop(2, housing=[0.8, 0.8], renter=[False, True])
    pop.hh_funds[:] = [1.0, 1.0]
    pop.hh_claim_day[:] = [0, 0]
    housing.rebuild(pop, B(False, False), 29, p)
    assert pop.gap[HOUSING] == approx([0.7, 0.8])  # the owner's builders came, not the
    assert pop.hh_queue_day.tolist() == [29, -1]  # landlord's
    housing.rebuild(pop, B(False, False), 30, p)
    assert pop.gap[HOUSING] == approx([0.6, 0.7])
    # no delay: a rented home is repaired like an owned one
    pop = make_pop(2, housing=[0.8, 0.8], renter=[False, True])
    pop.hh_funds[:] = [1.0, 1.0]
    pop.hh_claim_day[:] = [0, 0]
    housing.rebuild(pop, B(False, False), 1, p | {"rental_repair_delay_days": 0})
    assert pop.gap[HOUSING] == approx([0.7, 0.7])


def test_leave_for_good_depends_on_attachment_and_funds(p, rng):
    p |= {"migration_rate": 1.0, "emergency_shelter_days": 5, "temporary_shelter_days": 10}
    ties = make_ties(3, [(1, 2, 0.8)])
    pop = make_pop(3, housing=[0.9, 0.9, 0.0], displaced=[True, True, False],
                   displaced_since=[0, 0, -1], org=[-1, -1, -1])
    going = housing.leave(pop, ties, 9, p, rng)  # still in temporary shelter: nobody
    assert not going.any()
    p |= {"attachment_ties": 1.0, "attachment_organisations": 0.0,
          "reference_tie_strength": 0.8}
    going = housing.leave(pop, ties, 10, p, rng)
    # 0: no ties, no funds -> leaves surely; 1: fully attached (tie 0.8 against 0.8) -> stays
    assert going.tolist() == [True, False, False]
    pop.hh_funds[0] = 1.0  # with its repairs paid for, it waits for the builders instead
    assert not housing.leave(pop, ties, 10, p, rng).any()
    stage = housing.stages(pop, 10, p)
    assert stage.tolist() == [2, 2, -1]
