"""Ranking invariance (issue 10): a setting worse for people by construction must rank worse on
the headline outcome, on every dimension's loss of resilience and on the combined resilience
index; a setting better for people (more organisations, more ties, faster departments, the
all-of-society package) must never rank worse on the combined index.

Paired runs: 60 seeds, 300 residents, the flood, each setting against the defaults on the same
seeds; "ranks worse" means the 95% interval of the paired difference excludes 0 on the worse
side (measures/comparison.py). The headline outcome is resident-days in need.

Before the dimension curves measured capacity against a fixed reference community
(measures/dimensions.py), ten of these cases failed: no social help and fewer organisations
ranked *better* on structure (fewer teams to disrupt), fewer ties better on relationship (fewer
ties to weaken), and both through the combined curve; and no reserves changed neither the
days in need nor structure nor relationships while reserves only eased a day's function. All
held after issue 10 (docs/ODD.md §11.4 lists the effect sizes). Issue 11 made being able to
help independent of being in need: since then having no reserves no longer ranks worse on
structure (recorded below, with the measured effect); relationship and the combined loss,
which failed with it, hold again since trust counts only help of at least reach_units and
residents see only waits the departments never answered (agents/resident.py update_trust). Fewer ties rank worse on days in
need only because those who left for good stay counted with the needs they left with
(measures/dimensions.py): before that, more households leaving where ties are weak made
fewer ties look *better* (-557 [-823, -292] resident-days in need, 60 seeds), a
survivor bias.
KNOWN_FAILURES is where a case that fails again is recorded, as a strict expected failure with
its measured effect, never dropped; a strict xfail turns into a failure once the case holds.
"""

from __future__ import annotations

from functools import lru_cache

import pytest

from grassroots import run
from grassroots.measures.comparison import paired_comparison

pytestmark = [pytest.mark.claims, pytest.mark.slow]

SEEDS = range(60)
RESIDENTS = 300
SCENARIO = "flood"
WORSE = {
    "no_social_help": {"mutual_aid_strength": 0.0, "volunteer_share": 0.0,
                       "external_openness": 0.0, "party_member_share": 0.0},
    "fewer_organisations": {"organisations_per_1000": 0.0, "membership_share": 0.0,
                            "volunteer_share": 0.0},
    "fewer_ties": {"neighbour_ties": 1.0, "bridging_ties": 0.25},
    "slower_departments": {"vertical_responsiveness": 0.0, "department_throughput": 10.0},
    "no_reserves": {"reserve_stock": 0.0, "household_reserve_share": 0.0,
                    "household_reserve_campaign": 0.0},
}
MEASURES = ("outcomes.resident_days_in_need", "structure.loss_of_resilience",
            "function.loss_of_resilience", "relationship.loss_of_resilience",
            "combined.loss_of_resilience", "combined.resilience_index")
#: (setting, measure) -> the measured effect that makes it fail today
_NO_RESERVES = ("issue 11: being able to help no longer depends on being in need, so a "
                "household's own supplies no longer free its members to help others; "
                "reserves now act on days in need, function and relationships, not on "
                "structure (docs/ODD.md §11.4: the routes measured). Measured (60 seeds): ")
KNOWN_FAILURES: dict[tuple[str, str], str] = {
    ("no_reserves", "structure.loss_of_resilience"):
        _NO_RESERVES + "-0.0335 [-0.4009, +0.334] quality-days",
}


@lru_cache(maxsize=None)
def summaries(setting: str | None, policy: str = "baseline") -> tuple[dict, ...]:
    params = {"residents": RESIDENTS, **(WORSE[setting] if setting else {})}
    return tuple(run(params, seed=s, scenario=SCENARIO, policy=policy,
                     indicators=False).summary for s in SEEDS)


@lru_cache(maxsize=None)
def comparison(setting: str) -> dict[str, dict]:
    rows = paired_comparison(list(summaries(None)), list(summaries(setting)))
    return {r["measure"]: r for r in rows}


def _cases():
    for setting in WORSE:
        for measure in MEASURES:
            reason = KNOWN_FAILURES.get((setting, measure))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(setting, measure, marks=marks, id=f"{setting}-{measure}")


@pytest.mark.parametrize("setting, measure", list(_cases()))
def test_a_setting_worse_for_people_ranks_worse(setting, measure):
    r = comparison(setting)[measure]
    assert r["verdict"] == "worse", (
        f"{setting}: {measure} {r['difference']:+.4g} [{r['low']:+.4g}, {r['high']:+.4g}] "
        f"({r['verdict']})")


#: Settings better for people by construction, and the package that raises every lever.
BETTER = {
    "more_organisations": {"organisations_per_1000": 6.0, "membership_share": 0.5,
                           "volunteer_share": 0.1},
    "more_ties": {"neighbour_ties": 6.0, "bridging_ties": 2.0},
    "faster_departments": {"department_throughput": 40.0},
}


@lru_cache(maxsize=None)
def better_comparison(setting: str) -> dict[str, dict]:
    if setting == "all-of-society":
        better = summaries(None, "all-of-society")
    else:
        params = {"residents": RESIDENTS, **BETTER[setting]}
        better = tuple(run(params, seed=s, scenario=SCENARIO, indicators=False).summary
                       for s in SEEDS)
    rows = paired_comparison(list(summaries(None)), list(better))
    return {r["measure"]: r for r in rows}


@pytest.mark.parametrize("setting", ["all-of-society", *BETTER])
def test_a_better_setting_never_ranks_worse_on_the_combined_index(setting):
    r = better_comparison(setting)
    assert r["outcomes.resident_days_in_need"]["verdict"] != "worse"
    for measure in ("combined.resilience_index", "combined.loss_of_resilience"):
        assert r[measure]["verdict"] != "worse", (setting, measure, r[measure])


def test_the_package_that_raises_every_lever_is_better_for_people():
    r = better_comparison("all-of-society")
    assert r["outcomes.resident_days_in_need"]["verdict"] == "better"
    assert r["combined.resilience_index"]["verdict"] == "better"


def test_no_social_help_on_the_flood_ranks_worse_on_every_headline_measure():
    """The comparison that opened issue 10, at its size (1,000 residents, the flood): every
    planner outcome and every dimension's robustness, loss, index and time to recovery rank
    no social help worse (residents who left for good: +16.1 [+13.6, +18.6]), but deaths,
    which are 0 in the flood. 60 paired seeds: on 12, the peak in need (+2.8 [-0.2, +5.9])
    and services unmet-days (+6 [-7, +20]) are too small an effect to separate from noise."""
    params = {"residents": 1000, **WORSE["no_social_help"]}
    seeds = range(60)
    base = [run({"residents": 1000}, seed=s, scenario=SCENARIO, indicators=False).summary
            for s in seeds]
    worse = [run(params, seed=s, scenario=SCENARIO, indicators=False).summary for s in seeds]
    rows = paired_comparison(base, worse)
    headline = [r for r in rows if not r["measure"].startswith(("costs.",
                                                               "outcomes.help_delivered"))]
    assert len(headline) == 13 + 16  # planner outcomes; 4 curves x 4 metrics
    # nobody dies in the flood (it has no life-safety mechanism; the earthquake's entrapment
    # does), so deaths cannot rank worse: they must be 0 on both sides
    deaths = next(r for r in headline if r["measure"] == "outcomes.deaths")
    assert deaths["reference"] == deaths["package"] == 0.0
    wrong = [f"{r['measure']} {r['difference']:+.4g} [{r['low']:+.4g}, {r['high']:+.4g}]"
             for r in headline if r["verdict"] != "worse" and r is not deaths]
    assert not wrong, wrong
