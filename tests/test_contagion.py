"""The contagion and network-structure parts against the analytic results of network science.

Epidemic: SIR with a fixed infectious period maps to bond percolation with occupation
probability T, so a major outbreak on an Erdős–Rényi graph of mean degree c infects
A = 1 - exp(-c T A) (Newman 2002). Structure: removing a random fraction f of nodes from an ER
graph of mean degree 4 leaves a giant component of share P = (1 - f) s of all nodes, with
s = 1 - exp(-4 (1 - f) s) (Callaway et al. 2000).
"""

import networkx as nx
import numpy as np
import pytest
from scipy.optimize import brentq

from grassroots.community.ties import Ties
from grassroots.scenarios.contagion import (
    INFECTIOUS, RECOVERED, SIR, beta_for, final_size_er, sir,
)

N = 100_000


def er_graph(n, c, seed):
    return nx.fast_gnp_random_graph(n, c / (n - 1), seed=seed)


def test_analytic_final_size():
    assert final_size_er(5, 0.4) == pytest.approx(0.7968, abs=1e-4)
    assert final_size_er(5, 0.1) == 0.0
    # the fixed point solves its own equation
    a = final_size_er(3, 0.6)
    assert a == pytest.approx(1 - np.exp(-3 * 0.6 * a), abs=1e-12)


def test_beta_gives_the_transmissibility_over_the_period():
    beta = beta_for(0.4, 5)
    assert 1 - (1 - beta) ** 5 == pytest.approx(0.4)
    with pytest.raises(ValueError):
        beta_for(1.5, 5)


def test_final_size_matches_bond_percolation_on_er():
    """c = 5, T = 0.4: mean final size of major outbreaks within 1.5 points of 0.7968."""
    sizes = []
    for seed in range(4):
        res = sir(er_graph(N, 5, seed), transmissibility=0.4, infectious_days=5, initial=10,
                  rng=seed)
        if res.final_size > 0.1:  # a major outbreak
            sizes.append(res.final_size)
    assert len(sizes) >= 3
    assert np.mean(sizes) == pytest.approx(final_size_er(5, 0.4), abs=0.015)


def test_no_major_outbreak_below_threshold():
    """c T = 0.5 < 1: every outbreak stays minor."""
    g = er_graph(N, 5, 11)
    for seed in range(3):
        res = sir(g, transmissibility=0.1, infectious_days=5, initial=10, rng=seed)
        assert res.final_size < 0.01


def test_sir_rules_on_a_path():
    """A path 0-1-2 with certain transmission: one hop a day, infectious for 2 days."""
    g = nx.path_graph(3)
    res = sir(g, beta=1.0, infectious_days=2, initial=[0], rng=0)
    assert list(res.new_cases[:4]) == [1, 1, 1, 0]
    assert res.final_size == 1.0
    # nobody transmits with beta 0
    assert sir(g, beta=0.0, infectious_days=2, initial=[0], rng=0).final_size == pytest.approx(1 / 3)


def test_infectious_period_is_fixed_and_scale_blocks_transmission():
    from scipy import sparse
    adj = sparse.csr_array(nx.to_scipy_sparse_array(nx.path_graph(2), format="csr"), dtype=float)
    process = SIR(adj, beta=1.0, infectious_days=3)
    process.infect(np.array([0]), day=0)
    rng = np.random.default_rng(0)
    process.step(1, rng, scale=np.array([0.0, 1.0]))  # node 0 isolated: no transmission
    assert process.state[1] == 0
    process.step(2, rng)
    assert process.state[1] == INFECTIOUS
    process.step(3, rng)
    assert process.state[0] == RECOVERED  # infected on day 0, infectious on days 1..3
    assert process.state[1] == INFECTIOUS


def test_final_size_is_reproducible_from_the_seed():
    g = er_graph(5_000, 4, 3)
    a = sir(g, 0.5, 4, initial=5, rng=7)
    b = sir(g, 0.5, 4, initial=5, rng=7)
    assert np.array_equal(a.ever_infected, b.ever_infected)


def _giant_after_removal(f, seed):
    g = er_graph(N, 4, seed)
    edges = np.array(g.edges(), dtype=np.int64)
    ties = Ties(N, edges[:, 0], edges[:, 1], np.full(len(edges), 1, np.int8),
                np.ones(len(edges)), working_threshold=0.2)
    removed = np.random.default_rng(seed).random(N) < f
    ties.weaken(ties.touching(removed, skip_household=False), 0.0)
    return ties.giant_component_share()


@pytest.mark.parametrize("f, expected", [(0.25, 0.7054), (0.5, 0.3984)])
def test_structure_under_random_removal_matches_percolation(f, expected):
    """The model's structure measure (giant component of working ties, community/ties.py) under
    random removal of a share f of residents, ER mean degree 4, N = 100,000."""
    c = 4 * (1 - f)
    s = brentq(lambda s: s - (1 - np.exp(-c * s)), 1e-9, 1.0)
    assert (1 - f) * s == pytest.approx(expected, abs=1e-4)
    measured = np.mean([_giant_after_removal(f, seed) for seed in range(2)])
    assert measured == pytest.approx(expected, abs=0.01)
