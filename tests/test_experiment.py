"""Experiment files: parsing, validation against the parameter declaration, samplers, seeds."""

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from grassroots.core.params import PARAMS
from grassroots.sweeps.experiment import (ExperimentError, from_dict, load_experiment,
                                          sampler_seed, spawn_seed)

ROOT = Path(__file__).resolve().parent.parent
#: experiment files (optimisation files, *.optimise.toml, are tested in test_optimise.py)
EXAMPLES = sorted(p for p in (ROOT / "experiments").glob("*.toml")
                  if not p.name.endswith(".optimise.toml"))


def make(**data):
    return from_dict(data, where="x.toml")


def error(**data) -> str:
    with pytest.raises(ExperimentError) as info:
        make(**data)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith("x.toml: ")
    return msg


# -- the shipped examples ----------------------------------------------------------------
def test_examples_exist_and_load_with_their_documented_sizes():
    names = {p.stem for p in EXAMPLES}
    assert {"smoke", "flood_factorial", "flood_sobol", "flood_morris"} <= names
    sizes = {p.stem: load_experiment(p).n_runs for p in EXAMPLES}
    assert sizes["smoke"] == 2 * 3
    assert sizes["flood_factorial"] == 3 * 3 * 2 * 5
    assert sizes["flood_sobol"] == 64 * (6 + 2) * 2
    assert sizes["flood_morris"] == 12 * (10 + 1)


# -- designs -----------------------------------------------------------------------------
def test_factorial_crosses_lists_stepped_ranges_and_rows_in_file_order():
    exp = make(seed=1, replicates=2, days=100, policies=["baseline", "prevention-first"],
               constants={"residents": 150},
               vary={"mutual_aid_strength": [0.2, 0.8],
                     "max_response_delay": {"low": 0, "high": 14, "step": 7}},
               rows=[{"neighbour_ties": 2, "bridging_ties": 0.5},
                     {"neighbour_ties": 6, "bridging_ties": 2}])
    assert exp.n_samples == 2 * 3 * 2 and exp.n_points == 24 and exp.n_runs == 48
    assert exp.samples[0] == {"mutual_aid_strength": 0.2, "max_response_delay": 0,
                              "neighbour_ties": 2.0, "bridging_ties": 0.5}
    assert exp.samples[1]["neighbour_ties"] == 6.0  # the rows vary fastest
    assert [s["max_response_delay"] for s in exp.samples[:6:2]] == [0, 7, 14]
    assert all(type(s["max_response_delay"]) is int for s in exp.samples)
    # run id = point * replicates + replicate; point = policy block * samples + sample
    spec = exp.spec(2 * 12 * 1 + 2 * 5 + 1)  # policy 1, sample 5, replicate 1
    assert (spec.policy, spec.sample, spec.replicate, spec.point) == \
        ("prevention-first", 5, 1, 17)
    assert spec.params == {"residents": 150, "days": 100, **exp.samples[5]}
    assert exp.parameter_columns == ["residents", "days", "mutual_aid_strength",
                                     "max_response_delay", "neighbour_ties", "bridging_ties"]


def test_stepped_float_range_has_exact_values():
    exp = make(vary={"feedback_reach": {"low": 0, "high": 1, "step": 0.1}})
    values = [s["feedback_reach"] for s in exp.samples]
    assert values == [round(0.1 * k, 10) for k in range(11)]


def test_no_varied_parameter_is_one_point_of_replicates():
    exp = make(replicates=4, constants={"residents": 100})
    assert exp.n_points == 1 and exp.n_runs == 4


def test_latin_hypercube_has_one_point_per_stratum_and_valid_integers():
    n = 20
    exp = make(seed=5, vary={"volunteer_share": {"low": 0.0, "high": 0.2},
                             "max_response_delay": {"low": 0, "high": 19}},
               sampler={"method": "lhs", "samples": n})
    assert exp.n_samples == n
    strata = np.floor((exp.raw[:, 0] - 0.0) / 0.2 * n).astype(int)
    assert sorted(strata) == list(range(n))
    ints = [s["max_response_delay"] for s in exp.samples]
    assert all(type(v) is int and 0 <= v <= 19 for v in ints)
    assert sorted(ints) == list(range(20))  # 20 strata of [-0.5, 19.5]: each integer once


