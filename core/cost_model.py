"""How a lever's cost is counted: the small declaration each lever carries (`Param.cost`).

A `CostModel` says what a lever's value buys, never how much it costs: the prices are named
unit-cost keys whose values live in a data file a planner can replace (policies/costs.toml,
read by core/costs.py, which does the arithmetic and documents the cost unit).

For a lever at value v with off value v0 (`Param.off_value`):

    amount = v - v0                             amount "increase" (the lever's own unit)
           = (v - v0) x 365 / 30                amount "monthly"  (a rate per month, per year)
           = 365 / v - 365 / v0                 amount "frequency" (an interval in days, as
                                                                    events per year)
    count  = how many of `per` the community has (residents, adults, households, ...)
    one-off cost        = amount x count x unit_costs[one_off]
    recurring cost/year = amount x count x unit_costs[recurring]

so every lever costs nothing at its off value and more the further it is moved from it.
This module imports nothing of ours (core/params.py imports it).
"""

from __future__ import annotations

from dataclasses import dataclass

#: What a cost is counted per; core/costs.py turns each into a count from the parameters.
BASES = {
    "resident": "residents",
    "adult": "adults (residents x adult_share)",
    "household": "households (residents / household_size)",
    "household_without_supplies": "households keeping no emergency supplies before any "
                                  "campaign (households x (1 - household_reserve_share))",
    "neighbourhood": "neighbourhoods (max(1, round(residents / neighbourhood_size)), as the "
                     "community is built)",
    "neighbourhood_assessment": "neighbourhood risk assessments a year (neighbourhoods x "
                                "365 / assessment_interval)",
}
#: How a lever's value becomes the amount that is priced (see the module docstring).
AMOUNTS = ("increase", "monthly", "frequency")


@dataclass(frozen=True)
class CostModel:
    """A lever's cost: `amount x count(per) x unit cost`, once (`one_off`) and every year
    (`recurring`); either key may be None, not both. `note` says in words what is bought and
    what is assumed."""

    per: str
    one_off: str | None = None
    recurring: str | None = None
    amount: str = "increase"
    note: str = ""

    def __post_init__(self) -> None:
        if self.per not in BASES:
            raise ValueError(f"cost per {self.per!r}; allowed: {', '.join(BASES)}")
        if self.amount not in AMOUNTS:
            raise ValueError(f"cost amount {self.amount!r}; allowed: {', '.join(AMOUNTS)}")
        if self.one_off is None and self.recurring is None:
            raise ValueError("a cost model needs a one_off or a recurring unit-cost key")

    @property
    def keys(self) -> tuple[str, ...]:
        """The unit-cost keys this model reads."""
        return tuple(k for k in (self.one_off, self.recurring) if k is not None)
