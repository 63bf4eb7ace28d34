"""SIR contagion over a network, in discrete daily steps: the code the epidemic shock runs,
usable on its own on any networkx graph.

Each day, every infectious node transmits along each of its ties to a susceptible neighbour
independently with probability beta x w x scale_i, where w is the tie's weight (1 on an
unweighted graph, the tie strength in the model) and scale_i in [0, 1] the node's
transmission factor (1, or less when quarantined). A node infected on day t is infectious on
days t+1 .. t+D (D = `infectious_days`, fixed) and then recovered and immune.

With a fixed infectious period every tie transmits, over the whole period, independently with
probability T = 1 - (1 - beta w)^D (the *transmissibility*), so the final size of an outbreak is
that of bond percolation with occupation probability T (Newman 2002, Phys. Rev. E 66, 016128).
On an Erdős–Rényi graph of mean degree c a major outbreak then infects the share A solving
A = 1 - exp(-c T A); none occurs when c T < 1. `beta_for(T, D)` inverts the relation.

Work per day is proportional to the ties of the infectious nodes, not to the whole graph.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
from scipy import sparse

SUSCEPTIBLE, INFECTIOUS, RECOVERED = 0, 1, 2


def beta_for(transmissibility: float, infectious_days: int) -> float:
    """Daily per-tie transmission probability giving `transmissibility` over the period."""
    if not 0.0 <= transmissibility <= 1.0:
        raise ValueError(f"transmissibility: got {transmissibility}; allowed: [0, 1]")
    return 1.0 - (1.0 - transmissibility) ** (1.0 / infectious_days)


def final_size_er(mean_degree: float, transmissibility: float) -> float:
    """Analytic final size A = 1 - exp(-c T A) of a major outbreak on an ER graph (0 if
    c T <= 1), by fixed-point iteration."""
    ct = mean_degree * transmissibility
    if ct <= 1.0:
        return 0.0
    a = 1.0
    for _ in range(10_000):
        nxt = 1.0 - np.exp(-ct * a)
        if abs(nxt - a) < 1e-14:
            break
        a = nxt
    return float(a)


class SIR:
    """The state of an SIR process on a CSR adjacency matrix (symmetric, weights in [0, 1])."""

    def __init__(self, adjacency: sparse.csr_array, beta: float, infectious_days: int):
        self.adj = adjacency
        self.n = adjacency.shape[0]
        self.beta = beta
        self.infectious_days = int(infectious_days)
        self.state = np.zeros(self.n, np.int8)
        self.infected_on = np.full(self.n, -1, np.int64)

    @property
    def infectious(self) -> np.ndarray:
        return np.flatnonzero(self.state == INFECTIOUS)

    def infect(self, nodes: np.ndarray, day: int) -> np.ndarray:
        """Infect the susceptible among `nodes` on `day`; returns those newly infected."""
        nodes = np.unique(np.asarray(nodes, np.int64))
        nodes = nodes[self.state[nodes] == SUSCEPTIBLE]
        self.state[nodes] = INFECTIOUS
        self.infected_on[nodes] = day
        return nodes

    def step(self, day: int, rng: np.random.Generator,
             scale: np.ndarray | None = None) -> np.ndarray:
        """Advance to the end of `day`: infectious nodes (infected before `day`) transmit,
        then those whose period is over recover. Returns the newly infected nodes."""
        src = np.flatnonzero((self.state == INFECTIOUS) & (self.infected_on < day))
        new = np.zeros(0, np.int64)
        if len(src):
            indptr, indices, data = self.adj.indptr, self.adj.indices, self.adj.data
            starts, ends = indptr[src], indptr[src + 1]
            lengths = ends - starts
            total = int(lengths.sum())
            if total:
                # positions of all ties of the infectious nodes, in one vectorised gather
                offsets = np.repeat(starts - np.cumsum(np.r_[0, lengths[:-1]]), lengths)
                pos = offsets + np.arange(total)
                p = self.beta * data[pos]
                if scale is not None:
                    p = p * np.repeat(scale[src], lengths)
                targets = indices[pos]
                hit = (rng.random(total) < p) & (self.state[targets] == SUSCEPTIBLE)
                new = self.infect(targets[hit], day)
        done = (self.state == INFECTIOUS) & (self.infected_on >= 0) & (
            day - self.infected_on >= self.infectious_days)
        self.state[done] = RECOVERED
        return new


@dataclass
class SIRResult:
    """Outcome of `sir`: per-day counts and the final state (nodes in graph order)."""

    nodes: list
    new_cases: np.ndarray  # per day, from day 0 (the initial cases)
    prevalence: np.ndarray  # infectious at the end of each day
    ever_infected: np.ndarray  # bool per node
    final_size: float  # share of nodes ever infected


def sir(graph: nx.Graph, transmissibility: float | None = None, infectious_days: int = 5,
        initial: int | list = 1, rng: np.random.Generator | int | None = None,
        beta: float | None = None, weight: str | None = None,
        max_days: int = 100_000) -> SIRResult:
    """Run an SIR outbreak on a networkx graph to its end.

    Args:
        graph: any networkx graph (directed graphs are made undirected).
        transmissibility: per-tie T over the infectious period (or give `beta`).
        infectious_days: fixed infectious period D, days.
        initial: number of random initial cases, or a list of initial nodes.
        rng: a numpy Generator or a seed (all draws come from it).
        weight: edge attribute used as tie weight w in [0, 1] (default: every tie 1).
    """
    rng = np.random.default_rng(rng)
    if beta is None:
        if transmissibility is None:
            raise ValueError("sir: give transmissibility or beta")
        beta = beta_for(transmissibility, infectious_days)
    g = graph.to_undirected() if graph.is_directed() else graph
    nodes = list(g.nodes)
    adj = sparse.csr_array(nx.to_scipy_sparse_array(g, nodelist=nodes, weight=weight,
                                                    format="csr"), dtype=float)
    if weight is None:
        adj.data[:] = 1.0
    process = SIR(adj, beta, infectious_days)
    if isinstance(initial, (int, np.integer)):
        first = rng.choice(len(nodes), size=min(int(initial), len(nodes)), replace=False)
    else:
        index = {v: k for k, v in enumerate(nodes)}
        first = np.array([index[v] for v in initial], np.int64)
    new_cases = [len(process.infect(first, 0))]
    prevalence = [len(process.infectious)]
    day = 0
    while prevalence[-1] > 0 and day < max_days:
        day += 1
        new_cases.append(len(process.step(day, rng)))
        prevalence.append(int((process.state == INFECTIOUS).sum()))
    ever = process.state != SUSCEPTIBLE
    return SIRResult(nodes, np.array(new_cases), np.array(prevalence), ever,
                     float(ever.mean()))
