"""Fuzzed input files (issue 17, item 4): property-based tests with Hypothesis over every file
type the program reads and over `--set` values. Any generated input must end in a result or in
the loader's own error with a one-line message naming the file (or the option) — never another
exception, which on the command line would be a traceback.

Generated inputs mix three kinds, per file type: raw bytes; TOML text that is not TOML; and
documents that are TOML, built from the file type's real keys (and unknown ones) with values
of every TOML type, including out-of-range numbers, NaN and infinities, wrong types, nested
tables where a scalar belongs. The quick tier runs QUICK_EXAMPLES per file type; the slow test
runs SLOW_EXAMPLES in all and prints its counts: cases per file type, outcomes by kind.
"""

from __future__ import annotations

import collections
import contextlib
import io
import json
import math
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots.community.network_io import NetworkFileError, load_community
from grassroots.core.costs import CostError, load_costs
from grassroots.core.params import PARAMS, ParameterError, defaults, parse_assignments
from grassroots.optimise.spec import OBJECTIVES, OptimisationError, load_optimisation
from grassroots.optimise.spec import TOP_KEYS as OPTIMISATION_KEYS
from grassroots.policies import load_policy
from grassroots.scenarios import SHOCK_TYPES, ScenarioError, load_scenario
from grassroots.sweeps.experiment import (ANALYSIS_KEYS, OUTPUT_KEYS, TOP_KEYS,
                                          ExperimentError, load_experiment)

QUICK_EXAMPLES = 150
SLOW_EXAMPLES = 10_000
ROOT = Path(__file__).resolve().parent.parent
COUNTS: collections.Counter = collections.Counter()

# -- TOML documents --------------------------------------------------------------------------
names = st.from_regex(r"[a-z_][a-z0-9_]{0,12}", fullmatch=True)
scalars = st.one_of(
    st.booleans(), st.integers(-10**20, 10**20), st.integers(-3, 400),
    st.floats(allow_nan=True, allow_infinity=True), st.floats(-2.0, 2.0),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=16))
values = st.one_of(scalars, st.lists(scalars, max_size=4),
                   st.dictionaries(names, scalars, max_size=3))


def toml_scalar(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) \
            else repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_scalar(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_scalar(x)}" for k, x in v.items()) + "}"
    raise TypeError(v)


def render(doc: dict) -> str:
    """TOML text: scalars first, then tables, then arrays of tables."""
    lines, tables, arrays = [], [], []
    for k, v in doc.items():
        if isinstance(v, dict) and v and all(isinstance(x, dict) for x in v.values()):
            tables.append((k, v, True))
        elif isinstance(v, dict):
            tables.append((k, v, False))
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            arrays.append((k, v))
        else:
            lines.append(f"{json.dumps(k)} = {toml_scalar(v)}")
    for k, v, nested in tables:
        if nested:  # [a.b] tables
            for sub, t in v.items():
                lines.append(f"[{json.dumps(k)}.{json.dumps(sub)}]")
                lines += [f"{json.dumps(a)} = {toml_scalar(b)}" for a, b in t.items()]
        else:
            lines.append(f"[{json.dumps(k)}]")
            lines += [f"{json.dumps(a)} = {toml_scalar(b)}" for a, b in v.items()]
    for k, items in arrays:
        for t in items:
            lines.append(f"[[{json.dumps(k)}]]")
            lines += [f"{json.dumps(a)} = {toml_scalar(b)}" for a, b in t.items()]
    return "\n".join(lines) + "\n"


def table_of(keys, value=values, max_size=6):
    return st.dictionaries(st.one_of(st.sampled_from(sorted(keys)), names), value,
                           max_size=max_size)


def _mutated(shipped: Path):
    """The shipped file with one value replaced, one key added or one table dropped: inputs
    close to valid, which exercise the checks past the first one."""
    import tomllib

    base = tomllib.loads(shipped.read_text(encoding="utf-8"))

    def mutate(args):
        path, value, how = args
        doc = json.loads(json.dumps(base))  # a deep copy
        node = doc
        for key in path[:-1]:
            node = node[key]
        if how == "replace":
            node[path[-1]] = value
        elif how == "drop":
            node.pop(path[-1])
        else:
            node[f"{path[-1]}_extra"] = value
        return doc

    paths = []

    def walk(node, prefix):
        for k, v in node.items():
            paths.append((*prefix, k))
            if isinstance(v, dict):
                walk(v, (*prefix, k))
    walk(base, ())
    return st.tuples(st.sampled_from(paths), values,
                     st.sampled_from(["replace", "drop", "add"])).map(mutate)


