"""What a policy package costs: the levers priced in one documented unit (issue 10).

**The cost unit is the worker-day (WD):** the full cost (wage plus the employer's on-costs)
of one day of one paid community worker. Results are given in WD, and per resident-year as
WD per resident-year. A worker-day, not money, because

* most of what the levers buy is people's time: trainers, coordinators, party members making
  contacts, staff running drills, reviews and pilots;
* a unit of labour time travels between countries and years without exchange rates or
  inflation, and the model's community is not placed in either;
* a planner gets money with one multiplication, by the local daily cost of a community
  worker; materials and capital (supplies, sensors, facilities) are priced in worker-days at
  an assumed price ratio, which is the part of the table most worth replacing locally.

**Every default is an assumption**, an order of magnitude meant to be replaced. The defaults
live in a data file, policies/costs.toml, where each unit cost has a `value`, a `unit`, an
`assumption` in words and, only where a published figure informed it, a `source`. Two do:
the course length of FEMA's Community Emergency Response Team (CERT) Basic Training (about
20 hours of instruction) behind `volunteer_training`, and Ready.gov's kit guidance (about a
gallon of water a person a day) for what a person-day of supplies holds; the prices
themselves are assumptions. The NIBS Multihazard Mitigation Council's *Natural Hazard
Mitigation Saves* reports (2017 interim, 2019) give benefit-cost ratios (about 6 to 1 for
federally funded mitigation grants), not unit costs; they are named beside
`facility_capital` for orientation only and no number here is derived from them.

What is counted: the resources a lever uses up, whoever pays (the community's budget,
departments, and households for the supplies a campaign persuades them to keep), with the
time of the people delivering a lever counted at the worker-day rate, paid or volunteered.
Not counted: residents' own time in trainings and drills, the help given in an emergency
(that is the lever's benefit, not its cost), outside organisations' spending, and the
political cost of delegating control (`grassroots_autonomy`). Organisational levers
(command, responsiveness, cooperation, autonomy, openness) carry the staff time they need.

How a lever is priced is declared with the lever (`Param.cost`, a `CostModel` of
core/cost_model.py): cost = amount x count x unit cost, once and a year, zero at the
lever's off value. Everything here is a pure function of parameter values; no model runs.

    costs = load_costs()                     # the default file, or load_costs("mine.toml")
    package_cost(params, costs)              # totals, per resident-year, by lever
    lever_cost("drills_per_year", 4, costs)  # one lever
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grassroots.core.cost_model import BASES
from grassroots.core.io import check_keys, read_toml, suggest
from grassroots.core.params import PARAMS, levers, resolve
from grassroots.core.vocabulary import DAYS_PER_MONTH, DAYS_PER_YEAR

#: The shipped unit costs: policies/costs.toml beside this package's folder (in a source
#: checkout and in an installed copy alike, where it is package data of grassroots.policies).
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "policies" / "costs.toml"

FILE_KEYS = ("unit", "description", "unit_costs")
ENTRY_KEYS = ("value", "unit", "assumption", "source")
REQUIRED_ENTRY_KEYS = ("value", "unit", "assumption")


class CostError(ValueError):
    """A bad unit-cost file: the message is one line naming the file, the field and what is
    allowed."""


@dataclass(frozen=True)
class UnitCost:
    """One price: `value` in the file's unit per `unit` (text), with its assumption."""

    key: str
    value: float
    unit: str
    assumption: str
    source: str | None = None


@dataclass(frozen=True)
class Costs:
    """A validated unit-cost file: the unit (e.g. "WD") and every price by key."""

    unit: str
    unit_costs: Mapping[str, UnitCost]
    path: Path
    description: str = ""

    def __getitem__(self, key: str) -> float:
        return self.unit_costs[key].value


def required_keys() -> dict[str, str]:
    """Every unit-cost key the levers' cost models read, with the first lever that reads it."""
    out: dict[str, str] = {}
    for p in levers():
        if p.cost is not None:
            for key in p.cost.keys:
                out.setdefault(key, p.name)
    return out


