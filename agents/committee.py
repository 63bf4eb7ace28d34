"""The community committee: the residents' self-governing organisation.

The framework, first capacity: "scientifically equip and reserve emergency facilities,
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
    monitor_detect, whether they report or not;
  * holds the emergency plan, of quality q (0-1, plan_quality_start at first). At a shock's
    onset the plan lists the vulnerable residents of the footprint (each with probability q):
    their needs are known as soon as they arise; and the response works at plan fit
        fit = plan_fit_base + plan_fit_quality q + plan_fit_drills min(1, drills_per_year /
              plan_fit_drills_full)         (defaults 0.4, 0.3, 0.3, 4)
    until the committee adjusts the plan to the situation, 1 + round(max_adjust_delay x
    (1 - grassroots_autonomy)) days after onset; then fit = 1. Volunteer teams and
    departments deliver `fit` of their capacity;
  * learns: when an event is over it assesses it; the lessons apply round(max_lesson_delay x
    (1 - assessment_feedback_speed)) days later and raise q by learning_rate x (1 - q).
    Pilots in pilot_share of the neighbourhoods try a variation of true effect
    d ~ U(pilot_effect_low, pilot_effect_high) on q; the committee sees d + noise of sd
    pilot_noise / sqrt(1 + pilot neighbourhoods) and, when it looks good, adopts it:
    q += learning_rate x d. With learning_rate 0 nothing is learnt.

Its decisions are its methods; each takes the state it reads and changes as arguments (the
resident arrays `pop`, a random generator) and reads its constants from the parameters `p`
it holds.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from grassroots.community.state import Population
from grassroots.core.vocabulary import DAYS_PER_YEAR


class CommunityCommittee(mesa.Agent):
    """The committee (a single agent): the community reserve, the plan and its lessons."""

    def __init__(self, model, n_residents: int, p: dict):
        super().__init__(model)
        self.p = p
        self.reserve_full = p["reserve_stock"] * n_residents  # person-days
        self.reserve = self.reserve_full
        self.plan_quality = p["plan_quality_start"]
        self.plan_fit = 1.0
        self.adjust_day: int | None = None
        self.adjustments = 0
        self.lessons: list[tuple[int, float]] = []  # (day they apply, pilot effect)
        self.events_assessed = 0
        self.drills_held = 0
        self.trainings_given = 0

    # -- prevention ----------------------------------------------------------------------
    def train_residents(self, pop: Population, rng: np.random.Generator) -> None:
        """Publicity and training: each resident is trained with daily probability
        awareness_training_rate / 365; a training closes training_gain of the gap to full
        awareness. Changes `pop.awareness` in place."""
        k = rng.binomial(pop.n, min(1.0, self.p["awareness_training_rate"] / DAYS_PER_YEAR))
        if k:
            who = rng.choice(pop.n, k, replace=False)
            pop.awareness[who] += self.p["training_gain"] * (1.0 - pop.awareness[who])
            self.trainings_given += k

    def run_drill(self, pop: Population, rng: np.random.Generator) -> None:
        """A drill on a given day with probability drills_per_year / 365: all volunteers and
        drill_turnout of residents raise their awareness. Changes `pop.awareness` in
        place."""
        if rng.random() >= self.p["drills_per_year"] / DAYS_PER_YEAR:
            return
        who = pop.volunteer | (rng.random(pop.n) < self.p["drill_turnout"])
        pop.awareness[who] += self.p["training_gain"] * (1.0 - pop.awareness[who])
        self.drills_held += 1

    def restock(self) -> None:
        """The reserve refills at its full stock / reserve_restock_days a day."""
        if self.reserve < self.reserve_full:
            self.reserve = min(self.reserve_full,
                               self.reserve + self.reserve_full / self.p["reserve_restock_days"])

    def take_back(self, person_days: float) -> None:
        """Unused rations come back to the reserve (never above its full stock)."""
        self.reserve = min(self.reserve_full, self.reserve + person_days)

    def distribute_reserves(self, pop: Population, in_need: np.ndarray,
                            rng: np.random.Generator) -> None:
        """Known residents in need without household reserves are offered a ration
        (reserve_ration person-days) from the community reserve while it lasts (in a random
        order when it cannot cover all); they accept with probability equal to their trust in
        institutions. Changes `pop.reserve_days` and `pop.reserves_moved`."""
        ration = self.p["reserve_ration"]
        if self.reserve < ration:
            return
        accept = rng.random(pop.n) < pop.trust_institutions
        who = np.flatnonzero(pop.known & in_need & (pop.reserve_days < 1.0) & accept)
        if len(who) == 0:
            return
        can = int(self.reserve // ration)
        if can < len(who):
            who = rng.permutation(who)[:can]
        pop.reserve_days[who] += ration
        pop.reserves_moved = True
        self.reserve -= ration * len(who)

    # -- adaptability --------------------------------------------------------------------
    def monitor_needs(self, pop: Population, in_need: np.ndarray,
                      rng: np.random.Generator) -> None:
        """Monitoring finds unreported needs with daily probability monitoring_accuracy x
        monitor_detect. Changes `pop.known` in place."""
        chance = self.p["monitoring_accuracy"] * self.p["monitor_detect"]
        if chance <= 0:
            return
        pop.known |= in_need & (rng.random(pop.n) < chance)

    def activate_plan(self, pop: Population, footprint: np.ndarray, day: int,
                      rng: np.random.Generator) -> None:
        """At an event's onset: list the vulnerable residents of the footprint (a bool mask
        over neighbourhoods), each with probability q, and run the response at plan fit until
        the plan is adjusted. Changes `pop.registered`."""
        p = self.p
        q = self.plan_quality
        self.plan_fit = (p["plan_fit_base"] + p["plan_fit_quality"] * q
                         + p["plan_fit_drills"] * min(1.0, p["drills_per_year"]
                                                      / p["plan_fit_drills_full"]))
        self.adjust_day = day + 1 + round(p["max_adjust_delay"] * (1 - p["grassroots_autonomy"]))
        listed = pop.vulnerable & footprint[pop.neighbourhood]
        pop.registered = listed & (rng.random(pop.n) < q)

    def adjust_plan(self, day: int) -> None:
        """Once the adjustment delay has passed, the plan fits the situation (fit 1)."""
        if self.adjust_day is not None and day >= self.adjust_day:
            self.plan_fit = 1.0
            self.adjust_day = None
            self.adjustments += 1

    # -- learning ------------------------------------------------------------------------
    def assess_event(self, day: int, n_neighbourhoods: int, rng: np.random.Generator) -> None:
        """Dynamic assessment after an event; pilots' results are read at the same time."""
        p = self.p
        self.events_assessed += 1
        delay = round(p["max_lesson_delay"] * (1.0 - p["assessment_feedback_speed"]))
        pilot = 0.0
        n_pilots = round(p["pilot_share"] * n_neighbourhoods)
        if n_pilots > 0:
            effect = rng.uniform(p["pilot_effect_low"], p["pilot_effect_high"])
            seen = effect + rng.normal(0.0, p["pilot_noise"] / math.sqrt(1 + n_pilots))
            pilot = effect if seen > 0 else 0.0
        self.lessons.append((day + delay, pilot))

    def apply_lessons(self, day: int) -> None:
        """Lessons that are due raise q by learning_rate x (1 - q) + learning_rate x pilot."""
        if not self.lessons or self.lessons[0][0] > day:
            return
        rate = self.p["learning_rate"]
        due = [x for x in self.lessons if x[0] <= day]
        self.lessons = [x for x in self.lessons if x[0] > day]
        for _, pilot in due:
            q = self.plan_quality
            q += rate * (1.0 - q) + rate * pilot
            self.plan_quality = float(min(1.0, max(0.0, q)))
