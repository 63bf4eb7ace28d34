"""community/ties.py: the tie matrix on a tiny hand-built graph.

    0 --- 1 --- 2 --- 3        4 --- 5
      hh   bridge  nb             link

Edges are given out of order and with reversed ends nowhere (i < j), so the constructor's
sorting is exercised too.
"""

import numpy as np
import pytest

from grassroots.community.synthetic import BRIDGING, HOUSEHOLD, LINKING, NEIGHBOUR, TIE_TYPES
from grassroots.core.params import PARAMS
from grassroots.core.vocabulary import repair_step

REPAIR_FLOOR = PARAMS["repair_floor"].default
from grassroots.community.ties import Ties

N = 6
# (i, j, kind, base) -- deliberately not sorted
EDGES = [
    (4, 5, LINKING, 0.5),
    (1, 2, BRIDGING, 0.4),
    (0, 1, HOUSEHOLD, 0.9),
    (2, 3, NEIGHBOUR, 0.6),
]
THRESHOLD = 0.2


def make(threshold=THRESHOLD):
    i, j, k, s = (np.array(x) for x in zip(*EDGES))
    return Ties(N, i.astype(np.int64), j.astype(np.int64), k.astype(np.int8), s.astype(float),
                threshold)


def dense(t):
    a = np.zeros((N, N))
    a[t.i, t.j] = t.strength
    a[t.j, t.i] = t.strength
    return a


def edge(t, i, j):
    return int(np.flatnonzero((t.i == i) & (t.j == j))[0])


def test_edges_are_sorted_with_their_attributes():
    t = make()
    assert t.i.tolist() == [0, 1, 2, 4] and t.j.tolist() == [1, 2, 3, 5]
    assert t.kind.tolist() == [HOUSEHOLD, BRIDGING, NEIGHBOUR, LINKING]
    assert t.base.tolist() == [0.9, 0.4, 0.6, 0.5]
    assert np.array_equal(t.strength, t.base) and t.strength is not t.base
    assert len(t.damaged) == 0 and len(t.broken) == 0


def test_csr_matches_the_edge_list():
    t = make()
    expected = np.zeros((N, N))
    for i, j, _, s in EDGES:
        expected[i, j] = expected[j, i] = s
    assert t.csr.shape == (N, N)
    assert t.csr.nnz == 2 * len(EDGES)
    assert np.array_equal(t.csr.toarray(), expected)
    assert t.csr.has_sorted_indices


def test_spread_is_a_dense_matrix_product():
    t = make()
    v = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    # by hand: row 1 = 0.9 * v0 + 0.4 * v2 = 0.9 + 1.2 = 2.1; row 4 = 0.5 * v5 = 3
    out = t.spread(v)
    assert out[1] == pytest.approx(2.1) and out[4] == pytest.approx(3.0)
    assert np.allclose(out, dense(t) @ v)
    t.weaken(np.array([edge(t, 1, 2)]), 0.5)
    assert np.allclose(t.spread(v), dense(t) @ v)
    assert np.array_equal(t.csr.toarray(), dense(t))


def test_weaken_marks_damage_and_rewrites_the_matrix():
    t = make()
    e = edge(t, 2, 3)
    t.weaken(np.array([e]), 0.5)
    assert t.strength[e] == pytest.approx(0.3)
    assert t.csr.toarray()[2, 3] == t.csr.toarray()[3, 2] == pytest.approx(0.3)
    assert t.damaged.tolist() == [e]
    assert len(t.broken) == 0  # 0.3 is still >= the working threshold 0.2
    assert t.total_strength() == pytest.approx(t.strength.sum())
    # the other ties are untouched
    others = np.arange(len(EDGES)) != e
    assert np.array_equal(t.strength[others], t.base[others])


def test_weaken_by_one_changes_nothing():
    t = make()
    t.weaken(np.arange(len(EDGES)), 1.0)
    assert len(t.damaged) == 0 and np.array_equal(t.strength, t.base)
    t.weaken(np.zeros(0, np.int64), 0.0)
    assert len(t.damaged) == 0


def test_repair_restores_base_exactly_in_finite_time():
    t = make()
    t.weaken(np.arange(len(EDGES)), 0.1)
    away = np.zeros(N, bool)
    for day in range(1000):
        t.repair(0.1, away, REPAIR_FLOOR)
        assert (t.strength <= t.base).all()
        if len(t.damaged) == 0:
            break
    else:
        pytest.fail("repair never finished")
    assert np.array_equal(t.strength, t.base)  # exact, not approximately
    assert np.array_equal(t.csr.toarray(), dense(t))
    assert t.total_strength() == pytest.approx(t.base.sum())
    # the repair rule: deficit d -> d - r * max(d, 0.1). From the largest deficit, 0.81
    # (base 0.9 weakened to 0.09), r = 0.1: about 20 days of proportional repair down to 0.1,
    # then at most 10 days at a steady 0.01 a day
    assert day < 35


