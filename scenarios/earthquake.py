"""Earthquake: sudden, broad, heavy damage to homes, ties and organisations.

On the onset day, with local intensity L_n = intensity x (0.6 + 0.4 exposure_n) in every
neighbourhood of the footprint (all by default; exposure stands for soil and building stock):
  * each household's building is damaged by D_h = min(1, L_n x 1.5 x Beta(2, 2)); its residents'
    housing gap rises to D_h, and their health gap D_h x (0.3 + 0.5 vulnerability) where
    D_h > 0.3 (injuries);
  * households with D_h >= displacement_threshold are displaced;
  * each tie outside households breaks (keeps broken_tie_keeps, 10%, of its strength) with probability
    0.8 x the mean local intensity of its two ends: people are killed, injured, scattered;
  * utilities fail: outage_n = L_n x (1 - 0.6 facility_investment);
  * enterprises lose 0.9 x L_n x (1 - 0.5 facility_investment) of capacity; every department
    loses 0.5 x intensity x r x (1 - 0.5 facility_investment), emergency management and
    housing & utilities 0.7 x intensity x r x (1 - 0.5 facility_investment), r the share of
    neighbourhoods in the footprint.
No warning (lead 0). Aftershocks block repairs for `duration` days (default 3).
"""

from __future__ import annotations

import numpy as np

from grassroots.core.vocabulary import EMERGENCY, HEALTH, HOUSING, HOUSING_UTIL, SERVICES
from grassroots.scenarios.base import Shock


class Earthquake(Shock):
    kind = "earthquake"
    blocks_repairs = True
    reaction_possible = False
    default_duration = 3

    def strike(self, model) -> None:
        pop, p, rng = model.residents, model.p, model.hazard_rng
        local = self.intensity * (0.6 + 0.4 * model.exposure) * self.footprint(model)
        n_hh = len(model.household_neighbourhood)
        damage = np.minimum(1.0, local[model.household_neighbourhood] * 1.5 * rng.beta(2, 2, n_hh))
        d = damage[pop.household]
        g = pop.gap
        g[HOUSING] = np.maximum(g[HOUSING], d)
        g[HEALTH] = np.maximum(g[HEALTH], np.where(d > 0.3, d * (0.3 + 0.5 * pop.vulnerability), 0))
        pop.displaced |= d >= p["displacement_threshold"]

        t = model.ties
        outside = np.flatnonzero(t.kind != 0)
        shake = 0.5 * (local[pop.neighbourhood[t.i[outside]]] + local[pop.neighbourhood[t.j[outside]]])
        broken = outside[rng.random(len(outside)) < 0.8 * shake]
        t.weaken(broken, p["broken_tie_keeps"])

        facility = p["facility_investment"]
        model.outage = np.maximum(model.outage, local * (1.0 - p["facility_outage_reduction"] * facility))
        g[SERVICES] = np.maximum(g[SERVICES], model.outage[pop.neighbourhood])
        if len(model.enterprise_capacity):
            model.enterprise_capacity *= 1.0 - 0.9 * local[model.enterprise_neighbourhood] * (
                1.0 - p["facility_damage_reduction"] * facility)
        hit = np.full(len(model.department_capacity), 0.5)
        hit[[EMERGENCY, HOUSING_UTIL]] = 0.7
        reach = self.footprint(model).mean()  # share of the community shaken
        model.department_capacity *= 1.0 - hit * self.intensity * reach * (1.0 - p["facility_damage_reduction"] * facility)
