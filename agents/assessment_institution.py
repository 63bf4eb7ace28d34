"""The professional risk-assessment institution.

FRAMEWORK.txt, first capacity: "introduce professional risk assessment institutions to conduct
risk assessment on a regular basis". Every assessment_interval days it assesses the community's
hazards; the knowledge it leaves is assessment_quality and fades as
exp(-days since / KNOWLEDGE_LIFETIME) as the community and its hazards change.
Hazard knowledge times monitoring_accuracy is the chance that an approaching hazard is detected
and a warning issued (see scenarios/base.py).
"""

from __future__ import annotations

import math

import mesa
from mesa.time import Schedule

#: Days over which an assessment's knowledge fades by a factor e.
KNOWLEDGE_LIFETIME = 365.0


class RiskAssessmentInstitution(mesa.Agent):
    """The institution (a single agent) and its assessment schedule."""

    def __init__(self, model):
        super().__init__(model)
        interval = model.p["assessment_interval"]
        # The cycle's phase is random, so a hazard meets an assessment of random age.
        first = 1 + int(model.routine_rng.integers(0, interval))
        self.last_assessment = first - interval  # the one before the run started
        self.assessments = 0
        model.schedule_recurring(self.assess, Schedule(interval=interval, start=first))

    def assess(self) -> None:
        self.last_assessment = int(self.model.time)
        self.assessments += 1

    def knowledge(self, day: int) -> float:
        """Hazard knowledge on `day`, 0-1."""
        age = max(0, day - self.last_assessment)
        return self.model.p["assessment_quality"] * math.exp(-age / KNOWLEDGE_LIFETIME)

    def warning_probability(self, day: int) -> float:
        return self.knowledge(day) * self.model.p["monitoring_accuracy"]
