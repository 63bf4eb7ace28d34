"""The community committee: the residents' self-governing organisation.

It runs publicity and training and emergency drills (prevention), holds the community reserve
of emergency materials and hands it out to residents in need (FRAMEWORK.txt, first capacity:
"scientifically equip and reserve emergency facilities, equipment and materials ... through
regular training and emergency drills"), and keeps the register of known needs that the
departments serve (see resident.report_needs, party_member.contact_residents).
"""

from __future__ import annotations

import mesa
import numpy as np

#: A training or drill closes this share of the gap to full awareness.
TRAINING_GAIN = 1.0 / 3.0
#: Share of residents (besides all volunteers) who take part in a drill.
DRILL_TURNOUT = 0.2
#: Person-days of reserve handed to a resident at a time.
RESERVE_RATION = 3.0


class CommunityCommittee(mesa.Agent):
    """The committee (a single agent)."""

    def __init__(self, model):
        super().__init__(model)
        self.reserve = model.p["reserve_stock"] * model.residents.n  # person-days
        self.drills_held = 0
        self.trainings_given = 0

    def train_residents(self) -> None:
        """Publicity and training: each resident is trained with daily probability
        awareness_training_rate / 365."""
        pop = self.model.residents
        rng = self.model.rng
        k = rng.binomial(pop.n, min(1.0, self.model.p["awareness_training_rate"] / 365.0))
        if k:
            who = rng.integers(0, pop.n, k)
            pop.awareness[who] += TRAINING_GAIN * (1.0 - pop.awareness[who])
            self.trainings_given += k

    def run_drill(self) -> None:
        """A drill on a given day with probability drills_per_year / 365: all volunteers
        and DRILL_TURNOUT of residents raise their awareness."""
        rng = self.model.rng
        if rng.random() >= self.model.p["drills_per_year"] / 365.0:
            return
        pop = self.model.residents
        who = pop.volunteer | (rng.random(pop.n) < DRILL_TURNOUT)
        pop.awareness[who] += TRAINING_GAIN * (1.0 - pop.awareness[who])
        self.drills_held += 1

    def distribute_reserves(self, in_need: np.ndarray) -> None:
        """Known residents in need without household reserves receive a ration from the
        community reserve while it lasts (in a random order when it cannot cover all)."""
        if self.reserve < 1.0:
            return
        pop = self.model.residents
        who = np.flatnonzero(pop.known & in_need & (pop.reserve_days < 1.0))
        if len(who) == 0:
            return
        can = int(self.reserve // RESERVE_RATION)
        if can < len(who):
            who = self.model.rng.permutation(who)[:can]
        pop.reserve_days[who] += RESERVE_RATION
        self.reserve -= RESERVE_RATION * len(who)
