"""The five capacities: every governance lever moves its target indicator the way the
framework (*Grassroots resilience governance*) says, shown over many seeds with paired runs.

Each lever is run low and high on the same seeds (common random numbers: the community, the
hazards and the prevention routines each draw from their own stream) and the paired
difference high - low of its target indicator must have a 95% interval that excludes 0 on
the claimed side. Communities are small (400 residents) so the suite stays quick.
"""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from grassroots import run
from grassroots.core.params import PARAMS, by_group
from grassroots.model.run import make_model
from grassroots.scenarios import load_scenario, shipped

SMALL = {"residents": 400, "days": 200}
SEEDS = range(30)


def metric(dim, name):
    return lambda s: s["metrics"][dim][name]


def capacity(group, name):
    return lambda s: s["capacities"][group][name]


def services_days(s):
    return s["outcomes"]["unmet_need_days"]["services"]


def later_events_loss(s):
    return float(np.mean([e["combined"]["loss_of_resilience"] for e in s["events"][1:]]))


def later_plan_quality(s):
    return float(np.mean(s["capacities"]["learning"]["plan_quality_at_onsets"][1:]))


def department_help(s):
    units = s["capacities"]["recovery"]["help_units"]
    return units["vertical"] + units["horizontal"]


# lever: (low, high, indicator, claimed sign of high - low, scenario, seeds, why)
CLAIMS = {
    # 1. prevention
    "awareness_training_rate": (0.0, 4.0, metric("function", "loss_of_resilience"), -1,
                                "flood", SEEDS, "trained residents protect themselves"),
    "assessment_interval": (3650, 30, metric("function", "loss_of_resilience"), -1, "flood",
                            range(60), "fresh assessments make warnings likelier"),
    "assessment_quality": (0.0, 1.0, metric("function", "loss_of_resilience"), -1, "flood",
                           SEEDS, "good assessments make warnings likelier"),
    "volunteer_share": (0.0, 0.3, metric("function", "loss_of_resilience"), -1, "flood",
                        SEEDS, "volunteer teams help residents in need"),
    "reserve_stock": (0.0, 10.0, metric("function", "loss_of_resilience"), -1, "flood", SEEDS,
                      "community reserves bridge outages"),
    "drills_per_year": (0.0, 12.0, metric("function", "loss_of_resilience"), -1, "flood",
                        SEEDS, "drills raise awareness and practise the plan"),
    # 2. resistance
    "party_contact_rate": (0.0, 8.0, metric("function", "loss_of_resilience"), -1, "flood",
                           SEEDS, "contacts raise awareness and reveal needs"),
    "activity_rate": (0.0, 8.0, metric("relationship", "loss_of_resilience"), -1, "flood",
                      SEEDS, "activities heal weakened ties"),
    "command_coordination": (0.0, 1.0, department_help, +1, "flood", SEEDS,
                             "the command pools spare department capacity"),
    # (until issue 11 the indicator was the combined curve's depth; with months of
    # rebuilding the deepest point comes later and no longer reflects the first days'
    # outages, so the claim is now counted in the need facilities protect)
    "facility_investment": (0.0, 1.0, services_days, -1, "flood", SEEDS,
                            "facilities limit outages and damage to departments"),
    # 3. adaptability
    "feedback_reach": (0.0, 1.0, capacity("adaptability", "days_to_half_needs_known"), -1,
                       "flood", SEEDS, "feedback channels make needs known sooner"),
    "monitoring_accuracy": (0.0, 1.0, metric("function", "loss_of_resilience"), -1, "flood",
                            SEEDS, "monitoring warns of hazards and finds needs"),
    "grassroots_autonomy": (0.0, 1.0, metric("function", "loss_of_resilience"), -1, "flood",
                            SEEDS, "autonomy lets the plan be adjusted sooner"),
    "household_reserve_campaign": (0.0, 1.0, metric("function", "depth"), -1, "flood", SEEDS,
                                   "household supplies soften the first days"),
    # 4. recovery
    "vertical_responsiveness": (0.0, 1.0, metric("function", "loss_of_resilience"), -1,
                                "flood", SEEDS, "resources come down sooner"),
    "horizontal_cooperation": (0.0, 1.0, metric("function", "loss_of_resilience"), -1,
                               "flood", SEEDS, "cooperating departments deliver more"),
    "mutual_aid_strength": (0.0, 1.0, metric("function", "loss_of_resilience"), -1, "flood",
                            SEEDS, "neighbours help one another"),
    "external_openness": (0.0, 1.0, metric("function", "loss_of_resilience"), -1, "flood",
                          SEEDS, "outside organisations and enterprises join"),
    # 5. learning (on the recurring flood, where learning can show)
    "learning_rate": (0.0, 1.0, later_events_loss, -1, "recurring", SEEDS,
                      "dynamic assessment improves the plan for the next event"),
    "pilot_share": (0.0, 0.5, later_plan_quality, +1, "recurring", SEEDS,
                    "pilots find and keep better practice"),
    # Until issue 11 this claim was on the yearly recurring flood. Events are now reviewed
    # 120 days after onset, so even the slowest lessons (120 + max_lesson_delay = 300 days)
    # land before a flood a year later: there the speed cannot matter (paired difference
    # exactly 0 on every seed). The truer claim is where it does: a second flood 200 days
    # after the first, after the review but before slow lessons apply. The lesson a fast
    # feedback brings is set by what the first response failed to reach, so ten seeds show
    # it as well as thirty.
    "assessment_feedback_speed": (0.0, 1.0, later_plan_quality, +1, "two_floods", range(10),
                                  "lessons apply before the next event"),
}

