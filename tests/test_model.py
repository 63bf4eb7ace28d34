"""The model as a whole, through the one entry point `grassroots.run` / `make_model`."""

import json
import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from grassroots import run
from grassroots.agents import (
    CommunityCommittee, Enterprise, GovernmentDepartment, PartyMember, Resident,
    RiskAssessmentInstitution, SocialOrganisation,
)
from grassroots.core.vocabulary import DEPARTMENTS, NEEDS
from grassroots.model import OBSERVABLES, make_model
from grassroots.core.params import PARAMS, resolve
from grassroots.scenarios import ScenarioError, load_scenario, shipped

CURVES = ("structure", "function", "relationship", "combined")
METRICS = ("pre_shock", "robustness", "depth", "loss_of_resilience", "resilience_index",
           "time_to_recovery", "recovered", "recovery_status", "bounce_forward",
           "control_window")
COUNTS = ("residents_in_need", "unmet_needs", "displaced", "ties_working", "ties_lost",
          "bonding_ties", "bridging_ties", "linking_ties", "organisations_working")
HELP = [c for c in OBSERVABLES if c.startswith("help_")]  # help by channel, units per day
FLOOD_ONSET = 60  # scenarios/flood.toml


@pytest.fixture(scope="module")
def flood():
    return run({"residents": 500, "days": 200}, seed=7, scenario="flood")


@pytest.fixture(scope="module")
def calm():
    return run({"residents": 300, "days": 120}, seed=3, scenario="none")


# -- boundary: no shock, nothing changes -------------------------------------------------
def test_no_shock_every_curve_stays_at_its_pre_shock_level(calm):
    # The curves measure against a fixed reference community (measures/dimensions.py), so
    # this community's pre-shock structure and relationship are its own level, at most 1;
    # without a shock not one of them moves, and every need is met.
    ts = calm.timeseries
    assert len(ts) == 121 and ts["day"].tolist() == list(range(121))
    for c in CURVES:
        assert (ts[c] == ts[c].iloc[0]).all(), c
        assert 0.8 < ts[c].iloc[0] <= 1.0, c
    assert (ts["function"] == 1.0).all()
    zero = ["residents_in_need", "unmet_needs", "displaced", "ties_lost", "resources_used",
            *HELP]
    assert len(HELP) >= 3
    for c in zero:
        assert (ts[c] == 0).all(), c
    assert (ts["ties_working"] == ts["ties_working"].iloc[0]).all()
    assert (ts["giant_component"] == ts["giant_component"].iloc[0]).all()


def test_no_shock_every_loss_is_exactly_zero(calm):
    s = calm.summary
    assert s["scenario"]["name"] == "none" and s["scenario"]["shocks"] == []
    for dim in CURVES:
        m = s["metrics"][dim]
        assert m["loss_of_resilience"] == 0.0
        assert m["robustness"] == m["pre_shock"] == calm.timeseries[dim].iloc[0]
        assert m["depth"] == pytest.approx(1.0 - m["pre_shock"])  # its shortfall, not a loss
        assert m["resilience_index"] == 1.0
        assert m["time_to_recovery"] == 0 and m["recovered"] is True
        assert m["recovery_status"] == "no shock"
        assert m["bounce_forward"] == 1.0
    assert s["peaks"] and all(v == 0 for v in s["peaks"].values()), s["peaks"]
    assert s["resources_used"] == 0.0
    assert s["community_reserve_left"] == PARAMS["reserve_stock"].default * 300


def _scenario_file(tmp_path, **shock):
    lines = ['name = "test"', 'description = "a test flood"', "", "[[shocks]]",
             'type = "flood"', "onset = 20"]
    for k, v in shock.items():
        lines.append(f"{k} = {v!r}".replace("'", '"'))
    f = tmp_path / "test.toml"
    f.write_text("\n".join(lines) + "\n")
    return f


@pytest.mark.parametrize("shock", [
    {"intensity": 0.0, "duration": 5},  # a flood of no strength
    {"intensity": 0.9, "neighbourhoods": []},  # a flood that reaches no neighbourhood
])
def test_a_shock_that_does_nothing_changes_nothing(tmp_path, shock):
    f = _scenario_file(tmp_path, **shock)
    r = run({"residents": 300, "days": 60}, seed=2, scenario=str(f))
    assert r.summary["scenario"]["shocks"][0]["onset"] == 20
    calm = run({"residents": 300, "days": 60}, seed=2, scenario="none")
    for c in CURVES:
        assert (r.timeseries[c] == calm.timeseries[c]).all(), c
        assert (r.timeseries[c] == r.timeseries[c].iloc[0]).all(), c
    assert (r.timeseries["function"] == 1.0).all()
    assert (r.timeseries["residents_in_need"] == 0).all()