LEVERS = sorted(p.name for p in PARAMS.values() if p.role == "lever")
UNIT_COSTS = sorted(load_costs().unit_costs)
shock = table_of({"type", "onset", "duration", "intensity", "neighbourhoods"},
                 st.one_of(values, st.sampled_from(sorted(SHOCK_TYPES)), st.integers(0, 400)))
scenario_doc = st.one_of(_mutated(ROOT / "scenarios" / "compound.toml"), st.fixed_dictionaries(
    {}, optional={"name": values, "description": values, "days": st.one_of(values, st.integers(1, 400)),
                  "shocks": st.one_of(st.lists(shock, max_size=3), values)}))
policy_doc = st.one_of(_mutated(ROOT / "policies" / "all-of-society.toml"),
                       st.fixed_dictionaries(
    {}, optional={"name": values, "rationale": values,
                  "levers": st.one_of(table_of(LEVERS, st.one_of(values, st.floats(0, 1))),
                                      values)}))
entry = table_of({"value", "unit", "assumption", "source"},
                 st.one_of(values, st.floats(-1, 100)))
costs_doc = st.one_of(_mutated(ROOT / "policies" / "costs.toml"), st.fixed_dictionaries(
    {}, optional={"unit": st.one_of(st.just("WD"), values), "description": values,
                  "unit_costs": st.one_of(st.dictionaries(
                      st.one_of(st.sampled_from(UNIT_COSTS or ["x"]), names), entry,
                      max_size=4), values)}))
experiment_doc = st.fixed_dictionaries(
    {"replicates": st.one_of(st.integers(1, 2), values)},
    optional={k: values for k in TOP_KEYS if k not in ("vary", "constants", "outputs",
                                                        "analysis", "sampler", "replicates")}
    | {"vary": table_of(LEVERS, st.one_of(st.lists(st.floats(0, 1), max_size=3), values), 3),
       "constants": table_of(sorted(PARAMS), values, 3),
       "outputs": table_of(OUTPUT_KEYS, values, 2),
       "analysis": table_of(ANALYSIS_KEYS, values, 1),
       "sampler": table_of({"method", "samples", "second_order", "trajectories", "levels"},
                           st.one_of(values, st.sampled_from(["factorial", "lhs", "sobol",
                                                              "morris"])), 3)})


conditions_doc = st.fixed_dictionaries({}, optional={
    **{k: st.one_of(values, st.integers(0, 200), st.floats(0, 1))
       for k in ("samples", "points", "threshold", "density")},
    "outcome": st.one_of(values, st.sampled_from([*OBJECTIVES, "x"])),
    "ranges": table_of(["intensity", "duration", "flood.reach", "flood.evacuate",
                        "epidemic.transmissibility", "epidemic.seeds", "flood.x", "x.y"],
                       st.one_of(st.lists(st.floats(-1, 30), max_size=3), values), 3)})
optimisation_doc = st.one_of(
    _mutated(ROOT / "experiments" / "smoke.optimise.toml"),
    _mutated(ROOT / "experiments" / "flood_quake_epidemic.optimise.toml"),
    st.fixed_dictionaries({}, optional={
        **{k: values for k in OPTIMISATION_KEYS
           if k not in ("levers", "algorithm", "set", "objectives", "scenarios")},
        "budget": st.one_of(values, st.floats(0, 5)),
        "scenarios": st.one_of(st.lists(st.sampled_from(["flood", "epidemic", "nope"]),
                                        max_size=3), values),
        "objectives": st.one_of(st.lists(st.sampled_from([*OBJECTIVES, "x"]), max_size=4),
                                values),
        "levers": table_of(LEVERS, st.one_of(st.lists(st.floats(-1, 2), max_size=3), values), 3),
        "algorithm": table_of({"name", "population", "generations"},
                              st.one_of(values, st.sampled_from(["nsga2", "nsga3"]),
                                        st.integers(0, 50)), 3),
        "set": table_of(sorted(PARAMS), values, 2),
        "conditions": st.one_of(conditions_doc, values)}))


