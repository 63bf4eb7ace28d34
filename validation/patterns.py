"""The vocabulary of the validation suite: settings, checks, patterns and their registry.

A *pattern* is something observed in real disasters and published with numbers (who rescued
whom after an earthquake, how fast the displaced returned, ...). Its `measure(settings)` RUNS
THE MODEL (through `run_models`, hence `grassroots.model.run.run`, the one entry point) and
computes its `Check`s from the runs' time series: the expected numbers live only in the
checks' bounds and in the reference the figure draws beside the model's curve, never in the
model or in what is measured.

    Settings   how big the suite runs: quick or full, seeds per pattern, community size,
               worker processes, the master seed
    Check      one number the model produced, a comparison and its bound(s); passed or not
    Measured   what one pattern's measurement returns: its checks, named values, a figure
    Pattern    name, title, reference, source, tolerance and the measurement
    PATTERNS   the ordered registry (`register` adds to it; `select` picks by name)

Seeds: run k (k = 0 .. seeds - 1) of the pattern named P gets
`SeedSequence(master_seed, spawn_key=(crc32(P), k))`, whose first 64-bit word shifted to 63
bits is the run's integer seed (the sweeps' rule, `grassroots.sweeps.experiment.spawn_seed`,
with the pattern's name in the spawn key). So a pattern's runs depend only on the master seed,
its name and the settings: not on which other patterns are registered or selected (`--only`),
nor on the number of workers. A pattern that measures other numbers of the same runs as
another (`Pattern.seeds_from`) names that pattern instead: it gets the same seeds, and
`run_models`' cache runs them once per suite run.
"""

from __future__ import annotations

import functools
import math
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grassroots.core.io import check_seed
from grassroots.core.params import PARAMS

__all__ = ["FULL", "PATTERNS", "QUICK", "Check", "Measured", "ModelRun", "Pattern",
           "PatternError", "Settings", "SettingsError", "UnknownPattern", "clear_cache",
           "parallel_map", "register", "run_models", "run_seeds", "select", "timeseries_of"]

#: Defaults of the two sizes. Quick: the CI run, about a minute on two workers, the
#: smallest size at which every pattern's pooled measures are stable enough to pass (the
#: social-capital regression needs its neighbourhoods of 100 in communities of 2,000; at 5
#: seeds of 500 residents three patterns failed by sampling noise alone); full: the
#: committed report (`make validate`), twice the seeds.
QUICK = {"seeds": 10, "residents": 2000}
FULL = {"seeds": 20, "residents": 2000}


class SettingsError(ValueError):
    """Settings out of range: one line naming the field and what is allowed."""


class PatternError(RuntimeError):
    """A pattern that cannot be measured (the model lacks what it needs, a run failed): one
    line naming the pattern. Not a failed check: nothing is written."""


class UnknownPattern(ValueError):
    """A pattern name that is not registered: one line naming it and the registered names."""


