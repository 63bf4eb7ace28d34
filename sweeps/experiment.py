"""Experiment files: what a sweep runs, validated against the one parameter declaration.

An experiment is a TOML file (examples in experiments/):

    name = "flood_factorial"          # default: the file name
    description = "..."
    seed = 20240501                   # master seed; drawn from the OS and recorded if absent
    replicates = 5                    # runs per design point, each with its own seed
    days = 365                        # horizon (a parameter; may instead be varied)
    scenarios = ["flood"]             # shipped names or TOML files (relative to this file)
    policies = ["baseline", "prevention-first"]
    network = "town.graphml"          # optional: a real network instead of the synthetic one
    indicators = false                # true: also the paired run with prevention off
    common_random_numbers = false     # true: replicate r has the same seed at every point

    [constants]                       # parameters fixed for every run
    residents = 2000

    [vary]                            # varied parameters
    mutual_aid_strength = [0.2, 0.5, 0.8]                   # a list of values
    party_contact_rate = {low = 0, high = 2, step = 0.5}    # a range with a step
    volunteer_share = {low = 0.0, high = 0.2}               # bounds (lhs, sobol, morris)

    [[rows]]                          # explicit rows: joint settings of some parameters
    residents = 1000
    neighbourhood_size = 100

    [sampler]                         # default: factorial
    method = "sobol"                  # factorial | lhs | sobol | morris
    samples = 64                      # lhs: points; sobol: base samples N (a power of 2)
    second_order = false              # sobol: also S2 (N*(2D+2) points instead of N*(D+2))
    # morris: trajectories = 20, levels = 4, optimal_trajectories = 10

    [outputs]
    timeseries = "all"                # "all" (every day), "none", or k: every k-th day
    timeseries_columns = ["structure", "function", "relationship", "combined"]

    [analysis]
    outcomes = ["combined.loss_of_resilience"]   # what `grassroots analyze` studies

What the sampler does with the varied parameters:
  * factorial: every combination of the lists and stepped ranges, crossed with the rows (if
    any); bounds without a step are an error.
  * lhs, sobol, morris: each varied parameter needs bounds {low, high} (no list, no step, no
    rows, no text parameter). lhs uses scipy.stats.qmc.LatinHypercube; sobol uses SALib's
    Saltelli/Sobol' sample; morris SALib's Morris trajectories. An integer parameter is
    sampled on [low - 0.5, high + 0.5] and rounded, so every integer is equally likely.

Every value, bound and sampled value is validated against core/params.py; a bound outside
the declared bounds, an unknown parameter, key or sampler is an ExperimentError whose one-line
message names the file and the key. The shared rules of grassroots.core.io apply: the file is
read with `read_toml`, unknown keys get `check_keys`'s did-you-mean hint, the master seed is a
`check_seed` seed (an integer in [0, 2^128 - 1]) and scenarios and policies are
`named_or_file` inputs.

The design: scenarios x policies x sampler rows, each a *point*, each run `replicates` times.
    point  = (scenario_index * n_policies + policy_index) * n_samples + sample
    run_id = point * replicates + replicate
Seeds: the master seed's SeedSequence spawns two children; the first seeds the sampler, the
second spawns one child per run (`SeedSequence(master).spawn(2)[1].spawn(n_runs)[run_id]`, i.e.
`SeedSequence(master, spawn_key=(1, run_id))`), whose first 64-bit word shifted to 63 bits is
the run's integer seed. With common_random_numbers the child index is the replicate instead.
The design and every seed depend only on the file and the master seed, never on the executor.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from grassroots.core.io import check_keys, check_seed, named_or_file, read_toml, suggest
from grassroots.core.params import PARAMS, Param, ParameterError
from grassroots.model.model import OBSERVABLES
from grassroots.policies import load_policy, shipped_policies
from grassroots.scenarios import ScenarioError, load_scenario, shipped

SAMPLERS = ("factorial", "lhs", "sobol", "morris")
SAMPLER_OPTIONS = {
    "factorial": {},
    "lhs": {"samples": True},
    "sobol": {"samples": True, "second_order": False},
    "morris": {"trajectories": True, "levels": False, "optimal_trajectories": False},
}
TOP_KEYS = ("name", "description", "seed", "replicates", "days", "scenarios", "policies",
            "network", "indicators", "common_random_numbers", "constants", "vary", "rows",
            "sampler", "outputs", "analysis")
OUTPUT_KEYS = ("timeseries", "timeseries_columns")
ANALYSIS_KEYS = ("outcomes",)
#: outcomes `grassroots analyze` studies when the experiment names none
DEFAULT_OUTCOMES = ("combined.loss_of_resilience", "combined.resilience_index",
                    "function.robustness", "peaks.residents_in_need")


class ExperimentError(ParameterError):
    """A malformed experiment file; the one-line message names the file and the key."""


@dataclass(frozen=True)
class Varied:
    """One varied parameter: explicit `values` (a list or a stepped range) or `low`/`high`
    bounds for a sampler that draws from the interval."""

    name: str
    values: tuple | None = None
    low: float | None = None
    high: float | None = None
    step: float | None = None

    def as_dict(self) -> dict:
        if self.step is not None:
            return {"low": self.low, "high": self.high, "step": self.step}
        if self.values is not None:
            return {"values": list(self.values)}
        return {"low": self.low, "high": self.high}


@dataclass(frozen=True)
class RunSpec:
    """Everything one run needs; picklable, so any executor can ship it to a worker."""

    run_id: int
    point: int
    sample: int
    replicate: int
    scenario: str
    policy: str
    params: dict
    seed: int
    indicators: bool = False
    network: str | None = None
    timeseries_every: int = 1  # 0: keep no time series
    timeseries_columns: tuple[str, ...] = OBSERVABLES


@dataclass
class Experiment:
    """A validated experiment and its design (the sampled points)."""

    name: str
    description: str
    seed: int
    replicates: int
    scenarios: list[str]
    policies: list[str]
    constants: dict[str, Any]
    varied: list[Varied]
    rows: list[dict[str, Any]]
    sampler: dict[str, Any]
    network: str | None = None
    indicators: bool = False
    common_random_numbers: bool = False
    timeseries_every: int = 1
    timeseries_columns: tuple[str, ...] = OBSERVABLES
    outcomes: tuple[str, ...] = DEFAULT_OUTCOMES
    source: str = ""  # the file it came from, for messages and the manifest
    #: the design: one dict of parameter values per sample (sampler row)
    samples: list[dict[str, Any]] = field(default_factory=list, repr=False)
    #: the sampler's raw matrix (before rounding), rows = samples; None for factorial
    raw: np.ndarray | None = field(default=None, repr=False)
    #: SALib problem of the sampled parameters (names, bounds used); None for factorial
    problem: dict | None = None

    # -- sizes -----------------------------------------------------------------------------
    @property
    def n_samples(self) -> int:
        return len(self.samples)

    @property
    def n_points(self) -> int:
        return len(self.scenarios) * len(self.policies) * self.n_samples

    @property
    def n_runs(self) -> int:
        return self.n_points * self.replicates

    @property
    def parameter_columns(self) -> list[str]:
        """Parameters the experiment sets, in file order: constants, varied, row keys."""
        cols = list(self.constants) + [v.name for v in self.varied]
        for key in (self.rows[0] if self.rows else {}):
            cols.append(key)
        return cols

    @property
    def varied_names(self) -> list[str]:
        return [v.name for v in self.varied] + list(self.rows[0] if self.rows else {})

    # -- runs ------------------------------------------------------------------------------
    def spec(self, run_id: int) -> RunSpec:
        """The run with this id (see the module docstring for the numbering)."""
        if not 0 <= run_id < self.n_runs:
            raise IndexError(f"run id {run_id} outside 0..{self.n_runs - 1}")
        point, replicate = divmod(run_id, self.replicates)
        group, sample = divmod(point, self.n_samples)
        s_idx, p_idx = divmod(group, len(self.policies))
        params = {**self.constants, **self.samples[sample]}
        return RunSpec(run_id=run_id, point=point, sample=sample, replicate=replicate,
                       scenario=self.scenarios[s_idx], policy=self.policies[p_idx],
                       params=params, seed=self.run_seed(run_id),
                       indicators=self.indicators, network=self.network,
                       timeseries_every=self.timeseries_every,
                       timeseries_columns=self.timeseries_columns)

    def specs(self, run_ids: Iterator[int] | None = None) -> Iterator[RunSpec]:
        """Run specs, lazily (a sweep never holds them all)."""
        for run_id in (range(self.n_runs) if run_ids is None else run_ids):
            yield self.spec(run_id)

    def run_seed(self, run_id: int) -> int:
        """The run's integer seed, spawned from the master seed (module docstring)."""
        index = run_id % self.replicates if self.common_random_numbers else run_id
        return spawn_seed(self.seed, index)

    # -- recording -------------------------------------------------------------------------
    def resolved(self) -> dict:
        """The experiment as resolved from its file (JSON-ready): what the manifest records
        and what `--resume` compares against."""
        d = {
            "name": self.name, "description": self.description, "seed": self.seed,
            "replicates": self.replicates, "scenarios": list(self.scenarios),
            "policies": list(self.policies), "network": self.network,
            "indicators": self.indicators,
            "common_random_numbers": self.common_random_numbers,
            "constants": dict(self.constants),
            "vary": {v.name: v.as_dict() for v in self.varied},
            "rows": [dict(r) for r in self.rows],
            "sampler": dict(self.sampler),
            "outputs": {"timeseries": self.timeseries_every,
                        "timeseries_columns": list(self.timeseries_columns)},
            "analysis": {"outcomes": list(self.outcomes)},
        }
        return json.loads(json.dumps(d))

    def design_summary(self) -> dict:
        return {"samples": self.n_samples, "points": self.n_points, "runs": self.n_runs,
                "varied": self.varied_names, "problem": self.problem}


