"""The dashboard's state, without any user interface: settings, the running models, frames.

Everything here is plain Python so it can be tested and benchmarked without a browser:

- the controls are generated from the one parameter declaration (core/params.py): each
  declared parameter becomes one control, in its group, with its declared bounds, unit and
  sentence; nothing here repeats a default or a bound;
- `Settings` is what the controls say (seed, scenario, policy package, every parameter,
  comparison on or off); a policy package fills the lever controls with its levers (defaults
  elsewhere), a scenario fills the horizon with the one it asks for;
- `Simulation` builds the models through `make_model` (the one entry point) and steps them
  together: the chosen run; with comparison on, the `baseline` package on the same seed,
  scenario and community; and for each of them the twin with every prevention lever off that
  the prevention indicator needs (as `run` does);
- `Frame` is an immutable snapshot of one day, which is all the views draw from.
"""

from __future__ import annotations

import itertools
import math
import os
import threading
from pathlib import Path
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from grassroots.core.params import GROUPS, PARAMS, Param, ParameterError, by_group, defaults
from grassroots.policies import LEVER_GROUPS, load_policy, shipped_policies
from grassroots.core.io import check_seed
from grassroots.measures.comparison import paired_comparison
from grassroots.measures.neighbourhoods import by_neighbourhood
from grassroots.model.run import Run, run, timeseries
from grassroots.scenarios import ScenarioError, load_scenario, shipped
from grassroots.dashboard.layout import Layout, layout_for

#: Control panels in the order shown: the community, the five capacities, then (collapsed)
#: the run settings and the constants of the mechanisms.
PANELS = (
    ("community", "Community"),
    ("prevention", "1 · Prevention"),
    ("resistance", "2 · Resistance"),
    ("adaptability", "3 · Adaptability"),
    ("recovery", "4 · Recovery (multi-party mobilisation)"),
    ("learning", "5 · Learning (creativity)"),
)
ADVANCED_PANELS = (("run", "Run settings"), ("dynamics", "Mechanism constants"),
                   ("shocks", "Shock constants"))
assert {g for g, _ in PANELS + ADVANCED_PANELS} == set(GROUPS)

DEFAULT_SCENARIO = "flood"
DEFAULT_POLICY = "baseline"
BASELINE = "baseline"
#: A slider is offered only where it can be used: a range at most this many times the
#: default's size (`residents` from 10 to 2,000,000 gets a number field only).
SLIDER_SPAN = 100
#: Communities above this size get a warning that steps will be slow.
LARGE_COMMUNITY = 20_000
#: Frame versions, unique in the process (the views memoise on them).
_versions = itertools.count(1)
#: what the map can colour the neighbourhoods by (measures/neighbourhoods.py)
MAP_OUTCOMES = ("at_home", "in_need", "function")
NEED_STATES = ("needs met", "in need, known", "in need, not yet known", "displaced",
               "died or left")


# -- controls ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Control:
    """One control, derived from one declared parameter."""

    param: Param
    slider: bool  # a slider with a typed field beside it; else the typed field alone
    step: float

    @property
    def name(self) -> str:
        return self.param.name

    @property
    def label(self) -> str:
        return self.param.name.replace("_", " ").capitalize()

    @property
    def help(self) -> str:
        p = self.param
        return f"{p.doc} Unit: {p.unit}. Allowed: {p.allowed()}. Default: {p.default}."


def control_for(param: Param) -> Control:
    """A slider where the declared range is usable as one and a decimal step puts the default
    on the grid (a default such as 1/3 gets the typed field alone)."""
    lo, hi, default = param.low, param.high, param.default
    if lo is None or hi is None:
        return Control(param, False, 1 if param.kind is int else 0.01)
    span = hi - lo
    on_grid = True
    if param.kind is int:
        step: float = 1
    else:
        step = 10.0 ** math.floor(math.log10(span / 100.0))
        while step > 1e-6 and not _on_grid(default - lo, step):
            step /= 10.0
        on_grid = _on_grid(default - lo, step)
        step = float(f"{step:.6g}")
    slider = on_grid and span <= SLIDER_SPAN * max(1.0, abs(default))
    return Control(param, slider, step)


def _on_grid(x: float, step: float) -> bool:
    k = x / step
    return abs(k - round(k)) < 1e-6


def controls(group: str) -> list[Control]:
    return [control_for(p) for p in by_group(group)]


