"""What every shock has: onset, duration, intensity, footprint, and a warning lead time.

A shock strikes on its onset day (`strike`), and its hazard is *ongoing* in its footprint for
`duration` days: while it is, repairs there cannot start (water still standing, aftershocks).
If the hazard can be foreseen (`lead_days` > 0 at full monitoring), a warning may be issued
lead = round(lead_days x monitoring_accuracy) days before onset, with the probability the
assessment institution gives (agents/assessment_institution.py); warned, aware residents of
the footprint prepare (agents/resident.py, `prepare_for_warning`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np

from grassroots.core.io import check_keys


class ScenarioError(ValueError):
    """A malformed or inconsistent scenario; the message names the key."""


class Shock(ABC):
    """Base class of a shock type. Subclasses set `kind`, `lead_days`, extra `keys`, and
    implement `strike`."""

    kind: ClassVar[str] = ""
    lead_days: ClassVar[int] = 0
    #: while ongoing, repairs in the footprint wait: homes, health, utilities, enterprises
    blocks_repairs: ClassVar[bool] = False
    #: while ongoing, no enterprise recovers (a market-wide crisis)
    blocks_enterprise_recovery: ClassVar[bool] = False
    #: default duration (days) when a scenario file gives none
    default_duration: ClassVar[int] = 1
    #: whether aware residents can still act as the hazard arrives (not in an earthquake)
    reaction_possible: ClassVar[bool] = True
    #: extra keys a scenario file may give for this type, with their validators
    keys: ClassVar[dict[str, Any]] = {}

    def __init__(self, onset: int, duration: int, intensity: float,
                 neighbourhoods: list[int] | None = None, **extra: Any):
        self.onset = onset
        self.duration = duration
        self.intensity = intensity
        self.neighbourhoods = neighbourhoods
        self.extra = extra
        self.warned = False

    @classmethod
    def from_table(cls, table: dict, where: str, horizon: int) -> Shock:
        """Validate one `[[shocks]]` table of a scenario file."""
        allowed = {"type", "onset", "duration", "intensity", "neighbourhoods", *cls.keys}
        check_keys(table, allowed, where, ScenarioError)
        onset = _int(table, "onset", where, 1, horizon, required=True,
                     hint=f"an integer day in [1, {horizon}] (the horizon)")
        duration = _int(table, "duration", where, 1, 3650, required=False,
                        default=cls.default_duration)
        intensity = _num(table, "intensity", where, 0.0, 1.0, required=True)
        nbs = table.get("neighbourhoods")
        if nbs is not None:
            if not (isinstance(nbs, list) and all(isinstance(x, int) and x >= 0 for x in nbs)):
                raise ScenarioError(
                    f"{where}.neighbourhoods: got {nbs!r}; allowed: a list of neighbourhood "
                    "indices (integers >= 0)")
        extra = {}
        for key, check in cls.keys.items():
            if key in table:
                extra[key] = check(table[key], f"{where}.{key}")
        return cls(onset=onset, duration=duration, intensity=intensity, neighbourhoods=nbs,
                   **extra)

    def as_dict(self) -> dict:
        d = {"type": self.kind, "onset": self.onset, "duration": self.duration,
             "intensity": self.intensity}
        if self.neighbourhoods is not None:
            d["neighbourhoods"] = list(self.neighbourhoods)
        d.update(self.extra)
        return d

    # -- timing --------------------------------------------------------------------------
    def ongoing(self, day: int) -> bool:
        return self.onset <= day < self.onset + self.duration

    def warning_day(self, monitoring_accuracy: float) -> int | None:
        lead = round(self.lead_days * monitoring_accuracy)
        return max(1, self.onset - lead) if lead >= 1 else None

    # -- footprint -----------------------------------------------------------------------
    def footprint(self, model) -> np.ndarray:
        """Bool mask over neighbourhoods the shock can reach (all, unless listed)."""
        n_nb = len(model.exposure)
        if self.neighbourhoods is None:
            return np.ones(n_nb, bool)
        mask = np.zeros(n_nb, bool)
        mask[self.neighbourhoods] = True  # indices checked against the community at set-up
        return mask

    @abstractmethod
    def strike(self, model) -> None:
        """Apply the shock's damage on its onset day."""

    def daily(self, model, day: int) -> None:
        """What the shock does on each day from its onset on (default: nothing)."""

    def active(self, model, day: int) -> bool:
        """Whether the shock still acts on the community after `day` (keeps the model from
        resting)."""
        return day < self.onset + self.duration


def _int(table, key, where, low, high, required, default=None, hint=None):
    if key not in table:
        if required:
            raise ScenarioError(f"{where}.{key}: missing; allowed: {hint or f'an integer in [{low}, {high}]'}")
        return default
    v = table[key]
    if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
        raise ScenarioError(
            f"{where}.{key}: got {v!r}; allowed: {hint or f'an integer in [{low}, {high}]'}")
    return v


def _num(table, key, where, low, high, required, default=None):
    if key not in table:
        if required:
            raise ScenarioError(f"{where}.{key}: missing; allowed: a number in [{low:g}, {high:g}]")
        return default
    v = table[key]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not low <= v <= high:
        raise ScenarioError(f"{where}.{key}: got {v!r}; allowed: a number in [{low:g}, {high:g}]")
    return float(v)


def share_key(v, where):
    """Validator of a shock key that is a share in [0, 1]."""
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 <= v <= 1.0:
        raise ScenarioError(f"{where}: got {v!r}; allowed: a number in [0, 1]")
    return float(v)


def number_key(low: float, high: float):
    """Validator of a shock key that is a number in [low, high]."""
    def check(v, where):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not low <= v <= high:
            raise ScenarioError(f"{where}: got {v!r}; allowed: a number in [{low:g}, {high:g}]")
        return float(v)
    return check


def flag_key(v, where):
    """Validator of a shock key that is true or false."""
    if not isinstance(v, bool):
        raise ScenarioError(f"{where}: got {v!r}; allowed: true or false")
    return v


def count_key(low: int, high: int):
    """Validator of a shock key that is an integer in [low, high]."""
    def check(v, where):
        if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
            raise ScenarioError(f"{where}: got {v!r}; allowed: an integer in [{low}, {high}]")
        return v
    return check
