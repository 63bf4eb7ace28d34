"""Economic shock: enterprise failures, income lost through employment ties, a long crisis.

On the onset day each enterprise (of the footprint's neighbourhoods; all by default) fails
with probability `failure_share` (default economic_failure_share x intensity) and keeps
failed_enterprise_keeps of its capacity; the others lose economic_capacity_loss x intensity of
it (constants declared in core/params.py, group `shocks`). Their
employees' income gap follows (agents/enterprise.py, pay_wages). For `duration` days (default
180) the crisis holds: no enterprise recovers; afterwards they recover as usual. Civil-affairs
relief (agents/department.py) is what softens the income gap meanwhile. No warning.
"""

from __future__ import annotations

import numpy as np

from grassroots.scenarios.base import Shock, share_key


class EconomicShock(Shock):
    kind = "economic"
    reaction_possible = False
    blocks_enterprise_recovery = True
    default_duration = 180
    keys = {"failure_share": share_key}

    def strike(self, model) -> None:
        c = model.enterprise_capacity
        if len(c) == 0:
            return
        p = model.p
        share = self.extra.get("failure_share", p["economic_failure_share"] * self.intensity)
        fails = model.hazard_rng.random(len(c)) < share
        survivors = c * (1.0 - p["economic_capacity_loss"] * self.intensity)
        hit = np.where(fails, np.minimum(c, p["failed_enterprise_keeps"]), survivors)
        inside = self.footprint(model)[model.enterprise_neighbourhood]
        c[:] = np.where(inside, hit, c)
        model.wages_cut = True