TOWN = ROOT / "community" / "examples" / "riverside"
community_doc = st.one_of(
    _mutated(TOWN / "riverside.toml"),
    st.fixed_dictionaries({}, optional={
        "name": values, "description": values, "id": st.one_of(st.just("name"), values),
        "neighbourhoods": st.one_of(st.sampled_from(["neighbourhoods.geojson",
                                                     "places.geojson", "flood_zone.geojson",
                                                     "nope.geojson"]), values),
        "hazard": st.one_of(table_of(["file", "value", "full"], st.one_of(
            values, st.sampled_from(["flood_zone.geojson", "depth", "neighbourhoods.geojson"])),
            3), values),
        "hazards": st.one_of(st.dictionaries(
            st.sampled_from(["flood", "earthquake", "heatwave", "epidemic", "x"]),
            st.one_of(table_of(["file", "value", "full"], st.one_of(
                values, st.sampled_from(["flood_zone.geojson", "depth"])), 3), values),
            max_size=2), values),
        "places": st.one_of(table_of(["file", "kind"], st.one_of(
            values, st.sampled_from(["places.geojson", "kind", "name"])), 2), values)}))


def _layer_text():
    """The example town's neighbourhood layer with some of its properties replaced."""
    base = json.loads((TOWN / "neighbourhoods.geojson").read_text())
    columns = sorted({k for f in base["features"] for k in f["properties"]})

    def mutate(changes):
        doc = json.loads(json.dumps(base))
        for feature, column, value in changes:
            props = doc["features"][feature % len(doc["features"])]["properties"]
            if value is None:
                props.pop(column, None)
            else:
                props[column] = value
        return json.dumps(doc).encode()

    cell = st.one_of(st.none(), st.floats(-2, 2), st.just(float("nan")),
                     st.integers(-10, 5000), st.text(max_size=5), st.booleans())
    return st.lists(st.tuples(st.integers(0, 20), st.sampled_from(columns), cell),
                    max_size=4).map(mutate)


def _community(path: Path):
    from grassroots.community.geo import build_geo, read_community_file
    build_geo(read_community_file(path), defaults(), np.random.default_rng(0))


def _community_layer(path: Path):
    """A community file beside the fuzzed layer, naming it; the message must name the
    layer."""
    toml = path.with_suffix(".toml")
    toml.write_text(f'neighbourhoods = "{path.name}"\nid = "name"\n')
    try:
        _community(toml)
    finally:
        toml.unlink()


def toml_text(doc_strategy):
    """A document, or text that is not TOML, or raw bytes."""
    return st.one_of(doc_strategy.map(render).map(str.encode),
                     st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass")),
                     st.binary(max_size=200))


edge_list = st.lists(st.lists(st.one_of(st.integers(-5, 40).map(str), names, st.just("#"),
                                        st.floats(allow_nan=True).map(str)),
                              min_size=0, max_size=4).map(" ".join), max_size=30)
network_text = st.one_of(edge_list.map("\n".join).map(str.encode), st.binary(max_size=300),
                         st.text(max_size=300).map(lambda s: ("<?xml version='1.0'?><graphml>"
                                                              + s).encode("utf-8", "replace")))


# -- the property ----------------------------------------------------------------------------
def _write(data: bytes, suffix: str) -> Path:
    fd, name = tempfile.mkstemp(suffix=suffix, dir=_FOLDER)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return Path(name)


_FOLDER = tempfile.mkdtemp(prefix="grassroots-fuzz-")
for _name in ("neighbourhoods.geojson", "flood_zone.geojson", "places.geojson"):
    # the example town's layers, which the fuzzed community files name
    (Path(_FOLDER) / _name).write_bytes((TOWN / _name).read_bytes())


def outcome(kind: str, load, data: bytes, suffix: str, errors: tuple) -> None:
    """Load the file; a result or one of `errors` with a one-line message naming the file."""
    path = _write(data, suffix)
    try:
        load(path)
        COUNTS[(kind, "accepted")] += 1
    except errors as err:
        msg = str(err)
        assert msg and "\n" not in msg, repr(msg)
        assert path.name in msg, msg
        COUNTS[(kind, "refused: " + type(err).__name__)] += 1
    finally:
        path.unlink()


def _network(path: Path):
    load_community(path, defaults(), np.random.default_rng(0))  # what the model does


