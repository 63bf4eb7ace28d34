"""The professional risk-assessment institution.

The framework, first capacity: "introduce professional risk assessment institutions to conduct
risk assessment on a regular basis". Every assessment_interval days it assesses the community's
hazards; the knowledge it leaves is assessment_quality and fades as
exp(-days since / knowledge_lifetime) as the community and its hazards change.
Hazard knowledge times monitoring_accuracy is the chance that an approaching hazard is detected
and a warning issued (see scenarios/base.py).
"""

from __future__ import annotations

import math

import mesa
from mesa.time import Schedule


class RiskAssessmentInstitution(mesa.Agent):
    """The institution (a single agent) and its assessment schedule."""

    def __init__(self, model, p: dict, rng):
        super().__init__(model)
        self.p = p
        interval = p["assessment_interval"]
        # The cycle's phase is random, so a hazard meets an assessment of random age.
        first = 1 + int(rng.integers(0, interval))
        self.last_assessment = first - interval  # the one before the run started
        self.assessments = 0
        model.schedule_recurring(self.assess, Schedule(interval=interval, start=first))

    def assess(self) -> None:
        self.last_assessment = int(self.model.time)
        self.assessments += 1

    def knowledge(self, day: int) -> float:
        """Hazard knowledge on `day`, 0-1."""
        age = max(0, day - self.last_assessment)
        return self.p["assessment_quality"] * math.exp(-age / self.p["knowledge_lifetime"])

    def warning_probability(self, day: int) -> float:
        """Chance that an approaching hazard is detected and a warning issued on `day`."""
        return self.knowledge(day) * self.p["monitoring_accuracy"]