def spawn_seed(master: int, index: int) -> int:
    """Integer seed of run `index`: SeedSequence(master).spawn(2)[1].spawn(...)[index]."""
    ss = np.random.SeedSequence(master, spawn_key=(1, index))
    return int(ss.generate_state(1, np.uint64)[0] >> np.uint64(1))


def sampler_seed(master: int) -> int:
    """Seed the sampler draws from: SeedSequence(master).spawn(2)[0]."""
    ss = np.random.SeedSequence(master, spawn_key=(0,))
    return int(ss.generate_state(1, np.uint32)[0])


# ---------------------------------------------------------------------------------------
def load_experiment(path: str | Path, seed: int | None = None) -> Experiment:
    """Read and validate an experiment file. `seed` (e.g. the master seed recorded by a
    sweep being resumed) is used when the file gives none."""
    path = Path(path)
    data = read_toml(path, "experiment", ExperimentError)
    exp = from_dict(data, where=path.name, base=path.parent, default_name=path.stem, seed=seed)
    exp.source = str(path)
    return exp


def file_digest(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def from_dict(data: dict, where: str = "experiment", base: Path | None = None,
              default_name: str = "experiment", seed: int | None = None) -> Experiment:
    """Validate an experiment given as a dict (a parsed TOML file)."""
    base = base or Path.cwd()
    fail = _Fail(where)
    fail.on_unknown_keys(data, TOP_KEYS)

    name = data.get("name", default_name)
    if not isinstance(name, str) or not name.strip():
        raise fail("name", f"got {name!r}; allowed: a non-empty text")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise fail("description", "must be text")

    master = data.get("seed", seed)
    if master is None:
        master = secrets.randbits(63)
    master = check_seed(master, ExperimentError, field=f"{where}: seed")
    replicates = _int(data.get("replicates", 1), 1, 1_000_000, lambda m: fail("replicates", m))

    scenarios = _names(data.get("scenarios", ["flood"]), "scenarios", fail)
    for k, sc in enumerate(scenarios):
        scenarios[k] = _scenario(sc, base, f"scenarios[{k}]", fail)
    policies = _names(data.get("policies", ["baseline"]), "policies", fail)
    for k, pol in enumerate(policies):
        policies[k] = _policy(pol, base, f"policies[{k}]", fail)
    for key, values in (("scenarios", scenarios), ("policies", policies)):
        dup = next((v for v in values if values.count(v) > 1), None)
        if dup is not None:
            raise fail(key, f"{dup!r} is listed twice")

    network = data.get("network")
    if network is not None:
        if not isinstance(network, str):
            raise fail("network", f"got {network!r}; allowed: a GraphML or edge-list file")
        npath = (base / network).resolve()
        if not npath.is_file():
            raise fail("network", f"no such file {network!r}")
        network = str(npath)
    indicators = _bool(data.get("indicators", False), lambda m: fail("indicators", m))
    crn = _bool(data.get("common_random_numbers", False),
                lambda m: fail("common_random_numbers", m))

    # -- parameters --------------------------------------------------------------------
    constants_in = _table(data.get("constants", {}), "constants", fail)
    constants = {k: _value(k, v, f"constants.{k}", fail) for k, v in constants_in.items()}
    if "days" in data:
        if "days" in constants:
            raise fail("days", "given twice (top level and constants.days)")
        constants["days"] = _value("days", data["days"], "days", fail)

    sampler = _sampler(data.get("sampler", {"method": "factorial"}), fail)
    method = sampler["method"]
    vary_in = _table(data.get("vary", {}), "vary", fail)
    varied = [_varied(k, v, method, fail) for k, v in vary_in.items()]
    rows = _rows(data.get("rows", []), fail)
    if rows and method != "factorial":
        raise fail("rows", f"explicit rows combine with the factorial sampler only, not "
                           f"{method}")
    seen: dict[str, str] = {k: "constants" for k in constants}
    for v in varied:
        if v.name in seen:
            raise fail(f"vary.{v.name}", f"also set in {seen[v.name]}")
        seen[v.name] = "vary"
    for key in (rows[0] if rows else {}):
        if key in seen:
            raise fail(f"rows.{key}", f"also set in {seen[key]}")
    if method != "factorial" and not varied:
        raise fail("vary", f"the {method} sampler needs at least one varied parameter")
    if "days" in constants:  # a fixed horizon must reach every shock of every scenario
        for k, sc in enumerate(scenarios):
            try:
                load_scenario(sc).check_horizon(constants["days"])
            except ScenarioError as err:
                raise fail(f"scenarios[{k}]", str(err)) from None

    # -- outputs, analysis -------------------------------------------------------------
    outputs = _table(data.get("outputs", {}), "outputs", fail)
    fail.on_unknown_keys(outputs, OUTPUT_KEYS, "outputs")
    every = _timeseries(outputs.get("timeseries", "all"), fail)
    columns = outputs.get("timeseries_columns", list(OBSERVABLES))
    if (not isinstance(columns, list) or not columns
            or not all(isinstance(c, str) for c in columns)):
        raise fail("outputs.timeseries_columns", "must be a non-empty list of names")
    for c in columns:
        if c not in OBSERVABLES:
            close = suggest(c, OBSERVABLES)
            hint = f" (did you mean {close}?)" if close else ""
            raise fail("outputs.timeseries_columns",
                       f"unknown series {c!r}{hint}; allowed: {', '.join(OBSERVABLES)}")
    analysis = _table(data.get("analysis", {}), "analysis", fail)
    fail.on_unknown_keys(analysis, ANALYSIS_KEYS, "analysis")
    outcomes = analysis.get("outcomes", list(DEFAULT_OUTCOMES))
    if (not isinstance(outcomes, list) or not outcomes
            or not all(isinstance(o, str) and o for o in outcomes)):
        raise fail("analysis.outcomes", "must be a non-empty list of metric names")

    exp = Experiment(
        name=name.strip(), description=description.strip(), seed=master,
        replicates=replicates, scenarios=scenarios, policies=policies, constants=constants,
        varied=varied, rows=rows, sampler=sampler, network=network, indicators=indicators,
        common_random_numbers=crn, timeseries_every=every,
        timeseries_columns=tuple(columns), outcomes=tuple(outcomes))
    exp.samples, exp.raw, exp.problem = build_design(exp)
    return exp


# -- the design ---------------------------------------------------------------------------
def build_design(exp: Experiment) -> tuple[list[dict], np.ndarray | None, dict | None]:
    """The sampler's points: a list of {parameter: value}, the raw sampler matrix and the
    SALib problem (the last two None for factorial)."""
    method = exp.sampler["method"]
    if method == "factorial":
        axes = [[{v.name: x} for x in v.values] for v in exp.varied]
        if exp.rows:
            axes.append(exp.rows)
        samples = [dict(kv for part in combo for kv in part.items())
                   for combo in itertools.product(*axes)]
        return samples, None, None

    params = [PARAMS[v.name] for v in exp.varied]
    bounds = [[v.low - 0.5, v.high + 0.5] if p.kind is int else [v.low, v.high]
              for v, p in zip(exp.varied, params)]
    problem = {"num_vars": len(params), "names": [p.name for p in params], "bounds": bounds}
    seed = sampler_seed(exp.seed)
    if method == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(params), rng=np.random.default_rng(seed)).random(
            exp.sampler["samples"])
        raw = qmc.scale(unit, [b[0] for b in bounds], [b[1] for b in bounds])
    elif method == "sobol":
        from SALib.sample import sobol

        raw = sobol.sample(dict(problem), exp.sampler["samples"],
                           calc_second_order=exp.sampler["second_order"], seed=seed)
    else:  # morris
        from SALib.sample import morris

        raw = morris.sample(dict(problem), exp.sampler["trajectories"],
                            num_levels=exp.sampler["levels"],
                            optimal_trajectories=exp.sampler["optimal_trajectories"],
                            seed=seed)
    samples = [{p.name: _sampled_value(p, v, x) for p, v, x in zip(params, exp.varied, row)}
               for row in raw]
    return samples, np.asarray(raw, float), problem


