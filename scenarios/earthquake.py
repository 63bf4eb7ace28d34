"""Earthquake: sudden, broad, heavy damage to homes, ties and organisations.

On the onset day (constants of the `shocks` group in core/params.py, defaults in brackets;
f = facility_investment), with local shaking L_n = intensity x (quake_local_base [0.6] +
quake_local_exposure [0.4] x exposure_n) in every neighbourhood of the footprint (all by
default; exposure stands for soil and building stock):
  * each household's building is damaged by D_h = min(1, L_n x quake_damage_scale [1.5] x
    Beta(b, b)), b = quake_damage_beta [2]; its residents' housing gap rises to D_h; where
    D_h > quake_injury_threshold [0.3] a resident is injured with probability
    quake_injury_chance [0.12] x D_h x (1 + vulnerability), their health gap rising to D_h x
    (quake_injury_base [0.3] + quake_injury_vulnerability [0.5] x vulnerability);
  * which households leave home follows from D_h (the dislocation model of
    agents/housing.py, applied by the model after the strike);
  * homes with D_h >= quake_collapse_damage [0.9] collapse (HAZUS's complete damage state):
    the model traps quake_entrapment [0.3] of their residents and the collapse kills some
    of the trapped at once (agents/rescue.py `entrap`); the rescue of the others follows;
  * each tie outside households breaks (keeps broken_tie_keeps [0.1] of its strength) with
    probability quake_tie_break [0.8] x the mean local shaking of its two ends: people are
    killed, injured, scattered;
  * utilities fail: outage_n = L_n x (1 - facility_outage_reduction x f);
  * enterprises lose quake_enterprise_damage [0.9] x L_n x (1 - facility_damage_reduction x f)
    of capacity; every department loses quake_department_damage [0.5] x intensity x r x
    (1 - facility_damage_reduction x f), emergency management and housing & utilities
    quake_first_responder_damage [0.7] x intensity x r x (1 - facility_damage_reduction x f),
    r the share of neighbourhoods in the footprint.
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
        shaking = (p["quake_local_base"]
                   + p["quake_local_exposure"] * model.exposure_for(self.kind))
        local = self.intensity * shaking * self.footprint(model)
        n_hh = len(model.household_neighbourhood)
        damage = np.minimum(1.0, local[model.household_neighbourhood] * p["quake_damage_scale"]
                            * rng.beta(p["quake_damage_beta"], p["quake_damage_beta"], n_hh))
        d = damage[pop.household]
        g = pop.gap
        g[HOUSING] = np.maximum(g[HOUSING], d)
        injury = d * (p["quake_injury_base"] + p["quake_injury_vulnerability"] * pop.vulnerability)
        hurt = (d > p["quake_injury_threshold"]) & (
            rng.random(pop.n) < p["quake_injury_chance"] * d * (1.0 + pop.vulnerability))
        g[HEALTH] = np.maximum(g[HEALTH], np.where(hurt, injury, 0))
        # homes at or above the complete damage state collapse: the model traps or kills
        # some of their residents (agents/rescue.py `entrap`)
        model.collapsed |= pop.alive & (d >= p["quake_collapse_damage"])

        t = model.ties
        outside = np.flatnonzero(t.kind != 0)
        ends = pop.neighbourhood[t.i[outside]], pop.neighbourhood[t.j[outside]]
        shake = 0.5 * (local[ends[0]] + local[ends[1]])  # mean shaking at the two ends
        broken = outside[rng.random(len(outside)) < p["quake_tie_break"] * shake]
        t.weaken(broken, p["broken_tie_keeps"])

        facility = p["facility_investment"]
        protect_outage = 1.0 - p["facility_outage_reduction"] * facility
        protect_damage = 1.0 - p["facility_damage_reduction"] * facility
        model.outage = np.maximum(model.outage, local * protect_outage)
        g[SERVICES] = np.maximum(g[SERVICES], model.outage[pop.neighbourhood])
        if len(model.enterprise_capacity):
            shaken = local[model.enterprise_neighbourhood]
            model.enterprise_capacity *= 1.0 - p["quake_enterprise_damage"] * shaken * (
                protect_damage)
        hit = np.full(len(model.department_capacity), p["quake_department_damage"])
        hit[[EMERGENCY, HOUSING_UTIL]] = p["quake_first_responder_damage"]
        reach = self.footprint(model).mean()  # share of the community shaken
        model.department_capacity *= 1.0 - hit * self.intensity * reach * protect_damage