def scenario_choices() -> list[str]:
    return ["none", *shipped()]


#: the synthetic community (no community file)
SYNTHETIC = "synthetic"


def community_choices() -> dict[str, Path | None]:
    """Name -> community file of the communities the picker offers: the synthetic one, the
    shipped examples (community/examples/*/*.toml) and the community files directly inside
    the folders the server was started with (`grassroots dashboard --communities DIR`,
    passed as GRASSROOTS_COMMUNITIES). Only these are ever read."""
    from grassroots.community.geo import EXAMPLES
    from grassroots.dashboard.serve import COMMUNITIES_ENV

    found: dict[str, Path | None] = {SYNTHETIC: None}
    folders = [*sorted(p for p in EXAMPLES.iterdir() if p.is_dir()),
               *(Path(d) for d in os.environ.get(COMMUNITIES_ENV, "").split(os.pathsep)
                 if d.strip())]
    for folder in folders:
        if folder.is_dir():
            for f in sorted(folder.glob("*.toml")):
                found.setdefault(f.stem, f)
    return found


def policy_choices() -> list[str]:
    return list(shipped_policies())


def lever_names() -> list[str]:
    return [p.name for g in LEVER_GROUPS for p in by_group(g)]


def policy_levers(policy: str) -> dict[str, Any]:
    """Every lever as the package sets it: its levers, the declared defaults elsewhere."""
    levers = load_policy(policy).levers
    base = defaults()
    return {name: levers.get(name, base[name]) for name in lever_names()}


def scenario_days(scenario: str) -> int:
    """The horizon a scenario asks for, else the declared default."""
    days = load_scenario(scenario).days
    return int(days) if days else PARAMS["days"].default


def validate_seed(value: Any) -> int:
    """The seed field: the one seed rule of every surface (grassroots.core.io.check_seed)."""
    return check_seed(value, ParameterError)


# -- settings ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Settings:
    """What the controls say. `values` holds every declared parameter, validated."""

    seed: int = 0
    scenario: str = DEFAULT_SCENARIO
    policy: str = DEFAULT_POLICY
    values: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    compare: bool = False
    community: str = SYNTHETIC  # a name community_choices() offers

    @classmethod
    def initial(cls, scenario: str = DEFAULT_SCENARIO, policy: str = DEFAULT_POLICY,
                seed: int = 0, compare: bool = False) -> Settings:
        values = {**defaults(), **policy_levers(policy), "days": scenario_days(scenario)}
        return cls(seed, scenario, policy, MappingProxyType(values), compare)

    def with_value(self, name: str, value: Any) -> Settings:
        """The settings with one parameter changed; raises ParameterError if it is invalid."""
        param = PARAMS[name]
        checked = param.parse(value) if isinstance(value, str) else param.validate(value)
        return self._replace(values={**self.values, name: checked})

    def with_policy(self, policy: str) -> Settings:
        """Pick a policy package: it fills every lever control."""
        if policy not in shipped_policies():
            raise ParameterError(f"policy: got {policy!r}; allowed: one of "
                                 f"{', '.join(shipped_policies())}")
        return self._replace(policy=policy,
                             values={**self.values, **policy_levers(policy)})

    def with_scenario(self, scenario: str) -> Settings:
        """Pick a scenario: it fills the horizon with the one it asks for."""
        if scenario not in scenario_choices():
            raise ScenarioError(f"scenario: got {scenario!r}; allowed: one of "
                                f"{', '.join(scenario_choices())}")
        return self._replace(scenario=scenario,
                             values={**self.values, "days": scenario_days(scenario)})

    def with_seed(self, seed: Any) -> Settings:
        return self._replace(seed=validate_seed(seed))

    def with_compare(self, compare: bool) -> Settings:
        return self._replace(compare=bool(compare))

    def with_community(self, community: str) -> Settings:
        """Pick a community: the synthetic one or a community file the picker offers (a
        name; a path or any other name is refused, and nothing is read)."""
        choices = community_choices()
        if not isinstance(community, str) or community not in choices:
            raise ParameterError(f"community: got {community!r}; allowed: one of "
                                 f"{', '.join(choices)}")
        return self._replace(community=community)

    def community_file(self) -> str | None:
        """The community file of the chosen community (None: the synthetic one)."""
        f = community_choices().get(self.community)
        return None if f is None else str(f)

    def _replace(self, **changes) -> Settings:
        data = {"seed": self.seed, "scenario": self.scenario, "policy": self.policy,
                "values": self.values, "compare": self.compare,
                "community": self.community, **changes}
        data["values"] = MappingProxyType(dict(data["values"]))
        return Settings(**data)

    def params(self) -> dict[str, Any]:
        return dict(self.values)

    def baseline_params(self) -> dict[str, Any]:
        """The comparison run: the same community, run settings and mechanism constants;
        every lever as the baseline package sets it."""
        return {**self.params(), **policy_levers(BASELINE)}

    def modified_levers(self) -> list[str]:
        """Levers set differently from the chosen package."""
        package = policy_levers(self.policy)
        return [n for n in lever_names() if self.values[n] != package[n]]

    def policy_label(self) -> str:
        changed = self.modified_levers()
        return f"{self.policy} (modified: {len(changed)} lever{'s' * (len(changed) != 1)})" \
            if changed else self.policy

    def key(self) -> tuple:
        return (self.seed, self.scenario, self.policy, tuple(sorted(self.values.items())),
                self.compare, self.community)


