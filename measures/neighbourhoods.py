"""Outcomes per neighbourhood, for maps: a pure function of the model's state.

    at_home         share of the neighbourhood's residents alive, still in the community and
                    at home (not displaced), 0-1
    in_need         share in need today, as `residents_in_need` counts it (measures/
                    dimensions.py: needs as felt; those who left with needs unmet count), 0-1
    function        mean function of the residents present (the share of their four needs
                    met), 0-1
    ever_displaced  share displaced at least once so far, 0-1
    ever_in_need    share in need on at least one day so far, 0-1

Shares are over the neighbourhood's residents at the start (the dead and those who left
stay in the denominator), so a neighbourhood emptied by a disaster does not look well.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grassroots.community.state import effective_gap, function_of, unmet_of

OUTCOMES = ("at_home", "in_need", "function", "ever_displaced", "ever_in_need")
#: what each outcome is called on a map
LABELS = {"at_home": "share at home", "in_need": "share in need",
          "function": "function (needs met)", "ever_displaced": "share ever displaced",
          "ever_in_need": "share ever in need"}


def by_neighbourhood(state: Any, outcome: str) -> np.ndarray:
    """One value per neighbourhood of `outcome` (module doc) for the model state `state`."""
    pop, p = state.residents, state.p
    nb = pop.neighbourhood
    n_nb = len(state.exposure)
    size = np.bincount(nb, minlength=n_nb).astype(float)
    per = np.maximum(size, 1.0)
    if outcome == "at_home":
        home = pop.alive & ~pop.left & ~pop.displaced
        return np.bincount(nb, weights=home, minlength=n_nb) / per
    if outcome == "in_need":
        unmet = unmet_of(effective_gap(pop.gap, pop.buffered, p["reserve_buffer"]),
                         p["need_threshold"])
        if pop.left.any():
            unmet = unmet | (unmet_of(pop.left_gap, p["need_threshold"]) & pop.left)
        return np.bincount(nb, weights=unmet.any(axis=0), minlength=n_nb) / per
    if outcome == "function":
        present = pop.alive & ~pop.left
        f = function_of(pop.gap)
        count = np.bincount(nb, weights=present, minlength=n_nb)
        return np.bincount(nb, weights=f * present, minlength=n_nb) / np.maximum(count, 1.0)
    if outcome == "ever_displaced":
        return np.bincount(nb, weights=pop.ever_displaced, minlength=n_nb) / per
    if outcome == "ever_in_need":
        return np.bincount(nb, weights=pop.ever_in_need, minlength=n_nb) / per
    raise ValueError(f"outcome: got {outcome!r}; allowed: {', '.join(OUTCOMES)}")