def test_a_footprint_outside_the_community_is_an_error(tmp_path):
    # 600 residents in neighbourhoods of 250: two neighbourhoods, 0 and 1
    f = _scenario_file(tmp_path, intensity=0.5, neighbourhoods=[1, 7])
    with pytest.raises(ScenarioError) as err:
        run({"residents": 600, "days": 60}, seed=2, scenario=str(f))
    msg = str(err.value)
    assert "neighbourhoods" in msg and "7" in msg and "allowed" in msg
    assert len(msg.splitlines()) == 1
    # the same scenario without the missing neighbourhood runs, and spares neighbourhood 0
    f = _scenario_file(tmp_path, intensity=0.9, neighbourhoods=[1])
    m = make_model({"residents": 600, "days": 60}, seed=2, scenario=str(f))
    for _ in range(20):  # to the onset day
        m.step()
    pop = m.residents
    housing = pop.gap[NEEDS.index("housing")]
    assert (housing[pop.neighbourhood == 1] > 0).any()
    assert (housing[pop.neighbourhood == 0] == 0).all()


# -- a flood -------------------------------------------------------------------------------
def test_flood_onset_is_the_scenario_file_day(flood):
    assert load_scenario("flood").shocks[0].onset == FLOOD_ONSET
    assert flood.summary["scenario"]["shocks"][0]["onset"] == FLOOD_ONSET


def test_flood_curves_unchanged_before_onset(flood):
    before = flood.timeseries[flood.timeseries["day"] < FLOOD_ONSET]
    assert len(before) == FLOOD_ONSET
    for c in CURVES:
        assert (before[c] == before[c].iloc[0]).all(), c
    assert (before["function"] == 1.0).all()
    assert (before["residents_in_need"] == 0).all()
    assert (before["displaced"] == 0).all()


def test_flood_curves_drop_from_onset(flood):
    ts = flood.timeseries.set_index("day")
    for c in ("structure", "function", "combined"):
        assert ts.loc[FLOOD_ONSET, c] < 1.0, c
    for c in CURVES:
        assert ts.loc[FLOOD_ONSET:, c].min() < 1.0, c
    assert ts.loc[FLOOD_ONSET, "residents_in_need"] > 0
    assert ts.loc[FLOOD_ONSET, "displaced"] > 0
    assert ts["residents_in_need"].max() > 0 and ts["unmet_needs"].max() > 0


def test_flood_recovery_is_long_and_leaves_a_mark(flood):
    # Since issue 11 households rebuild over months (and some give up and leave for good,
    # taking their ties): function recovers for those at home, the community as a whole
    # does not return to where it was within 140 days of the flood.
    ts = flood.timeseries.set_index("day")
    combined = ts["combined"]
    low_day = int(combined.idxmin())
    assert low_day >= FLOOD_ONSET
    assert combined.min() < 0.95
    after = combined.loc[low_day:]
    assert after.iloc[-1] > combined.min()  # it does recover, partly
    assert ts["function"].iloc[-1] > 0.95
    assert ts["displaced"].iloc[-1] > 0  # still rebuilding
    assert combined.iloc[-1] < combined.loc[FLOOD_ONSET - 1]
    m = flood.summary["metrics"]["combined"]
    # the metric agrees with the curve it was computed from
    back = after >= 0.95
    assert m["recovered"] is bool(back.any())
    if back.any():
        assert m["time_to_recovery"] == int(back.idxmax()) - FLOOD_ONSET
    assert m["robustness"] == combined.loc[FLOOD_ONSET:].min()
    assert flood.summary["peaks"]["residents_in_need"] == ts["residents_in_need"].max()


def test_flood_help_flows_and_resources_are_used(flood):
    ts = flood.timeseries
    assert ts["help_mutual_aid"].max() > 0
    assert ts["help_organisations"].max() > 0
    assert ts[HELP].sum(axis=1).max() > 0
    # no help flows before the shock
    assert (ts.loc[ts["day"] < FLOOD_ONSET, HELP] == 0).all().all()
    assert ts["resources_used"].is_monotonic_increasing
    assert flood.summary["resources_used"] == ts["resources_used"].iloc[-1] > 0


def test_timeseries_columns(flood):
    ts = flood.timeseries
    assert ts.columns.tolist() == ["day", *OBSERVABLES]
    assert len(ts) == 201
    assert not ts.isna().any().any()