def load_costs(path: str | Path | None = None) -> Costs:
    """The unit costs of a file (default: the shipped policies/costs.toml), validated.

    A missing or malformed file, an unknown or missing unit-cost key, a missing field, a
    value that is not a number or is negative: CostError in one line naming the file and the
    field."""
    path = Path(path) if path is not None else DEFAULT_PATH
    if path is DEFAULT_PATH and not path.is_file():
        raise CostError(f"costs {path}: the shipped unit-cost file is missing (expected "
                        "policies/costs.toml beside the core package); pass a file instead")
    where = f"costs {path.name}"
    data = read_toml(path, "costs", CostError)
    check_keys(data, FILE_KEYS, where, CostError)
    unit = data.get("unit")
    if not isinstance(unit, str) or not unit.strip():
        raise CostError(f"{where}: unit: " + ("missing" if unit is None else f"got {unit!r}")
                        + "; allowed: the name of the cost unit, e.g. \"WD\"")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise CostError(f"{where}: description: got {description!r}; allowed: text")
    table = data.get("unit_costs")
    if not isinstance(table, dict):
        raise CostError(f"{where}: unit_costs: " + ("missing" if table is None else
                        f"got {table!r}") + "; allowed: a table of unit costs")
    needed = required_keys()
    entries: dict[str, UnitCost] = {}
    for key, entry in table.items():
        if key not in needed:
            close = suggest(key, needed)
            hint = f" (did you mean {close!r}?)" if close else ""
            raise CostError(f"{where}: unknown unit cost unit_costs.{key}{hint}; allowed: "
                            f"{', '.join(sorted(needed))}")
        entries[key] = _entry(key, entry, where)
    for key, lever in needed.items():
        if key not in entries:
            raise CostError(f"{where}: unit_costs.{key}: missing (the cost model of {lever} "
                            "reads it); allowed: a table with value, unit and assumption")
    return Costs(unit.strip(), entries, path, description.strip())


def _entry(key: str, entry: Any, where: str) -> UnitCost:
    field = f"unit_costs.{key}"
    if not isinstance(entry, dict):
        raise CostError(f"{where}: {field}: got {entry!r}; allowed: a table with value, "
                        "unit and assumption (and optionally source)")
    check_keys(entry, ENTRY_KEYS, f"{where}: {field}", CostError)
    for name in REQUIRED_ENTRY_KEYS:
        if name not in entry:
            raise CostError(f"{where}: {field}.{name}: missing; allowed: "
                            + ("a number >= 0" if name == "value" else "text"))
    value = entry["value"]
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value) or value < 0:
        raise CostError(f"{where}: {field}.value: got {value!r}; allowed: a number >= 0")
    for name in ("unit", "assumption", "source"):
        text = entry.get(name)
        if name in entry and (not isinstance(text, str) or not text.strip()):
            raise CostError(f"{where}: {field}.{name}: got {text!r}; allowed: non-empty text")
    source = entry.get("source")
    return UnitCost(key, float(value), entry["unit"].strip(), " ".join(
        entry["assumption"].split()), " ".join(source.split()) if source else None)


# -- the arithmetic ------------------------------------------------------------------------
def counts(p: Mapping[str, Any], residents: int | None = None) -> dict[str, float]:
    """How many of each cost base (core/cost_model.py BASES) a community of resolved
    parameters `p` has; `residents` overrides p["residents"]."""
    n = float(p["residents"] if residents is None else residents)
    households = n / p["household_size"]
    neighbourhoods = float(max(1, round(n / p["neighbourhood_size"])))
    out = {
        "resident": n,
        "adult": n * p["adult_share"],
        "household": households,
        "household_without_supplies": households * (1.0 - p["household_reserve_share"]),
        "neighbourhood": neighbourhoods,
        "neighbourhood_assessment": neighbourhoods * DAYS_PER_YEAR / p["assessment_interval"],
    }
    assert set(out) == set(BASES)
    return out


