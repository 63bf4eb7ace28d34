"""Household dislocation against the Lin (2008) logit (as NIST IN-CORE implements it).

The model runs the shipped `flood` and `urban_earthquake` scenarios (baseline policy) on
the suite's seeds, each only to the end of its onset day (`onset_households`): by then the
households whose home the shock damaged have decided whether to leave it
(agents/housing.py `dislocate`). Every household whose home was damaged at the onset by at
least dislocation_min_damage counts — its value loss is its `hh_loss`, set on the onset day;
it is *dislocated* when any living member is displaced at the end of the onset day. The
flood has no evacuation order, so that is the dislocation decision; the earthquake's
collapsed homes are always left, and are included (the logit knows no collapse: they are
one reason the observed rate may lie above it in the top bands). Households with no member
alive at the end of the onset day are left out (the dead are not dislocated).

Pooled over both scenarios and all runs, in value-loss bands, the observed dislocation rate
is compared with the mean logit probability of the same households (with their
single-family term): one check per band with at least MIN_HOUSEHOLDS households,
|observed − logit| ≤ 0.05; a band with fewer is skipped and said so in the values
(`households_<band>`, `skipped_<band>` = 1).

The logit is the model's own (`dislocation_probability`, with the model's parameters), so
the pattern checks that the dislocation the model's dynamics produce at the onset is the
published rule's, not that a rule is written down.
"""

from __future__ import annotations

import math

import numpy as np

from grassroots.validation.patterns import (Check, Measured, ModelRun, Pattern, PatternError,
                                            Settings, register, run_models)

NAME = "dislocation"
SCENARIOS = ("flood", "urban_earthquake")
#: value-loss bands (share of the home's value): [a, b), the last closed
BANDS = ((0.1, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 1.0))
MIN_HOUSEHOLDS = 30
MAX_GAP = 0.05
Z95 = 1.959964


def onset_households(job: ModelRun) -> dict:
    """Step one run to the end of its first shock's onset day and return, per household
    damaged at the onset by at least dislocation_min_damage: value loss, single-family,
    dislocated and the model's logit probability; and the parameters the figure needs.
    Module-level, for the process pool."""
    from grassroots.agents.housing import dislocation_probability

    model = job.model()
    shocks = model.shock_scenario.shocks
    if not shocks:
        raise PatternError(f"scenario {job.scenario} has no shock")
    onset = int(shocks[0].onset)
    model.run_for(onset)  # days 1 .. onset: the model's time is the day just done
    if int(model.time) != onset:
        raise PatternError(f"{job.scenario}: stepped to day {model.time}, not {onset}")
    pop, p = model.residents, model.p
    fresh = pop.first_displaced[pop.first_displaced >= 0]
    if len(fresh) and fresh.min() < onset:
        raise PatternError(f"{job.scenario}: residents displaced before the onset day")
    living = np.zeros(pop.n_households, bool)
    np.logical_or.at(living, pop.household, pop.alive)
    displaced = np.zeros(pop.n_households, bool)
    np.logical_or.at(displaced, pop.household, pop.displaced & pop.alive)
    loss = np.asarray(pop.hh_loss, float)
    damaged = loss >= p["dislocation_min_damage"]
    keep = damaged & living
    single = np.asarray(pop.hh_single_family, bool)
    return {"loss": loss[keep], "single_family": single[keep], "dislocated": displaced[keep],
            "logit": dislocation_probability(loss[keep], single[keep].astype(float), p),
            "dead_households": int((damaged & ~living).sum()),
            "min_damage": float(p["dislocation_min_damage"]),
            "betas": (float(p["dislocation_beta0"]), float(p["dislocation_beta1"]),
                      float(p["dislocation_beta2"]))}


def measure(settings: Settings) -> Measured:
    by_scenario = {s: run_models(settings, NAME, s, collect=onset_households)
                   for s in SCENARIOS}
    return evaluate(by_scenario)


def _wilson(k: float, n: float) -> tuple[float, float]:
    if n == 0:
        return float("nan"), float("nan")
    phat = k / n
    denom = 1 + Z95**2 / n
    centre = (phat + Z95**2 / (2 * n)) / denom
    half = Z95 * math.sqrt(phat * (1 - phat) / n + Z95**2 / (4 * n * n)) / denom
    return centre - half, centre + half


def _in_band(loss: np.ndarray, band: tuple[float, float], last: bool) -> np.ndarray:
    low, high = band
    return (loss >= low) & ((loss <= high) if last else (loss < high))


def _label(band) -> str:
    return f"{band[0]:.1f}-{band[1]:.1f}"


