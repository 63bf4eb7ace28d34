"""Policy packages: named sets of lever values, as TOML data files under policies/.

A policy file has a `name`, a `rationale` paragraph and a `[levers]` table of parameter values;
only parameters of the five capacities (prevention, resistance, adaptability, recovery,
learning) may appear, each validated against model/params.py.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .params import PARAMS, ParameterError, validate_one

POLICY_DIR = Path(__file__).resolve().parent.parent / "policies"
LEVER_GROUPS = ("prevention", "resistance", "adaptability", "recovery", "learning")


@dataclass
class Policy:
    name: str
    rationale: str
    levers: dict = field(default_factory=dict)


def shipped_policies() -> dict[str, Path]:
    return {p.stem: p for p in sorted(POLICY_DIR.glob("*.toml"))}


def load_policy(name_or_path: str) -> Policy:
    files = shipped_policies()
    path = files.get(name_or_path) or Path(name_or_path)
    if not path.is_file():
        raise ParameterError(f"policy: {name_or_path!r} is neither a shipped policy "
                             f"({', '.join(files)}) nor a file")
    where = f"policy {path.name}"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ParameterError(f"{where}: not valid TOML ({err})") from None
    for key in data:
        if key not in ("name", "rationale", "levers"):
            raise ParameterError(f"{where}: unknown key {key!r}; allowed: name, rationale, levers")
    levers = {}
    for name, value in data.get("levers", {}).items():
        param = PARAMS.get(name)
        if param is not None and param.group not in LEVER_GROUPS:
            raise ParameterError(f"{where}: levers.{name} is a {param.group} parameter; "
                                 f"allowed: parameters of {', '.join(LEVER_GROUPS)}")
        levers[name] = validate_one(name, value, source=f"{where}: levers")
    return Policy(str(data.get("name", path.stem)), str(data.get("rationale", "")).strip(),
                  levers)