def test_sobol_design_is_salibs_saltelli_sample():
    from SALib.sample import sobol

    exp = make(seed=9, vary={"mutual_aid_strength": {"low": 0.1, "high": 0.9},
                             "party_contact_rate": {"low": 0.0, "high": 4.0}},
               sampler={"method": "sobol", "samples": 16})
    assert exp.n_samples == 16 * (2 + 2)
    problem = {"num_vars": 2, "names": ["mutual_aid_strength", "party_contact_rate"],
               "bounds": [[0.1, 0.9], [0.0, 4.0]]}
    expected = sobol.sample(dict(problem), 16, calc_second_order=False, seed=sampler_seed(9))
    np.testing.assert_array_equal(exp.raw, expected)
    assert exp.problem == problem  # SALib's sampler did not write into the recorded problem
    second = make(seed=9, vary={"mutual_aid_strength": {"low": 0.1, "high": 0.9}},
                  sampler={"method": "sobol", "samples": 8, "second_order": True})
    assert second.n_samples == 8 * (2 * 1 + 2)


def test_morris_design_has_trajectories_on_the_level_grid():
    exp = make(seed=2, vary={"mutual_aid_strength": {"low": 0.0, "high": 1.0},
                             "feedback_reach": {"low": 0.0, "high": 1.0},
                             "learning_rate": {"low": 0.0, "high": 1.0}},
               sampler={"method": "morris", "trajectories": 6, "levels": 4})
    assert exp.n_samples == 6 * (3 + 1)
    levels = {0.0, 1 / 3, 2 / 3, 1.0}
    assert all(min(abs(x - g) for g in levels) < 1e-9 for x in exp.raw.ravel())
    # consecutive points of a trajectory differ in exactly one parameter
    for t in range(6):
        block = exp.raw[4 * t:4 * t + 4]
        assert all(np.count_nonzero(np.diff(block, axis=0)[k]) == 1 for k in range(3))


def test_integer_parameter_sampled_uniformly_over_its_integers():
    exp = make(seed=3, vary={"max_response_delay": {"low": 2, "high": 5}},
               sampler={"method": "lhs", "samples": 4000})
    values = np.array([s["max_response_delay"] for s in exp.samples])
    counts = np.bincount(values)[2:]
    assert set(values) == {2, 3, 4, 5}
    assert np.all(np.abs(counts / 4000 - 0.25) < 0.02)


# -- seeds -------------------------------------------------------------------------------
def test_run_seeds_are_spawned_from_the_master_seed():
    exp = make(seed=123, replicates=3, vary={"mutual_aid_strength": [0.1, 0.5]})
    children = np.random.SeedSequence(123).spawn(2)[1].spawn(exp.n_runs)
    expected = [int(c.generate_state(1, np.uint64)[0] >> np.uint64(1)) for c in children]
    assert [exp.spec(k).seed for k in range(exp.n_runs)] == expected
    assert len(set(expected)) == exp.n_runs and all(0 <= s < 2**63 for s in expected)
    assert spawn_seed(123, 4) == expected[4]
    again = make(seed=123, replicates=3, vary={"mutual_aid_strength": [0.1, 0.5]})
    assert list(again.specs()) == list(exp.specs())


def test_common_random_numbers_share_a_seed_per_replicate():
    exp = make(seed=5, replicates=2, common_random_numbers=True,
               vary={"mutual_aid_strength": [0.1, 0.5, 0.9]})
    seeds = [(s.replicate, s.seed) for s in exp.specs()]
    assert {seed for r, seed in seeds if r == 0} == {spawn_seed(5, 0)}
    assert {seed for r, seed in seeds if r == 1} == {spawn_seed(5, 1)}


def test_missing_master_seed_is_drawn_or_taken_from_the_caller():
    a, b = make(), make()
    assert a.seed != b.seed  # drawn from the OS: recorded by the sweep's manifest
    assert from_dict({}, seed=42).seed == 42
    assert from_dict({"seed": 7}, seed=42).seed == 7  # the file wins


