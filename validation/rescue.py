"""Who rescues whom after an urban earthquake (Kobe 1995).

The model runs the shipped `urban_earthquake` scenario (baseline policy) on the suite's seeds
and reads, from each run's daily table, the cumulative live rescues by who freed the resident
(`rescued_self`, `rescued_household`, `rescued_neighbours`, `rescued_volunteers`,
`rescued_professionals`). Pooled over the runs, three checks:

* professionals freed at most 5% of those rescued alive;
* self, household and neighbours together freed at least 85%;
* at least 80% of the live rescues happened on the onset day or the two days after it
  (within 72 hours).

The published shares are drawn beside the model's in the figure; they are not used anywhere
else.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from grassroots.validation.patterns import (Check, Measured, Pattern, PatternError, Settings,
                                            register, run_models)

NAME = "rescue"
SCENARIO = "urban_earthquake"
#: who freed the resident: model column, label, colour
RESCUERS = (("rescued_self", "self", "#264653"),
            ("rescued_household", "household", "#2a9d8f"),
            ("rescued_neighbours", "neighbours", "#8ab17d"),
            ("rescued_volunteers", "volunteers", "#e9c46a"),
            ("rescued_professionals", "professionals", "#e76f51"))
COLUMNS = tuple(c for c, _, _ in RESCUERS)
COMMUNITY = ("rescued_self", "rescued_household", "rescued_neighbours")
#: Kobe 1995, survey of trapped residents rescued alive (Japan Association for Fire Science
#: and Engineering 1996, as quoted by the Fire and Disaster Management Agency): the rest,
#: 3.4%, were freed by others (passers-by and the like; not broken down in that quotation)
REFERENCE = (("self", 0.349, "#264653"), ("family", 0.319, "#2a9d8f"),
             ("friends, neighbours", 0.281, "#8ab17d"), ("others", 0.034, "#bdbdbd"),
             ("rescue teams", 0.017, "#e76f51"))
MAX_PROFESSIONAL, MIN_COMMUNITY, MIN_WITHIN_72H = 0.05, 0.85, 0.80


def onset_day() -> int:
    from grassroots.scenarios import load_scenario

    return int(load_scenario(SCENARIO).shocks[0].onset)


def pooled(runs: list[pd.DataFrame]) -> tuple[dict[str, float], pd.Series]:
    """Live rescues by rescuer at the horizon, summed over the runs, and the new live rescues
    of each day (all rescuers, summed over the runs), indexed by day."""
    missing = [c for c in COLUMNS if c not in runs[0].columns]
    if missing:
        raise PatternError(f"the model's time series has no column {', '.join(missing)} "
                           f"(needed: {', '.join(COLUMNS)})")
    totals = {c: float(sum(ts[c].iloc[-1] for ts in runs)) for c in COLUMNS}
    daily = sum(ts.set_index("day")[list(COLUMNS)].sum(axis=1).diff().fillna(0.0)
                for ts in runs)
    return totals, daily


def measure(settings: Settings) -> Measured:
    """Run the scenario on the suite's seeds and evaluate the runs."""
    return evaluate(run_models(settings, NAME, SCENARIO), onset_day())


def evaluate(runs: list[pd.DataFrame], onset: int) -> Measured:
    """The checks, values and figure of a list of daily tables (`RunResult.timeseries`) of
    an earthquake with this onset day."""
    totals, daily = pooled(runs)
    alive = sum(totals.values())
    share = {c: (totals[c] / alive if alive else float("nan")) for c in COLUMNS}
    community = sum(share[c] for c in COMMUNITY)
    since = daily.index.to_numpy() - onset
    early = float(daily[(since >= 0) & (since <= 2)].sum())
    within_72h = early / alive if alive else float("nan")
    before = float(daily[since < 0].sum())
    checks = [
        Check("professional share of live rescues", share["rescued_professionals"], "<=",
              MAX_PROFESSIONAL, fmt="{:.1%}"),
        Check("self + household + neighbours share", community, ">=", MIN_COMMUNITY,
              fmt="{:.1%}"),
        Check("share of live rescues within 72 h", within_72h, ">=", MIN_WITHIN_72H,
              fmt="{:.1%}"),
    ]
    values = {"live_rescues": alive, "live_rescues_per_run": alive / len(runs),
              **{f"share_{label}": share[c] for c, label, _ in RESCUERS},
              "share_within_72h": within_72h, "rescues_before_onset": before}
    for column in ("deaths", "trapped"):
        if column in runs[0].columns:
            key = "deaths" if column == "deaths" else "trapped_at_horizon"
            values[key] = float(sum(ts[column].iloc[-1] for ts in runs))
    after = daily[since >= 0]
    cumulative = (after.cumsum() / alive).to_numpy() if alive else np.zeros(len(after))
    hours = 24.0 * (since[since >= 0] + 1)  # the end of each day since the onset

    def figure(bars, timing):
        _bars(bars, share, len(runs), alive)
        _timing(timing, hours, cumulative)

    return Measured(checks, values, figure, panels=2)


