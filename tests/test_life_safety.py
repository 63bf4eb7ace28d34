"""Life safety in the model (agents/rescue.py, docs/ODD.md §7.34): boundary cases,
invariants, and that first response by the community is possible.

The rules themselves are checked on a handful of arrays in tests/test_rules.py; the pattern
against the Kobe survey is `grassroots validate` (validation/rescue.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from grassroots.core.vocabulary import RESCUERS
from grassroots.model.run import run
from grassroots.scenarios import load_scenario

pytestmark = pytest.mark.model

RESCUED = [f"rescued_{r}" for r in RESCUERS]
LIFE = ["deaths", "trapped", *RESCUED]


@pytest.mark.parametrize("scenario", ["none", "flood", "epidemic"])
def test_no_collapse_no_trapped_no_deaths(scenario):
    df = run({"residents": 300, "days": 120}, seed=1, scenario=scenario).timeseries
    assert not df[LIFE].to_numpy().any()
    assert df["at_home_share"].to_numpy() == pytest.approx(1 - df["displaced"] / 300)


@pytest.fixture(scope="module")
def quakes():
    return [run({"residents": 500, "days": 60}, seed=s, scenario="urban_earthquake")
            for s in range(4)]


def test_urban_earthquake_traps_kills_and_frees(quakes):
    onset = load_scenario("urban_earthquake").shocks[0].onset
    for r in quakes:
        df = r.timeseries
        before = df.loc[: onset - 1]
        assert not before[LIFE].to_numpy().any()
        cum = df[["deaths", *RESCUED]].to_numpy()
        assert (np.diff(cum, axis=0) >= 0).all()  # cumulative counts never fall
        assert df[RESCUED].iloc[-1].sum() > 0 and df["deaths"].iloc[-1] > 0
        # within a fortnight nobody is left trapped: freed or dead
        assert (df.loc[onset + 14:, "trapped"] == 0).all()
        alive = 500 - df["deaths"]
        assert (df["residents_in_need"] <= alive).all()
        assert (df["at_home_share"] <= alive / 500 + 1e-12).all()
        m = r.model
        assert m.deaths == int((~m.residents.alive).sum())
        dead = ~m.residents.alive
        assert not m.residents.gap[:, dead].any() and not m.residents.displaced[dead].any()
        # the dead's ties are gone, not waiting for repair
        t = m.ties
        touching = dead[t.i] | dead[t.j]
        assert not t.strength[touching].any()
        assert not np.isin(np.flatnonzero(touching), t.damaged).any()


def test_the_dead_stay_dead_and_helpers_rest():
    r = run({"residents": 300, "days": 730}, seed=3, scenario="urban_earthquake")
    df = r.timeseries
    onset = load_scenario("urban_earthquake").shocks[0].onset
    assert df["deaths"].iloc[-1] == df.loc[onset + 30, "deaths"] > 0  # no deaths after
    # neighbours still help the households waiting to rebuild: tired, not exhausted
    p = r.model.p
    g, rest = p["helper_fatigue_gain"], p["helper_rest_rate"]
    assert r.model.residents.fatigue.max() < 2 * g / (g + rest)


def test_first_response_by_the_community_is_possible_after_an_earthquake():
    # Before issue 11 the outage put everyone "in need" and only residents not in need could
    # help: mutual aid, party members and volunteers gave exactly nothing for 14 days.
    onset = load_scenario("earthquake").shocks[0].onset
    df = run({"residents": 500, "days": onset + 14}, seed=0, scenario="earthquake").timeseries
    first = df.loc[onset:onset + 2]
    assert (first["help_mutual_aid"] > 0).all()
    assert first["help_party"].sum() > 0 and first["help_organisations"].sum() > 0