FILE_TYPES = {
    "scenario": (toml_text(scenario_doc), ".toml", lambda p: load_scenario(str(p)),
                 (ScenarioError,)),
    "policy": (toml_text(policy_doc), ".toml", lambda p: load_policy(str(p)),
               (ParameterError,)),
    "costs": (toml_text(costs_doc), ".toml", load_costs, (CostError,)),
    "experiment": (toml_text(experiment_doc), ".toml", load_experiment, (ExperimentError,)),
    "network": (network_text, ".edgelist", _network, (NetworkFileError,)),
    "optimisation": (toml_text(optimisation_doc), ".optimise.toml", load_optimisation,
                     (OptimisationError,)),
    "community": (toml_text(community_doc), ".toml", _community, (NetworkFileError,)),
    "community layer": (st.one_of(_layer_text(), st.binary(max_size=200)), ".geojson",
                        _community_layer, (NetworkFileError,)),
}


def _fuzz(kind: str, examples: int):
    strategy, suffix, load, errors = FILE_TYPES[kind]

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(strategy)
    def check(data):
        outcome(kind, load, data, suffix, errors)

    check()


@pytest.mark.parametrize("kind", sorted(FILE_TYPES))
def test_fuzzed_files_end_in_a_result_or_one_line(kind):
    _fuzz(kind, QUICK_EXAMPLES)


assignment = st.one_of(
    st.tuples(st.sampled_from(sorted(PARAMS)), st.one_of(
        st.text(max_size=12), st.floats(allow_nan=True).map(str), st.integers().map(str))
    ).map("=".join),
    st.text(max_size=30))


@settings(max_examples=QUICK_EXAMPLES * 2, deadline=None, database=None)
@given(st.lists(assignment, max_size=3))
def test_fuzzed_set_values_end_in_values_or_one_line(items):
    try:
        out = parse_assignments(items)
        assert all(PARAMS[k].validate(v) == v for k, v in out.items())
        COUNTS[("--set", "accepted")] += 1
    except ParameterError as err:
        msg = str(err)
        assert msg and "\n" not in msg, repr(msg)
        COUNTS[("--set", "refused: ParameterError")] += 1


def test_fuzzed_scenarios_on_the_command_line_write_all_or_nothing(tmp_path):
    """Through `grassroots run` in-process: exit 0 with every output, or exit 2 with one line
    on stderr and no output folder."""
    from grassroots.cli import main

    seen = collections.Counter()

    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture])
    @given(toml_text(scenario_doc))
    def check(data):
        path = _write(data, ".toml")
        out = tmp_path / f"out-{path.stem}"
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["run", "--scenario", str(path), "--residents", "40", "--days", "30",
                         "--out", str(out)])
        path.unlink()
        if code == 0:
            assert {p.name for p in out.iterdir()} == {"timeseries.csv", "timeseries.parquet",
                                                      "summary.json", "resilience.png"}
        else:
            assert code == 2, err.getvalue()
            assert len(err.getvalue().strip().splitlines()) == 1, err.getvalue()
            assert not out.exists()
        seen[code] += 1

    check()
    assert seen[2] > 0


@pytest.mark.parametrize("kind", sorted(FILE_TYPES))
def test_ten_thousand_fuzzed_files(kind, capsys):
    _fuzz(kind, SLOW_EXAMPLES // len(FILE_TYPES))
    with capsys.disabled():
        counts = {k[1]: v for k, v in COUNTS.items() if k[0] == kind}
        print(f"\nfuzz {kind}: {sum(counts.values())} cases: {counts}")


@pytest.mark.parametrize("kind, text", [
    # what fuzzing found, kept as fixed cases: each crashed with a TypeError or
    # AttributeError before it was fixed
    ("scenario", '[[shocks]]\ntype = []\n'),
    ("experiment", 'replicates = 1\n[sampler]\nmethod = ["sobol"]\n'),
    ("policy", 'name = "x"\nlevers = false\n'),
    ("network", "0 1 0\n1 2 0.5\n"),
])
def test_inputs_fuzzing_found_end_in_one_line(kind, text):
    _, suffix, load, errors = FILE_TYPES[kind]
    with pytest.raises(errors):
        outcome(kind, load, text.encode(), suffix, ())
    outcome(kind, load, text.encode(), suffix, errors)  # and the message names the file
