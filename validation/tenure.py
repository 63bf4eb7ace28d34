"""Tenure: renters take longer than owner-occupants to get back into permanent housing.

The model's runs: the shipped `catastrophic_flood` (baseline policy, to its horizon) in a
community with New Orleans's share of renter households (RENTER_SHARE: renter_share over
the settings' community size; the synthetic default has none), this pattern's own seeds.
Renters and owner-occupants differ only by tenure's rules (agents/housing.py, "Tenure":
the landlord repairs with the building's insurance and rental-repair aid, and decides
later); savings, insurance take-up by means, ties and damage are drawn as for everyone.

Time to permanent housing as in the pattern `unequal` (validation/unequal.py: every
resident displaced at least once and alive at the horizon; those still displaced or gone
for good censored at the horizon), medians by tenure pooled over the runs; ratio = renters'
median / owner-occupants'. One check: the ratio is at least MIN_RATIO. The source gives the
direction (rental housing recovered more slowly than owner-occupied after Hurricane
Andrew; SOURCE); the threshold is ours. The shares who left for good are reported, not
checked: the model gives renters no weaker attachment than owners (their ties are drawn
alike), so a gap there could only come from their longer wait.
"""

from __future__ import annotations

import numpy as np

from grassroots.validation import katrina, unequal
from grassroots.validation.patterns import Check, Measured, Pattern, register, run_models

NAME = "tenure"
#: renter-occupied share of occupied housing units, Orleans Parish, Census 2000 (owner-
#: occupied 46.5%): US Census Bureau, Census 2000 Summary File 1, tenure
RENTER_SHARE = 0.535
MIN_RATIO = 1.5
GROUPS = (("renter", "renters", "#e76f51"), ("owner", "owner-occupants", "#264653"))


def measure(settings) -> Measured:
    runs = run_models(settings, NAME, katrina.SCENARIO, {"renter_share": RENTER_SHARE},
                      collect=katrina.housing_state)
    return evaluate(runs)


def evaluate(runs: list) -> Measured:
    """The check, values and figure of `katrina.housing_state` results."""
    groups = unequal.times(runs, "renter", GROUPS)
    values, medians = {}, {}
    for g, _, _ in GROUPS:
        d = groups[g]
        median, lower = unequal._median(d["t"], d["censored"])
        medians[g] = (median, lower)
        n = len(d["t"])
        values[f"{g}_displaced"] = float(n)
        values[f"{g}_median_days"] = median
        values[f"{g}_median_censored"] = float(lower)
        values[f"{g}_share_home"] = float(1 - d["censored"].mean()) if n else float("nan")
        values[f"{g}_share_left"] = float(d["left"].mean()) if n else float("nan")
    (renter, renter_cens), (owner, owner_cens) = medians["renter"], medians["owner"]
    ratio = renter / owner if owner > 0 else float("nan")
    values["ratio"] = ratio
    # a censored renters' median makes the ratio a lower bound; a censored owners' median
    # makes it undetermined
    values["ratio_lower_bound"] = float(renter_cens and not owner_cens)
    values["ratio_undetermined"] = float(owner_cens)
    values["renter_share"] = RENTER_SHARE
    values["runs"] = float(len(runs))
    checks = [Check("catastrophic flood: renters' / owner-occupants' median time to "
                    "permanent housing", ratio, ">=", MIN_RATIO, fmt="{:.2f}")]

    def figure(ax):
        follow = int(max(groups[g]["follow"].max(initial=0) for g, _, _ in GROUPS))
        days = np.arange(follow + 1)
        for g, label, colour in GROUPS:
            d = groups[g]
            if not len(d["t"]):
                continue
            median, lower = medians[g]
            text = f"> {median:.0f}" if lower else f"{median:.0f}"
            ax.step(days, unequal.survival(d["t"], d["censored"], days), where="post",
                    color=colour, lw=1.8,
                    label=f"{label} (n={len(d['t']):,}): median {text} d, "
                          f"left {d['left'].mean():.0%}")
        ax.axhline(0.5, color="grey", lw=0.8, ls=":")
        ax.set_ylim(0, 1.02)
        ax.set_xlim(0, max(follow, 1))
        ax.set_xlabel("days since first displaced")
        ax.set_ylabel("share not yet back in permanent housing")
        ax.set_title(f"{katrina.SCENARIO}, {RENTER_SHARE:.1%} renters: ratio {ratio:.2f}",
                     fontsize=9)
        ax.legend(fontsize=7, loc="upper right")
        ax.grid(alpha=0.3)

    return Measured(checks, values, figure)


REFERENCE_TEXT = (
    "Rental housing recovers more slowly than owner-occupied housing: after Hurricane "
    "Andrew (Miami-Dade, 1992) rental and multi-family housing was restored later than "
    "owner-occupied single-family homes; reviews of the evidence find renters' recovery "
    "slower and less assisted — repair programmes reach owner-occupants first and renters "
    "depend on landlords' decisions to repair, sell or convert.")
SOURCE = (
    "Zhang, Y. & Peacock, W.G. (2010), 'Planning for housing recovery? Lessons learned from "
    "Hurricane Andrew', Journal of the American Planning Association 76(1): 5-24; Peacock, "
    "W.G., Van Zandt, S., Zhang, Y. & Highfield, W.E. (2014), 'Inequities in long-term "
    "housing recovery after disasters', Journal of the American Planning Association "
    "80(4): 356-371; Lee, J.Y. & Van Zandt, S. (2019), 'Housing tenure and social "
    "vulnerability to disasters: a review of the evidence', Journal of Planning "
    "Literature 34(2): 156-170.")
TOLERANCE = (
    "Our threshold (the sources give the direction): residents displaced at least once and "
    "alive after the catastrophic flood in a community with 53.5% renter households "
    "(Orleans Parish, Census 2000), pooled over the runs, time to permanent housing "
    "censored at the horizon: the renters' median is at least 1.5 times the "
    "owner-occupants'.")

PATTERN = register(Pattern(name=NAME, title="Tenure and recovery",
                           reference=REFERENCE_TEXT, source=SOURCE, tolerance=TOLERANCE,
                           measure=measure))
