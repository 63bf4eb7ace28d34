"""community/synthetic.py (the synthetic community) and community/network_io.py (loaded networks)."""

from dataclasses import fields

import networkx as nx
import numpy as np
import pytest
from scipy import stats

from grassroots.community.synthetic import (
    BRIDGING, HOUSEHOLD, LINKING, NEIGHBOUR, TIE_TYPES, Community,
    build_synthetic, tie_strength_range,
)
from grassroots.core.params import defaults

TIE_STRENGTH = tie_strength_range(defaults())
from grassroots.community.network_io import (
    NetworkFileError, community_from_graph, load_community, read_graph,
)
from grassroots.core.params import resolve

# (hazard_exposure is a community file's dict of layers, None for the synthetic community)
ARRAYS = [f.name for f in fields(Community) if f.name not in ("n", "labels", "hazard_exposure")]


def build(seed=1, **overrides):
    p = resolve({"residents": 2000, **overrides})
    return build_synthetic(p, np.random.default_rng(seed)), p


@pytest.fixture(scope="module")
def comm():
    return build()


# -- reproducibility ---------------------------------------------------------------------
def test_same_seed_gives_identical_community():
    a, _ = build(seed=5)
    b, _ = build(seed=5)
    assert a.n == b.n
    for name in ARRAYS:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype, name
        assert np.array_equal(x, y), name


def test_different_seed_gives_different_community():
    a, _ = build(seed=5)
    b, _ = build(seed=6)
    assert a.n == b.n == 2000
    assert not np.array_equal(a.household, b.household)
    assert not (len(a.tie_i) == len(b.tie_i) and np.array_equal(a.tie_i, b.tie_i)
                and np.array_equal(a.tie_j, b.tie_j))
    assert not np.array_equal(a.awareness, b.awareness)
    assert not np.array_equal(a.exposure, b.exposure)


def test_build_draws_only_from_the_generator_it_is_given():
    np.random.seed(1)
    a, _ = build(seed=5)
    np.random.seed(2)
    b, _ = build(seed=5)
    assert all(np.array_equal(getattr(a, k), getattr(b, k)) for k in ARRAYS)


# -- residents, households, neighbourhoods ------------------------------------------------
def test_array_lengths(comm):
    c, p = comm
    assert c.n == p["residents"] == 2000
    for name in ("household", "neighbourhood", "adult", "vulnerability", "vulnerable",
                 "party", "awareness", "trust_neighbours", "trust_institutions",
                 "reserve_days", "volunteer", "org", "employer"):
        assert len(getattr(c, name)) == c.n, name
    assert len(c.exposure) == c.n_neighbourhoods == round(2000 / p["neighbourhood_size"])


def test_households_are_contiguous_and_sized(comm):
    c, p = comm
    assert c.household[0] == 0
    assert set(np.diff(c.household)) <= {0, 1}  # ids 0, 1, 2, ... in contiguous blocks
    sizes = np.bincount(c.household)
    assert sizes.min() >= 1
    # mean size 1 + Poisson(1.6) = 2.6 (the last household may be cut short)
    assert abs(sizes.mean() - p["household_size"]) < 0.15


def test_every_household_has_an_adult(comm):
    c, _ = comm
    adults = np.bincount(c.household, weights=c.adult)
    assert (adults >= 1).all()


def test_neighbourhoods_are_contiguous_and_hold_whole_households(comm):
    c, p = comm
    assert set(np.diff(c.neighbourhood)) <= {0, 1}
    assert np.array_equal(np.unique(c.neighbourhood), np.arange(c.n_neighbourhoods))
    for h in np.unique(c.household):
        assert len(np.unique(c.neighbourhood[c.household == h])) == 1
    sizes = np.bincount(c.neighbourhood)
    assert abs(sizes.mean() - p["neighbourhood_size"]) < 1e-9


def test_party_members_are_adults_at_the_declared_share(comm):
    c, p = comm
    assert c.party.any()
    assert not (c.party & ~c.adult).any()
    # party_member_share is "a fraction of adults": binomial, within 4 standard deviations
    k, n = c.party.sum(), c.adult.sum()
    share = p["party_member_share"]
    assert abs(k - share * n) < 4 * np.sqrt(n * share * (1 - share))


