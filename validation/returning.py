"""Return after a catastrophic flood (New Orleans after Hurricane Katrina, 2005).

The model runs the shipped `catastrophic_flood` scenario (a levee breach with a mandatory
evacuation; baseline policy) on the suite's seeds (the runs shared with `businesses` and
`unequal`: validation/katrina.py) and reads `at_home_share` — the share of the pre-shock
population alive, present and living at home — from each run's daily table. The mean over
the runs is compared with the published share of Orleans Parish's pre-storm population
living there at four dates, each date's model day being the onset day plus the days from
29 August 2005 (datetime):

    1 January 2006 (onset + 125), 1 July 2006 (+ 306), 1 July 2007 (+ 671),
    1 April 2010 (+ 1,676, the 2010 Census)

Four checks: each within ±0.10 (10 points) of the published share. The published shares
are drawn beside the model's curve and are the checks' bounds; they are used nowhere else.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from grassroots.validation import katrina
from grassroots.validation.patterns import Check, Measured, Pattern, Settings, register

NAME = "return"
SCENARIO = katrina.SCENARIO
#: Orleans Parish, July 2005 Census Bureau estimate (the pre-storm population)
PRE_STORM = 454_863
#: (date, label, population): Census Bureau estimates and the 2010 Census count
POINTS = ((dt.date(2006, 1, 1), "1 Jan 2006", 158_353),
          (dt.date(2006, 7, 1), "1 Jul 2006", 210_198),
          (dt.date(2007, 7, 1), "1 Jul 2007", 239_124),
          (dt.date(2010, 4, 1), "1 Apr 2010 (Census)", 343_829))
TOLERANCE_POINTS = 0.10


def measure(settings: Settings) -> Measured:
    """Run (or reuse) the catastrophic-flood runs and evaluate them."""
    tables = [ts for ts, _, _ in katrina.runs(settings)]
    return evaluate(tables, katrina.onset_day(SCENARIO))


def evaluate(tables: list, onset: int) -> Measured:
    """The checks, values and figure of the daily tables of catastrophic-flood runs with
    this onset day."""
    home = katrina.column(tables, "at_home_share")
    left = katrina.column(tables, "left_share")
    mean = home.mean(axis=0)
    checks, values = [], {}
    for date, label, population in POINTS:
        day = katrina.day_of(date, onset)
        if day >= home.shape[1]:
            model = float("nan")
        else:
            model = float(mean[day])
        published = population / PRE_STORM
        key = date.strftime("%Y_%m")
        values[f"days_after_onset_{key}"] = float(day - onset)
        values[f"at_home_share_{key}"] = model
        values[f"at_home_min_{key}"] = float(home[:, day].min()) if day < home.shape[1] \
            else float("nan")
        values[f"at_home_max_{key}"] = float(home[:, day].max()) if day < home.shape[1] \
            else float("nan")
        values[f"published_{key}"] = published
        values[f"left_share_{key}"] = float(left.mean(axis=0)[day]) \
            if day < left.shape[1] else float("nan")
        checks.append(Check(f"at home on {label} (Orleans {published:.0%})", model, "within",
                            (published - TOLERANCE_POINTS, published + TOLERANCE_POINTS),
                            fmt="{:.1%}"))
    values["at_home_share_horizon"] = float(mean[-1])
    values["left_share_horizon"] = float(left.mean(axis=0)[-1])
    values["runs"] = float(len(tables))

    def figure(ax):
        since = np.arange(home.shape[1]) - onset
        years = since / 365.25
        shown = since >= -onset
        katrina.band(ax, home[:, shown], years[shown], "#264653",
                     f"model: alive and at home (mean, 10-90% of {len(tables)} runs)")
        katrina.band(ax, left[:, shown], years[shown], "#e76f51",
                     "model: left for good", ls="--", lw=1.3)
        for i, (date, label, population) in enumerate(POINTS):
            x = (date - katrina.LANDFALL).days / 365.25
            ax.errorbar([x], [population / PRE_STORM], yerr=TOLERANCE_POINTS, fmt="o",
                        color="black", ms=6, capsize=4, lw=1,
                        label="Orleans Parish, share of the July 2005 population "
                              "(±10 points)" if i == 0 else None)
            ax.annotate(label, (x, population / PRE_STORM), textcoords="offset points",
                        xytext=(6, -14), fontsize=7)
        ax.set_xlim(years[shown][0], years[-1])
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("years since the onset (29 Aug 2005)")
        ax.set_ylabel("share of the pre-shock population")
        ax.legend(fontsize=7, loc="lower right")
        ax.grid(alpha=0.3)

    return Measured(checks, values, figure)


REFERENCE_TEXT = (
    "Of Orleans Parish's pre-storm population (454,863, July 2005), about 35% lived there "
    "4 months after Hurricane Katrina (158,353 on 1 January 2006), 46% after 10 months "
    "(210,198, 1 July 2006), 53% after 22 months (239,124, 1 July 2007) and 76% after 4.6 "
    "years (343,829, 2010 Census, 1 April 2010).")
SOURCE = (
    "U.S. Census Bureau population estimates for Orleans Parish: 1 July 2005 and 1 January "
    "2006 (special Gulf Coast estimates, June 2006: The Times-Picayune, 7 June 2006, "
    "'Census tallies Katrina changes'), 1 July 2006 and 1 July 2007 (Vintage 2007 "
    "estimates: Associated Press, 'Census estimates Katrina-hit areas grew fastest', March "
    "2008); 2010 Census count (U.S. Census Bureau QuickFacts, New Orleans city); as "
    "tabulated in Plyer, A. (2016), 'Facts for Features: Katrina Impact', The Data Center, "
    "New Orleans.")
TOLERANCE = (
    "The mean over the runs of the share of the pre-shock population alive and at home is "
    "within ±10 points of each of the four published shares, on the model day of each "
    "date (onset + the days since 29 August 2005): four checks.")

PATTERN = register(Pattern(name=NAME, title="Return after a catastrophic flood",
                           reference=REFERENCE_TEXT, source=SOURCE, tolerance=TOLERANCE,
                           measure=measure))
