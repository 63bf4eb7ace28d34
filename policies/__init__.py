"""Policy packages: named sets of lever values, as TOML data files under policies/.

A policy file has a `name`, a `rationale` paragraph and a `[levers]` table of parameter values;
only parameters of the five capacities (prevention, resistance, adaptability, recovery,
learning) may appear, each validated against the declaration (core/params.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grassroots.core.io import check_keys, named_or_file, read_toml
from grassroots.core.params import LEVER_GROUPS, PARAMS, ParameterError, validate_one

POLICY_DIR = Path(__file__).resolve().parent
#: The default unit costs of the levers (core/costs.py) live beside the packages; not a policy.
COSTS_FILE = "costs.toml"

@dataclass
class Policy:
    name: str
    rationale: str
    levers: dict = field(default_factory=dict)


def shipped_policies() -> dict[str, Path]:
    return {p.stem: p for p in sorted(POLICY_DIR.glob("*.toml")) if p.name != COSTS_FILE}


def load_policy(name_or_path: str) -> Policy:
    """A shipped policy package by name, or a user's policy TOML file, validated."""
    path = named_or_file(name_or_path, shipped_policies(), "policy", ParameterError)
    where = f"policy {path.name}"
    data = read_toml(path, "policy", ParameterError)
    check_keys(data, ("name", "rationale", "levers"), where, ParameterError)
    table = data.get("levers", {})
    if not isinstance(table, dict):
        raise ParameterError(f"{where}: levers: got {table!r}; allowed: a table of lever "
                             f"values ([levers])")
    levers = {}
    for name, value in table.items():
        param = PARAMS.get(name)
        if param is not None and param.group not in LEVER_GROUPS:
            raise ParameterError(f"{where}: levers.{name} is a {param.group} parameter; "
                                 f"allowed: parameters of {', '.join(LEVER_GROUPS)}")
        levers[name] = validate_one(name, value, source=f"{where}: levers")
    return Policy(str(data.get("name", path.stem)), str(data.get("rationale", "")).strip(),
                  levers)
