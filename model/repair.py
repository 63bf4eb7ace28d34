"""How damage is repaired: one rule shared by gaps, ties, capacities and outages.

A deficit d (lost share of a need, of a tie's strength, of a capacity) repaired at rate r per
day loses r x max(d, REPAIR_FLOOR) a day: proportional repair while damage is large, and a
steady pace of r x REPAIR_FLOOR a day for the last REPAIR_FLOOR of it, so repair ends in
finite time (the last 0.1 takes 1 / r days) instead of approaching zero for ever.
"""

from __future__ import annotations

import numpy as np

#: Damage smaller than this is repaired at the pace of damage of this size.
REPAIR_FLOOR = 0.1


def repair_step(deficit: np.ndarray, rate: np.ndarray | float) -> np.ndarray:
    """The deficit after one day of repair at `rate` (share per day), never below 0."""
    return np.maximum(0.0, deficit - rate * np.maximum(deficit, REPAIR_FLOOR))