def lever_amount(name: str, value: Any) -> float:
    """How far lever `name` at `value` is moved from its off value, in the amount its cost
    model prices (never negative)."""
    param = PARAMS[name]
    model = param.cost
    v, off = float(param.validate(value)), float(param.off_value)
    if model.amount == "frequency":
        amount = DAYS_PER_YEAR / v - DAYS_PER_YEAR / off
    elif model.amount == "monthly":
        amount = (v - off) * DAYS_PER_YEAR / DAYS_PER_MONTH
    else:
        amount = v - off
    return max(0.0, amount)


def lever_cost(name: str, value: Any, costs: Costs | None = None,
               params: Mapping[str, Any] | None = None, residents: int | None = None,
               days: int | None = None) -> dict[str, Any]:
    """The cost of one lever at `value`, in a community of `params` (partial parameters are
    completed with the defaults; the lever's own entry in it is ignored): its one-off and
    yearly cost, and the total over `days` (default: params' days)."""
    param = PARAMS.get(name)
    if param is None or param.role != "lever":
        close = suggest(name, [p.name for p in levers()])
        hint = f" (did you mean {close}?)" if close else ""
        raise CostError(f"lever_cost: {name!r} is not a lever{hint}")
    costs = load_costs() if costs is None else costs
    p = resolve(params)
    return _lever_cost(name, value, costs, counts(p, residents),
                       p["days"] if days is None else days)


def _lever_cost(name: str, value: Any, costs: Costs, count: Mapping[str, float],
                days: int) -> dict[str, Any]:
    param = PARAMS[name]
    model = param.cost
    amount = lever_amount(name, value)
    quantity = amount * count[model.per]
    one_off = quantity * costs[model.one_off] if model.one_off else 0.0
    recurring = quantity * costs[model.recurring] if model.recurring else 0.0
    return {
        "value": param.validate(value),
        "off": param.off_value,
        "amount": amount,
        "per": model.per,
        "count": count[model.per],
        "one_off_key": model.one_off,
        "recurring_key": model.recurring,
        "one_off": one_off,
        "recurring_per_year": recurring,
        "total_over_horizon": one_off + recurring * days / DAYS_PER_YEAR,
    }


def package_cost(params: Mapping[str, Any] | None, costs: Costs | None = None,
                 residents: int | None = None, days: int | None = None) -> dict[str, Any]:
    """What the levers in `params` cost (a policy's levers or a run's resolved parameters;
    missing ones take their defaults) for `residents` over `days` (defaults: params').

    Returns {"unit", "costs_file", "residents", "days", "one_off", "recurring_per_year",
    "total_over_horizon" (one-off + recurring x days / 365), "per_resident_year" (the total
    over the horizon per resident and year of the horizon: one-off costs are spread over the
    horizon, so a short horizon shows them large), "by_lever": {lever: lever_cost(...)}}.
    """
    costs = load_costs() if costs is None else costs
    p = resolve(params)
    n = p["residents"] if residents is None else int(residents)
    days = p["days"] if days is None else int(days)
    if n <= 0 or days <= 0:
        raise CostError(f"package_cost: residents {n} and days {days}; allowed: both > 0")
    count = counts(p, n)
    by_lever = {q.name: _lever_cost(q.name, p[q.name], costs, count, days) for q in levers()}
    one_off = sum(c["one_off"] for c in by_lever.values())
    recurring = sum(c["recurring_per_year"] for c in by_lever.values())
    total = one_off + recurring * days / DAYS_PER_YEAR
    return {
        "unit": costs.unit,
        "costs_file": costs.path.name,
        "residents": n,
        "days": days,
        "one_off": one_off,
        "recurring_per_year": recurring,
        "total_over_horizon": total,
        "per_resident_year": total / (n * days / DAYS_PER_YEAR),
        "by_lever": by_lever,
    }