def test_adult_share_is_at_least_the_declared_share(comm):
    c, p = comm
    assert c.adult.mean() >= p["adult_share"] - 0.03


@pytest.mark.parametrize("adult_share", [0.8, 0.5, 1.0])
def test_realised_adult_share_matches_the_parameter(adult_share):
    c, _ = build(adult_share=adult_share)
    first = np.r_[0, np.flatnonzero(np.diff(c.household)) + 1]
    assert c.adult[first].all()
    sd = np.sqrt(adult_share * (1 - adult_share) / c.n)
    assert abs(c.adult.mean() - adult_share) < 4 * sd + 1e-12


def test_adult_share_below_one_per_household_gives_one_adult_per_household():
    # every household needs an adult, so the share cannot fall below households / residents
    c, _ = build(adult_share=0.1)
    n_households = c.household.max() + 1
    assert c.adult.sum() == n_households
    assert (np.bincount(c.household, weights=c.adult) == 1).all()


def test_resident_attributes_are_in_range(comm):
    c, p = comm
    for name in ("vulnerability", "awareness", "trust_neighbours", "trust_institutions"):
        a = getattr(c, name)
        assert ((a >= 0) & (a <= 1)).all(), name
    assert (c.vulnerability[c.vulnerable] >= 0.6).all()
    assert (c.vulnerability[~c.vulnerable] < 0.4).all()
    assert set(np.unique(c.reserve_days)) <= {0.0, 7.0}
    # reserves are kept per household
    for h in np.unique(c.household)[:200]:
        assert len(np.unique(c.reserve_days[c.household == h])) == 1
    assert not (c.volunteer & ~c.adult).any()


def test_organisations_and_employers(comm):
    c, p = comm
    n_org = round(c.n * p["organisations_per_1000"] / 1000)
    n_ent = round(c.n * p["enterprises_per_1000"] / 1000)
    assert len(c.org_neighbourhood) == n_org and len(c.enterprise_neighbourhood) == n_ent
    assert ((c.org >= -1) & (c.org < n_org)).all()
    assert ((c.employer >= -1) & (c.employer < n_ent)).all()
    assert not ((c.employer >= 0) & ~c.adult).any()  # only adults are employed
    assert ((c.org_neighbourhood >= 0) & (c.org_neighbourhood < c.n_neighbourhoods)).all()
    assert ((c.enterprise_neighbourhood >= 0)
            & (c.enterprise_neighbourhood < c.n_neighbourhoods)).all()
    # members join an organisation of their own neighbourhood where there is one
    member = np.flatnonzero(c.org >= 0)
    has_local = np.isin(c.neighbourhood[member], c.org_neighbourhood)
    assert np.array_equal(c.org_neighbourhood[c.org[member[has_local]]],
                          c.neighbourhood[member[has_local]])


# -- ties --------------------------------------------------------------------------------
def test_ties_oriented_unique_no_self_loops(comm):
    c, _ = comm
    assert len(c.tie_i) == len(c.tie_j) == len(c.tie_type) == len(c.tie_strength) > 0
    assert (c.tie_i < c.tie_j).all()
    assert (c.tie_i >= 0).all() and (c.tie_j < c.n).all()
    pairs = c.tie_i * c.n + c.tie_j
    assert len(np.unique(pairs)) == len(pairs)
    assert set(np.unique(c.tie_type)) == {HOUSEHOLD, NEIGHBOUR, BRIDGING, LINKING}