def _sampled_value(p: Param, v: Varied, x: float) -> Any:
    """A sampled number as a valid value of the parameter: integers rounded (half up) and
    kept within the user's bounds."""
    if p.kind is int:
        return p.validate(int(min(max(math.floor(x + 0.5), v.low), v.high)))
    return p.validate(float(min(max(x, v.low), v.high)))


# -- validators ---------------------------------------------------------------------------
class _Fail:
    """The errors of one experiment file, each one line naming the file and the key:
    `fail(key, message)` is the ExperimentError `<file>: <key>: <message>`."""

    def __init__(self, where: str):
        self.where = where

    def __call__(self, key: str, msg: str) -> ExperimentError:
        return ExperimentError(f"{self.where}: {key}: {msg}")

    def on_unknown_keys(self, table: dict, allowed: tuple[str, ...], key: str = "") -> None:
        """Raise for the first key of `table` (the table at `key`; the top level when
        empty) that is not allowed, with a did-you-mean hint."""
        check_keys(table, allowed, f"{self.where}: {key}" if key else self.where,
                   ExperimentError)


def _param(name: str, key: str, fail) -> Param:
    param = PARAMS.get(name)
    if param is None:
        close = suggest(name, PARAMS)
        hint = f" (did you mean {close}?)" if close else ""
        raise fail(key, f"unknown parameter {name!r}{hint}; see `grassroots params`")
    return param