def evaluate(by_scenario: dict[str, list[dict]]) -> Measured:
    """The checks, values and figure of `onset_households` results by scenario."""
    def pooled(key, runs):
        return np.concatenate([r[key] for r in runs]) if runs else np.zeros(0)

    every = [r for runs in by_scenario.values() for r in runs]
    if not every:
        raise PatternError("no runs")
    loss, single = pooled("loss", every), pooled("single_family", every).astype(bool)
    moved, logit = pooled("dislocated", every).astype(bool), pooled("logit", every)
    betas = every[0]["betas"]
    checks, values, rows = [], {}, []
    values["households"] = float(len(loss))
    values["dislocated_share"] = float(moved.mean()) if len(loss) else float("nan")
    values["logit_mean"] = float(logit.mean()) if len(loss) else float("nan")
    values["single_family_share"] = float(single.mean()) if len(loss) else float("nan")
    values["households_all_dead_left_out"] = float(sum(r["dead_households"] for r in every))
    for scenario, runs in by_scenario.items():
        m, lg = pooled("dislocated", runs), pooled("logit", runs)
        values[f"households_{scenario}"] = float(len(m))
        values[f"observed_{scenario}"] = float(m.mean()) if len(m) else float("nan")
        values[f"logit_{scenario}"] = float(lg.mean()) if len(lg) else float("nan")
    for i, band in enumerate(BANDS):
        inside = _in_band(loss, band, i == len(BANDS) - 1)
        n = int(inside.sum())
        k = int(moved[inside].sum())
        label = _label(band)
        values[f"households_{label}"] = float(n)
        observed = k / n if n else float("nan")
        expected = float(logit[inside].mean()) if n else float("nan")
        values[f"observed_{label}"] = observed
        values[f"logit_{label}"] = expected
        values[f"skipped_{label}"] = float(n < MIN_HOUSEHOLDS)
        rows.append((band, n, k, observed, expected,
                     float(loss[inside].mean()) if n else float("nan")))
        if n >= MIN_HOUSEHOLDS:
            checks.append(Check(f"|observed - logit|, value loss {label} ({n} households)",
                                abs(observed - expected), "<=", MAX_GAP, fmt="{:.3f}"))

    def figure(ax):
        x = np.linspace(0, 1, 201)
        for sf, colour, text in ((1.0, "#264653", "single-family home"),
                                 (0.0, "#e76f51", "other home")):
            z = betas[0] + betas[1] * 100 * x + betas[2] * sf
            ax.plot(x, 1 / (1 + np.exp(-z)), color=colour, lw=1.5,
                    label=f"Lin (2008) logit, {text}")
        for j, (band, n, k, observed, expected, centre) in enumerate(rows):
            if n == 0:
                continue
            low, high = _wilson(k, n)
            faded = n < MIN_HOUSEHOLDS
            ax.errorbar([centre], [observed], yerr=[[observed - low], [high - observed]],
                        fmt="o", color="grey" if faded else "black", capsize=4, ms=6,
                        label="model: observed share dislocated (95% CI)" if j == 0 else None)
            ax.plot([centre], [expected], marker="_", ms=18, mew=2, color="#2a9d8f",
                    label="mean logit of the same households" if j == 0 else None)
            ax.annotate(f"n={n}" + (" (skipped)" if faded else ""), (centre, observed),
                        textcoords="offset points", xytext=(6, 6), fontsize=7)
        for edge in sorted({b for band in BANDS for b in band}):
            ax.axvline(edge, color="grey", lw=0.5, ls=":")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("value loss of the home at the onset")
        ax.set_ylabel("share of households dislocated")
        ax.set_title(f"{len(loss):,} damaged households, "
                     f"{' + '.join(by_scenario)} pooled", fontsize=9)
        ax.legend(fontsize=7, loc="upper left")
        ax.grid(alpha=0.3)

    return Measured(checks, values, figure)


REFERENCE_TEXT = (
    "Household dislocation after a damaging event follows the logit of Lin (2008) as NIST "
    "IN-CORE implements it: logit P = -0.42523 + 0.02480 x value loss (%) - 0.50166 x "
    "single-family home (its two block-group race terms, -0.01826 x % Black and -0.01198 x "
    "% Hispanic, are left out).")
SOURCE = (
    "Lin, Y.-S. (2008), 'Development of algorithms to estimate post-disaster population "
    "dislocation — a research-based approach', PhD dissertation, Texas A&M University "
    "(Hazard Reduction & Recovery Center report 08-05R, 'Dislocation Algorithm 3'); NIST "
    "Center of Excellence for Risk-Based Community Resilience Planning, IN-CORE pyincore, "
    "pyincore/analyses/populationdislocation (PopulationDislocationUtil."
    "get_disl_probability, the coefficients above).")
TOLERANCE = (
    f"Flood and urban earthquake pooled, households damaged at the onset by at least "
    f"dislocation_min_damage: in each value-loss band (0.1-0.3, 0.3-0.5, 0.5-0.7, 0.7-1.0) "
    f"with at least {MIN_HOUSEHOLDS} households, the observed share dislocated at the end "
    f"of the onset day is within 0.05 of the same households' mean logit probability "
    f"(bands with fewer are skipped).")

PATTERN = register(Pattern(name=NAME, title="Dislocation model (Lin 2008)",
                           reference=REFERENCE_TEXT, source=SOURCE, tolerance=TOLERANCE,
                           measure=measure))
