"""Planner outcomes: what a run means for people, in people, days and units of help.

Computed from a run record alone (measures/summary.py), like every measure:

    resident_days_in_need              sum over days of residents in need (any need met below
                                       need_threshold)                        [resident-days]
    vulnerable_resident_days_in_need   the same for residents of vulnerable groups
    peak_residents_in_need             most residents in need on one day      [residents]
    residents_ever_in_need             residents in need on at least one day  [residents]
    displaced_resident_days            sum over days of residents away from home
    residents_ever_displaced           residents displaced at least once
    days_until_90pct_home              days from the first onset until 90% of the residents
                                       ever displaced are home again (None: not within the
                                       horizon; 0: nobody was displaced)       [days]
    deaths                             residents who died over the run (the earthquake's
                                       trapped who were not rescued in time)  [people]
    residents_left                     residents who left the community for good by the end
                                       of the run (agents/housing.py: migration) [people]
    unmet_need_days.<need>             sum over days of residents with that need unmet
                                       (housing, health, income, services)   [resident-days]
    help_delivered.<channel>           units of help delivered by each channel over the run
                                       [resident-help]

Days are the simulated days 1..horizon (day 0 is the community before any shock). Counting
people and days, rather than the share of a curve, is what lets a planner see that one
package leaves a third fewer people in need (Bruneau et al. 2003 measure the same loss as an
area under a quality curve; here the quality is counted in residents).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from grassroots.core.vocabulary import CHANNELS, NEEDS

#: Share of the residents ever displaced who must be home for `days_until_90pct_home`.
HOME_SHARE = 0.9


def planner_outcomes(df: pd.DataFrame, counters: dict[str, Any]) -> dict[str, Any]:
    """The planner outcomes of a run (see module doc) from its daily table and counters."""
    days = df.iloc[1:]  # the simulated days
    windows = counters["windows"]
    onset = min(w[0] for w in windows) if windows else None
    return {
        "resident_days_in_need": int(days["residents_in_need"].sum()),
        "vulnerable_resident_days_in_need": int(days["vulnerable_in_need"].sum()),
        "peak_residents_in_need": int(df["residents_in_need"].max()),
        "residents_ever_in_need": int(counters["residents_ever_in_need"]),
        "displaced_resident_days": int(days["displaced"].sum()),
        "residents_ever_displaced": int(df["ever_displaced"].iloc[-1]),
        "days_until_90pct_home": days_until_home(df["displaced"].to_numpy(),
                                                 df["ever_displaced"].to_numpy(), onset),
        "deaths": int(df["deaths"].iloc[-1]),
        "residents_left": int(round(float(df["left_share"].iloc[-1]) * counters["residents"])),
        "unmet_need_days": {k: int(days[f"unmet_{k}"].sum()) for k in NEEDS},
        "help_delivered": {c: float(u) for c, u in zip(CHANNELS, counters["help_totals"])},
    }


def days_until_home(displaced: np.ndarray, ever: np.ndarray, onset: int | None,
                    share: float = HOME_SHARE) -> int | None:
    """Days from `onset` to the first day on which at least `share` of all residents ever
    displaced in the run are home (ever displaced by then minus displaced that day); 0 when
    nobody was displaced, None when that day is not within the horizon."""
    total = int(ever[-1]) if len(ever) else 0
    if total == 0 or onset is None:
        return 0
    home = ever - displaced
    since_first = np.flatnonzero(ever > 0)[0]
    ok = np.flatnonzero((home >= share * total) & (np.arange(len(ever)) >= since_first))
    return int(ok[0] - onset) if len(ok) else None
