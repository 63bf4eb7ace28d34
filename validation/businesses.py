"""Businesses after a catastrophic flood (New Orleans after Hurricane Katrina).

The model's runs are those of the pattern `return` (the shipped `catastrophic_flood`,
baseline policy; validation/katrina.py): from each run's daily table it reads
`businesses_open_share`, the share of the pre-shock enterprises open (agents/enterprise.py:
capacity and customers back). One check: the mean over the runs on the model day of 1
October 2007 (the onset day plus the days from 29 August 2005) is within ±0.10 of the 65%
reopening rate found for New Orleans businesses by October 2007. The published share is
drawn beside the model's curve and is the check's bound; it is used nowhere else.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from grassroots.validation import katrina
from grassroots.validation.patterns import Check, Measured, Pattern, Settings, register

NAME = "businesses"
SCENARIO = katrina.SCENARIO
SURVEY = dt.date(2007, 10, 1)  # the third telephone survey, October 2007
REOPENED = 0.65
TOLERANCE_POINTS = 0.10


def measure(settings: Settings) -> Measured:
    runs = katrina.runs(settings)
    enterprises = [float(arrays["enterprises"][0]) for _, arrays, _ in runs]
    return evaluate([ts for ts, _, _ in runs], katrina.onset_day(SCENARIO), enterprises)


def evaluate(tables: list, onset: int, enterprises: list[float] | None = None) -> Measured:
    """The check, values and figure of catastrophic-flood daily tables (onset day) and the
    number of enterprises of each run (a share of few enterprises moves in big steps)."""
    open_ = katrina.column(tables, "businesses_open_share")
    day = katrina.day_of(SURVEY, onset)
    at = open_[:, day] if day < open_.shape[1] else np.full(len(open_), np.nan)
    model = float(at.mean())
    mean = open_.mean(axis=0)
    after = mean[onset:]
    reopened_half = np.flatnonzero(after >= 0.5)
    checks = [Check("businesses open on 1 Oct 2007 (New Orleans 65%)", model, "within",
                    (REOPENED - TOLERANCE_POINTS, REOPENED + TOLERANCE_POINTS),
                    fmt="{:.1%}")]
    values = {"days_after_onset": float(day - onset), "open_share": model,
              "open_share_min": float(at.min()), "open_share_max": float(at.max()),
              "published": REOPENED,
              "open_share_lowest_after_onset": float(after.min()),
              "days_to_half_open": (float(reopened_half[0]) if len(reopened_half)
                                    else float("nan")),
              "open_share_horizon": float(mean[-1]), "runs": float(len(tables))}
    if enterprises:
        values["enterprises_per_run"] = float(np.mean(enterprises))

    def figure(ax):
        since = np.arange(open_.shape[1]) - onset
        years = since / 365.25
        per_run = f", {values['enterprises_per_run']:.0f} per run" if enterprises else ""
        katrina.band(ax, open_, years, "#2a9d8f",
                     f"model: enterprises open (mean, 10-90% of {len(tables)} runs{per_run})")
        x = (SURVEY - katrina.LANDFALL).days / 365.25
        ax.errorbar([x], [REOPENED], yerr=TOLERANCE_POINTS, fmt="o", color="black", ms=6,
                    capsize=4, lw=1, label="New Orleans, reopened by Oct 2007 (±10 points)")
        ax.set_xlim(years[0], years[-1])
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("years since the onset (29 Aug 2005)")
        ax.set_ylabel("share of the pre-shock enterprises open")
        ax.legend(fontsize=7, loc="lower right")
        ax.grid(alpha=0.3)

    return Measured(checks, values, figure)


REFERENCE_TEXT = (
    "A telephone survey of New Orleans businesses found a reopening rate of 65% for all "
    "businesses by October 2007, 26 months after Hurricane Katrina.")
SOURCE = (
    "Lam, N.S.N., Pace, K., Campanella, R., LeSage, J. & Arenas, H. (2009), 'Business "
    "return in New Orleans: decision making amid post-Katrina uncertainty', PLoS ONE 4(8): "
    "e6765, doi:10.1371/journal.pone.0006765 (surveys of December 2005, June 2006 and "
    "October 2007); see also Lam, N.S.N., Arenas, H., Pace, K., LeSage, J. & Campanella, R. "
    "(2012), 'Predictors of business return in New Orleans after Hurricane Katrina', PLoS "
    "ONE 7(10): e47935.")
TOLERANCE = (
    "The mean over the runs of the share of the pre-shock enterprises open on the model day "
    "of 1 October 2007 (onset + the days since 29 August 2005) is within ±10 points of 65%.")

PATTERN = register(Pattern(name=NAME, title="Businesses after a catastrophic flood",
                           reference=REFERENCE_TEXT, source=SOURCE, tolerance=TOLERANCE,
                           measure=measure, seeds_from=katrina.SEEDS_FROM))