@dataclass(frozen=True)
class Settings:
    """How big the suite runs.

    `seeds` and `residents` default by `quick`: QUICK (10 seeds of 2,000 residents) or FULL (20
    seeds of 2,000 residents). `workers` > 1 runs each pattern's model runs in that many local
    processes (the sweeps' process pool); results do not depend on it. `master_seed` is the
    seed every run's seed is spawned from (module docstring).
    """

    quick: bool = False
    seeds: int | None = None
    residents: int | None = None
    workers: int = 1
    master_seed: int = 0

    def __post_init__(self):
        size = QUICK if self.quick else FULL
        if self.seeds is None:
            object.__setattr__(self, "seeds", size["seeds"])
        if self.residents is None:
            object.__setattr__(self, "residents", size["residents"])
        for name in ("seeds", "workers"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise SettingsError(f"{name}: got {value!r}; allowed: an integer >= 1")
        res = PARAMS["residents"]
        if isinstance(self.residents, bool) or not isinstance(self.residents, int) \
                or not res.low <= self.residents <= res.high:
            raise SettingsError(f"residents: got {self.residents!r}; allowed: {res.allowed()}")
        object.__setattr__(self, "master_seed",
                           check_seed(self.master_seed, SettingsError, "master_seed"))

    def as_dict(self) -> dict:
        return {"quick": self.quick, "seeds": self.seeds, "residents": self.residents,
                "workers": self.workers, "master_seed": self.master_seed}


COMPARISONS = ("<=", ">=", "within")


@dataclass(frozen=True)
class Check:
    """One measured number against its bound: `value <= bound`, `value >= bound`, or
    `low <= value <= high` for "within" (bound = (low, high)). A value that is not a number
    (NaN: say a share of nothing) never passes. `fmt` formats value and bounds for reading."""

    name: str
    value: float
    comparison: str
    bound: float | tuple[float, float]
    fmt: str = "{:.3g}"
    passed: bool = field(init=False)

    def __post_init__(self):
        if self.comparison not in COMPARISONS:
            raise ValueError(f"check {self.name}: comparison {self.comparison!r}; allowed: "
                             f"{', '.join(COMPARISONS)}")
        value = float(self.value)
        object.__setattr__(self, "value", value)
        if self.comparison == "within":
            low, high = (float(b) for b in self.bound)
            object.__setattr__(self, "bound", (low, high))
            ok = low <= value <= high
        else:
            object.__setattr__(self, "bound", float(self.bound))
            ok = value <= self.bound if self.comparison == "<=" else value >= self.bound
        object.__setattr__(self, "passed", bool(ok) and not math.isnan(value))

    def bound_text(self) -> str:
        if self.comparison == "within":
            low, high = self.bound
            return f"within [{self.fmt.format(low)}, {self.fmt.format(high)}]"
        return f"{self.comparison} {self.fmt.format(self.bound)}"

    def text(self) -> str:
        """`name value (bound)`, e.g. `professional share 1.2% (<= 5.0%)`."""
        return f"{self.name} {self.fmt.format(self.value)} ({self.bound_text()})"

    def as_dict(self) -> dict:
        value = None if math.isnan(self.value) else self.value
        bound = list(self.bound) if self.comparison == "within" else self.bound
        return {"name": self.name, "value": value, "comparison": self.comparison,
                "bound": bound, "passed": self.passed}


@dataclass
class Measured:
    """What a pattern's measurement returns.

    checks: the pattern passes when every check does (and it has at least one).
    values: named numbers worth reporting (floats), e.g. each rescuer's share.
    figure: draws the model's curve or distribution beside the reference, called as
        `figure(ax)` — or `figure(ax_1, ..., ax_n)` with `panels = n` Axes side by side.
    """

    checks: list[Check]
    values: dict[str, float]
    figure: Callable[..., None]
    panels: int = 1

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)


@dataclass(frozen=True)
class Pattern:
    """A published pattern and how the model is measured against it.

    name: a slug (file names, `--only`); title: a short heading; reference: one sentence with
    the published numbers; source: the full citation; tolerance: in words, what the checks
    accept; measure: `measure(settings) -> Measured`, which runs the model; seeds_from: the
    name of the pattern whose seeds its runs use (they share runs), None for its own.
    """

    name: str
    title: str
    reference: str
    source: str
    tolerance: str
    measure: Callable[[Settings], Measured]
    seeds_from: str | None = None

    @property
    def seed_name(self) -> str:
        """The name its runs' seeds are spawned from (`run_seeds`)."""
        return self.seeds_from or self.name

    def __post_init__(self):
        import re

        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", self.name):
            raise ValueError(f"pattern name {self.name!r}: allowed: a slug of lower-case "
                             "letters, digits, - and _")


#: The registry, in the order the report lists the patterns. Modules add theirs with
#: `register` when grassroots.validation imports them.
PATTERNS: list[Pattern] = []


def register(pattern: Pattern) -> Pattern:
    """Add a pattern to PATTERNS (a name may be registered once)."""
    if any(p.name == pattern.name for p in PATTERNS):
        raise ValueError(f"pattern {pattern.name!r} is registered already")
    PATTERNS.append(pattern)
    return pattern