def test_household_ties_are_exactly_the_household_pairs(comm):
    c, _ = comm
    hh = c.tie_type == HOUSEHOLD
    same = c.household[c.tie_i] == c.household[c.tie_j]
    assert np.array_equal(hh, same)  # household ties only within, and every within-tie is one
    sizes = np.bincount(c.household)
    assert hh.sum() == (sizes * (sizes - 1) // 2).sum()  # all pairs of every household


def test_neighbour_ties_within_neighbourhoods(comm):
    c, _ = comm
    t = c.tie_type == NEIGHBOUR
    assert t.any()
    assert (c.neighbourhood[c.tie_i[t]] == c.neighbourhood[c.tie_j[t]]).all()
    assert (c.household[c.tie_i[t]] != c.household[c.tie_j[t]]).all()


def test_bridging_ties_across_neighbourhoods(comm):
    c, _ = comm
    t = c.tie_type == BRIDGING
    assert t.any()
    assert (c.neighbourhood[c.tie_i[t]] != c.neighbourhood[c.tie_j[t]]).all()


def test_linking_ties_join_an_ordinary_resident_and_a_party_member(comm):
    c, _ = comm
    t = c.tie_type == LINKING
    assert t.any()
    i, j = c.tie_i[t], c.tie_j[t]
    assert (c.party[i] != c.party[j]).all()
    ordinary = np.where(c.party[i], j, i)
    member = np.where(c.party[i], i, j)
    assert len(np.unique(ordinary)) == len(ordinary)  # at most one per ordinary resident
    # the party member is of the resident's own neighbourhood when it has one
    has = np.isin(c.neighbourhood[ordinary], c.neighbourhood[c.party])
    assert np.array_equal(c.neighbourhood[member[has]], c.neighbourhood[ordinary[has]])
    # nearly every ordinary resident has one (the rest are already tied to their member)
    assert t.sum() > 0.9 * (~c.party).sum()


def test_every_ordinary_resident_has_a_patron_tied_to_them(comm):
    c, _ = comm
    assert len(c.patron) == c.n
    assert (c.patron[c.party] == -1).all()
    ordinary = np.flatnonzero(~c.party)
    patron = c.patron[ordinary]
    assert (patron >= 0).all()
    assert c.party[patron].all()
    has = np.isin(c.neighbourhood[ordinary], c.neighbourhood[c.party])
    assert np.array_equal(c.neighbourhood[patron[has]], c.neighbourhood[ordinary[has]])
    # the pair is tied: by a linking tie, or by the household / neighbour tie that won
    pairs = set(zip(c.tie_i.tolist(), c.tie_j.tolist()))
    for k, m in zip(ordinary.tolist(), patron.tolist()):
        assert (min(k, m), max(k, m)) in pairs


def test_without_removes_residents_and_their_ties():
    c, _ = build(residents=300)
    removed = np.random.default_rng(0).random(c.n) < 0.2
    removed[np.flatnonzero(c.party)[0]] = True  # at least one party member leaves
    d = c.without(removed)
    keep = np.flatnonzero(~removed)
    assert d.n == len(keep)
    for name in ("neighbourhood", "adult", "vulnerability", "party", "awareness", "org",
                 "employer", "reserve_days"):
        assert np.array_equal(getattr(d, name), getattr(c, name)[keep]), name
    # households renumbered densely, still contiguous
    assert d.household[0] == 0 and set(np.diff(d.household)) <= {0, 1}
    assert np.array_equal(np.unique(d.household, return_inverse=True)[1],
                          np.unique(c.household[keep], return_inverse=True)[1])
    # exactly the ties between two remaining residents, in the new numbering
    both = ~removed[c.tie_i] & ~removed[c.tie_j]
    assert len(d.tie_i) == both.sum()
    assert np.array_equal(keep[d.tie_i], c.tie_i[both])
    assert np.array_equal(keep[d.tie_j], c.tie_j[both])
    assert np.array_equal(d.tie_type, c.tie_type[both])
    assert np.array_equal(d.tie_strength, c.tie_strength[both])
    assert (d.tie_i < d.tie_j).all()
    # patrons follow the renumbering; a resident whose party member left has none
    for new, old in enumerate(keep):
        p = c.patron[old]
        if p < 0 or removed[p]:
            assert d.patron[new] == -1
        else:
            assert keep[d.patron[new]] == p
    assert (d.patron == -1).sum() > (c.patron[keep] == -1).sum()
    assert np.array_equal(d.exposure, c.exposure)
    nothing = c.without(np.zeros(c.n, bool))
    for name in ARRAYS:
        assert np.array_equal(getattr(nothing, name), getattr(c, name)), name


def test_mean_degrees_follow_the_parameters(comm):
    c, p = comm
    # poisson(n * mean / 2) draws, less a few self-loops / duplicates / same-neighbourhood
    assert abs((c.tie_type == NEIGHBOUR).sum() - c.n * p["neighbour_ties"] / 2) < 0.1 * c.n
    bridging = (c.tie_type == BRIDGING).sum()
    assert 0.6 * c.n * p["bridging_ties"] / 2 < bridging <= 1.1 * c.n * p["bridging_ties"] / 2


def test_strengths_in_unit_interval_and_type_range(comm):
    c, _ = comm
    s = c.tie_strength
    assert ((s > 0) & (s <= 1)).all()
    for kind, (lo, hi) in TIE_STRENGTH.items():
        k = c.tie_type == kind
        assert ((s[k] >= lo) & (s[k] < hi)).all(), TIE_TYPES[kind]
        assert s[k].std() > 0.02  # drawn, not constant


def test_exposure_in_unit_interval_with_spread(comm):
    c, _ = comm
    e = c.exposure
    n_nb = len(e)
    assert ((e >= 0) & (e <= 1)).all()
    assert len(np.unique(e)) == n_nb
    # stratified sampling: one draw in each of the n_nb quantile strata of Beta(1.5, 3),
    # so there is always a sheltered and an exposed neighbourhood
    assert e.min() <= stats.beta.ppf(1 / n_nb, 1.5, 3.0)
    assert e.max() >= stats.beta.ppf(1 - 1 / n_nb, 1.5, 3.0)


@pytest.mark.parametrize("overrides", [
    {"residents": 10},
    {"household_size": 1.0},
    {"party_member_share": 0.0},
    {"neighbour_ties": 0.0, "bridging_ties": 0.0},
    {"organisations_per_1000": 0.0, "enterprises_per_1000": 0.0},
    {"residents": 200, "neighbourhood_size": 10},
])
def test_edge_cases_build_consistent_communities(overrides):
    c, p = build(**{"residents": 500, **overrides})
    assert c.n == p["residents"] == len(c.household)
    assert (np.bincount(c.household, weights=c.adult) >= 1).all()
    assert (c.tie_i < c.tie_j).all()
    if p["household_size"] == 1.0:
        assert not (c.tie_type == HOUSEHOLD).any() and c.adult.all()
    if p["party_member_share"] == 0.0:
        assert not c.party.any() and not (c.tie_type == LINKING).any()
    if p["neighbour_ties"] == 0.0:
        assert not (c.tie_type == NEIGHBOUR).any()
    if p["bridging_ties"] == 0.0:
        assert not (c.tie_type == BRIDGING).any()
    if p["organisations_per_1000"] == 0.0:
        assert (c.org == -1).all() and len(c.org_neighbourhood) == 0
    if p["enterprises_per_1000"] == 0.0:
        assert (c.employer == -1).all() and len(c.enterprise_neighbourhood) == 0
    if c.n_neighbourhoods == 1:
        assert not (c.tie_type == BRIDGING).any()


# -- loading a network -------------------------------------------------------------------
def load(path, **overrides):
    return load_community(path, resolve(overrides), np.random.default_rng(0))


def tie_map(c):
    lab = c.labels
    return {frozenset((lab[i], lab[j])): (int(t), float(s))
            for i, j, t, s in zip(c.tie_i, c.tie_j, c.tie_type, c.tie_strength)}


def test_edge_list_without_attributes(tmp_path):
    f = tmp_path / "town.txt"
    f.write_text("# a path and a separate pair\n0 1\n1 2\n\n2 3   # trailing comment\n"
                 "4 5\n3 0\n")
    c = load(f)
    assert c.n == 6 and c.labels == ["0", "1", "2", "3", "4", "5"]
    assert len(c.tie_i) == 5 and (c.tie_i < c.tie_j).all()
    ties = tie_map(c)
    assert set(ties) == {frozenset(p) for p in
                         [("0", "1"), ("1", "2"), ("2", "3"), ("4", "5"), ("0", "3")]}
    # defaults: each resident its own household, neighbourhoods found, strengths drawn
    assert np.array_equal(c.household, np.arange(6))
    assert not (c.tie_type == HOUSEHOLD).any()
    assert (c.neighbourhood >= 0).all()
    assert len(c.exposure) == c.neighbourhood.max() + 1
    assert ((c.exposure >= 0) & (c.exposure <= 1)).all()
    for kind, s in ties.values():
        lo, hi = TIE_STRENGTH[kind]
        assert lo <= s < hi
    # inferred types follow the ends' attributes
    for i, j, t in zip(c.tie_i, c.tie_j, c.tie_type):
        if c.party[i] != c.party[j]:
            assert t == LINKING
        elif c.neighbourhood[i] == c.neighbourhood[j]:
            assert t == NEIGHBOUR
        else:
            assert t == BRIDGING
    assert not (c.party & ~c.adult).any()
    for name in ("vulnerability", "awareness", "trust_neighbours", "trust_institutions"):
        a = getattr(c, name)
        assert len(a) == 6 and ((a >= 0) & (a <= 1)).all()


def test_edge_list_with_strength_and_type(tmp_path):
    f = tmp_path / "town.edges"
    f.write_text("a b 0.9 household\nb c 0.4 bridging\nc d 0.5\nd e\n")
    c = load(f)
    ties = tie_map(c)
    assert ties[frozenset("ab")] == (HOUSEHOLD, 0.9)
    assert ties[frozenset("bc")] == (BRIDGING, 0.4)
    assert ties[frozenset("cd")][1] == 0.5
    kind, s = ties[frozenset("de")]
    assert TIE_STRENGTH[kind][0] <= s < TIE_STRENGTH[kind][1]


def _attributed_graph():
    """12 residents, 4 households of 3, two neighbourhoods, party members 0 and 6."""
    g = nx.Graph()
    for k in range(12):
        g.add_node(k, household=f"h{k // 3}", neighbourhood="north" if k < 6 else "south",
                   vulnerability=k / 11, party_member=k in (0, 6), adult=k % 3 != 2,
                   exposure=(0.1 if k % 2 else 0.3) if k < 6 else 0.8)
    g.add_edge(0, 1, type="household", strength=0.95)  # given
    g.add_edge(1, 2)  # same household -> household
    g.add_edge(3, 4, strength=0.85)  # same household, strength given
    g.add_edge(0, 3)  # party 0 - ordinary 3 -> linking
    g.add_edge(2, 4)  # same neighbourhood, other household -> neighbour
    g.add_edge(2, 9)  # other neighbourhood -> bridging
    g.add_edge(6, 10, type="neighbour")  # given type overrides the inference (linking)
    g.add_edge(7, 8)
    g.add_edge(10, 11, weight=0.3)  # 'weight' is read as strength
    return g


def test_weights_above_one_are_rescaled_by_the_largest(tmp_path):
    g = nx.Graph([("a", "b", {"weight": 2.0}), ("b", "c", {"weight": 4.0}),
                  ("c", "d", {"weight": 1.0, "strength": 0.7})])
    f = _graphml(g, tmp_path / "weighted.graphml")
    ties = tie_map(load(f))
    assert ties[frozenset("ab")][1] == pytest.approx(0.5)
    assert ties[frozenset("bc")][1] == pytest.approx(1.0)
    assert ties[frozenset("cd")][1] == pytest.approx(0.7)  # strength wins over weight


@pytest.mark.parametrize("suffix", [".graphml", ".xml"])
def test_graphml_with_attributes(tmp_path, suffix):
    f = tmp_path / f"town{suffix}"
    nx.write_graphml(_attributed_graph(), f)
    c = load(f)
    assert c.n == 12 and c.labels == [str(k) for k in range(12)]
    assert np.array_equal(c.household, np.repeat(np.arange(4), 3))
    assert np.array_equal(c.neighbourhood, np.repeat([0, 1], 6))
    assert np.allclose(c.vulnerability, np.arange(12) / 11)
    assert np.array_equal(c.vulnerable, np.arange(12) / 11 >= 0.6)
    assert np.array_equal(c.party, np.isin(np.arange(12), [0, 6]))
    assert np.array_equal(c.adult, np.arange(12) % 3 != 2)
    # a neighbourhood's exposure is its nodes' mean: north (0.3, 0.1, ...) -> 0.2; south 0.8
    assert np.allclose(c.exposure, [0.2, 0.8])
    ties = tie_map(c)
    assert len(ties) == 9
    assert ties[frozenset(("0", "1"))] == (HOUSEHOLD, 0.95)
    assert ties[frozenset(("1", "2"))][0] == HOUSEHOLD
    assert ties[frozenset(("3", "4"))] == (HOUSEHOLD, 0.85)
    assert ties[frozenset(("0", "3"))][0] == LINKING
    assert ties[frozenset(("2", "4"))][0] == NEIGHBOUR
    assert ties[frozenset(("2", "9"))][0] == BRIDGING
    assert ties[frozenset(("6", "10"))][0] == NEIGHBOUR
    assert ties[frozenset(("10", "11"))] == (HOUSEHOLD, 0.3)
    # the only linking tie makes party member 0 the patron of resident 3
    expected = np.full(12, -1)
    expected[3] = 0
    assert np.array_equal(c.patron, expected)
    drawn = [ties[frozenset(p)] for p in [("1", "2"), ("0", "3"), ("2", "4"), ("2", "9"),
                                          ("6", "10"), ("7", "8")]]
    for kind, s in drawn:
        assert TIE_STRENGTH[kind][0] <= s < TIE_STRENGTH[kind][1]


def test_graphml_without_attributes(tmp_path):
    f = tmp_path / "karate.graphml"
    g = nx.karate_club_graph()
    for _, _, d in g.edges(data=True):
        d.pop("weight", None)
    for _, d in g.nodes(data=True):
        d.clear()
    nx.write_graphml(g, f)
    c = load(f)
    assert c.n == 34 and len(c.tie_i) == g.number_of_edges()
    assert np.array_equal(c.household, np.arange(34))
    n_nb = c.neighbourhood.max() + 1
    assert 1 < n_nb < 34 and len(c.exposure) == n_nb
    assert np.array_equal(np.unique(c.neighbourhood), np.arange(n_nb))
    assert ((c.exposure >= 0) & (c.exposure <= 1)).all()
    assert ((c.tie_strength > 0) & (c.tie_strength <= 1)).all()
    assert not (c.party & ~c.adult).any()
    # reproducible from the generator
    again = load(f)
    for name in ARRAYS:
        assert np.array_equal(getattr(c, name), getattr(again, name)), name


def test_graph_object_is_accepted():
    g = nx.relabel_nodes(nx.path_graph(8), lambda k: f"r{k}")
    c = community_from_graph(g, resolve({}), np.random.default_rng(0))
    assert c.labels == [f"r{k}" for k in range(8)] and len(c.tie_i) == 7


@pytest.mark.unit
def test_edge_list_self_loop_is_refused_naming_the_line(tmp_path):
    f = tmp_path / "loops.txt"
    f.write_text("a b\n# a comment\nb b\nb c\n")
    with pytest.raises(NetworkFileError, match=r"loops.txt, line 3: self-loop b b"):
        load(f)


@pytest.mark.unit
@pytest.mark.parametrize("repeat", ["a b", "b a", "a b 0.5"])
def test_edge_list_duplicate_tie_is_refused_naming_both_lines(tmp_path, repeat):
    f = tmp_path / "twice.txt"
    f.write_text(f"a b\nb c\n{repeat}\n")
    with pytest.raises(NetworkFileError, match=r"twice.txt, line 3: tie .* repeats line 1"):
        load(f)


def test_graphml_self_loops_are_dropped(tmp_path):
    # GraphML keeps its documented rule: a self-loop is not a tie and is dropped
    g = nx.Graph([("a", "a"), ("a", "b"), ("b", "c")])
    f = tmp_path / "loops.graphml"
    nx.write_graphml(g, f)
    c = load(f)
    assert c.n == 3 and len(c.tie_i) == 2 and (c.tie_i < c.tie_j).all()


def test_household_attribute_in_any_node_order(tmp_path):
    g = nx.Graph()
    g.add_node("a", household="A")
    g.add_node("b", household="B")
    g.add_node("c", household="A")  # last node's household is not the last one seen
    g.add_edges_from([("a", "b"), ("b", "c"), ("a", "c")])
    f = tmp_path / "interleaved.graphml"
    nx.write_graphml(g, f)
    c = load(f)
    assert np.array_equal(c.household, [0, 1, 0])
    assert tie_map(c)[frozenset("ac")][0] == HOUSEHOLD


# -- bad network files -------------------------------------------------------------------
def _graphml(g, f):
    nx.write_graphml(g, f)
    return f


BAD_FILES = {
    "malformed.graphml": lambda f: f.write_text(
        '<graphml><graph><node id="a"/><edge source="a" target='),
    "notxml.graphml": lambda f: f.write_text("0 1\n1 2\n"),
    "toomany.txt": lambda f: f.write_text("a b\nb c 0.5 neighbour extra\n"),
    "onefield.txt": lambda f: f.write_text("a b\nc\n"),
    "nonnumeric.txt": lambda f: f.write_text("a b strong\n"),
    "strength_high.txt": lambda f: f.write_text("a b 1.5\nb c\n"),
    "strength_zero.txt": lambda f: f.write_text("a b 0\nb c\n"),
    "strength_nan.txt": lambda f: f.write_text("a b nan\nb c\n"),
    "badtype.txt": lambda f: f.write_text("a b 0.5 cousin\n"),
    "empty.txt": lambda f: f.write_text("# nothing here\n\n"),
    "binary.txt": lambda f: f.write_bytes(b"\xff\xfe\x00\x81 a b\n"),
    "weight_negative.graphml": lambda f: _graphml(nx.Graph([(0, 1, {"weight": -2.0}),
                                                            (1, 2, {"weight": 1.0})]), f),
    "partial.graphml": lambda f: _graphml(_partial_household(), f),
    "vuln.graphml": lambda f: _graphml(_with_node_attr("vulnerability", 1.5), f),
    "flag.graphml": lambda f: _graphml(_with_node_attr("party_member", "maybe"), f),
    "single.txt": lambda f: f.write_text("a a\n"),
}


def _partial_household():
    g = nx.path_graph(3)
    g.nodes[0]["household"] = "x"
    g.nodes[1]["household"] = "y"
    return g


def _with_node_attr(key, value):
    g = nx.path_graph(3)
    for k in g:
        g.nodes[k][key] = 0.5 if key == "vulnerability" else "yes"
    g.nodes[2][key] = value
    return g


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_network_files_raise_one_line_naming_the_file(tmp_path, name):
    f = tmp_path / name
    BAD_FILES[name](f)
    with pytest.raises(NetworkFileError) as err:
        load(f)
    msg = str(err.value)
    assert len(msg.splitlines()) == 1 and msg.strip() == msg
    assert name in msg


def test_missing_file(tmp_path):
    f = tmp_path / "nowhere.graphml"
    with pytest.raises(NetworkFileError) as err:
        read_graph(f)
    msg = str(err.value)
    assert len(msg.splitlines()) == 1 and "nowhere.graphml" in msg
    with pytest.raises(NetworkFileError, match="nowhere.graphml"):
        load(f)


def test_bad_line_is_reported_with_its_number(tmp_path):
    f = tmp_path / "lines.txt"
    f.write_text("# header\na b\nb c 0.5 neighbour extra\n")
    with pytest.raises(NetworkFileError, match=r"lines\.txt, line 3: expected 'u v"):
        load(f)


def test_strength_error_names_the_edge_and_the_allowed_range(tmp_path):
    f = tmp_path / "s.txt"
    f.write_text("a b 1.5\n")
    with pytest.raises(NetworkFileError) as err:
        load(f)
    msg = str(err.value)
    assert "(a, b)" in msg and "1.5" in msg and "allowed: a number in (0, 1]" in msg
