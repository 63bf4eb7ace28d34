"""Flood: water reaches households in proportion to their neighbourhood's exposure.

On the onset day, in each neighbourhood n of the footprint (constants of the `shocks` group in
core/params.py, defaults in brackets; f = facility_investment):
  * a household is flooded with probability min(1, reach x intensity x exposure_n), reach
    the shock's `reach` key or flood_reach [1.5] (a levee breach floods far more homes than
    a river in spate);
  * a flooded resident's housing gap rises to (at least)
        severity = intensity x (flood_severity_base [0.6] + flood_severity_vulnerability [0.4]
        x vulnerability) x U(flood_severity_low [0.7], flood_severity_high [1.3])
        x (1 - warning_protection if prepared), clipped to [0, 1];
    their health gap to flood_health_share [0.3] x severity x vulnerability, except for
    prepared vulnerable residents, who were moved out in time;
  * which households leave home follows from the damage (the dislocation model of
    agents/housing.py, applied by the model after the strike); with `evacuate = true` every
    resident of the footprint leaves at once (a mandatory evacuation order);
  * utilities fail: outage_n = intensity x exposure_n x (1 - facility_outage_reduction x f);
  * enterprises there lose flood_enterprise_damage [0.8] x intensity x exposure_n x
    (1 - facility_damage_reduction x f) of their capacity;
  * the housing & utilities department loses intensity x (mean exposure of the footprint) x
    (1 - facility_damage_reduction x f) of its capacity, emergency management
    flood_emergency_share [0.5] of that.
For `duration` days the water stands: repairs in the footprint wait (scenarios/base.py).
Warnings can come up to 3 days ahead (lead_days) at full monitoring accuracy.
"""

from __future__ import annotations

import numpy as np

from grassroots.core.vocabulary import EMERGENCY, HEALTH, HOUSING, HOUSING_UTIL, SERVICES
from grassroots.scenarios.base import Shock, flag_key, number_key


class Flood(Shock):
    kind = "flood"
    lead_days = 3
    blocks_repairs = True
    default_duration = 7
    #: reach: share-of-homes multiplier in place of flood_reach; evacuate: a mandatory
    #: evacuation order for the whole footprint
    keys = {"reach": number_key(0.0, 100.0), "evacuate": flag_key}

    def strike(self, model) -> None:
        pop, p, rng = model.residents, model.p, model.hazard_rng
        intensity = self.intensity
        exposure = model.exposure_for(self.kind) * self.footprint(model)  # 0 outside it
        hh_exposure = exposure[model.household_neighbourhood]
        reach = self.extra.get("reach", p["flood_reach"])
        chance = np.minimum(1.0, reach * intensity * hh_exposure)
        flooded_hh = rng.random(len(hh_exposure)) < chance
        flooded = flooded_hh[pop.household]
        susceptibility = p["flood_severity_base"] + p["flood_severity_vulnerability"] * pop.vulnerability
        spread = rng.uniform(p["flood_severity_low"], p["flood_severity_high"], pop.n)
        severity = intensity * susceptibility * spread
        severity *= np.where(pop.prepared, 1.0 - p["warning_protection"], 1.0)
        severity = np.clip(severity, 0.0, 1.0) * flooded
        g = pop.gap
        g[HOUSING] = np.maximum(g[HOUSING], severity)
        moved_out = pop.prepared & pop.vulnerable
        g[HEALTH] = np.maximum(g[HEALTH],
                                  p["flood_health_share"] * severity * pop.vulnerability * ~moved_out)
        if self.extra.get("evacuate", False):  # a mandatory evacuation of the footprint
            pop.displaced |= self.footprint(model)[pop.neighbourhood] & pop.present

        facility = p["facility_investment"]
        protect_outage = 1.0 - p["facility_outage_reduction"] * facility
        model.outage = np.maximum(model.outage, intensity * exposure * protect_outage)
        g[SERVICES] = np.maximum(g[SERVICES], model.outage[pop.neighbourhood])
        if len(model.enterprise_capacity):
            wet = exposure[model.enterprise_neighbourhood]
            hit = p["flood_enterprise_damage"] * intensity * wet * (
                1 - p["facility_damage_reduction"] * facility)
            model.enterprise_capacity *= 1.0 - hit
        reach = exposure[self.footprint(model)].mean() if self.footprint(model).any() else 0.0
        dept_hit = intensity * reach * (1.0 - p["facility_damage_reduction"] * facility)
        model.department_capacity[HOUSING_UTIL] *= 1.0 - dept_hit
        model.department_capacity[EMERGENCY] *= 1.0 - p["flood_emergency_share"] * dept_hit