# -- frames -----------------------------------------------------------------------------
@dataclass(frozen=True)
class RunView:
    """One run at the current day: its curves so far, its summary so far."""

    label: str
    ts: pd.DataFrame
    summary: dict

    @property
    def metrics(self) -> dict:
        return self.summary["metrics"]

    @property
    def capacities(self) -> dict:
        return self.summary["capacities"]


@dataclass(frozen=True)
class Frame:
    """An immutable snapshot of one day: everything the views draw."""

    version: int
    settings: Settings
    day: int
    days: int
    windows: tuple  # (onset, end, kind) of each shock, end exclusive
    main: RunView
    baseline: RunView | None
    layout: Layout
    function: np.ndarray  # per sampled resident, 0-1
    need: np.ndarray  # per sampled resident, index into NEED_STATES
    tie_working: np.ndarray  # per sampled tie
    departments: np.ndarray  # working capacity, 0-1, of each department
    teams: np.ndarray  # active share of each volunteer team (last: the committee's)
    enterprises: np.ndarray  # capacity, 0-1, of each enterprise
    plan_quality: float
    reserve_share: float  # community reserve left, share of full
    #: with a community file: outcome -> a value per neighbourhood (measures/
    #: neighbourhoods.py MAP_OUTCOMES), else None
    neighbourhoods: dict | None = None

    @property
    def done(self) -> bool:
        return self.day >= self.days


def _view(run: Run) -> RunView:
    """A run so far, as the views draw it."""
    return RunView(run.label, timeseries(run.model), run.summary())


