"""The shared vocabulary: the words every layer uses, and the one repair rule.

This module imports nothing of Grassroots; everything else may import it.

* Needs. A resident's function is the share of four needs that are met — housing, health,
  income and services (the framework's "function" of a community: residents' needs met).
  A shock opens a *gap* in a need, 0 = fully met, 1 = entirely unmet; gaps are a 4 x n array,
  one row per need, in the order of NEEDS.
* Tie types (Aldrich 2012, *Building Resilience*; Szreter & Woolcock 2004): household and
  neighbour ties bond, bridging ties cross neighbourhoods, linking ties join an ordinary
  resident to "their" party member.
* Departments, the need each serves, and the channels through which help reaches residents.
* Units: help is counted in *resident-help* units; one unit adds `help_unit` (a declared
  constant, core/params.py) to the daily repair rate of a resident's gap.
* Rescuers: who frees a resident trapped in a collapsed home (RESCUERS).
* The repair rule shared by gaps, ties, capacities, outages and trust (`repair_step`).
"""

from __future__ import annotations

import numpy as np

# -- needs ---------------------------------------------------------------------------------
NEEDS = ("housing", "health", "income", "services")
HOUSING, HEALTH, INCOME, SERVICES = range(4)

# -- ties ----------------------------------------------------------------------------------
TIE_TYPES = ("household", "neighbour", "bridging", "linking")
HOUSEHOLD, NEIGHBOUR, BRIDGING, LINKING = range(4)

# -- government departments ------------------------------------------------------------------
DEPARTMENTS = ("emergency_management", "health", "civil_affairs", "housing_utilities")
EMERGENCY, HEALTH_DEPT, CIVIL, HOUSING_UTIL = range(4)
#: The need each department serves (emergency management shelters the displaced, housing &
#: utilities repairs the homes of residents at home).
SERVES = (HOUSING, HEALTH, INCOME, HOUSING)

# -- help ------------------------------------------------------------------------------------
#: Channels through which help reaches residents (the framework's fourth capacity):
#: departments' own lines (vertical), pooled or cooperative department capacity
#: (horizontal), neighbours (mutual aid), party members going first (party), volunteer teams
#: (organisations), outside organisations and enterprises (outside).
CHANNELS = ("vertical", "horizontal", "mutual_aid", "party", "organisations", "outside")

# -- life safety -------------------------------------------------------------------------------
#: Who frees a resident trapped in a collapsed home (agents/rescue.py): themselves, a member
#: of their household, neighbours and friends along their ties, volunteer teams and party
#: members (organised), professional search-and-rescue teams.
RESCUERS = ("self", "household", "neighbours", "volunteers", "professionals")

# -- calendar --------------------------------------------------------------------------------
#: Rates given per month or per year are turned into daily chances with these (units, not
#: behaviour: a "month" of contacts is 30 days, a year 365).
DAYS_PER_MONTH = 30.0
DAYS_PER_YEAR = 365.0


def repair_step(deficit: np.ndarray, rate: np.ndarray | float, floor: float) -> np.ndarray:
    """The deficit after one day of repair at `rate` (share per day), never below 0.

    A deficit d (lost share of a need, of a tie's strength, of a capacity) repaired at rate r
    loses r x max(d, floor) a day: proportional repair while damage is large, and a steady
    pace of r x floor a day for the last `floor` of it, so repair ends in finite time (the
    last `floor` takes 1 / r days) instead of approaching zero for ever. `floor` is the
    declared constant `repair_floor`.
    """
    return np.maximum(0.0, deficit - rate * np.maximum(deficit, floor))