#: The recurring flood's last onset and the control window an event is measured over:
#: runs on it stop once what the indicator reads is complete (the plan's quality at the last
#: onset; the last event's 180-day window), not at the scenario's four-year horizon.
LAST_ONSET = max(s.onset for s in load_scenario("recurring").shocks)
CONTROL_WINDOW = PARAMS["control_window"].default
RECURRING_DAYS = {later_plan_quality: LAST_ONSET + 1,
                  later_events_loss: LAST_ONSET + CONTROL_WINDOW + 1}
#: Scenarios of several events, by the name the claims use: the recurring flood and two
#: floods 200 days apart (tests/data/floods_200_days_apart.toml), and the horizon each
#: indicator needs on them.
SCENARIO_FILES = {"recurring": "recurring",
                  "two_floods": str(Path(__file__).parent / "data" / "floods_200_days_apart.toml")}
TWO_FLOODS_LAST_ONSET = max(s.onset for s in load_scenario(SCENARIO_FILES["two_floods"]).shocks)
EVENT_DAYS = {"recurring": RECURRING_DAYS,
              "two_floods": {later_plan_quality: TWO_FLOODS_LAST_ONSET + 1}}


def _summary(args):
    params, seed, scenario = args
    base = {"residents": 400} if scenario in SCENARIO_FILES else SMALL
    return run({**base, **params}, seed=seed, scenario=SCENARIO_FILES.get(scenario, scenario),
               indicators=False).summary


@pytest.fixture(scope="module")
def pool():
    # spawn, not fork: the test process may already run BLAS threads
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as ex:
        yield ex


#: Summaries already computed in this test process, by (parameters, seed, scenario): the
#: learning_rate claim and the learning test below read the same recurring-flood runs
#: (both carry the xdist group "recurring_learning", so they run in one process).
_DONE: dict[tuple, dict] = {}


def summaries(pool, jobs):
    """`_summary` of each (params, seed, scenario) job, computed once per test process."""
    keys = [(tuple(sorted(params.items())), seed, scenario) for params, seed, scenario in jobs]
    todo = [(job, key) for job, key in zip(jobs, keys) if key not in _DONE]
    for (_, key), summary in zip(todo, pool.map(_summary, [job for job, _ in todo])):
        _DONE[key] = summary
    return [_DONE[key] for key in keys]


def paired(pool, lever, low, high, scenario, seeds, indicator):
    extra = {"days": EVENT_DAYS[scenario][indicator]} if scenario in EVENT_DAYS else {}
    lo = summaries(pool, [({lever: low, **extra}, s, scenario) for s in seeds])
    hi = summaries(pool, [({lever: high, **extra}, s, scenario) for s in seeds])
    return np.array([indicator(b) - indicator(a) for a, b in zip(lo, hi)], float)


