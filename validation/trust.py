"""Trust after a badly handled response (the federal government after Hurricane Katrina).

The model runs the shipped `flood` scenario (onset day 60) to day 430 — at least a year after
the onset — on the suite's seeds, twice on each seed:

* badly handled: policy baseline with vertical_responsiveness 0, max_response_delay 14
  (the departments start 15 days late), external_openness 0 (no outside help),
  horizontal_cooperation 0 and command_coordination 0 (no cooperation);
* well handled: policy all-of-society.

From each run's daily table it reads the mean trust of the living in government
(`trust_government`), in the committee and organisations (`trust_committee`) and in
neighbours (`trust_neighbours`: agents/resident.py `update_trust`), and averages over the
runs. Start = the day before the onset. Checks, all as ratios to the start:

* badly handled: the lowest trust in government within the onset day and the 60 days after
  it is at most 0.8 (a fall of at least 20% within two months);
* badly handled: trust in government a year after the onset (onset + 365) is at most 0.9;
* well handled: trust in government a year after the onset is at least 0.95 (no lasting
  fall);
* trust in neighbours never falls below 0.99 of its start after the onset, in either
  handling (two checks).

The published figures are drawn in the figure's caption and the checks' bounds, nowhere
else; the bounds are our reading of the direction and size the sources report.
"""

from __future__ import annotations

import numpy as np

from grassroots.validation import katrina
from grassroots.validation.patterns import Check, Measured, Pattern, Settings, register, run_models

NAME = "trust"
SCENARIO = "flood"
DAYS = 430
BAD = {"vertical_responsiveness": 0.0, "max_response_delay": 14, "external_openness": 0.0,
       "horizontal_cooperation": 0.0, "command_coordination": 0.0}
HANDLINGS = (("badly handled", "baseline", BAD, "#e76f51"),
             ("well handled", "all-of-society", {}, "#2a9d8f"))
TRUSTS = (("trust_government", "government", "-"), ("trust_committee", "committee", "--"),
          ("trust_neighbours", "neighbours", ":"))
EARLY_DAYS, YEAR = 60, 365
MAX_EARLY, MAX_YEAR_BAD, MIN_YEAR_GOOD, MIN_NEIGHBOURS = 0.8, 0.9, 0.95, 0.99


def measure(settings: Settings) -> Measured:
    runs = {label: run_models(settings, NAME, SCENARIO, {**params, "days": DAYS}, policy)
            for label, policy, params, _ in HANDLINGS}
    return evaluate(runs, katrina.onset_day(SCENARIO))