def test_summary_has_every_metric_seed_and_parameters(flood):
    s = flood.summary
    json.dumps(s, allow_nan=False)  # JSON-ready, no NaN
    assert s["seed"] == 7
    assert s["policy"] == "baseline"
    assert s["residents"] == 500
    assert s["parameters"] == resolve({"residents": 500, "days": 200})
    for dim in CURVES:
        assert set(s["metrics"][dim]) == set(METRICS)


# -- invariants ------------------------------------------------------------------------------
def _check_invariants(m, day):
    pop, t = m.residents, m.ties
    where = f"day {day}"
    assert pop.gap.shape == (len(NEEDS), pop.n)
    assert ((pop.gap >= 0) & (pop.gap <= 1)).all(), where
    for name in ("trust_neighbours", "trust_committee", "trust_government", "awareness",
                 "relief", "fatigue"):
        a = getattr(pop, name)
        assert ((a >= 0) & (a <= 1)).all(), f"{name} {where}"
    assert (pop.reserve_days >= 0).all(), where
    assert ((t.strength >= 0) & (t.strength <= t.base)).all(), where
    assert np.array_equal(t.csr.toarray()[t.i, t.j], t.strength), where
    for name in ("department_capacity", "enterprise_capacity", "outage"):
        a = getattr(m, name)
        assert ((a >= 0) & (a <= 1)).all(), f"{name} {where}"
    assert ((m.function >= 0) & (m.function <= 1)).all(), where
    assert m.committee.reserve >= 0, where
    assert (m.team_active <= m.team_enrolled).all(), where
    o = m.obs
    assert set(o) == set(OBSERVABLES)
    for c in COUNTS:
        assert isinstance(o[c], int) and o[c] >= 0, f"{c} {where}"
    for c in OBSERVABLES:
        assert o[c] >= 0 and math.isfinite(o[c]), f"{c} {where}"
    assert o["residents_in_need"] <= pop.n and o["displaced"] <= pop.n
    assert o["unmet_needs"] <= 4 * pop.n
    assert o["ties_working"] + o["ties_lost"] == t.base_working_count()
    assert 0 < o["giant_component"] <= 1, where
    assert 0 <= o["function"] <= 1, where
    assert 0 <= o["trust"] <= 1, where
    for c in CURVES:
        assert o[c] >= 0 and math.isfinite(o[c]), f"{c} {where}"
    for c in ("resources_used", *HELP):
        assert o[c] >= 0, f"{c} {where}"


@pytest.mark.parametrize("params", [
    {},
    # everything as fast and strong as allowed
    {"tie_recovery_rate": 1.0, "activity_rate": 8.0, "mutual_aid_strength": 1.0,
     "mutual_aid_capacity": 1.0, "volunteer_capacity": 100.0, "trust_gain": 1.0,
     "department_throughput": 10_000.0, "enterprise_recovery_rate": 1.0,
     "utility_repair_rate": 1.0, "department_recovery_rate": 1.0, "self_recovery_rate": 1.0,
     "awareness_training_rate": 4.0, "party_contact_rate": 8.0, "drills_per_year": 12.0},
    # a community that cannot recover and loses everything
    {"dislocation_min_damage": 0.0, "dislocation_beta0": 10.0, "displacement_tie_decay": 1.0, "tie_recovery_rate": 0.0,
     "self_recovery_rate": 0.0, "department_throughput": 0.0, "volunteer_capacity": 0.0,
     "mutual_aid_strength": 0.0, "trust_erosion": 1.0, "reserve_stock": 0.0,
     "household_reserve_share": 0.0, "household_reserve_campaign": 0.0,
     "external_openness": 0.0},
    # no organisations, no party members, no ties outside households
    {"party_member_share": 0.0, "organisations_per_1000": 0.0, "enterprises_per_1000": 0.0,
     "neighbour_ties": 0.0, "bridging_ties": 0.0, "volunteer_share": 0.0},
], ids=["defaults", "strong", "helpless", "bare"])
def test_invariants_hold_every_day(params):
    days = 120
    m = make_model({"residents": 400, "days": days, **params}, seed=11, scenario="flood")
    _check_invariants(m, 0)
    for day in range(1, days + 1):
        m.step()
        assert m.day == day
        _check_invariants(m, day)


@pytest.mark.parametrize("scenario", sorted(shipped()))
def test_invariants_hold_every_day_in_every_shipped_scenario(scenario):
    m = make_model({"residents": 300}, seed=13, scenario=scenario)
    for day in range(1, m.p["days"] + 1):
        m.step()
        _check_invariants(m, day)


