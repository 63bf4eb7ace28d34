"""Lever costs (issue 10): every lever declares a cost model, priced by a replaceable file."""

from __future__ import annotations

import math

import pytest

from grassroots.core.cost_model import AMOUNTS, BASES, CostModel
from grassroots.core.costs import (
    DEFAULT_PATH,
    CostError,
    counts,
    lever_cost,
    load_costs,
    package_cost,
    required_keys,
)
from grassroots.core.params import PARAMS, constants, defaults, levers

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def costs():
    return load_costs()


def off_params() -> dict:
    return {p.name: p.off_value for p in levers()}


def strengthening(param, k: int = 6) -> list:
    """k values from the lever's off value to the far end of its range, in order."""
    off = param.off_value
    far = param.high if off == param.low else param.low
    values = [off + (far - off) * i / (k - 1) for i in range(k)]
    if param.kind is int:
        values = sorted({round(v) for v in values}, key=lambda v: abs(v - off))
    return values


# -- the declaration ------------------------------------------------------------------------
def test_every_lever_declares_a_cost_model_and_no_constant_does():
    for p in levers():
        assert isinstance(p.cost, CostModel), p.name
        assert p.cost.per in BASES and p.cost.amount in AMOUNTS, p.name
        assert p.cost.keys and p.cost.note, p.name
    assert all(p.cost is None for p in constants())


def test_every_unit_cost_key_a_lever_reads_is_in_the_default_file(costs):
    assert DEFAULT_PATH.is_file()
    for p in levers():
        for key in p.cost.keys:
            assert key in costs.unit_costs, f"{p.name} reads {key}, not in costs.toml"
    assert set(costs.unit_costs) == set(required_keys())


def test_every_default_unit_cost_states_its_assumption_and_unit(costs):
    assert costs.unit == "WD" and "worker-day" in costs.description
    for key, uc in costs.unit_costs.items():
        assert uc.value >= 0 and math.isfinite(uc.value), key
        assert len(uc.assumption) > 20, f"{key}: no assumption"
        assert uc.unit.startswith(costs.unit), key
        assert uc.source is None or len(uc.source) > 20, key


def test_cost_model_rejects_a_malformed_declaration():
    with pytest.raises(ValueError, match="per"):
        CostModel(per="planet", recurring="x")
    with pytest.raises(ValueError, match="amount"):
        CostModel(per="resident", recurring="x", amount="squared")
    with pytest.raises(ValueError, match="one_off or a recurring"):
        CostModel(per="resident")


# -- the arithmetic -------------------------------------------------------------------------
def test_every_lever_at_its_off_value_costs_nothing(costs):
    result = package_cost(off_params(), costs)
    assert result["one_off"] == 0 and result["recurring_per_year"] == 0
    assert result["total_over_horizon"] == 0 and result["per_resident_year"] == 0
    for name, c in result["by_lever"].items():
        assert c["one_off"] == 0 and c["recurring_per_year"] == 0, name


@pytest.mark.parametrize("name", [p.name for p in levers()])
def test_cost_never_falls_as_a_lever_moves_away_from_off(costs, name):
    param = PARAMS[name]
    totals = [lever_cost(name, v, costs)["total_over_horizon"] for v in strengthening(param)]
    assert totals[0] == 0
    assert all(b >= a for a, b in zip(totals, totals[1:])), (name, totals)
    assert totals[-1] > 0, f"{name} costs nothing even at the far end of its range"


def test_package_cost_adds_up_its_levers(costs):
    result = package_cost({}, costs, residents=5000, days=730)
    assert result["unit"] == "WD" and result["costs_file"] == "costs.toml"
    assert set(result["by_lever"]) == {p.name for p in levers()}
    assert result["one_off"] == pytest.approx(
        sum(c["one_off"] for c in result["by_lever"].values()))
    assert result["recurring_per_year"] == pytest.approx(
        sum(c["recurring_per_year"] for c in result["by_lever"].values()))
    assert result["total_over_horizon"] == pytest.approx(
        result["one_off"] + 2 * result["recurring_per_year"])
    assert result["per_resident_year"] == pytest.approx(
        result["total_over_horizon"] / (5000 * 2))


def test_cost_grows_with_the_community(costs):
    small = package_cost({}, costs, residents=1000)["recurring_per_year"]
    large = package_cost({}, costs, residents=10_000)["recurring_per_year"]
    assert large == pytest.approx(10 * small, rel=0.05)


def test_defaults_come_from_the_parameters(costs):
    p = defaults()
    result = package_cost(None, costs)
    assert result["residents"] == p["residents"] and result["days"] == p["days"]
    assert counts(p)["neighbourhood"] == max(1, round(p["residents"] / p["neighbourhood_size"]))
    one = lever_cost("drills_per_year", 4.0, costs)
    assert one["recurring_per_year"] == pytest.approx(
        4.0 * counts(p)["neighbourhood"] * costs["neighbourhood_drill"])


def test_all_of_society_costs_more_than_baseline(costs):
    from grassroots.policies import load_policy

    base = package_cost(load_policy("baseline").levers, costs)
    whole = package_cost(load_policy("all-of-society").levers, costs)
    assert whole["total_over_horizon"] > base["total_over_horizon"] > 0
    assert whole["recurring_per_year"] > base["recurring_per_year"]