def select(only: Iterable[str] | None = None,
           patterns: Sequence[Pattern] | None = None) -> list[Pattern]:
    """The patterns named in `only` (in registry order; all when None), or UnknownPattern
    naming the first unknown name and the registered ones."""
    patterns = list(PATTERNS if patterns is None else patterns)
    if only is None:
        return patterns
    wanted = list(dict.fromkeys(only))
    names = [p.name for p in patterns]
    for name in wanted:
        if name not in names:
            from grassroots.core.io import suggest

            close = suggest(name, names)
            hint = f" (did you mean {close!r}?)" if close else ""
            allowed = ", ".join(names) if names else "none registered"
            raise UnknownPattern(f"--only: unknown pattern {name!r}{hint}; allowed: {allowed}")
    return [p for p in patterns if p.name in wanted]


# -- running the model ----------------------------------------------------------------------
def run_seeds(settings: Settings, pattern: str) -> list[int]:
    """The seeds of a pattern's runs (module docstring)."""
    key = zlib.crc32(pattern.encode("utf-8"))
    return [int(np.random.SeedSequence(settings.master_seed, spawn_key=(key, k))
                .generate_state(1, np.uint64)[0] >> np.uint64(1))
            for k in range(settings.seeds)]


def _indexed(job: tuple[Callable, int, Any]) -> tuple[int, Any]:
    fn, index, item = job
    return index, fn(item)


def parallel_map(fn: Callable, items: Sequence, workers: int = 1) -> list:
    """`[fn(item) for item in items]`, in that order, run by the sweeps' executors: in this
    process for one worker, else a local process pool (`fn` must be a module-level function
    and the items picklable). The results do not depend on `workers`."""
    from grassroots.sweeps.executors import make_executor

    items = list(items)
    out: list = [None] * len(items)
    jobs = [(fn, k, item) for k, item in enumerate(items)]
    with make_executor(workers=min(workers, max(1, len(items)))) as executor:
        for done in executor.run(_indexed, jobs):
            if done is not None:  # the pools yield None while no run has finished
                index, result = done
                out[index] = result
    return out


@dataclass(frozen=True)
class ModelRun:
    """One run a pattern asks for (picklable, for the pool)."""

    scenario: str
    seed: int
    params: dict
    policy: str = "baseline"

    def model(self):
        """The model this run describes, built and not yet stepped (`make_model`)."""
        from grassroots.model.run import make_model

        return make_model(dict(self.params), seed=self.seed, scenario=self.scenario,
                          policy=self.policy)

    def result(self):
        """The run to its horizon (`grassroots.model.run.run`, no prevention-off twin)."""
        from grassroots.model.run import run

        return run(dict(self.params), seed=self.seed, scenario=self.scenario,
                   policy=self.policy, indicators=False)


def timeseries_of(job: ModelRun):
    """The default `collect` of run_models: the run's daily table."""
    return job.result().timeseries


def run_models(settings: Settings, pattern: str, scenario: str, params: dict | None = None,
               policy: str = "baseline", collect: Callable[[ModelRun], Any] = timeseries_of
               ) -> list:
    """Run the model `settings.seeds` times (seeds `run_seeds(settings, pattern)`, the
    settings' community size unless `params` sets `residents`) and return what `collect`
    returns for each run — by default its daily table (`RunResult.timeseries`) — in seed
    order. The prevention-off twin is not run.

    collect: a module-level function (the pool pickles it) of a `ModelRun` that runs it —
        `job.result()` to the horizon, or `job.model()` stepped as far as it needs — and
        returns something picklable: the numbers a pattern needs beyond the time series.

    The results are cached (`clear_cache`): patterns that ask for the same runs (settings,
    seed name, scenario, parameters, policy and collect) share one set of runs within a
    suite run. They are shared objects: read them, never change them.
    """
    params = {"residents": settings.residents, **(params or {})}
    return list(_cached_runs(settings, pattern, scenario, tuple(sorted(params.items())),
                             policy, collect))


@functools.lru_cache(maxsize=32)
def _cached_runs(settings: Settings, pattern: str, scenario: str, params: tuple,
                 policy: str, collect: Callable) -> tuple:
    jobs = [ModelRun(scenario, seed, dict(params), policy)
            for seed in run_seeds(settings, pattern)]
    return tuple(parallel_map(collect, jobs, settings.workers))


def clear_cache() -> None:
    """Forget the cached runs of run_models (run_suite does, before and after)."""
    _cached_runs.cache_clear()
