"""Shock types and scenario files.

A scenario is a TOML file: a `name`, a one-line `description`, and `[[shocks]]` tables, each
with `type` (a shock type below), `onset` (day, 1..horizon), `duration` (days, default 1),
`intensity` (0-1), optional `neighbourhoods` (list of indices; default: all, weighted by
exposure) and the type's own keys. The shipped scenarios live beside this file; `none` is the
empty scenario (no shock).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .base import ScenarioError, Shock
from .flood import Flood

SHOCK_TYPES: dict[str, type[Shock]] = {cls.kind: cls for cls in (Flood,)}
HERE = Path(__file__).parent
TOP_KEYS = {"name", "description", "shocks"}


@dataclass
class Scenario:
    name: str
    description: str
    shocks: list[Shock] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"name": self.name, "description": self.description,
                "shocks": [s.as_dict() for s in self.shocks]}

    def windows(self) -> list[tuple[int, int]]:
        """(onset, end) day of each shock, end exclusive."""
        return [(s.onset, s.onset + s.duration) for s in self.shocks]


def shipped() -> dict[str, Path]:
    """Scenario name -> file for the scenarios shipped with Grassroots."""
    return {p.stem: p for p in sorted(HERE.glob("*.toml"))}


def load_scenario(name_or_path: str, horizon: int) -> Scenario:
    """A shipped scenario by name, `none`, or a user's TOML file, validated against the
    shock types and the horizon (days)."""
    if name_or_path == "none":
        return Scenario("none", "No shock: the community at rest.")
    files = shipped()
    if name_or_path in files:
        path = files[name_or_path]
    else:
        path = Path(name_or_path)
        if not path.is_file():
            raise ScenarioError(
                f"scenario: {name_or_path!r} is neither a shipped scenario "
                f"({', '.join(['none', *files])}) nor a file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ScenarioError(f"scenario {path.name}: not valid TOML ({err})") from None
    return scenario_from_dict(data, path.stem, horizon, where=f"scenario {path.name}")


def scenario_from_dict(data: dict, default_name: str, horizon: int,
                       where: str = "scenario") -> Scenario:
    for key in data:
        if key not in TOP_KEYS:
            raise ScenarioError(
                f"{where}: unknown key {key!r}; allowed: {', '.join(sorted(TOP_KEYS))}")
    tables = data.get("shocks", [])
    if not isinstance(tables, list):
        raise ScenarioError(f"{where}: shocks must be an array of tables ([[shocks]])")
    shocks = []
    for k, table in enumerate(tables):
        w = f"{where}: shocks[{k}]"
        kind = table.get("type")
        if kind not in SHOCK_TYPES:
            raise ScenarioError(
                f"{w}.type: got {kind!r}; allowed: {', '.join(SHOCK_TYPES)}")
        shocks.append(SHOCK_TYPES[kind].from_table(table, w, horizon))
    shocks.sort(key=lambda s: s.onset)
    return Scenario(str(data.get("name", default_name)), str(data.get("description", "")),
                    shocks)


__all__ = ["SHOCK_TYPES", "Scenario", "ScenarioError", "Shock", "load_scenario", "shipped"]