def test_bad_arguments_are_one_line_errors(costs):
    with pytest.raises(CostError, match="not a lever.*did you mean drills_per_year"):
        lever_cost("drill_per_year", 1, costs)
    with pytest.raises(CostError, match="not a lever"):
        lever_cost("residents", 1, costs)
    with pytest.raises(CostError, match="days"):
        package_cost({}, costs, days=0)


# -- a planner's file -----------------------------------------------------------------------
def write_copy(tmp_path, edit=lambda text: text, name="mine.toml"):
    path = tmp_path / name
    path.write_text(edit(DEFAULT_PATH.read_text(encoding="utf-8")), encoding="utf-8")
    return path


def test_a_replaced_file_changes_the_result(tmp_path, costs):
    doubled = write_copy(tmp_path, lambda t: t.replace(
        "[unit_costs.neighbourhood_drill]\nvalue = 3.0", "[unit_costs.neighbourhood_drill]\n"
        "value = 6.0"))
    mine = load_costs(doubled)
    assert mine["neighbourhood_drill"] == 2 * costs["neighbourhood_drill"]
    a = package_cost({}, costs)
    b = package_cost({}, mine)
    assert b["costs_file"] == "mine.toml"
    assert b["by_lever"]["drills_per_year"]["recurring_per_year"] == pytest.approx(
        2 * a["by_lever"]["drills_per_year"]["recurring_per_year"])
    assert b["recurring_per_year"] > a["recurring_per_year"]


@pytest.mark.parametrize("edit, field", [
    (lambda t: t.replace("[unit_costs.pilot]", "[unit_costs.pilots]"), "unit_costs.pilots"),
    (lambda t: t.replace("[unit_costs.pilot]\nvalue = 10.0", "[unit_costs.pilot]\nvalue = -1"),
     "unit_costs.pilot.value"),
    (lambda t: t.replace("[unit_costs.pilot]\nvalue = 10.0",
                         "[unit_costs.pilot]\nvalue = \"ten\""), "unit_costs.pilot.value"),
    (lambda t: t.replace("[unit_costs.pilot]\nvalue = 10.0\n", "[unit_costs.pilot]\n"),
     "unit_costs.pilot.value"),
    (lambda t: t.replace("[unit_costs.pilot]\nvalue = 10.0\n",
                         "[unit_costs.pilot]\nvalue = 10.0\nvaleu = 1\n"), "valeu"),
    (lambda t: t.replace("[unit_costs.pilot]\nvalue = 10.0", "[unit_costs.pilot]\nvalue = 10.0 x"),
     "not valid TOML"),
    (lambda t: t.replace('unit = "WD"\n', ""), "unit: missing"),
    (lambda t: t.replace('unit = "WD"\n', 'unit = "WD"\ncurrency = "CNY"\n'), "currency"),
])
def test_a_bad_file_is_a_one_line_error_naming_the_field(tmp_path, edit, field):
    path = write_copy(tmp_path, edit)
    with pytest.raises(CostError) as err:
        load_costs(path)
    message = str(err.value)
    assert "\n" not in message and "mine.toml" in message
    assert field in message, message


def test_a_file_missing_a_unit_cost_names_it_and_its_lever(tmp_path):
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    start = text.index("[unit_costs.rapid_feedback]")
    path = tmp_path / "mine.toml"
    path.write_text(text[:start], encoding="utf-8")
    with pytest.raises(CostError, match=r"unit_costs.rapid_feedback: missing .*"
                                        r"assessment_feedback_speed"):
        load_costs(path)


def test_a_misspelt_unit_cost_gets_a_hint(tmp_path):
    path = write_copy(tmp_path, lambda t: t.replace("[unit_costs.pilot]", "[unit_costs.pilt]"))
    with pytest.raises(CostError, match="did you mean 'pilot'"):
        load_costs(path)


def test_a_missing_file_is_a_one_line_error(tmp_path):
    with pytest.raises(CostError, match="no such file"):
        load_costs(tmp_path / "nowhere.toml")


def test_the_cost_file_is_not_a_policy():
    # policies/costs.toml sits beside the policy packages; it must not be listed as one
    from grassroots.policies import shipped_policies

    assert "costs" not in shipped_policies()


@pytest.mark.surfaces
@pytest.mark.parametrize("content, field", [
    ("unit = 'WD'\n[unit_costs.nonsense]\nvalue = 1\n", "nonsense"),
    ("[[unit_costs", "not valid TOML"),
])
def test_run_with_a_bad_cost_file_is_one_line_and_writes_nothing(tmp_path, capsys, content,
                                                                 field):
    from grassroots.cli import main

    bad = tmp_path / "bad.toml"
    bad.write_text(content)
    out = tmp_path / "out"
    assert main(["run", "--residents", "100", "--days", "5", "--costs", str(bad),
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bad.toml" in err[0] and field in err[0]
    assert not out.exists()


@pytest.mark.model
def test_the_summary_carries_the_package_cost(costs):
    from grassroots import run
    from grassroots.core.costs import package_cost

    s = run({"residents": 200, "days": 10}, scenario="none", policy="all-of-society").summary
    expected = package_cost(s["parameters"], costs, residents=200, days=10)
    assert s["costs"]["per_resident_year"] == pytest.approx(expected["per_resident_year"])
    assert s["costs"]["costs_file"] == "costs.toml"
