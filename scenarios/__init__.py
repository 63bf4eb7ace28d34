"""Shock types and scenario files.

A scenario is a TOML file: a `name`, a one-line `description`, optionally `days` (the horizon
the scenario needs, used unless the user sets one), and `[[shocks]]` tables, each
with `type` (a shock type below), `onset` (day, 1..horizon), `duration` (days; default per
type: flood 7, earthquake 3, heatwave 10, economic 180, epidemic 1),
`intensity` (0-1), optional `neighbourhoods` (list of indices; default: all, weighted by
exposure) and the type's own keys. The shipped scenarios live beside this file; `none` is the
empty scenario (no shock).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grassroots.core.io import check_keys, named_or_file, read_toml
from grassroots.scenarios.base import ScenarioError, Shock
from grassroots.scenarios.earthquake import Earthquake
from grassroots.scenarios.economic import EconomicShock
from grassroots.scenarios.epidemic import Epidemic
from grassroots.scenarios.flood import Flood
from grassroots.scenarios.heatwave import Heatwave

SHOCK_TYPES: dict[str, type[Shock]] = {
    cls.kind: cls for cls in (Flood, Epidemic, Earthquake, Heatwave, EconomicShock)
}
HERE = Path(__file__).parent
TOP_KEYS = {"name", "description", "days", "shocks"}
MAX_DAYS = 3650


@dataclass
class Scenario:
    name: str
    description: str
    shocks: list[Shock] = field(default_factory=list)
    days: int | None = None  # horizon the scenario asks for, if any

    def as_dict(self) -> dict:
        d = {"name": self.name, "description": self.description,
             "shocks": [s.as_dict() for s in self.shocks]}
        if self.days is not None:
            d["days"] = self.days
        return d

    def windows(self) -> list[tuple[int, int]]:
        """(onset, end) day of each shock, end exclusive."""
        return [(s.onset, s.onset + s.duration) for s in self.shocks]

    def check_horizon(self, days: int) -> None:
        """Every shock must start within the horizon."""
        for k, s in enumerate(self.shocks):
            if s.onset > days:
                raise ScenarioError(
                    f"scenario {self.name}: shocks[{k}].onset: day {s.onset} is past the "
                    f"horizon of {days} days; allowed: an integer day in [1, {days}]")


def shipped() -> dict[str, Path]:
    """Scenario name -> file for the scenarios shipped with Grassroots."""
    return {p.stem: p for p in sorted(HERE.glob("*.toml"))}


def load_scenario(name_or_path: str, horizon: int | None = None) -> Scenario:
    """A shipped scenario by name, `none`, or a user's TOML file, validated against the
    shock types and, when given, the horizon (days)."""
    path = named_or_file(name_or_path, shipped(), "scenario", ScenarioError,
                         extra_names=("none",))
    if path == "none":
        return Scenario("none", "No shock: the community at rest.")
    data = read_toml(path, "scenario", ScenarioError)
    scenario = scenario_from_dict(data, path.stem, where=f"scenario {path.name}")
    if horizon is not None:
        scenario.check_horizon(horizon)
    return scenario


def scenario_from_dict(data: dict, default_name: str, where: str = "scenario") -> Scenario:
    check_keys(data, TOP_KEYS, where, ScenarioError)
    days = data.get("days")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int)
                             or not 1 <= days <= MAX_DAYS):
        raise ScenarioError(f"{where}: days: got {days!r}; allowed: an integer in "
                            f"[1, {MAX_DAYS}]")
    tables = data.get("shocks", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise ScenarioError(f"{where}: shocks: must be an array of tables ([[shocks]])")
    shocks = []
    for k, table in enumerate(tables):
        w = f"{where}: shocks[{k}]"
        kind = table.get("type")
        if not isinstance(kind, str) or kind not in SHOCK_TYPES:  # a list is not hashable
            raise ScenarioError(
                f"{w}.type: got {kind!r}; allowed: {', '.join(SHOCK_TYPES)}")
        shocks.append(SHOCK_TYPES[kind].from_table(table, w, days or MAX_DAYS))
    shocks.sort(key=lambda s: s.onset)
    return Scenario(str(data.get("name", default_name)), str(data.get("description", "")),
                    shocks, days)


__all__ = ["SHOCK_TYPES", "Scenario", "ScenarioError", "Shock", "load_scenario", "shipped"]
