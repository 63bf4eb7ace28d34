"""Loading a real community network from GraphML or an edge list.

Nodes are residents; edges are ties. Recognised attributes (all optional):

node  household (any hashable)      default: each resident its own household
      neighbourhood (any hashable)  default: Louvain communities of the graph (seeded)
      vulnerability (float 0-1)     default: drawn as in the synthetic community
      party_member (bool/0-1)       default: drawn with party_member_share among adults
      adult (bool/0-1)              default: drawn with adult_share
      exposure (float 0-1)          default: stratified Beta(1.5, 3) per neighbourhood;
                                    when given, a neighbourhood's exposure is its nodes' mean
edge  type (household|neighbour|bridging|linking)  default: inferred from the ends
      strength (float in (0, 1])                    default: drawn by type
      weight (float > 0), used when strength is absent, divided by the largest weight
                                                    when any exceeds 1

Edge-list files: one tie per line, `u v [strength [type]]`, `#` starts a comment; a
self-loop or a tie listed twice (in either direction) is refused, naming its line. In a
GraphML file (a graph, where a tie cannot repeat) a self-loop is dropped: it is no tie.
Organisations, enterprises, trust, awareness and reserves are drawn as for a synthetic
community. Any problem raises NetworkFileError with a one-line message.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np

from grassroots.community.synthetic import (
    BRIDGING, HOUSEHOLD, LINKING, NEIGHBOUR, TIE_TYPES, Community,
    _places, _resident_attributes, draw_strengths, household_means,
)


class NetworkFileError(ValueError):
    """A network file that cannot be read; the message names the file and the problem."""


def read_graph(path: str | Path) -> nx.Graph:
    """Read GraphML (`.graphml`, `.xml`) or an edge list (anything else) into a Graph."""
    path = Path(path)
    if not path.is_file():
        raise NetworkFileError(f"network: no such file {str(path)!r}")
    if path.suffix.lower() in (".graphml", ".xml"):
        try:
            g = nx.read_graphml(path)
        except Exception as err:  # ElementTree/networkx raise many types for bad XML
            msg = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise NetworkFileError(f"network {path.name}: not valid GraphML ({msg})") from None
        return nx.Graph(g)
    return _read_edge_list(path)


def _read_edge_list(path: Path) -> nx.Graph:
    g = nx.Graph()
    with path.open(encoding="utf-8", errors="strict") as fh:
        try:
            lines = fh.readlines()
        except UnicodeDecodeError:
            raise NetworkFileError(f"network {path.name}: not a text edge list") from None
    first_line: dict[tuple[str, str], int] = {}
    for lineno, line in enumerate(lines, 1):
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        if len(fields) < 2 or len(fields) > 4:
            raise NetworkFileError(
                f"network {path.name}, line {lineno}: expected 'u v [strength [type]]'"
            )
        u, v = fields[0], fields[1]
        if u == v:
            raise NetworkFileError(
                f"network {path.name}, line {lineno}: self-loop {u} {v}; allowed: a tie "
                "between two different residents")
        pair = (min(u, v), max(u, v))
        if pair in first_line:
            raise NetworkFileError(
                f"network {path.name}, line {lineno}: tie {u} {v} repeats line "
                f"{first_line[pair]}; allowed: each tie once")
        first_line[pair] = lineno
        attrs = {}
        if len(fields) >= 3:
            try:
                attrs["strength"] = float(fields[2])
            except ValueError:
                raise NetworkFileError(
                    f"network {path.name}, line {lineno}: strength {fields[2]!r} is not a number"
                ) from None
        if len(fields) == 4:
            attrs["type"] = fields[3]
        g.add_edge(fields[0], fields[1], **attrs)
    if g.number_of_nodes() == 0:
        raise NetworkFileError(f"network {path.name}: no edges found")
    return g


def community_from_graph(g: nx.Graph, p: dict, rng: np.random.Generator,
                         name: str = "network") -> Community:
    """A Community from a networkx graph, filling missing attributes (see module doc)."""
    if g.number_of_nodes() < 2:
        raise NetworkFileError(f"{name}: needs at least 2 nodes")
    g = nx.Graph(g)
    g.remove_edges_from(nx.selfloop_edges(g))
    labels = list(g.nodes)
    n = len(labels)
    index = {v: k for k, v in enumerate(labels)}
    node = g.nodes

    neighbourhood = _categorical(labels, node, "neighbourhood", name)
    if neighbourhood is None:
        parts = nx.community.louvain_communities(g, seed=int(rng.integers(2**31)))
        neighbourhood = np.empty(n, np.int64)
        for k, part in enumerate(sorted(parts, key=lambda s: min(index[v] for v in s))):
            neighbourhood[[index[v] for v in part]] = k
    household = _categorical(labels, node, "household", name)
    if household is None:
        household = np.arange(n)

    adult = _flag(labels, node, "adult", name)
    if adult is None:
        adult = rng.random(n) < p["adult_share"]
    attrs = _resident_attributes(n, adult, _dense(household), neighbourhood, p, rng)
    vuln = _number(labels, node, "vulnerability", name)
    if vuln is not None:
        attrs["vulnerability"] = vuln
        attrs["vulnerable"] = vuln >= 0.6
    party = _flag(labels, node, "party_member", name)
    if party is not None:
        attrs["party"] = party

    # A `weight` (e.g. interaction counts) is rescaled by its maximum when any exceeds 1.
    weights = [d["weight"] for _, _, d in g.edges(data=True)
               if "weight" in d and "strength" not in d]
    try:
        wmax = max((float(w) for w in weights), default=1.0)
    except (TypeError, ValueError):
        wmax = 1.0  # reported per edge below
    wscale = 1.0 / wmax if wmax > 1.0 else 1.0
    ii, jj, tt, ss = [], [], [], []
    for u, v, data in g.edges(data=True):
        i, j = index[u], index[v]
        kind = data.get("type")
        if kind is None:
            if household[i] == household[j]:
                kind = HOUSEHOLD
            elif attrs["party"][i] != attrs["party"][j]:
                kind = LINKING
            elif neighbourhood[i] == neighbourhood[j]:
                kind = NEIGHBOUR
            else:
                kind = BRIDGING
        elif kind in TIE_TYPES:
            kind = TIE_TYPES.index(kind)
        else:
            raise NetworkFileError(
                f"{name}: edge ({u}, {v}) type {kind!r}; allowed: {', '.join(TIE_TYPES)}"
            )
        s = data.get("strength", data.get("weight"))
        if s is not None:
            try:
                s = float(s) * (wscale if "strength" not in data else 1.0)
            except (TypeError, ValueError):
                s = float("nan")
            if not 0.0 < s <= 1.0:
                raise NetworkFileError(
                    f"{name}: edge ({u}, {v}) strength {data.get('strength', data.get('weight'))!r};"
                    " allowed: a number in (0, 1]"
                )
        ii.append(min(i, j)), jj.append(max(i, j)), tt.append(kind), ss.append(s)
    tie_type = np.array(tt, np.int8)
    drawn = draw_strengths(tie_type, p, rng)
    given = np.array([np.nan if s is None else s for s in ss], float)
    strength = np.where(np.isnan(given), drawn, given)

    n_nb = int(neighbourhood.max()) + 1
    places = _places(n, adult, n_nb, neighbourhood, p, rng)
    exposure = _number(labels, node, "exposure", name)
    if exposure is not None:
        sums = np.bincount(neighbourhood, weights=exposure, minlength=n_nb)
        places["exposure"] = sums / np.maximum(np.bincount(neighbourhood, minlength=n_nb), 1)
    tie_i, tie_j = np.array(ii, np.int64), np.array(jj, np.int64)
    means = household_means(_dense(household), p, rng)
    return Community(
        n=n, household=_dense(household), neighbourhood=neighbourhood, adult=adult,
        tie_i=tie_i, tie_j=tie_j, tie_type=tie_type, tie_strength=strength,
        patron=_patrons(n, tie_i, tie_j, tie_type, attrs["party"]), labels=labels,
        **places, **attrs, **means,
    )


def _patrons(n, i, j, kind, party) -> np.ndarray:
    """Each ordinary resident's party member: the other end of their first linking tie to a
    party member (-1 if none)."""
    patron = np.full(n, -1, np.int64)
    link = (kind == LINKING) & (party[i] != party[j])
    ordinary = np.where(party[i[link]], j[link], i[link])
    member = np.where(party[i[link]], i[link], j[link])
    first = np.unique(ordinary, return_index=True)[1]
    patron[ordinary[first]] = member[first]
    return patron


def load_community(path: str | Path, p: dict, rng: np.random.Generator) -> Community:
    """Read a network file and turn it into a Community."""
    return community_from_graph(read_graph(path), p, rng, name=f"network {Path(path).name}")


def _dense(values: np.ndarray) -> np.ndarray:
    return np.unique(values, return_inverse=True)[1].astype(np.int64)


def _categorical(labels, node, key, name):
    vals = [node[v].get(key) for v in labels]
    present = [x is not None for x in vals]
    if not any(present):
        return None
    if not all(present):
        missing = labels[present.index(False)]
        raise NetworkFileError(f"{name}: node {missing!r} has no {key!r} while others do")
    keys = {x: k for k, x in enumerate(dict.fromkeys(str(x) for x in vals))}
    return np.array([keys[str(x)] for x in vals], np.int64)


def _number(labels, node, key, name):
    vals = [node[v].get(key) for v in labels]
    if all(x is None for x in vals):
        return None
    out = np.empty(len(vals))
    for k, x in enumerate(vals):
        try:
            out[k] = float(x)
        except (TypeError, ValueError):
            raise NetworkFileError(
                f"{name}: node {labels[k]!r} {key}={x!r}; allowed: a number in [0, 1]"
            ) from None
        if not 0.0 <= out[k] <= 1.0:
            raise NetworkFileError(
                f"{name}: node {labels[k]!r} {key}={x!r}; allowed: a number in [0, 1]"
            )
    return out


def _flag(labels, node, key, name):
    vals = [node[v].get(key) for v in labels]
    if all(x is None for x in vals):
        return None
    truthy = {"1", "true", "yes", "t", "y"}
    falsy = {"0", "false", "no", "f", "n", "none"}
    out = np.zeros(len(vals), bool)
    for k, x in enumerate(vals):
        s = str(x).strip().lower()
        if s in truthy:
            out[k] = True
        elif s not in falsy:
            raise NetworkFileError(f"{name}: node {labels[k]!r} {key}={x!r}; allowed: true/false")
    return out