def evaluate(runs: dict[str, list], onset: int) -> Measured:
    """The checks, values and figure of the daily tables by handling (flood, onset day)."""
    means = {label: {col: katrina.column(tables, col).mean(axis=0) for col, _, _ in TRUSTS}
             for label, tables in runs.items()}
    values, ratios = {}, {}
    for label, series in means.items():
        key = label.split()[0]
        gov, nbr = series["trust_government"], series["trust_neighbours"]
        start, start_n = gov[onset - 1], nbr[onset - 1]
        early = gov[onset:onset + EARLY_DAYS + 1]
        year = onset + YEAR
        ratios[label] = {
            "early": float(early.min() / start),
            "year": float(gov[year] / start) if year < len(gov) else float("nan"),
            "neighbours": float(nbr[onset:].min() / start_n),
        }
        values[f"{key}_government_start"] = float(start)
        values[f"{key}_government_min_60d"] = float(early.min())
        values[f"{key}_government_min_60d_day"] = float(np.argmin(early))
        values[f"{key}_government_min_60d_ratio"] = ratios[label]["early"]
        values[f"{key}_government_year"] = float(gov[year]) if year < len(gov) \
            else float("nan")
        values[f"{key}_government_year_ratio"] = ratios[label]["year"]
        values[f"{key}_government_min_ratio"] = float(gov[onset:].min() / start)
        values[f"{key}_committee_year_ratio"] = float(
            series["trust_committee"][year] / series["trust_committee"][onset - 1])
        values[f"{key}_neighbours_start"] = float(start_n)
        values[f"{key}_neighbours_min_ratio"] = ratios[label]["neighbours"]
    bad, good = ratios["badly handled"], ratios["well handled"]
    fmt = "{:.3f}"
    checks = [
        Check("badly handled: lowest trust in government within 60 days / start",
              bad["early"], "<=", MAX_EARLY, fmt=fmt),
        Check("badly handled: trust in government after a year / start", bad["year"], "<=",
              MAX_YEAR_BAD, fmt=fmt),
        Check("well handled: trust in government after a year / start", good["year"], ">=",
              MIN_YEAR_GOOD, fmt=fmt),
        Check("badly handled: lowest trust in neighbours / start", bad["neighbours"], ">=",
              MIN_NEIGHBOURS, fmt=fmt),
        Check("well handled: lowest trust in neighbours / start", good["neighbours"], ">=",
              MIN_NEIGHBOURS, fmt=fmt),
    ]
    values["runs_per_handling"] = float(len(next(iter(runs.values()))))

    def figure(ax_bad, ax_good):
        for ax, (label, _, _, colour) in zip((ax_bad, ax_good), HANDLINGS):
            series = means[label]
            days = np.arange(len(series["trust_government"])) - onset
            for col, name, ls in TRUSTS:
                ax.plot(days, series[col], ls=ls, lw=1.6,
                        color=colour if col == "trust_government" else "#264653",
                        label=f"trust in {name}")
            start = series["trust_government"][onset - 1]
            if label == "badly handled":
                ax.axhline(MAX_EARLY * start, color="grey", lw=0.8, ls="-.",
                           label="0.8 x start (fall of 20%: the check, days 0-60)")
                ax.axhline(MAX_YEAR_BAD * start, color="grey", lw=0.8, ls=":",
                           label="0.9 x start (the check after a year)")
                ax.axvspan(0, EARLY_DAYS, color="grey", alpha=0.08)
            else:
                ax.axhline(MIN_YEAR_GOOD * start, color="grey", lw=0.8, ls=":",
                           label="0.95 x start (the check after a year)")
            ax.axvline(0, color="black", lw=0.8)
            ax.axvline(YEAR, color="black", lw=0.6, ls="--")
            ax.set_xlabel("days since the onset")
            ax.set_ylabel("mean trust of the living (0-1)")
            ax.set_ylim(0, 1)
            ax.set_title(f"{label}: government {ratios[label]['early'] - 1:+.0%} within 60 "
                         f"days, {ratios[label]['year'] - 1:+.0%} after a year", fontsize=9)
            ax.legend(fontsize=7, loc="lower left")
            ax.grid(alpha=0.3)
        ax_bad.text(0.99, 0.99, "US: trust the federal government 'most of the time'\n"
                    "40% (Jul 2004) -> 29% (Sep 2005), -28%", transform=ax_bad.transAxes,
                    ha="right", va="top", fontsize=7)

    return Measured(checks, values, figure, panels=2)


REFERENCE_TEXT = (
    "After the response to Hurricane Katrina, the share of Americans who trust the "
    "government in Washington to do what is right always or most of the time fell from 40% "
    "(July 2004) to 29% (September 2005); a year after the storm 69% of the survivors "
    "polled gave the federal government a negative rating, and about two-thirds of Gulf "
    "Coast and New Orleans residents said the storm had strengthened their trust in their "
    "fellow man to lend a hand.")
SOURCE = (
    "CBS News / New York Times poll, September 2005 ('Poll: Katrina shakes confidence', CBS "
    "News, September 2005: trust the government in Washington always or most of the time "
    "29%, July 2004 40%); Gallup / USA Today poll of Katrina survivors drawn from the Red "
    "Cross database, August 2006 (Government Executive, 'A year later, Katrina survivors "
    "give government low marks', August 2006: 69% negative about the federal government); "
    "ABC News poll of the 91 Katrina disaster counties, August 2006 ('Pain, fury still "
    "rage a year after Katrina': two-thirds say their trust in their fellow man was "
    "strengthened).")
TOLERANCE = (
    "Means over the runs, as ratios to the day before the onset (our thresholds; the "
    "sources give the direction and size): badly handled, trust in government at most 0.8 "
    "within 60 days and at most 0.9 after a year; well handled, at least 0.95 after a "
    "year; trust in neighbours never below 0.99 after the onset in either.")

PATTERN = register(Pattern(name=NAME, title="Trust after a badly handled response",
                           reference=REFERENCE_TEXT, source=SOURCE, tolerance=TOLERANCE,
                           measure=measure))
