"""The resident-to-resident tie matrix: strengths on an edge list, viewed as scipy.sparse.

Tie strengths live in one float array over edges (`strength`, with `base` the normal,
pre-shock strength). A symmetric CSR matrix shares its structure with the edge list, so
a change of strength rewrites only the changed ties' two entries in place, and aggregating over neighbours is a sparse mat-vec (~1 ms per million ties).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from grassroots.core.vocabulary import HOUSEHOLD, TIE_TYPES, repair_step


class Ties:
    """Ties between residents: edge arrays (sorted by (i, j)) plus a CSR view sharing them.

    Only *damaged* ties (below their base strength) ever change, so every update touches
    those alone: their CSR entries are rewritten in place, and the set of working ties is the
    base set less the damaged ties that fell below the working threshold.
    """

    def __init__(self, n: int, i: np.ndarray, j: np.ndarray, kind: np.ndarray,
                 base: np.ndarray, working_threshold: float):
        order = np.lexsort((j, i))
        self.n = n
        self.i, self.j, self.kind = i[order], j[order], kind[order]
        self.base = np.asarray(base, float)[order]
        self.strength = self.base.copy()
        self.working_threshold = working_threshold
        m = len(self.i)
        rows = np.concatenate([self.i, self.j])
        cols = np.concatenate([self.j, self.i])
        nnz_order = np.lexsort((cols, rows))
        edge_of_nnz = np.concatenate([np.arange(m), np.arange(m)])[nnz_order]
        # pos[:, e]: the two places of edge e in csr.data
        self._pos = np.zeros((2, m), np.int64)
        slot = np.empty(2 * m, np.int64)
        slot[nnz_order] = np.arange(2 * m)
        self._pos[0] = slot[:m]
        self._pos[1] = slot[m:]
        indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=n))]
        self.csr = sparse.csr_array(
            (self.base[edge_of_nnz], cols[nnz_order].astype(np.int32),
             indptr.astype(np.int32)), shape=(n, n),
        )
        self._base_working = self.base >= working_threshold
        self._base_counts = np.bincount(self.kind[self._base_working], minlength=len(TIE_TYPES))
        self._base_total = float(self.base.sum())
        self.damaged = np.zeros(0, np.int64)  # edges below base strength, sorted
        self._is_damaged = np.zeros(m, bool)
        self._broken = np.zeros(0, np.int64)  # base-working edges now below the threshold
        self._broken_stale = False  # strengths changed since _broken was found
        # the ends as int32, CSR's index type: the working graph is rebuilt from them
        self._i32, self._j32 = self.i.astype(np.int32), self.j.astype(np.int32)
        self._gone = np.zeros(m, bool)  # ties of residents who died: gone for good
        self._gone_counts = np.zeros(len(TIE_TYPES), np.int64)  # of those, base-working
        self._gone_strength = 0.0  # their base strength
        self._n_gone = 0
        self._giant = self._giant_share()

    # -- state ---------------------------------------------------------------------------
    def _write(self, edges: np.ndarray) -> None:
        s = self.strength[edges]
        self.csr.data[self._pos[0, edges]] = s
        self.csr.data[self._pos[1, edges]] = s

    def weaken(self, edges: np.ndarray, factor: np.ndarray | float) -> None:
        """Multiply the strength of `edges` by `factor` (in [0, 1]); ties gone for good
        (`remove`) are left alone."""
        if self._n_gone:
            keep = ~self._gone[edges]
            edges = edges[keep]
            if not np.isscalar(factor):
                factor = np.asarray(factor)[keep]
        if len(edges) == 0:
            return
        self.strength[edges] *= factor
        self._write(edges)
        self._is_damaged[edges[self.strength[edges] < self.base[edges]]] = True
        self.damaged = np.flatnonzero(self._is_damaged)
        self._update_broken()

    def remove(self, edges: np.ndarray) -> None:
        """Ties `edges` are gone for good (an end died): strength 0, never repaired, no longer
        damaged; counted as lost (working counts and total strength leave them out, the
        pre-shock base still counts them)."""
        edges = edges[~self._gone[edges]]
        if len(edges) == 0:
            return
        self._gone[edges] = True
        self._n_gone += len(edges)
        was = edges[self._base_working[edges]]
        self._gone_counts += np.bincount(self.kind[was], minlength=len(TIE_TYPES))
        self._gone_strength += float(self.base[edges].sum())
        # off the damaged list, so the strength deficit of a removed tie is not counted twice
        self._is_damaged[edges] = False
        self.damaged = np.flatnonzero(self._is_damaged)
        self.strength[edges] = 0.0
        self._write(edges)
        self._update_broken()
        self._giant = None

    def touching(self, mask: np.ndarray, skip_household: bool = True) -> np.ndarray:
        """Edges with at least one end in the resident mask (household ties optionally left
        out: a household is displaced together)."""
        hit = mask[self.i] | mask[self.j]
        if skip_household:
            hit &= self.kind != HOUSEHOLD
        return np.flatnonzero(hit)

    def repair(self, rate: float, away: np.ndarray, floor: float) -> None:
        """Damaged ties whose ends are both at home (not `away`) are repaired at `rate` by the
        repair rule with `floor` (repair_step, core/vocabulary.py)."""
        d = self.damaged
        if len(d) == 0:
            return
        home = ~(away[self.i[d]] | away[self.j[d]])
        e = d[home]
        deficit = repair_step(self.base[e] - self.strength[e], rate, floor)
        self.strength[e] = self.base[e] - deficit
        done = deficit == 0.0
        self._write(e)
        if done.any():
            self._is_damaged[e[done]] = False
            self.damaged = np.flatnonzero(self._is_damaged)
        self._update_broken()

    def _update_broken(self) -> None:
        """Strengths changed: the broken ties are found again when next asked for (a day's
        weakening and repair change strengths twice; the working set is read once)."""
        self._broken_stale = True

    @property
    def broken(self) -> np.ndarray:
        """Base-working edges now below the working threshold (sorted)."""
        return self._refresh_broken()

    def _refresh_broken(self) -> np.ndarray:
        """Find the broken ties again if strengths changed; a changed working set means the
        giant component is recomputed when next asked for."""
        if self._broken_stale:
            self._broken_stale = False
            d = self.damaged
            broken = d[self._base_working[d] & (self.strength[d] < self.working_threshold)]
            if not np.array_equal(broken, self._broken):
                self._broken = broken
                self._giant = None
        return self._broken

    # -- aggregates ----------------------------------------------------------------------
    def spread(self, values: np.ndarray) -> np.ndarray:
        """Sum over each resident's ties of strength x neighbour's value (A @ values)."""
        return self.csr @ values

    def total_strength(self) -> float:
        """Sum of all tie strengths (only damaged ties differ from base)."""
        d = self.damaged
        return (self._base_total - self._gone_strength
                - float((self.base[d] - self.strength[d]).sum()))

    def working(self) -> np.ndarray:
        w = self._base_working & ~self._gone
        w[self.broken] = False
        return w

    def giant_component_share(self) -> float:
        """Share of residents in the largest connected component of working ties
        (scipy.sparse.csgraph); recomputed only when the set of working ties has changed."""
        self._refresh_broken()
        if self._giant is None:
            self._giant = self._giant_share()
        return self._giant

    def _giant_share(self) -> float:
        w = self.working()
        i, j = self._i32[w], self._j32[w]  # sorted by i, so the CSR needs no sorting
        indptr = np.zeros(self.n + 1, np.int32)
        np.cumsum(np.bincount(i, minlength=self.n), out=indptr[1:])
        # float64 data and int32 indices: what csgraph works on, so nothing is converted
        g = sparse.csr_array((np.ones(len(i)), j, indptr), shape=(self.n, self.n))
        _, labels = csgraph.connected_components(g, directed=True, connection="weak")
        return float(np.bincount(labels).max()) / self.n

    def working_counts(self) -> dict[str, int]:
        """Number of working ties by type (household and neighbour ties are both bonding)."""
        counts = self._base_counts - self._gone_counts - np.bincount(
            self.kind[self.broken], minlength=len(TIE_TYPES))
        return {name: int(c) for name, c in zip(TIE_TYPES, counts)}

    def working_count(self) -> int:
        return int(self._base_counts.sum() - self._gone_counts.sum()) - len(self.broken)

    def base_working_count(self) -> int:
        return int(self._base_counts.sum())
