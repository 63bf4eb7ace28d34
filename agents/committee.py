"""The community committee: the residents' self-governing organisation.

FRAMEWORK.txt, first capacity: "scientifically equip and reserve emergency facilities,
equipment and materials, and build community forces ... through regular training and
emergency drills"; third: "give grassroots organizations corresponding autonomy ... ensure that
the relevant emergency response mechanisms can respond quickly in the face of environmental
changes and adjust them in a timely manner", and "rely on advanced monitoring equipment and
information analysis technology"; fifth: "a rapid feedback mechanism", "policy pilots ...
trial and error", "dynamic assessment and feedback mechanism ... dynamically adjust".

The committee
  * trains residents and runs drills (awareness; drills also make the plan practised);
  * holds the community reserve, hands it out to known residents in need, and restocks it;
  * monitors: finds residents in need with daily probability monitoring_accuracy x
    MONITOR_DETECT, whether they report or not;
  * holds the emergency plan, of quality q (0-1, PLAN_QUALITY_START at first). At a shock's
    onset the plan lists the vulnerable residents of the footprint (each with probability q):
    their needs are known as soon as they arise; and the response works at plan fit
        fit = 0.4 + 0.3 q + 0.3 min(1, drills_per_year / 4)
    until the committee adjusts the plan to the situation, 1 + round(MAX_ADJUST_DELAY x
    (1 - grassroots_autonomy)) days after onset; then fit = 1. Volunteer teams and
    departments deliver `fit` of their capacity;
  * learns: when an event is over it assesses it; the lessons apply round(MAX_LESSON_DELAY x
    (1 - assessment_feedback_speed)) days later and raise q by learning_rate x (1 - q). Pilots
    in pilot_share of the neighbourhoods try a variation of true effect d ~ U(-0.15, 0.25) on
    q; the committee sees d + noise of sd 0.2 / sqrt(1 + pilot neighbourhoods) and, when it
    looks good, adopts it: q += learning_rate x d. With learning_rate 0 nothing is learnt.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

#: A training or drill closes this share of the gap to full awareness.
TRAINING_GAIN = 1.0 / 3.0
#: Share of residents (besides all volunteers) who take part in a drill.
DRILL_TURNOUT = 0.2
#: Person-days of reserve handed to a resident at a time.
RESERVE_RATION = 3.0
#: Days the committee takes to restock its reserve from empty.
RESTOCK_DAYS = 90
#: Daily chance, at monitoring_accuracy 1, that monitoring finds a resident's unreported need.
MONITOR_DETECT = 0.2
#: Plan quality before any learning.
PLAN_QUALITY_START = 0.5
#: Days to adjust the plan to a new situation with no autonomy.
MAX_ADJUST_DELAY = 21
#: Days before an event's lessons apply with the slowest feedback.
MAX_LESSON_DELAY = 180
#: Trial-and-error pilots: range of a variation's true effect on q, and the noise of its
#: observed effect with one pilot neighbourhood.
PILOT_EFFECT = (-0.15, 0.25)
PILOT_NOISE = 0.2


class CommunityCommittee(mesa.Agent):
    """The committee (a single agent)."""

    def __init__(self, model):
        super().__init__(model)
        self.reserve_full = model.p["reserve_stock"] * model.residents.n  # person-days
        self.reserve = self.reserve_full
        self.plan_quality = PLAN_QUALITY_START
        self.plan_fit = 1.0
        self.adjust_day: int | None = None
        self.adjustments = 0
        self.lessons: list[tuple[int, float]] = []  # (day they apply, pilot effect)
        self.events_assessed = 0
        self.drills_held = 0
        self.trainings_given = 0

    # -- prevention ----------------------------------------------------------------------
    def train_residents(self) -> None:
        """Publicity and training: each resident is trained with daily probability
        awareness_training_rate / 365."""
        pop = self.model.residents
        rng = self.model.routine_rng
        k = rng.binomial(pop.n, min(1.0, self.model.p["awareness_training_rate"] / 365.0))
        if k:
            who = rng.choice(pop.n, k, replace=False)
            pop.awareness[who] += TRAINING_GAIN * (1.0 - pop.awareness[who])
            self.trainings_given += k

    def run_drill(self) -> None:
        """A drill on a given day with probability drills_per_year / 365: all volunteers
        and DRILL_TURNOUT of residents raise their awareness."""
        rng = self.model.routine_rng
        if rng.random() >= self.model.p["drills_per_year"] / 365.0:
            return
        pop = self.model.residents
        who = pop.volunteer | (rng.random(pop.n) < DRILL_TURNOUT)
        pop.awareness[who] += TRAINING_GAIN * (1.0 - pop.awareness[who])
        self.drills_held += 1

    def restock(self) -> None:
        if self.reserve < self.reserve_full:
            self.reserve = min(self.reserve_full, self.reserve + self.reserve_full / RESTOCK_DAYS)

    def take_back(self, person_days: float) -> None:
        """Unused rations come back to the reserve (never above its full stock)."""
        self.reserve = min(self.reserve_full, self.reserve + person_days)

    def distribute_reserves(self, in_need: np.ndarray) -> None:
        """Known residents in need without household reserves are offered a ration from the
        community reserve while it lasts (in a random order when it cannot cover all); they
        accept with probability equal to their trust in institutions."""
        if self.reserve < RESERVE_RATION:
            return
        pop = self.model.residents
        accept = self.model.rng.random(pop.n) < pop.trust_institutions
        who = np.flatnonzero(pop.known & in_need & (pop.reserve_days < 1.0) & accept)
        if len(who) == 0:
            return
        can = int(self.reserve // RESERVE_RATION)
        if can < len(who):
            who = self.model.rng.permutation(who)[:can]
        pop.reserve_days[who] += RESERVE_RATION
        pop.reserves_moved = True
        self.reserve -= RESERVE_RATION * len(who)

    # -- adaptability --------------------------------------------------------------------
    def monitor_needs(self, in_need: np.ndarray) -> None:
        """Monitoring finds unreported needs with daily probability
        monitoring_accuracy x MONITOR_DETECT."""
        p = self.model.p["monitoring_accuracy"] * MONITOR_DETECT
        if p <= 0:
            return
        pop = self.model.residents
        pop.known |= in_need & (self.model.rng.random(pop.n) < p)

    def activate_plan(self, footprint: np.ndarray) -> None:
        """At an event's onset: list the vulnerable residents of the footprint (a bool mask
        over neighbourhoods), each with probability q, and run the response at plan fit until
        the plan is adjusted."""
        model, p = self.model, self.model.p
        pop = model.residents
        q = self.plan_quality
        self.plan_fit = 0.4 + 0.3 * q + 0.3 * min(1.0, p["drills_per_year"] / 4.0)
        self.adjust_day = model.day + 1 + round(MAX_ADJUST_DELAY * (1 - p["grassroots_autonomy"]))
        listed = pop.vulnerable & footprint[pop.neighbourhood]
        pop.registered = listed & (model.rng.random(pop.n) < q)

    def adjust_plan(self, day: int) -> None:
        if self.adjust_day is not None and day >= self.adjust_day:
            self.plan_fit = 1.0
            self.adjust_day = None
            self.adjustments += 1

    # -- learning ------------------------------------------------------------------------
    def assess_event(self, day: int) -> None:
        """Dynamic assessment after an event; pilots' results are read at the same time."""
        p, rng = self.model.p, self.model.routine_rng
        self.events_assessed += 1
        delay = round(MAX_LESSON_DELAY * (1.0 - p["assessment_feedback_speed"]))
        pilot = 0.0
        n_pilots = round(p["pilot_share"] * len(self.model.exposure))
        if n_pilots > 0:
            effect = rng.uniform(*PILOT_EFFECT)
            seen = effect + rng.normal(0.0, PILOT_NOISE / math.sqrt(1 + n_pilots))
            pilot = effect if seen > 0 else 0.0
        self.lessons.append((day + delay, pilot))

    def apply_lessons(self, day: int) -> None:
        if not self.lessons or self.lessons[0][0] > day:
            return
        rate = self.model.p["learning_rate"]
        due = [x for x in self.lessons if x[0] <= day]
        self.lessons = [x for x in self.lessons if x[0] > day]
        for _, pilot in due:
            q = self.plan_quality
            q += rate * (1.0 - q) + rate * pilot
            self.plan_quality = float(min(1.0, max(0.0, q)))