def _value(name: str, value: Any, key: str, fail) -> Any:
    param = _param(name, key, fail)
    if isinstance(value, (dict, list)):
        raise fail(key, f"got {value!r}; allowed: {param.allowed()}")
    try:
        return param.validate(value)
    except ParameterError:
        raise fail(key, f"got {value!r}; allowed: {param.allowed()}") from None


def _varied(name: str, spec: Any, method: str, fail) -> Varied:
    key = f"vary.{name}"
    param = _param(name, key, fail)
    continuous = method != "factorial"
    if isinstance(spec, list):
        if continuous:
            raise fail(key, f"the {method} sampler needs bounds {{low = ..., high = ...}}, "
                            f"not a list")
        if not spec:
            raise fail(key, "empty list; give at least one value")
        values = tuple(_value(name, x, f"{key}[{k}]", fail) for k, x in enumerate(spec))
        dup = next((x for x in values if values.count(x) > 1), None)
        if dup is not None:
            raise fail(key, f"value {dup!r} is listed twice")
        return Varied(name, values=values)
    if not isinstance(spec, dict):
        raise fail(key, f"got {spec!r}; allowed: a list of values or a range "
                        f"{{low = ..., high = ..., step = ...}}")
    fail.on_unknown_keys(spec, ("low", "high", "step"), key)
    if param.kind is str:
        raise fail(key, f"a text parameter takes a list of values ({param.allowed()})")
    for k in ("low", "high"):
        if k not in spec:
            raise fail(key, f"a range needs '{k}'")
    low = _value(name, spec["low"], f"{key}.low", fail)
    high = _value(name, spec["high"], f"{key}.high", fail)
    if "step" not in spec:
        if not continuous:
            raise fail(key, "the factorial sampler needs a list or a range with a step")
        if not low < high:
            raise fail(key, f"low {low!r} must be below high {high!r}")
        return Varied(name, low=low, high=high)
    if continuous:
        raise fail(f"{key}.step", f"a step applies to factorial designs only, not {method}")
    step = spec["step"]
    if (isinstance(step, bool) or not isinstance(step, (int, float))
            or not math.isfinite(step) or step <= 0):
        raise fail(f"{key}.step", f"got {step!r}; allowed: a number > 0")
    if param.kind is int and step != int(step):
        raise fail(f"{key}.step", f"got {step!r}; allowed: an integer > 0 ({name} is an "
                                  f"integer)")
    if low > high:
        raise fail(key, f"low {low!r} is above high {high!r}")
    count = int(math.floor((high - low) / step + 1e-9)) + 1
    if count > 100_000:
        raise fail(f"{key}.step", f"gives {count} values; allowed: at most 100000")
    if param.kind is int:
        values = tuple(int(low + k * int(step)) for k in range(count))
    else:
        values = tuple(float(round(low + k * step, 12)) for k in range(count))
    values = tuple(param.validate(x) for x in values)
    return Varied(name, values=values, low=low, high=high, step=step)