# -- reproducibility -----------------------------------------------------------------------
def test_same_seed_identical_timeseries(flood):
    again = run({"residents": 500, "days": 200}, seed=7, scenario="flood")
    pd.testing.assert_frame_equal(flood.timeseries, again.timeseries, check_exact=True)
    assert flood.summary == again.summary


def test_different_seed_different_timeseries(flood):
    other = run({"residents": 500, "days": 200}, seed=8, scenario="flood")
    assert not flood.timeseries.equals(other.timeseries)
    assert not np.array_equal(flood.timeseries["combined"], other.timeseries["combined"])


def test_make_model_builds_the_model_run_runs():
    params = {"residents": 300, "days": 90}
    m = make_model(params, seed=4)
    m.run_for(90)
    r = run(params, seed=4)
    got = m.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    pd.testing.assert_frame_equal(got, r.timeseries.drop(columns="day"), check_exact=True)


def test_run_does_not_depend_on_global_random_state():
    np.random.seed(0)
    a = run({"residents": 300, "days": 80}, seed=5)
    np.random.seed(1)
    import random
    random.seed(1)
    b = run({"residents": 300, "days": 80}, seed=5)
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries, check_exact=True)


# -- agents --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mid_flood():
    m = make_model({"residents": 400, "days": 120}, seed=5)
    for _ in range(FLOOD_ONSET + 3):
        m.step()
    return m


def test_every_agent_type_exists(mid_flood):
    m = mid_flood
    types = m.agents_by_type
    for cls in (Resident, PartyMember, SocialOrganisation, Enterprise, GovernmentDepartment,
                CommunityCommittee, RiskAssessmentInstitution):
        assert cls in types and len(types[cls]) > 0, cls.__name__
    c = m.community
    assert len(types[Resident]) == (~c.party).sum()
    assert len(types[PartyMember]) == c.party.sum()
    assert len(types[SocialOrganisation]) == len(c.org_neighbourhood)
    assert len(types[Enterprise]) == len(c.enterprise_neighbourhood)
    assert len(types[GovernmentDepartment]) == len(DEPARTMENTS)
    assert [d.kind for d in types[GovernmentDepartment]] == list(DEPARTMENTS)
    assert list(types[CommunityCommittee]) == [m.committee]
    assert list(types[RiskAssessmentInstitution]) == [m.institution]


def test_resident_agents_cover_every_resident_once(mid_flood):
    m = mid_flood
    ordinary = [a.idx for a in m.agents_by_type[Resident]]
    members = [a.idx for a in m.agents_by_type[PartyMember]]
    assert sorted(ordinary + members) == list(range(m.residents.n))
    assert not m.residents.party[ordinary].any()
    assert m.residents.party[members].all()


def test_resident_exposes_its_own_state(mid_flood):
    m = mid_flood
    pop = m.residents
    assert m.in_need.any()
    checked_in_need = 0
    for a in [*m.agents_by_type[Resident], *m.agents_by_type[PartyMember]]:
        k = a.idx
        needs = a.needs
        assert list(needs) == list(NEEDS)
        assert [needs[n] for n in NEEDS] == pytest.approx(1.0 - pop.gap[:, k], abs=0)
        assert all(0.0 <= v <= 1.0 for v in needs.values())
        assert a.function == m.function[k]
        assert a.in_need == bool(m.in_need[k])
        assert a.awareness == pop.awareness[k]
        assert a.trust_neighbours == pop.trust_neighbours[k]
        assert a.trust_committee == pop.trust_committee[k]
        assert a.trust_government == pop.trust_government[k]
        assert a.displaced == bool(pop.displaced[k])
        assert a.vulnerability == pop.vulnerability[k]
        checked_in_need += a.in_need
    assert checked_in_need == m.in_need.sum() > 0


def test_resident_function_is_the_mean_of_needs_as_felt_today(mid_flood):
    # function uses the *effective* gap: a household living on its supplies today covers
    # reserve_buffer of its services gap (community/state.py: effective_gap)
    m = mid_flood
    pop = m.residents
    buffer = m.p["reserve_buffer"]
    for a in m.agents_by_type[Resident]:
        needs = a.needs
        gap = {n: 1.0 - v for n, v in needs.items()}
        if pop.buffered[a.idx]:
            gap["services"] *= 1.0 - buffer
        assert a.function == pytest.approx(1.0 - sum(gap.values()) / 4.0, abs=1e-12)


def test_unknown_resident_attribute_is_an_attribute_error(mid_flood):
    a = next(iter(mid_flood.agents_by_type[Resident]))
    with pytest.raises(AttributeError):
        a.no_such_state
    assert not hasattr(a, "no_such_state")


