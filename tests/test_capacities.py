"""The five capacities: every governance lever moves its target indicator the way the
framework (*Grassroots resilience governance*) says, shown over many seeds with paired runs.

Each lever is run low and high on the same seeds (common random numbers: the community, the
hazards and the prevention routines each draw from their own stream) and the paired
difference high - low of its target indicator must have a 95% interval that excludes 0 on
the claimed side. Communities are small (400 residents) so the suite stays quick.
"""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

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
    # a known failure whose paired difference is exactly 0 on every seed (KNOWN_FAILURES):
    # ten seeds confirm it as well as thirty
    "assessment_feedback_speed": (0.0, 1.0, later_plan_quality, +1, "recurring", range(10),
                                  "lessons apply before the next event"),
}

#: The recurring flood's last onset and the control window an event is measured over:
#: runs on it stop once what the indicator reads is complete (the plan's quality at the last
#: onset; the last event's 180-day window), not at the scenario's four-year horizon.
LAST_ONSET = max(s.onset for s in load_scenario("recurring").shocks)
CONTROL_WINDOW = PARAMS["control_window"].default
RECURRING_DAYS = {later_plan_quality: LAST_ONSET + 1,
                  later_events_loss: LAST_ONSET + CONTROL_WINDOW + 1}


def _summary(args):
    params, seed, scenario = args
    base = {"residents": 400} if scenario == "recurring" else SMALL
    return run({**base, **params}, seed=seed, scenario=scenario, indicators=False).summary


@pytest.fixture(scope="module")
def pool():
    # spawn, not fork: the test process may already run BLAS threads
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as ex:
        yield ex


def paired(pool, lever, low, high, scenario, seeds, indicator):
    extra = {"days": RECURRING_DAYS[indicator]} if scenario == "recurring" else {}
    lo = pool.map(_summary, [({lever: low, **extra}, s, scenario) for s in seeds])
    hi = pool.map(_summary, [({lever: high, **extra}, s, scenario) for s in seeds])
    return np.array([indicator(b) - indicator(a) for a, b in zip(lo, hi)], float)


def interval(d):
    half = 1.96 * d.std(ddof=1) / np.sqrt(len(d))
    return d.mean() - half, d.mean() + half


def test_every_lever_has_a_claim():
    levers = {p.name for g in ("prevention", "resistance", "adaptability", "recovery",
                               "learning") for p in by_group(g)}
    assert levers == set(CLAIMS)


#: Claims that fail since issue 11's learning from results (lessons scaled by what failed,
#: pilots evaluated against the rest, events reviewed 120 days after onset), recorded as
#: strict expected failures with the measured effect — never dropped; open work of issue 11.
#: (pilot_share held again once departments answered the not yet answered first.)
KNOWN_FAILURES = {
    "assessment_feedback_speed": "the event is reviewed 120 days after onset, so even the "
                                 "slowest lessons (180 days) land before a yearly flood: "
                                 "paired difference +0.0000 [0.0000, 0.0000]",
}


@pytest.mark.parametrize("lever", [
    pytest.param(k, marks=[pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[k])]
                 if k in KNOWN_FAILURES else []) for k in CLAIMS])
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
    res = list(pool.map(_summary, [({"learning_rate": learning_rate, "days": days}, s,
                                    "recurring") for s in seeds]))
    assert all(e["combined"]["control_window"] == CONTROL_WINDOW for r in res
               for e in r["events"])
    return np.array([[1.0 - e["combined"]["resilience_index"] for e in r["events"]]
                     for r in res])


@pytest.mark.xfail(strict=True, reason="since issue 11 (learning from results) learning on "
                   "vs off over the later events: +0.0xx, interval upper bound +0.037 "
                   "shortfall; the lessons are smaller and the flood's long rebuilding "
                   "dominates the later events' shortfall")
def test_learning_makes_later_events_cheaper_and_nothing_else_does(pool):
    seeds = range(30)
    on, off = _event_shortfalls(pool, 0.6, seeds), _event_shortfalls(pool, 0.0, seeds)
    assert on.shape[1] == 4
    assert interval(on[:, -1] - on[:, 0])[1] < 0  # learning on: the last costs less
    lo, hi = interval(off[:, -1] - off[:, 0])
    assert lo < 0 < hi  # learning off: no trend
    # the first event is the same run in both; afterwards learning pays
    assert np.array_equal(on[:, 0], off[:, 0])
    assert interval(on[:, 1:].mean(axis=1) - off[:, 1:].mean(axis=1))[1] < 0


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