def interval(d):
    half = 1.96 * d.std(ddof=1) / np.sqrt(len(d))
    return d.mean() - half, d.mean() + half


def test_every_lever_has_a_claim():
    levers = {p.name for g in ("prevention", "resistance", "adaptability", "recovery",
                               "learning") for p in by_group(g)}
    assert levers == set(CLAIMS)


#: Claims that fail, recorded as strict expected failures with the measured effect — never
#: dropped. Empty since issue 11: pilot_share held again once departments answered the not
#: yet answered first; assessment_feedback_speed, whose effect was exactly 0 on the yearly
#: flood, is claimed on two floods 200 days apart (see CLAIMS).
KNOWN_FAILURES: dict[str, str] = {}


def _marks(lever):
    marks = [pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[lever])] \
        if lever in KNOWN_FAILURES else []
    if lever == "learning_rate":
        marks.append(pytest.mark.xdist_group("recurring_learning"))
    return marks


@pytest.mark.parametrize("lever", [pytest.param(k, marks=_marks(k)) for k in CLAIMS])
def test_lever_moves_its_indicator_the_claimed_way(pool, lever):
    low, high, indicator, sign, scenario, seeds, why = CLAIMS[lever]
    assert PARAMS[lever].validate(low) == low and PARAMS[lever].validate(high) == high
    d = paired(pool, lever, low, high, scenario, seeds, indicator)
    lo, hi = interval(d)
    assert (hi < 0) if sign < 0 else (lo > 0), (
        f"{lever} ({why}): paired difference {d.mean():+.4f}, 95% interval [{lo:.4f}, {hi:.4f}]")


def test_no_lever_changes_function_without_a_shock():
    for group in ("prevention", "resistance", "adaptability", "recovery", "learning"):
        for p in by_group(group):
            for value in (p.low, p.high):
                ts = run({"residents": 200, "days": 60, p.name: value}, seed=3,
                         scenario="none", indicators=False).timeseries
                assert (ts["function"] == 1.0).all(), p.name


def test_without_trust_only_own_means_remain():
    res = run({**SMALL, "initial_trust_neighbours": 0.0, "initial_trust_institutions": 0.0,
               "initial_trust_government": 0.0}, seed=4, indicators=False)
    help_units = res.summary["capacities"]["recovery"]["help_units"]
    # nobody accepts help from neighbours, party members, volunteers or outsiders; the
    # departments' help is refused until restored utilities have earned back some trust in
    # government (issue 11: restoring utilities is the departments' help too)
    assert all(help_units[c] == 0.0 for c in ("mutual_aid", "party", "organisations",
                                               "outside")), help_units
    assert res.summary["peaks"]["residents_in_need"] > 0
    fn = res.timeseries["function"]
    assert fn.iloc[-1] > fn.min()  # own means and builders still repair
    trusting = run(SMALL, seed=4, indicators=False).summary["capacities"]["recovery"]
    assert trusting["help_units"]["mutual_aid"] > 0 and trusting["help_units"]["vertical"] > 0


def test_more_bonding_and_bridging_ties_shorten_recovery():
    """Aldrich (2012): with the damage held fixed, denser social ties recover faster."""
    d = []
    for seed in SEEDS:
        lo = run({**SMALL, "neighbour_ties": 1.0, "bridging_ties": 0.2}, seed=seed,
                 indicators=False).summary
        hi = run({**SMALL, "neighbour_ties": 8.0, "bridging_ties": 3.0}, seed=seed,
                 indicators=False).summary
        assert hi["peaks"]["displaced"] == lo["peaks"]["displaced"]  # same damage
        d.append(hi["metrics"]["function"]["time_to_recovery"]
                 - lo["metrics"]["function"]["time_to_recovery"])
    assert interval(np.array(d, float))[1] < 0


