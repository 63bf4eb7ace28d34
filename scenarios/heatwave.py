"""Heatwave: slow onset, hits the vulnerable, and warnings matter most.

On each day t of the heatwave the heat level is h = intensity x min(1, (t - onset + 1) / ramp),
ramp = max(1, duration / heat_ramp_parts [3]) days: it builds up over the first third. Each
day (constants of the `shocks` group in core/params.py, defaults in brackets):
  * in the footprint, residents' health gap becomes at least h x vulnerability^k x
    (heat_harm_base [0.5] + exposure_n) x (1 - heat_warning_protection [0.75] if prepared),
    k = heat_vulnerability_power [2]: the old, the sick and those in hot, dense
    neighbourhoods suffer; cooling, water and checking on the elderly, once warned, avert
    most of it;
  * the power grid strains: outage_n is at least heat_grid_strain [0.3] x h x exposure_n x
    (1 - facility_outage_reduction x facility_investment).
Forecasts give warnings up to 7 days ahead (lead_days) at full monitoring accuracy.
Default duration 10 days. Nothing blocks repairs.
"""

from __future__ import annotations

import numpy as np

from grassroots.core.vocabulary import HEALTH, SERVICES
from grassroots.scenarios.base import Shock


class Heatwave(Shock):
    kind = "heatwave"
    lead_days = 7
    default_duration = 10

    def strike(self, model) -> None:
        """Nothing happens at once: the heat builds up day by day (see `daily`)."""

    def daily(self, model, day: int) -> None:
        if not self.ongoing(day):
            return
        pop = model.residents
        p = model.p
        ramp = max(1.0, self.duration / p["heat_ramp_parts"])
        heat = self.intensity * min(1.0, (day - self.onset + 1) / ramp)
        inside = self.footprint(model)
        exposure = model.exposure_for(self.kind) * inside
        harm = (heat * pop.vulnerability ** p["heat_vulnerability_power"]
                * (p["heat_harm_base"] + exposure[pop.neighbourhood]))
        harm *= inside[pop.neighbourhood]
        harm *= np.where(pop.prepared, 1.0 - p["heat_warning_protection"], 1.0)
        pop.gap[HEALTH] = np.maximum(pop.gap[HEALTH], np.minimum(1.0, harm))
        protect = 1.0 - p["facility_outage_reduction"] * p["facility_investment"]
        strain = p["heat_grid_strain"] * heat * exposure * protect
        model.outage = np.maximum(model.outage, strain)
        pop.gap[SERVICES] = np.maximum(pop.gap[SERVICES], model.outage[pop.neighbourhood])