def test_repair_follows_the_shared_repair_rule():
    t = make()
    e = edge(t, 0, 1)  # base 0.9
    t.weaken(np.array([e]), 0.5)  # strength 0.45, deficit 0.45
    t.repair(0.2, np.zeros(N, bool), REPAIR_FLOOR)
    # deficit 0.45 - 0.2 * max(0.45, 0.1) = 0.36 -> strength 0.54
    assert t.strength[e] == pytest.approx(0.9 - 0.36)
    assert t.strength[e] == pytest.approx(0.9 - repair_step(np.array([0.45]), 0.2, REPAIR_FLOOR)[0])
    # a deficit below the floor goes at the floor's pace: 0.05 - 0.2 * 0.1 = 0.03
    f = edge(t, 2, 3)  # base 0.6
    t.weaken(np.array([f]), 0.55 / 0.6)  # strength 0.55, deficit 0.05
    t.repair(0.2, np.zeros(N, bool), REPAIR_FLOOR)
    assert t.strength[f] == pytest.approx(0.6 - 0.03)
    assert 0.05 < REPAIR_FLOOR


@pytest.mark.parametrize("rate", [1.0, 1.7, 5.0])
def test_repair_never_overshoots_base(rate):
    t = make()
    t.weaken(np.arange(len(EDGES)), 0.3)
    t.repair(rate, np.zeros(N, bool), REPAIR_FLOOR)
    assert np.array_equal(t.strength, t.base)
    assert len(t.damaged) == 0


def test_ties_of_residents_away_do_not_heal():
    t = make()
    t.weaken(np.arange(len(EDGES)), 0.5)
    away = np.zeros(N, bool)
    away[3] = True
    before = t.strength.copy()
    t.repair(0.5, away, REPAIR_FLOOR)
    e = edge(t, 2, 3)
    assert t.strength[e] == before[e]  # one end away: no repair
    others = np.arange(len(EDGES)) != e
    assert (t.strength[others] > before[others]).all()


def test_giant_component_drops_when_the_bridge_breaks_and_returns_when_repaired():
    t = make()
    # components {0, 1, 2, 3} and {4, 5}: giant share 4 / 6
    assert t.giant_component_share() == pytest.approx(4 / 6)
    b = edge(t, 1, 2)
    t.weaken(np.array([b]), 0.6)  # 0.4 -> 0.24, still working (>= 0.2)
    assert t.giant_component_share() == pytest.approx(4 / 6)
    assert len(t.broken) == 0
    t.weaken(np.array([b]), 0.5)  # 0.24 -> 0.12 < 0.2: broken
    assert t.broken.tolist() == [b]
    # {0, 1}, {2, 3}, {4, 5}: giant share 2 / 6
    assert t.giant_component_share() == pytest.approx(2 / 6)
    assert not t.working()[b] and t.working().sum() == 3
    away = np.zeros(N, bool)
    while len(t.damaged):
        t.repair(0.3, away, REPAIR_FLOOR)
    assert t.giant_component_share() == pytest.approx(4 / 6)
    assert len(t.broken) == 0 and t.working().all()


def test_working_counts_by_type():
    t = make()
    full = {"household": 1, "neighbour": 1, "bridging": 1, "linking": 1}
    assert t.working_counts() == full
    assert t.working_count() == t.base_working_count() == 4
    t.weaken(np.array([edge(t, 1, 2), edge(t, 4, 5)]), 0.1)  # 0.04 and 0.05: both broken
    assert t.working_counts() == {"household": 1, "neighbour": 1, "bridging": 0, "linking": 0}
    assert t.working_count() == 2 and t.base_working_count() == 4
    assert set(t.working_counts()) == set(TIE_TYPES)


def test_ties_weaker_than_the_threshold_never_count_as_working():
    t = make(threshold=0.45)  # bridging (0.4) is below it from the start
    assert t.working_counts()["bridging"] == 0
    assert t.base_working_count() == 3
    assert t.giant_component_share() == pytest.approx(2 / 6)
    t.weaken(np.array([edge(t, 1, 2)]), 0.5)
    assert len(t.broken) == 0 and t.working_count() == 3  # it was never working


def test_touching_skips_household_ties_by_default():
    t = make()
    mask = np.zeros(N, bool)
    mask[1] = True
    assert t.touching(mask).tolist() == [edge(t, 1, 2)]
    assert sorted(t.touching(mask, skip_household=False).tolist()) == sorted(
        [edge(t, 0, 1), edge(t, 1, 2)])
    assert len(t.touching(np.zeros(N, bool))) == 0


def test_total_strength_tracks_damage():
    t = make()
    assert t.total_strength() == pytest.approx(0.9 + 0.4 + 0.6 + 0.5)
    t.weaken(np.array([edge(t, 0, 1), edge(t, 2, 3)]), 0.5)
    assert t.total_strength() == pytest.approx(0.45 + 0.4 + 0.3 + 0.5)
    assert t.total_strength() == pytest.approx(t.strength.sum())