def _stack(ax, x: float, parts, label_min: float = 0.07) -> None:
    bottom = 0.0
    for label, value, colour in parts:
        if not value > 0:
            continue
        ax.bar(x, value, bottom=bottom, color=colour, width=0.6, edgecolor="white", lw=0.6,
               label=label)
        if value >= label_min:
            ax.text(x, bottom + value / 2, f"{value:.1%}", ha="center", va="center",
                    fontsize=8, color="white" if colour != "#bdbdbd" else "black")
        bottom += value


def _bars(ax, share: dict, runs: int, alive: float) -> None:
    model = [(label, share[c], colour) for c, label, colour in RESCUERS]
    _stack(ax, 0.0, model)
    _stack(ax, 1.0, REFERENCE)
    ax.axhline(1 - MAX_PROFESSIONAL, color="black", lw=0.8, ls=":",
               label="top 5% (professionals' bound)")
    ax.set_xticks([0, 1], [f"model\n({runs} runs, {alive:,.0f} rescued)", "Kobe 1995\n(survey)"])
    ax.set_xlim(-0.5, 1.5)
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of those rescued alive")
    seen = dict(zip(*reversed(ax.get_legend_handles_labels())))
    names = {"professionals": "professionals (Kobe: rescue teams)", "volunteers": "volunteers",
             "others": "others (Kobe: passers-by, ...)",
             "neighbours": "neighbours (Kobe: friends, neighbours)",
             "household": "household (Kobe: family)", "self": "self",
             "top 5% (professionals' bound)": "top 5% (professionals' bound)"}
    ax.legend([seen[k] for k in names if k in seen], [v for k, v in names.items() if k in seen],
              fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2,
              frameon=False)
    prof = share["rescued_professionals"]
    ax.set_title(f"who rescued them: professionals {prof:.1%} (Kobe 1.7%)", fontsize=9)


def _timing(ax, hours: np.ndarray, cumulative: np.ndarray) -> None:
    shown = hours <= 240.0
    ax.step(np.concatenate([[0.0], hours[shown]]), np.concatenate([[0.0], cumulative[shown]]),
            where="post", color="#264653", lw=1.8, label="model, pooled over seeds")
    ax.axvline(72, color="#e76f51", lw=1, ls="--", label="72 h")
    ax.axhline(MIN_WITHIN_72H, color="grey", lw=0.8, ls=":", label="80% of live rescues")
    ax.set_xlim(0, 240)
    ax.set_ylim(0, 1.02)
    ax.set_xticks(range(0, 241, 24))
    ax.set_xlabel("hours since the onset (end of each day)")
    ax.set_ylabel("cumulative share of live rescues")
    ax.set_title("when they were rescued", fontsize=9)
    ax.legend(fontsize=7, loc="lower right")


REFERENCE_TEXT = (
    "After the 1995 Great Hanshin-Awaji (Kobe) earthquake, of the trapped or buried people "
    "who were rescued, 34.9% got out by themselves, 31.9% were freed by family and 28.1% by "
    "friends and neighbours, and only 1.7% by professional rescue teams; the Cabinet Office "
    "estimates that about 80% of those rescued from collapsed buildings were freed by "
    "neighbours and other residents.")
SOURCE = (
    "Japan Association for Fire Science and Engineering (日本火災学会) (1996), "
    "1995年兵庫県南部地震における火災に関する調査報告書 [Survey report on the fires of the 1995 "
    "Hyogo-ken Nanbu earthquake], the shares as quoted by the Fire and Disaster Management "
    "Agency, 防災・危機管理eカレッジ, 救出・捜索 6 "
    "(https://www.fdma.go.jp/relocation/e-college/senmon/cat2/cat/cat4/cat16/post-657.html); "
    "Cabinet Office, Government of Japan (2014), 平成26年版 防災白書 [White Paper on Disaster "
    "Management 2014], estimate after Kawata, Y. (1997), 大規模地震災害による人的被害予測 "
    "[Estimating casualties of a large earthquake disaster], 自然災害科学 16(1).")
TOLERANCE = (
    "Pooled over all seeds: professionals freed ≤ 5% of those rescued alive; self, household "
    "and neighbours together ≥ 85%; ≥ 80% of the live rescues on the onset day or the two "
    "days after it (within 72 h — the usual search-and-rescue window; the sources give no "
    "share for it).")

PATTERN = register(Pattern(name=NAME, title="Who rescues whom (urban earthquake)",
                           reference=REFERENCE_TEXT, source=SOURCE, tolerance=TOLERANCE,
                           measure=measure))