def test_resident_employed_attribute_is_its_own(mid_flood):
    m = mid_flood
    pop = m.residents
    for a in [*m.agents_by_type[Resident], *m.agents_by_type[PartyMember]]:
        try:
            value = a.employed
        except AttributeError:
            continue
        assert value == bool(pop.employer[a.idx] >= 0)


def test_resident_gap_attribute_is_its_own_or_absent(mid_flood):
    a = next(iter(mid_flood.agents_by_type[Resident]))
    try:
        value = a.gap
    except AttributeError:
        return
    assert np.array_equal(np.asarray(value), mid_flood.residents.gap[:, a.idx])


def test_organisation_agents_expose_state(mid_flood):
    m = mid_flood
    for e in m.agents_by_type[Enterprise]:
        assert 0 <= e.capacity <= 1
        assert e.employees == (m.residents.employer == e.idx).sum()
    assert sum(e.employees for e in m.agents_by_type[Enterprise]) == len(m.residents.employed)
    for o in m.agents_by_type[SocialOrganisation]:
        assert o.members == (m.residents.org == o.idx).sum()
        assert 0 <= o.neighbourhood < len(m.exposure)
    for d in m.agents_by_type[GovernmentDepartment]:
        assert 0 <= d.capacity <= 1


# -- loaded network, through run -------------------------------------------------------------
def test_run_on_a_loaded_network(tmp_path):
    g = nx.connected_watts_strogatz_graph(120, 6, 0.1, seed=1)
    f = tmp_path / "town.graphml"
    nx.write_graphml(g, f)
    r = run({"days": 90}, seed=1, network=str(f))
    assert r.summary["residents"] == 120
    assert r.summary["ties"] == g.number_of_edges()
    assert r.summary["network"] == str(f)
    ts = r.timeseries
    before = ts.loc[ts["day"] < FLOOD_ONSET, list(CURVES)]
    assert (before == before.iloc[0]).all().all()
    assert (before["function"] == 1.0).all()
    assert ts.loc[ts["day"] >= FLOOD_ONSET, "combined"].min() < before["combined"].iloc[0]


def test_scenario_onset_beyond_the_horizon_is_an_error():
    with pytest.raises(ScenarioError, match=r"flood.*onset.*60.*allowed: an integer day "
                                            r"in \[1, 30\]"):
        run({"residents": 100, "days": 30}, scenario="flood")


# -- pinned regression ---------------------------------------------------------------------
def test_pinned_regression_flood_500_residents_seed_7(flood):
    # Pinned regression: values computed from the code (500 residents, 200 days, seed 7,
    # scenario flood, policy baseline), not derived by hand; re-pinned in issue 10 when the
    # curves became shares of a reference community and households on their own supplies
    # stopped counting as in need; re-pinned in issue 11 when being able to help was
    # separated from being in need (helpers tire), a need met exactly at the threshold
    # stopped counting as unmet, and dislocation, rebuilding, businesses, trust and learning
    # became mechanisms of their own; re-pinned again in issue 11 when departments answered
    # the not yet answered first, trust counted only help of at least reach_units,
    # attachment counted the ties' base strength, and those who left for good stayed in the
    # function curve and need counts with the needs they left with. A change here means the
    # model's results changed: check it was intended, then re-pin.
    s = flood.summary
    c = s["metrics"]["combined"]
    f = s["metrics"]["function"]
    rel = 1e-9
    assert c["robustness"] == pytest.approx(0.8490569760073633, rel=rel)
    assert c["loss_of_resilience"] == pytest.approx(18.270279689392922, rel=rel)
    assert c["resilience_index"] == pytest.approx(0.8704235483021779, rel=rel)
    assert c["bounce_forward"] == pytest.approx(0.8817539982233203, rel=rel)
    assert c["time_to_recovery"] is None  # not back within the horizon (some left)
    assert c["pre_shock"] == pytest.approx(0.9746687214936691, rel=rel)
    assert f["robustness"] == pytest.approx(0.8916660097641207, rel=rel)
    assert f["loss_of_resilience"] == pytest.approx(6.5044385999428815, rel=rel)
    assert f["time_to_recovery"] == 31
    assert s["peaks"]["residents_in_need"] == 318
    assert s["peaks"]["unmet_needs"] == 446
    assert s["peaks"]["displaced"] == 135
    assert s["peaks"]["ties_lost"] == 584
    assert s["resources_used"] == pytest.approx(3187.060408861963, rel=rel)
    assert s["final"]["trust"] == pytest.approx(0.5980736025780284, rel=rel)
    assert s["ties"] == 2174 and s["neighbourhoods"] == 2
