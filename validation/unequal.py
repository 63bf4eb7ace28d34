"""Unequal recovery: low-resource households take longer to get back into permanent housing.

The model's runs: the shipped `catastrophic_flood` (the runs of the pattern `return`,
validation/katrina.py) and the moderate shipped `flood`, run to the same horizon (the
catastrophic flood's, 1,855 days: the same follow-up, so the two ratios are censored
alike), both with the baseline policy and the seeds of `return`. From each run, per
resident at the horizon (`katrina.housing_state`): whether their household is low-resource,
the day they were first displaced, the day they were last back home, alive, left.

Time to permanent housing, for every resident displaced at least once and alive at the
horizon: home_again_day − first_displaced if they are at home at the horizon; otherwise —
still displaced, or left for good — censored at the horizon (horizon − first_displaced). A
censored value counts as the horizon: the median is exact as long as fewer than half of
the group are censored; otherwise it is reported as a lower bound (`*_median_censored` = 1)
and so is any ratio with it above the line.

Medians by group (low-resource or not) pooled over the runs; ratio = low-resource median /
the others'. Two checks: the catastrophic flood's ratio is at least 1.5; and it is larger
than the moderate flood's (their quotient at least 1). The source gives the direction (wealth
inequality grows after disasters, the more the larger the damage, and aid follows
resources); the thresholds are ours.
"""

from __future__ import annotations

import numpy as np

from grassroots.validation import katrina
from grassroots.validation.patterns import (Check, Measured, Pattern, PatternError, Settings,
                                            register)

NAME = "unequal"
CATASTROPHIC, MODERATE = katrina.SCENARIO, "flood"
MIN_RATIO = 1.5
GROUPS = (("low", "low-resource", "#e76f51"), ("other", "others", "#264653"))


def measure(settings: Settings) -> Measured:
    catastrophic = katrina.runs(settings)
    horizon = catastrophic[0][2]
    moderate = katrina.runs(settings, MODERATE, {"days": horizon})
    return evaluate({CATASTROPHIC: catastrophic, MODERATE: moderate})


def times(runs: list, field: str = "low_resource", groups=GROUPS
          ) -> dict[str, dict[str, np.ndarray]]:
    """Per group, pooled over the runs: time to permanent housing (days), whether it is
    censored, whether the resident left, and the follow-up (horizon − first displaced).
    The first of `groups` (key, label, colour) are the residents whose per-resident array
    `field` is true, the second the others."""
    (first, _, _), (second, _, _) = groups
    out = {g: {"t": [], "censored": [], "left": [], "follow": []} for g, _, _ in groups}
    for _, r, horizon in runs:
        displaced = (r["first_displaced"] >= 0) & r["alive"]
        home = r["alive"] & r["present"] & ~r["displaced"] & ~r["left"]
        if (home & displaced & (r["home_again_day"] < r["first_displaced"])).any():
            raise PatternError("a resident at home was back before first displaced")
        follow = horizon - r["first_displaced"]
        t = np.where(home, r["home_again_day"] - r["first_displaced"], follow)
        for g, mask in ((first, r[field]), (second, ~r[field])):
            sel = displaced & mask
            out[g]["t"].append(t[sel])
            out[g]["censored"].append(~home[sel])
            out[g]["left"].append(r["left"][sel])
            out[g]["follow"].append(follow[sel])
    return {g: {k: np.concatenate(v) for k, v in d.items()} for g, d in out.items()}


def _median(t: np.ndarray, censored: np.ndarray) -> tuple[float, bool]:
    """The median time (censored values counted as the horizon) and whether it is only a
    lower bound (at least half of the group censored)."""
    if len(t) == 0:
        return float("nan"), False
    return float(np.median(t)), bool(censored.mean() >= 0.5)