# -- validation: one line naming the key --------------------------------------------------
@pytest.mark.parametrize("data, key, words", [
    ({"vary": {"mutal_aid_strength": [0.1]}}, "vary.mutal_aid_strength",
     ["unknown parameter", "did you mean mutual_aid_strength"]),
    ({"constants": {"residentz": 100}}, "constants.residentz", ["unknown parameter"]),
    ({"rows": [{"nope": 1}]}, "rows[0].nope", ["unknown parameter"]),
    ({"constants": {"residents": 5}}, "constants.residents", ["got 5", "an integer in [10"]),
    ({"vary": {"feedback_reach": {"low": 0.8, "high": 0.2, "step": 0.1}}},
     "vary.feedback_reach", ["low 0.8 is above high 0.2"]),
    ({"vary": {"feedback_reach": {"low": 0, "high": 1.5, "step": 0.5}}},
     "vary.feedback_reach.high", ["got 1.5", "[0, 1]"]),
    ({"vary": {"feedback_reach": {"low": 0, "high": 1, "step": 0}}},
     "vary.feedback_reach.step", ["a number > 0"]),
    ({"vary": {"max_response_delay": {"low": 0, "high": 10, "step": 2.5}}},
     "vary.max_response_delay.step", ["an integer > 0"]),
    ({"vary": {"feedback_reach": {"low": 0, "high": 1}}}, "vary.feedback_reach",
     ["factorial sampler needs a list or a range with a step"]),
    ({"vary": {"feedback_reach": {"low": 0, "high": 1, "size": 3}}},
     "vary.feedback_reach", ["unknown key 'size'", "allowed: high, low, step"]),
    ({"vary": {"feedback_reach": [0.1, 0.1]}}, "vary.feedback_reach", ["listed twice"]),
    ({"vary": {"feedback_reach": []}}, "vary.feedback_reach", ["empty list"]),
    ({"sampler": {"method": "sobolx"}}, "sampler.method",
     ["got 'sobolx'", "factorial, lhs, sobol, morris"]),
    ({"sampler": "latin"}, "sampler.method", ["got 'latin'"]),
    ({"vary": {"feedback_reach": {"low": 0, "high": 1}},
      "sampler": {"method": "sobol", "samples": 100}}, "sampler.samples", ["power of 2"]),
    ({"vary": {"feedback_reach": {"low": 0, "high": 1}}, "sampler": {"method": "sobol"}},
     "sampler.samples", ["needs it"]),
    ({"vary": {"feedback_reach": {"low": 0, "high": 1}},
      "sampler": {"method": "lhs", "samples": 4, "levels": 3}}, "sampler",
     ["unknown key 'levels'", "allowed: method, samples"]),
    ({"vary": {"feedback_reach": {"low": 0, "high": 1}},
      "sampler": {"method": "morris", "trajectorys": 4}}, "sampler",
     ["unknown key 'trajectorys'", "did you mean 'trajectories'"]),
    ({"vary": {"feedback_reach": {"low": 0, "high": 1}},
      "sampler": {"method": "morris", "trajectories": 4, "levels": 3}}, "sampler.levels",
     ["an even integer"]),
    ({"vary": {"feedback_reach": [0.1, 0.5]},
      "sampler": {"method": "lhs", "samples": 4}}, "vary.feedback_reach", ["needs bounds"]),
    ({"vary": {"feedback_reach": {"low": 0, "high": 1, "step": 0.5}},
      "sampler": {"method": "lhs", "samples": 4}}, "vary.feedback_reach.step",
     ["factorial designs only"]),
    ({"vary": {"feedback_reach": {"low": 0.5, "high": 0.5}},
      "sampler": {"method": "lhs", "samples": 4}}, "vary.feedback_reach", ["below high"]),
    ({"sampler": {"method": "lhs", "samples": 4}}, "vary", ["at least one varied"]),
    ({"rows": [{"residents": 100}], "vary": {"feedback_reach": {"low": 0, "high": 1}},
      "sampler": {"method": "lhs", "samples": 4}}, "rows", ["factorial sampler only"]),
    ({"rows": [{"residents": 100}, {"neighbour_ties": 2}]}, "rows[1]", ["same parameters"]),
    ({"constants": {"residents": 100}, "vary": {"residents": [100, 200]}}, "vary.residents",
     ["also set in constants"]),
    ({"days": 100, "constants": {"days": 100}}, "days", ["given twice"]),
    ({"outputs": {"timeseries_column": ["structure"]}}, "outputs",
     ["unknown key 'timeseries_column'", "did you mean 'timeseries_columns'"]),
    ({"analysis": {"outcome": ["x"]}}, "analysis",
     ["unknown key 'outcome'", "did you mean 'outcomes'"]),
    ({"replicates": 0}, "replicates", ["got 0"]),
    ({"seed": -1}, "seed", ["got -1", "an integer in [0, 2^128 - 1]"]),
    ({"seed": 2**128}, "seed", ["an integer in [0, 2^128 - 1]"]),
    ({"seed": 1.5}, "seed", ["got 1.5"]),
    ({"seed": True}, "seed", ["got True"]),
    ({"scenarios": ["tsunami"]}, "scenarios[0]", ["neither a shipped scenario"]),
    ({"policies": ["anarchy"]}, "policies[0]", ["neither a shipped policy"]),
    ({"days": 30, "scenarios": ["flood"]}, "scenarios[0]", ["past the horizon"]),
    ({"outputs": {"timeseries": "weekly"}}, "outputs.timeseries", ["every k-th day"]),
    ({"outputs": {"timeseries_columns": ["structur"]}}, "outputs.timeseries_columns",
     ["unknown series", "did you mean structure"]),
    ({"analysis": {"outcomes": "x"}}, "analysis.outcomes", ["non-empty list"]),
    ({"indicators": "yes"}, "indicators", ["true or false"]),
])
def test_malformed_experiments_name_the_key(data, key, words):
    msg = error(**data)
    assert msg.startswith(f"x.toml: {key}: "), msg
    for w in words:
        assert w in msg, msg


