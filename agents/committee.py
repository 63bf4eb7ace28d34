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
  * learns from results: during an event it counts, per neighbourhood, the resident-days in
    need and those reached by organised help (`record_day`); when the event is over it
    assesses it (`assess_event`): the lesson, applied round(max_lesson_delay x (1 -
    assessment_feedback_speed)) days later, raises q by learning_rate x (1 - q) x the share
    of need-days the response failed to reach — a response that reached everyone teaches
    nothing, one that failed teaches much. Pilots: after each event, pilot_share of the
    neighbourhoods (drawn) try a variation of the plan, d ~ U(pilot_effect_low,
    pilot_effect_high), in the next event (their plan quality is q + d: the list of the
    vulnerable and the onset reaction there); when that event is assessed, the pilot
    neighbourhoods' reached share is compared with the rest's, and the variation is kept
    (q += learning_rate x d) only if they did better — an evaluation of a real trial, with
    the noise and the confounding of a real one (pilot neighbourhoods differ from the
    rest). With learning_rate 0 nothing is learnt.

Its decisions are its methods; each takes the state it reads and changes as arguments (the
resident arrays `pop`, a random generator) and reads its constants from the parameters `p`
it holds.
"""

from __future__ import annotations

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
        #: (day they apply, lesson: the rise of q it brings, pilot variation kept or 0)
        self.lessons: list[tuple[int, float, float]] = []
        self.events_assessed = 0
        # the event being recorded: need-days and reached need-days per neighbourhood
        self.need_days = np.zeros(0)
        self.reached_days = np.zeros(0)
        # the pilot running in this event: its neighbourhoods and its variation of q
        self.pilot = np.zeros(0, bool)
        self.pilot_variation = 0.0
        self.last_shortfall: float | None = None  # of the last event assessed
        self.pilots_kept = 0
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
        accept = rng.random(pop.n) < pop.trust_committee
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
        pop.registered = listed & (rng.random(pop.n) < self.local_quality(pop.neighbourhood))

    def local_quality(self, neighbourhood: np.ndarray) -> np.ndarray:
        """The plan quality each resident of `neighbourhood` (array) meets: q, or q + the
        pilot's variation in pilot neighbourhoods (clipped to [0, 1])."""
        q = np.full(len(neighbourhood), self.plan_quality)
        if self.pilot.any():
            q = np.clip(q + self.pilot_variation * self.pilot[neighbourhood], 0.0, 1.0)
        return q

    def record_day(self, neighbourhood: np.ndarray, in_need: np.ndarray,
                   reached: np.ndarray, n_neighbourhoods: int) -> None:
        """Count today's resident-days in need and those reached by organised help (bool
        per resident) per neighbourhood, for the assessment of the event."""
        if len(self.need_days) != n_neighbourhoods:
            self.need_days = np.zeros(n_neighbourhoods)
            self.reached_days = np.zeros(n_neighbourhoods)
        self.need_days += np.bincount(neighbourhood[in_need], minlength=n_neighbourhoods)
        self.reached_days += np.bincount(neighbourhood[reached], minlength=n_neighbourhoods)

    def adjust_plan(self, day: int) -> None:
        """Once the adjustment delay has passed, the plan fits the situation (fit 1)."""
        if self.adjust_day is not None and day >= self.adjust_day:
            self.plan_fit = 1.0
            self.adjust_day = None
            self.adjustments += 1

    # -- learning ------------------------------------------------------------------------
    def assess_event(self, day: int, n_neighbourhoods: int, rng: np.random.Generator) -> None:
        """Dynamic assessment after an event, from its results (module doc): the share of
        need-days the response failed to reach sets the lesson; the pilot that ran in it is
        evaluated against the rest and kept or dropped; the next pilot is drawn."""
        p = self.p
        self.events_assessed += 1
        delay = round(p["max_lesson_delay"] * (1.0 - p["assessment_feedback_speed"]))
        need, reached = self.need_days, self.reached_days
        total = float(need.sum())
        shortfall = 1.0 - float(reached.sum()) / total if total > 0 else 0.0
        self.last_shortfall = shortfall
        lesson = p["learning_rate"] * (1.0 - self.plan_quality) * shortfall
        kept = 0.0
        if self.pilot.any() and total > 0:
            inside, outside = self.pilot, ~self.pilot
            if need[inside].sum() > 0 and need[outside].sum() > 0:
                pilot_share = reached[inside].sum() / need[inside].sum()
                rest_share = reached[outside].sum() / need[outside].sum()
                if pilot_share > rest_share:
                    kept = self.pilot_variation
                    self.pilots_kept += 1
        self.lessons.append((day + delay, lesson, kept))
        self.need_days = np.zeros(n_neighbourhoods)
        self.reached_days = np.zeros(n_neighbourhoods)
        # the next pilot, tried in the next event
        self.pilot = np.zeros(n_neighbourhoods, bool)
        n_pilots = round(p["pilot_share"] * n_neighbourhoods)
        if n_pilots > 0:
            self.pilot[rng.choice(n_neighbourhoods, n_pilots, replace=False)] = True
            self.pilot_variation = float(rng.uniform(p["pilot_effect_low"],
                                                     p["pilot_effect_high"]))

    def apply_lessons(self, day: int) -> None:
        """Lessons that are due raise q by their lesson + learning_rate x the pilot
        variation they kept."""
        if not self.lessons or self.lessons[0][0] > day:
            return
        rate = self.p["learning_rate"]
        due = [x for x in self.lessons if x[0] <= day]
        self.lessons = [x for x in self.lessons if x[0] > day]
        for _, lesson, kept in due:
            q = self.plan_quality + lesson + rate * kept
            self.plan_quality = float(min(1.0, max(0.0, q)))
