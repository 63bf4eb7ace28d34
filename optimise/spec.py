"""The optimisation file: which levers to search, the budget, the objectives, the hazards.

An optimisation file is TOML (examples in `experiments/`, named `*.optimise.toml`):

    name = "flood_quake_epidemic"          # default: the file's stem
    description = "..."
    seed = 1                               # master seed: the search and every run's seed
    budget = 2.5                           # hard limit, WD per resident-year (core/costs.py)
    residents = 1000
    scenarios = ["flood", "urban_earthquake", "epidemic"]   # shipped names or TOML files
    seeds = 4                              # paired seeds per scenario (common random numbers)
    objectives = ["resident_days_in_need", "vulnerable_resident_days_in_need", "cost"]
    robustness = "mean"                    # mean | quantile | cvar
    quantile = 0.9                         # for quantile and cvar
    cost_days = 365                        # horizon the budget is counted over

    [levers]                               # the levers searched, each [low, high]
    volunteer_share = [0.0, 0.3]
    reserve_stock = [0.0, 10.0]

    [algorithm]
    name = "nsga2"                         # nsga2 | nsga3 (pymoo)
    population = 16
    generations = 8

    [set]                                  # other parameters, fixed for every candidate
    days = 400

    [conditions]                           # where the front fails (optimise/failures.py)
    samples = 60                           # hazard conditions, one seed each
    points = 5                             # allocations along the front tested
    outcome = "resident_days_in_need"      # default: the first outcome objective
    threshold = 150000.0                   # "fails" above it; default: baseline's median
    density = 0.8                          # the box's least share of failing conditions
    [conditions.ranges]                    # each [low, high], sampled by Latin hypercube
    intensity = [0.3, 1.0]                 # every shock's intensity
    duration = [0.5, 2.0]                  # a factor on every shock's duration
    "epidemic.transmissibility" = [0.2, 0.7]   # one shock type's own key

Every key but `levers`, `budget`, `scenarios` and `objectives` is optional, with the default
shown; without `[conditions]` no failure conditions are looked for. Objectives are minimised: planner outcomes (measures/outcomes.py; a nested one as
`unmet_need_days.housing`) or `cost` (WD per resident-year). Levers not searched keep their
default (or `[set]`) value and their cost counts against the budget too.

`load_optimisation` validates it all before anything runs: a bad file raises
OptimisationError with one line naming the file and the field, and what is allowed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from grassroots.core.io import check_keys, check_seed, read_toml
from grassroots.core.params import PARAMS, ParameterError, levers, resolve
from grassroots.scenarios import SHOCK_TYPES, Scenario, ScenarioError, load_scenario, \
    scenario_from_dict

TOP_KEYS = ("name", "description", "seed", "budget", "residents", "scenarios", "seeds",
            "objectives", "robustness", "quantile", "cost_days", "levers", "algorithm", "set",
            "conditions")
ALGORITHM_KEYS = ("name", "population", "generations")
ALGORITHMS = ("nsga2", "nsga3")
ROBUSTNESS = ("mean", "quantile", "cvar")
#: Planner outcomes that can be objectives (measures/outcomes.py), and the cost.
OUTCOME_OBJECTIVES = (
    "resident_days_in_need", "vulnerable_resident_days_in_need", "peak_residents_in_need",
    "residents_ever_in_need", "deaths", "residents_left", "displaced_resident_days",
    "residents_ever_displaced", "days_until_90pct_home", "unmet_need_days.housing",
    "unmet_need_days.health", "unmet_need_days.income", "unmet_need_days.services")
OBJECTIVES = (*OUTCOME_OBJECTIVES, "cost")


class OptimisationError(ParameterError):
    """A malformed optimisation file; the one-line message names the file and the key."""


@dataclass(frozen=True)
class Optimisation:
    """A validated optimisation file (module doc)."""

    name: str
    description: str
    path: Path | None
    seed: int
    budget: float
    residents: int
    scenarios: tuple[str, ...]
    seeds: int
    objectives: tuple[str, ...]
    robustness: str
    quantile: float
    cost_days: int
    levers: dict[str, tuple[float, float]]
    algorithm: str
    population: int
    generations: int
    fixed: dict[str, Any] = field(default_factory=dict)
    #: the failure conditions looked for after the search (optimise/failures.py), or None
    conditions: Conditions | None = None

    @property
    def lever_names(self) -> list[str]:
        return list(self.levers)

    def as_dict(self) -> dict[str, Any]:
        """What the manifest records."""
        return {"name": self.name, "description": self.description,
                "file": str(self.path) if self.path else None, "seed": self.seed,
                "budget": self.budget, "residents": self.residents,
                "scenarios": list(self.scenarios), "seeds": self.seeds,
                "objectives": list(self.objectives), "robustness": self.robustness,
                "quantile": self.quantile, "cost_days": self.cost_days,
                "levers": {k: list(v) for k, v in self.levers.items()},
                "algorithm": {"name": self.algorithm, "population": self.population,
                              "generations": self.generations},
                "set": dict(self.fixed),
                "conditions": self.conditions.as_dict() if self.conditions else None}

    def search_identity(self) -> dict[str, Any]:
        """What a resumed search must share with the one it resumes: everything but the
        file's path and the failure conditions (looked for after the search, from its
        cached runs, so they may be added or changed on --resume)."""
        return {k: v for k, v in self.as_dict().items() if k not in ("file", "conditions")}


def load_optimisation(path: str | Path) -> Optimisation:
    """Read and validate an optimisation file (module doc)."""
    path = Path(path)
    data = read_toml(path, "optimisation", OptimisationError)
    return from_dict(data, default_name=path.stem.removesuffix(".optimise"),
                     where=f"optimisation {path.name}", base=path.parent, path=path)


def from_dict(data: dict, default_name: str = "optimisation", where: str = "optimisation",
              base: Path | None = None, path: Path | None = None) -> Optimisation:
    """Validate an optimisation table (module doc); `where` names it in errors."""
    def fail(key: str, got: Any, allowed: str) -> OptimisationError:
        return OptimisationError(f"{where}: {key}: got {got!r}; allowed: {allowed}")

    check_keys(data, TOP_KEYS, where, OptimisationError)
    for key in ("budget", "scenarios", "objectives", "levers"):
        if key not in data:
            raise OptimisationError(f"{where}: {key}: missing; it is required")
    name = data.get("name", default_name)
    if not isinstance(name, str) or not name.strip() or "/" in name:
        raise fail("name", name, "a non-empty name without '/'")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise fail("description", description, "text")
    seed = check_seed(data.get("seed", 1), OptimisationError, f"{where}: seed")

    fixed_table = data.get("set", {})
    if not isinstance(fixed_table, dict):
        raise fail("set", fixed_table, "a table of parameter values ([set])")
    try:
        fixed = {k: PARAMS[k].validate(v) if k in PARAMS else resolve({k: v})[k]
                 for k, v in fixed_table.items()}
    except ParameterError as err:
        raise OptimisationError(f"{where}: set.{err}") from None

    residents = _int(data.get("residents", 1000), "residents", 10, 10_000_000, fail)
    seeds = _int(data.get("seeds", 4), "seeds", 2, 10_000, fail)
    cost_days = _int(data.get("cost_days", 365), "cost_days", 1, 36_500, fail)

    scenarios = data["scenarios"]
    if (not isinstance(scenarios, list) or not scenarios
            or not all(isinstance(s, str) for s in scenarios)):
        raise fail("scenarios", scenarios, "a non-empty list of scenario names or files")
    resolved = []
    for k, s in enumerate(scenarios):
        candidate = (base / s) if base is not None and s.endswith(".toml") else s
        try:
            load_scenario(str(candidate), horizon=fixed.get("days"))
        except ValueError as err:
            msg = str(err).splitlines()[0]
            raise OptimisationError(f"{where}: scenarios[{k}]: {msg}") from None
        resolved.append(str(candidate))
    if len(set(resolved)) != len(resolved):
        raise fail("scenarios", scenarios, "each scenario once")

    objectives = data["objectives"]
    if (not isinstance(objectives, list) or not objectives
            or not all(isinstance(o, str) for o in objectives)):
        raise fail("objectives", objectives, f"a non-empty list of: {', '.join(OBJECTIVES)}")
    for o in objectives:
        if o not in OBJECTIVES:
            raise fail("objectives", o, ", ".join(OBJECTIVES))
    if len(set(objectives)) != len(objectives):
        raise fail("objectives", objectives, "each objective once")
    if len(objectives) < 2:
        raise fail("objectives", objectives, "at least two (the search finds a front); add "
                                             "'cost' to trade an outcome against the budget")

    robustness = data.get("robustness", "mean")
    if robustness not in ROBUSTNESS:
        raise fail("robustness", robustness, ", ".join(ROBUSTNESS))
    quantile = data.get("quantile", 0.9)
    if (isinstance(quantile, bool) or not isinstance(quantile, (int, float))
            or not 0.5 <= quantile < 1.0):
        raise fail("quantile", quantile, "a number in [0.5, 1)")

    table = data["levers"]
    if not isinstance(table, dict) or not table:
        raise fail("levers", table, "a table of levers, each [low, high] ([levers])")
    lever_names = {p.name for p in levers()}
    bounds: dict[str, tuple[float, float]] = {}
    for lever, spec in table.items():
        key = f"levers.{lever}"
        if lever not in lever_names:
            from grassroots.core.io import suggest
            close = suggest(lever, sorted(lever_names))
            hint = f" (did you mean {close}?)" if close else ""
            raise OptimisationError(f"{where}: {key}: not a lever{hint}; allowed: "
                                    f"{', '.join(sorted(lever_names))}")
        if lever in fixed:
            raise OptimisationError(f"{where}: {key}: also fixed in [set]; allowed: one of "
                                    f"the two")
        param = PARAMS[lever]
        if (not isinstance(spec, list) or len(spec) != 2
                or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in spec)):
            raise fail(key, spec, f"[low, high] within {param.allowed()}")
        low, high = float(spec[0]), float(spec[1])
        try:
            param.validate(param.kind(low) if param.kind is int else low)
            param.validate(param.kind(high) if param.kind is int else high)
        except (ParameterError, ValueError):
            raise fail(key, spec, f"[low, high] within {param.allowed()}") from None
        if not (math.isfinite(low) and math.isfinite(high)) or not low < high:
            raise fail(key, spec, f"[low, high] with low < high, within {param.allowed()}")
        bounds[lever] = (low, high)

    algo = data.get("algorithm", {})
    if not isinstance(algo, dict):
        raise fail("algorithm", algo, "a table with name, population, generations")
    check_keys(algo, ALGORITHM_KEYS, f"{where}: algorithm", OptimisationError)
    algorithm = algo.get("name", "nsga2")
    if algorithm not in ALGORITHMS:
        raise fail("algorithm.name", algorithm, ", ".join(ALGORITHMS))
    population = _int(algo.get("population", 16), "algorithm.population", 4, 10_000, fail)
    generations = _int(algo.get("generations", 8), "algorithm.generations", 1, 100_000, fail)

    budget = data["budget"]
    if isinstance(budget, bool) or not isinstance(budget, (int, float)) \
            or not math.isfinite(budget) or budget <= 0:
        raise fail("budget", budget, "a number > 0 (WD per resident-year)")
    opt = Optimisation(
        name=name.strip(), description=description, path=path, seed=seed,
        budget=float(budget), residents=residents, scenarios=tuple(resolved), seeds=seeds,
        objectives=tuple(objectives), robustness=robustness, quantile=float(quantile),
        cost_days=cost_days, levers=bounds, algorithm=algorithm, population=population,
        generations=generations, fixed=fixed)
    if "conditions" in data:
        opt = replace(opt, conditions=conditions_from_dict(data["conditions"], opt, where))
    from grassroots.optimise.budget import Budget  # the cost model of this search

    cheapest = Budget(opt).cheapest_cost()
    if cheapest > opt.budget:
        raise fail("budget", budget, f"at least {cheapest:.4g}, the cost of the cheapest "
                                     f"allocation within the levers' bounds (every other "
                                     f"lever at its default or [set] value)")
    return opt


CONDITION_KEYS = ("samples", "points", "outcome", "threshold", "density", "ranges")
#: the widest duration factor allowed: a week's flood may last at most 20 weeks
MAX_DURATION_FACTOR = 20.0


@dataclass(frozen=True)
class Conditions:
    """The `[conditions]` table of an optimisation file: what optimise/failures.py samples
    and how it judges a failure (its module doc)."""

    samples: int
    points: int
    outcome: str
    threshold: float | None
    density: float
    ranges: dict[str, tuple[float, float]]
    #: the `<type>.<key>` ranges whose key takes whole numbers
    integer: frozenset[str] = frozenset()

    def as_dict(self) -> dict[str, Any]:
        return {"samples": self.samples, "points": self.points, "outcome": self.outcome,
                "threshold": self.threshold, "density": self.density,
                "ranges": {k: list(v) for k, v in self.ranges.items()}}


def conditions_from_dict(table: Any, opt, where: str):
    """Validate the `[conditions]` table of optimisation `opt` (optimise/failures.py)."""
    def fail(key: str, got: Any, allowed: str) -> OptimisationError:
        return OptimisationError(f"{where}: conditions.{key}: got {got!r}; allowed: {allowed}")

    if not isinstance(table, dict):
        raise OptimisationError(f"{where}: conditions: got {table!r}; allowed: a table "
                                f"([conditions])")
    check_keys(table, CONDITION_KEYS, f"{where}: conditions", OptimisationError)
    samples = _int(table.get("samples", 60), "samples", 10, 100_000, fail)
    points = _int(table.get("points", 5), "points", 1, 100, fail)
    outcomes = [o for o in opt.objectives if o != "cost"]
    outcome = table.get("outcome", outcomes[0] if outcomes else "resident_days_in_need")
    if outcome not in OUTCOME_OBJECTIVES:
        raise fail("outcome", outcome, ", ".join(OUTCOME_OBJECTIVES))
    threshold = table.get("threshold")
    if threshold is not None and (isinstance(threshold, bool)
                                  or not isinstance(threshold, (int, float))
                                  or not math.isfinite(threshold) or threshold < 0):
        raise fail("threshold", threshold, f"a number >= 0 in the unit of {outcome}, or "
                                           f"leave it out (the baseline package's median)")
    density = table.get("density", 0.8)
    if isinstance(density, bool) or not isinstance(density, (int, float)) \
            or not 0 < density <= 1:
        raise fail("density", density, "a number in (0, 1]")

    ranges_table = table.get("ranges", {})
    if not isinstance(ranges_table, dict):
        raise fail("ranges", ranges_table, "a table of [low, high] ([conditions.ranges])")
    if not ranges_table and len(opt.scenarios) < 2:
        raise fail("ranges", ranges_table, "at least one range when there is one scenario "
                                           "(else every condition is the same hazard)")
    hazards = [load_scenario(s, horizon=opt.fixed.get("days")) for s in opt.scenarios]
    kinds = {shock.kind for h in hazards for shock in h.shocks}
    ranges: dict[str, tuple[float, float]] = {}
    integer = set()
    for key, spec in ranges_table.items():
        k = f"ranges.{key}"
        if (not isinstance(spec, list) or len(spec) != 2
                or any(isinstance(v, bool) or not isinstance(v, (int, float))
                       or not math.isfinite(v) for v in spec) or not spec[0] < spec[1]):
            raise fail(k, spec, "[low, high] with low < high")
        low, high = float(spec[0]), float(spec[1])
        if key == "intensity":
            if not 0 <= low < high <= 1:
                raise fail(k, spec, "[low, high] within [0, 1]")
        elif key == "duration":
            if not 0 < low < high <= MAX_DURATION_FACTOR:
                raise fail(k, spec, f"[low, high], factors within (0, {MAX_DURATION_FACTOR:g}]")
        else:
            kind, _, name = key.partition(".")
            if kind not in SHOCK_TYPES or not name:
                raise fail(k, key, "intensity, duration, or <type>.<key> with a type of "
                                   f"{', '.join(SHOCK_TYPES)}")
            if kind not in kinds:
                raise fail(k, key, f"a shock type the scenarios have ({', '.join(sorted(kinds))})")
            allowed = sorted({"intensity", *SHOCK_TYPES[kind].keys})
            if name not in allowed:
                raise fail(k, key, f"a key of {kind} shocks: "
                                   f"{', '.join(f'{kind}.{a}' for a in allowed)}")
        # the scenario reader checks the changed shocks at both ends of the range; for a
        # shock type's own key, its validator also says whether it takes whole numbers
        for value in (low, high):
            for whole in (False, True):
                try:
                    apply_ranges(hazards, {key: value}, frozenset({key} if whole else ()), where)
                    break
                except ScenarioError as err:
                    if whole or key in ("intensity", "duration"):
                        raise fail(k, spec, str(err).split("allowed: ")[-1]) from None
                    integer.add(key)
        ranges[key] = (low, high)
    return Conditions(samples, points, outcome,
                      None if threshold is None else float(threshold), float(density),
                      ranges, frozenset(integer))


def apply_ranges(hazards: list[Scenario], values: dict[str, float], integer: frozenset[str],
           where: str) -> list[Scenario]:
    """The scenarios with their shocks changed by `values` (a value per range of the
    `[conditions]` table, optimise/failures.py); validated by the scenario reader itself."""
    out = []
    for h in hazards:
        d = h.as_dict()
        for shock in d["shocks"]:
            for key, v in values.items():
                if key == "intensity":
                    shock["intensity"] = float(v)
                elif key == "duration":
                    shock["duration"] = max(1, int(round(shock["duration"] * v)))
                else:
                    kind, _, name = key.partition(".")
                    if shock["type"] == kind:
                        shock[name] = int(round(v)) if key in integer else float(v)
        out.append(scenario_from_dict(d, h.name, where=f"{where}: conditions"))
    return out


def _int(value: Any, key: str, low: int, high: int, fail) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise fail(key, value, f"an integer in [{low}, {high}]")
    return value