def test_unknown_top_level_key_is_named_with_a_hint():
    msg = error(replicate=3)
    assert msg.startswith("x.toml: unknown key 'replicate' (did you mean 'replicates'?); "
                          "allowed: analysis, "), msg


def test_master_seed_follows_the_shared_seed_rule():
    assert make(seed=2**128 - 1).seed == 2**128 - 1
    assert make(seed=0).seed == 0


def test_bounds_come_from_the_declaration():
    for name in ("feedback_reach", "residents", "drills_per_year"):
        p = PARAMS[name]
        msg = error(vary={name: {"low": p.low, "high": p.high * 2, "step": p.high}})
        assert f"vary.{name}.high" in msg and p.allowed() in msg


def test_not_toml_and_missing_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("seed = = 1\n")
    with pytest.raises(ExperimentError, match="bad.toml: not valid TOML"):
        load_experiment(bad)
    with pytest.raises(ExperimentError, match="no such file"):
        load_experiment(tmp_path / "nope.toml")


def test_scenario_and_policy_files_resolve_relative_to_the_experiment(tmp_path):
    (tmp_path / "mine.toml").write_text(
        'name = "mine"\ndescription = "d"\n[[shocks]]\ntype = "flood"\nonset = 5\n'
        'intensity = 0.5\n')
    (tmp_path / "exp.toml").write_text('scenarios = ["mine.toml", "none"]\n')
    exp = load_experiment(tmp_path / "exp.toml")
    assert exp.scenarios == [str((tmp_path / "mine.toml").resolve()), "none"]


def test_resolved_experiment_is_json_ready_and_complete():
    exp = make(seed=4, replicates=2, vary={"feedback_reach": {"low": 0, "high": 1}},
               sampler={"method": "sobol", "samples": 4}, outputs={"timeseries": 7})
    r = exp.resolved()
    assert r["seed"] == 4 and r["replicates"] == 2
    assert r["vary"] == {"feedback_reach": {"low": 0.0, "high": 1.0}}
    assert r["sampler"] == {"method": "sobol", "samples": 4, "second_order": False}
    assert r["outputs"]["timeseries"] == 7
    # rebuilding from the resolved form gives the same experiment
    assert from_dict(r).resolved() == r


# -- the command line --------------------------------------------------------------------
@pytest.mark.parametrize("text, key", [
    ('[vary]\nmutual_aid = [0.1, 0.2]\n', "vary.mutual_aid"),
    ('[vary]\nfeedback_reach = {low = 0.9, high = 0.1, step = 0.1}\n', "vary.feedback_reach"),
    ('[sampler]\nmethod = "grid"\n', "sampler.method"),
])
def test_cli_rejects_a_malformed_file_with_one_line_and_starts_nothing(tmp_path, text, key):
    f = tmp_path / "broken.toml"
    f.write_text(text)
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "grassroots.cli", "sweep", str(f), "--out",
                           str(out)], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"grassroots: error: broken.toml: {key}:")
    assert proc.stdout == ""
    assert not out.exists() and not (tmp_path / "results").exists()


def test_every_example_value_is_inside_the_declared_bounds():
    for path in EXAMPLES:
        exp = load_experiment(path)
        for spec in exp.specs(range(0, exp.n_runs, max(1, exp.n_runs // 50))):
            for name, value in spec.params.items():
                p = PARAMS[name]
                assert p.validate(value) == value
                if p.low is not None:
                    assert value >= p.low and (p.high is None or value <= p.high)
                if p.kind is int:
                    assert type(value) is int and not math.isnan(value)