def _event_shortfalls(pool, learning_rate, seeds):
    """Each event's mean shortfall of the combined curve from full performance over its
    180-day control window (1 - the event's resilience index). Events are compared over
    windows of the same length: their loss of resilience runs to the next onset, and the last
    event's window is cut by the horizon (306 days against 365), so with the curves measured
    against a fixed reference its loss would be smaller by the chronic shortfall alone."""
    days = LAST_ONSET + CONTROL_WINDOW + 1  # the last event's window is whole
    res = summaries(pool, [({"learning_rate": learning_rate, "days": days}, s, "recurring")
                           for s in seeds])
    assert all(e["combined"]["control_window"] == CONTROL_WINDOW for r in res
               for e in r["events"])
    return np.array([[1.0 - e["combined"]["resilience_index"] for e in r["events"]]
                     for r in res])


@pytest.mark.xdist_group("recurring_learning")
def test_learning_makes_later_floods_cheaper_and_their_rise_flatter(pool):
    """The learning claim over four yearly floods, as it stands since issue 11.

    Until then: with learning the last flood cost less than the first, and without it there
    was no trend. Recovery now takes months to years, so each flood strikes a community still
    rebuilding from the one before (seed 1 without learning, at the 2nd-4th onsets: at-home
    share 0.93-0.95, structure 0.88-0.90 against 0.96 before the first): later floods cost
    more with or without learning, and "the last costs less than the first" no longer holds.
    What learning from results can do, and is claimed here: the first flood is the same run
    with and without it; every later flood costs less with learning; and the rise over the
    four floods is flatter with it than without. Measured (30 seeds, shortfall, learning_rate
    1 against 0): last - first +0.040 [+0.029, +0.050] with learning, +0.055 [+0.043, +0.067]
    without; later floods -0.0094 [-0.0132, -0.0056]; the rise -0.015 [-0.022, -0.008]."""
    seeds = range(30)
    high = CLAIMS["learning_rate"][1]  # the learning_rate claim's runs, computed once
    on, off = _event_shortfalls(pool, high, seeds), _event_shortfalls(pool, 0.0, seeds)
    assert on.shape[1] == 4
    assert np.array_equal(on[:, 0], off[:, 0])  # the first flood: the same run
    assert interval(off[:, -1] - off[:, 0])[0] > 0  # without learning, the floods compound
    assert interval(on[:, 1:].mean(axis=1) - off[:, 1:].mean(axis=1))[1] < 0
    assert interval((on[:, -1] - on[:, 0]) - (off[:, -1] - off[:, 0]))[1] < 0


def test_removing_party_members_cuts_reach_more_than_random_removal():
    params = {"residents": 600, "days": 200}
    cut_targeted, cut_random = [], []
    for seed in SEEDS:
        community = make_model(params, seed=seed).community
        targeted = community.party.copy()
        random = np.zeros(community.n, bool)
        random[np.random.default_rng(10_000 + seed).choice(
            community.n, int(targeted.sum()), replace=False)] = True

        def reach(c):
            s = run(params, seed=seed, network=c, indicators=False).summary
            return s["capacities"]["recovery"]["share_reached"]

        base = reach(community)
        cut_targeted.append(base - reach(community.without(targeted)))
        cut_random.append(base - reach(community.without(random)))
    assert interval(np.array(cut_targeted) - np.array(cut_random))[0] > 0


def test_all_of_society_beats_baseline_on_every_scenario(pool):
    for scenario in shipped():
        args = [({"residents": 300}, s, scenario) for s in range(8)]
        base = pool.map(_policy_index, [(a, "baseline") for a in args])
        aos = pool.map(_policy_index, [(a, "all-of-society") for a in args])
        assert np.mean(list(aos)) > np.mean(list(base)), scenario


def _policy_index(args):
    (params, seed, scenario), policy = args
    return run(params, seed=seed, scenario=scenario, policy=policy,
               indicators=False).summary["metrics"]["combined"]["resilience_index"]


def test_prevention_indicator_comes_from_a_paired_run():
    s = run({"residents": 400, "days": 150, "awareness_training_rate": 2.0,
             "reserve_stock": 5.0}, seed=2).summary
    prev = s["capacities"]["prevention"]
    assert prev["damage_avoided"] > 0
    assert set(s["capacities"]) == {"prevention", "resistance", "adaptability", "recovery",
                                    "learning"}
    shares = s["capacities"]["recovery"]["help_by_channel"]
    assert sum(shares.values()) == pytest.approx(1.0)
    assert set(shares) == {"vertical", "horizontal", "mutual_aid", "party", "organisations",
                           "outside"}