class Simulation:
    """The models of one dashboard session, stepped in lock-step under one lock."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.lock = threading.RLock()
        # Each run (and its prevention-off twin) steps through the same Run that `run()`
        # uses (model/run.py), so the dashboard's numbers are the CLI's numbers.
        self.community_file = settings.community_file()
        self.main = Run(settings.params(), settings.seed, settings.scenario, settings.policy,
                        network=self.community_file, label=settings.policy_label())
        self.baseline = (Run(settings.baseline_params(), settings.seed, settings.scenario,
                             BASELINE, network=self.community_file, label=BASELINE)
                         if settings.compare else None)
        m = self.main.model
        self.days = self.main.days
        self.layout = layout_for(m, settings.seed)
        self._enrolled = np.maximum(np.asarray(m.team_enrolled, float), 1.0)
        self._has_team = np.asarray(m.team_enrolled) > 0

    @property
    def model(self):
        return self.main.model

    @property
    def day(self) -> int:
        return self.main.day

    @property
    def done(self) -> bool:
        return self.main.done

    def step(self, days: int = 1) -> int:
        """Advance every run by up to `days` days (never past the horizon); returns the
        number of days stepped."""
        with self.lock:
            n = self.main.step(days)
            if self.baseline is not None:
                self.baseline.step(n)
            return n

    def frame(self) -> Frame:
        """Snapshot the current day (copies: the views never read a model being stepped)."""
        with self.lock:
            m, lay = self.model, self.layout
            pop = m.residents
            s = lay.sample
            need = np.zeros(len(s), np.int8)
            in_need = np.asarray(m.in_need, bool)[s]
            need[in_need & pop.known[s]] = 1
            need[in_need & ~pop.known[s]] = 2
            need[pop.displaced[s]] = 3
            need[~pop.present[s]] = 4
            working = m.ties.strength[lay.ties] >= m.ties.working_threshold
            teams = np.where(self._has_team, m.team_active / self._enrolled, np.nan)
            reserve_full = m.committee.reserve_full
            windows = tuple((s_.onset, s_.onset + s_.duration, s_.kind)
                            for s_ in m.shock_scenario.shocks)
            return Frame(
                version=next(_versions), settings=self.settings, day=self.day, days=self.days,
                windows=windows,
                main=_view(self.main),
                baseline=(_view(self.baseline) if self.baseline else None),
                layout=lay, function=np.array(m.function, float)[s], need=need,
                tie_working=working, departments=np.array(m.department_capacity, float),
                teams=teams, enterprises=np.array(m.enterprise_capacity, float),
                plan_quality=float(m.committee.plan_quality),
                reserve_share=(float(m.committee.reserve / reserve_full)
                               if reserve_full > 0 else float("nan")),
                neighbourhoods=({k: by_neighbourhood(m, k) for k in MAP_OUTCOMES}
                                if self.community_file else None),
            )


# -- comparison over seeds ----------------------------------------------------------------
#: Seeds a comparison over seeds runs by default, and the most the dashboard runs.
COMPARE_SEEDS = 12
MAX_COMPARE_SEEDS = 50
#: What the comparison over seeds shows, in order: (measure, label). The measures are rows of
#: measures/comparison.py's paired_comparison; the planner outcomes lead.
SEED_MEASURES = (
    ("outcomes.resident_days_in_need", "resident-days in need"),
    ("outcomes.vulnerable_resident_days_in_need", "… of vulnerable residents"),
    ("outcomes.peak_residents_in_need", "peak residents in need"),
    ("outcomes.deaths", "deaths"),
    ("outcomes.residents_left", "residents who left for good"),
    ("outcomes.displaced_resident_days", "displaced resident-days"),
    ("outcomes.days_until_90pct_home", "days until 90% of the displaced are home"),
    ("outcomes.unmet_need_days.housing", "housing unmet-need-days"),
    ("outcomes.unmet_need_days.health", "health unmet-need-days"),
    ("outcomes.unmet_need_days.income", "income unmet-need-days"),
    ("outcomes.unmet_need_days.services", "services unmet-need-days"),
    ("costs.per_resident_year", "cost, WD per resident-year"),
    ("combined.loss_of_resilience", "combined loss of resilience (quality-days)"),
    ("combined.resilience_index", "combined resilience index"),
    ("structure.loss_of_resilience", "structure loss"),
    ("function.loss_of_resilience", "function loss"),
    ("relationship.loss_of_resilience", "relationship loss"),
)


def seed_comparison(settings: Settings, n_seeds: int,
                    progress: Any = None) -> list[dict[str, Any]]:
    """The chosen settings against the baseline package, paired on `n_seeds` seeds (the
    chosen seed and the ones after it), each run to the horizon through `run()` — the
    numbers `grassroots compare` gives for the same inputs. Returns the rows of
    SEED_MEASURES from measures/comparison.py (means, difference package − baseline, its
    95% interval over seeds, verdict), each with its `label`. `progress(done, total)` is
    called after every seed. Raises ParameterError for a number of seeds outside
    [2, MAX_COMPARE_SEEDS]."""
    n = int(n_seeds)
    if not 2 <= n <= MAX_COMPARE_SEEDS:
        raise ParameterError(f"seeds: got {n_seeds!r}; allowed: an integer in "
                             f"[2, {MAX_COMPARE_SEEDS}]")
    chosen, base = [], []
    for k in range(n):
        seed = settings.seed + k
        network = settings.community_file()
        chosen.append(run(settings.params(), seed=seed, scenario=settings.scenario,
                          policy=settings.policy, network=network, indicators=False).summary)
        base.append(run(settings.baseline_params(), seed=seed, scenario=settings.scenario,
                        policy=BASELINE, network=network, indicators=False).summary)
        if progress is not None:
            progress(k + 1, n)
    rows = {r["measure"]: r for r in paired_comparison(base, chosen)}
    return [{**rows[m], "label": label} for m, label in SEED_MEASURES if m in rows]