def survival(t: np.ndarray, censored: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Kaplan-Meier share still not in permanent housing at each of `days` (days since
    first displaced)."""
    order = np.argsort(t, kind="stable")
    t, censored = t[order], censored[order]
    at_risk = len(t) - np.arange(len(t))
    factor = np.where(censored, 1.0, 1.0 - 1.0 / np.maximum(at_risk, 1))
    curve = np.cumprod(factor)
    idx = np.searchsorted(t, days, side="right") - 1
    return np.where(idx >= 0, curve[np.clip(idx, 0, None)], 1.0)


def evaluate(by_scenario: dict[str, list]) -> Measured:
    """The checks, values and figure of `housing_state` results by scenario."""
    values, ratios, curves = {}, {}, {}
    for scenario, runs in by_scenario.items():
        key = "catastrophic" if scenario == CATASTROPHIC else "moderate"
        groups = times(runs)
        medians = {}
        for g, _, _ in GROUPS:
            d = groups[g]
            median, lower = _median(d["t"], d["censored"])
            medians[g] = (median, lower)
            values[f"{key}_{g}_displaced"] = float(len(d["t"]))
            values[f"{key}_{g}_median_days"] = median
            values[f"{key}_{g}_median_censored"] = float(lower)
            values[f"{key}_{g}_share_home"] = float(1 - d["censored"].mean()) \
                if len(d["t"]) else float("nan")
            values[f"{key}_{g}_share_left"] = float(d["left"].mean()) \
                if len(d["t"]) else float("nan")
        (low, low_cens), (other, other_cens) = medians["low"], medians["other"]
        ratio = low / other if other > 0 else float("nan")
        ratios[key] = ratio
        values[f"{key}_ratio"] = ratio
        # a censored low-resource median makes the ratio a lower bound; a censored median
        # of the others makes it undetermined
        values[f"{key}_ratio_lower_bound"] = float(low_cens and not other_cens)
        values[f"{key}_ratio_undetermined"] = float(other_cens)
        values[f"{key}_follow_up_days"] = float(
            max(groups["low"]["follow"].max(initial=0), groups["other"]["follow"].max(initial=0)))
        curves[scenario] = groups
    values["runs_per_scenario"] = float(len(next(iter(by_scenario.values()))))
    cat, mod = ratios["catastrophic"], ratios["moderate"]
    checks = [
        Check("catastrophic flood: low-resource / others' median time to permanent housing",
              cat, ">=", MIN_RATIO, fmt="{:.2f}"),
        Check("catastrophic ratio / moderate flood ratio", cat / mod if mod > 0
              else float("nan"), ">=", 1.0, fmt="{:.2f}"),
    ]

    def figure(*axes):
        for ax, (scenario, groups) in zip(axes, curves.items()):
            follow = int(max(groups[g]["follow"].max(initial=0) for g, _, _ in GROUPS))
            days = np.arange(follow + 1)
            key = "catastrophic" if scenario == CATASTROPHIC else "moderate"
            for g, label, colour in GROUPS:
                d = groups[g]
                if not len(d["t"]):
                    continue
                median, lower = _median(d["t"], d["censored"])
                text = f"> {median:.0f}" if lower else f"{median:.0f}"
                ax.step(days, survival(d["t"], d["censored"], days), where="post",
                        color=colour, lw=1.8,
                        label=f"{label} (n={len(d['t']):,}): median {text} d, "
                              f"left {d['left'].mean():.0%}")
            ax.axhline(0.5, color="grey", lw=0.8, ls=":")
            ax.set_ylim(0, 1.02)
            ax.set_xlim(0, follow)
            ax.set_xlabel("days since first displaced")
            ax.set_ylabel("share not yet back in permanent housing")
            ax.set_title(f"{scenario}: ratio {ratios[key]:.2f}", fontsize=9)
            ax.legend(fontsize=7, loc="upper right")
            ax.grid(alpha=0.3)

    return Measured(checks, values, figure, panels=len(curves))


REFERENCE_TEXT = (
    "Household wealth inequality grows after natural hazards, the more so the larger the "
    "local damage: white households, homeowners and the better educated gain wealth, "
    "Black and Hispanic households and renters lose it, and FEMA aid widens the gap — aid "
    "follows resources (US households followed 1999-2013).")
SOURCE = (
    "Howell, J. & Elliott, J.R. (2019), 'Damages done: the longitudinal impacts of natural "
    "hazards on wealth inequality in the United States', Social Problems 66(3): 448-467.")
TOLERANCE = (
    "Our thresholds (the source gives the direction): residents displaced at least once "
    "and alive, pooled over the runs, time to permanent housing censored at the horizon "
    "(those still displaced and those who left): the low-resource median is at least 1.5 "
    "times the others' after the catastrophic flood, and that ratio is larger than after "
    "the moderate flood (the same 1,855-day horizon).")

PATTERN = register(Pattern(name=NAME, title="Unequal recovery",
                           reference=REFERENCE_TEXT, source=SOURCE, tolerance=TOLERANCE,
                           measure=measure, seeds_from=katrina.SEEDS_FROM))