def _rows(rows: Any, fail) -> list[dict]:
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise fail("rows", "must be an array of tables ([[rows]])")
    out = []
    for k, row in enumerate(rows):
        if not row:
            raise fail(f"rows[{k}]", "empty row")
        if out and set(row) != set(out[0]):
            raise fail(f"rows[{k}]", f"sets {', '.join(sorted(row))}; every row must set the "
                                     f"same parameters as rows[0] ({', '.join(out[0])})")
        order = list(out[0]) if out else list(row)  # every row in rows[0]'s key order
        out.append({name: _value(name, row[name], f"rows[{k}].{name}", fail)
                    for name in order})
    return out


def _sampler(spec: Any, fail) -> dict:
    if isinstance(spec, str):
        spec = {"method": spec}
    if not isinstance(spec, dict):
        raise fail("sampler", f"got {spec!r}; allowed: a table with method = one of "
                              f"{', '.join(SAMPLERS)}")
    method = spec.get("method")
    if not isinstance(method, str) or method not in SAMPLERS:  # a list is not hashable
        raise fail("sampler.method", f"got {method!r}; allowed: {', '.join(SAMPLERS)}")
    options = SAMPLER_OPTIONS[method]
    fail.on_unknown_keys(spec, ("method", *options), "sampler")
    for k, required in options.items():
        if required and k not in spec:
            raise fail(f"sampler.{k}", f"the {method} sampler needs it")
    out: dict[str, Any] = {"method": method}
    if method == "lhs":
        out["samples"] = _int(spec["samples"], 1, 10_000_000,
                              lambda m: fail("sampler.samples", m))
    elif method == "sobol":
        n = _int(spec["samples"], 2, 2**24, lambda m: fail("sampler.samples", m))
        if n & (n - 1):
            raise fail("sampler.samples", f"got {n}; allowed: a power of 2 (Sobol' "
                                          f"sequences keep their balance only then)")
        out["samples"] = n
        out["second_order"] = _bool(spec.get("second_order", False),
                                    lambda m: fail("sampler.second_order", m))
    elif method == "morris":
        out["trajectories"] = _int(spec["trajectories"], 2, 1_000_000,
                                   lambda m: fail("sampler.trajectories", m))
        levels = _int(spec.get("levels", 4), 2, 1000, lambda m: fail("sampler.levels", m))
        if levels % 2:
            raise fail("sampler.levels", f"got {levels}; allowed: an even integer >= 2")
        out["levels"] = levels
        opt = spec.get("optimal_trajectories")
        if opt is not None:
            opt = _int(opt, 2, out["trajectories"] - 1,
                       lambda m: fail("sampler.optimal_trajectories", m))
        out["optimal_trajectories"] = opt
    return out


def _timeseries(value: Any, fail) -> int:
    if value == "all":
        return 1
    if value == "none":
        return 0
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    raise fail("outputs.timeseries", f"got {value!r}; allowed: \"all\" (every day), "
                                     f"\"none\", or an integer k >= 1 (every k-th day)")


def _scenario(value: str, base: Path, key: str, fail) -> str:
    return _named_or_file(value, shipped(), "scenario", load_scenario, ScenarioError, base,
                          key, fail, extra_names=("none",))


def _policy(value: str, base: Path, key: str, fail) -> str:
    return _named_or_file(value, shipped_policies(), "policy", load_policy, ParameterError,
                          base, key, fail)


def _named_or_file(value: str, shipped_files: dict[str, Path], what: str, load, error,
                   base: Path, key: str, fail, extra_names: tuple[str, ...] = ()) -> str:
    """A shipped name (kept as the name), or a file relative to the experiment file (made
    absolute), which must load."""
    try:
        found = named_or_file(value, shipped_files, what, ExperimentError, base=base,
                              extra_names=extra_names)
    except ExperimentError as err:
        raise fail(key, str(err)) from None
    if value not in shipped_files and value not in extra_names:
        value = str(found)
    try:
        load(value)
    except error as err:
        raise fail(key, str(err)) from None
    return value


def _names(value: Any, key: str, fail) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if (not isinstance(value, list) or not value
            or not all(isinstance(v, str) and v for v in value)):
        raise fail(key, f"got {value!r}; allowed: a name or a non-empty list of names")
    return list(value)


def _table(value: Any, key: str, fail) -> dict:
    if not isinstance(value, dict):
        raise fail(key, "must be a table")
    return value


def _int(value: Any, low: int, high: int, fail) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise fail(f"got {value!r}; allowed: an integer in [{low}, {high}]")
    return value


def _bool(value: Any, fail) -> bool:
    if not isinstance(value, bool):
        raise fail(f"got {value!r}; allowed: true or false")
    return value
