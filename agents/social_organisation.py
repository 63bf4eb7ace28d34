"""Social organisations (NGOs) and the volunteer teams they field.

FRAMEWORK.txt, first capacity: "rely on residents' self-governing organizations, enterprises
and non-governmental organizations around the community to build volunteer service teams";
fourth capacity: "welcome social organizations, the private sector and other entities in the
region and abroad to participate in the follow-up handling of risk events".

Every resident is served by one team: their own organisation if they are a member, else an
organisation of their neighbourhood, else the committee's own volunteer team (the last slot,
index K). A team's daily capacity is its active volunteers (volunteers not themselves in need
and at home) x volunteer_capacity; it is shared equally among the residents in need it serves,
each accepting in proportion to trust in institutions.
"""

from __future__ import annotations

import mesa
import numpy as np

#: Days after onset before outside organisations arrive.
OUTSIDE_ARRIVAL_DAYS = 3
#: Outside help at full openness, in resident-help per day per resident in need.
OUTSIDE_HELP_PER_NEED = 0.5


class SocialOrganisation(mesa.Agent):
    """One community-based NGO (index `idx` into the model's organisation arrays)."""

    def __init__(self, model, idx):
        super().__init__(model)
        self.idx = int(idx)

    @property
    def members(self) -> int:
        return int((self.model.residents.org == self.idx).sum())

    @property
    def neighbourhood(self) -> int:
        return int(self.model.org_neighbourhood[self.idx])

    @property
    def active_volunteers(self) -> int:
        return int(self.model.team_active[self.idx])

    @staticmethod
    def serving_teams(model) -> np.ndarray:
        """The team serving each resident (see module doc); drawn once at set-up."""
        pop = model.residents
        k = len(model.org_neighbourhood)
        serving = np.where(pop.org >= 0, pop.org, k)
        if k:
            n_nb = int(pop.neighbourhood.max()) + 1
            order = np.argsort(model.org_neighbourhood, kind="stable")
            count = np.bincount(model.org_neighbourhood, minlength=n_nb)
            offset = np.r_[0, np.cumsum(count)[:-1]]
            nb = pop.neighbourhood
            pick = order[np.minimum(offset[nb] + (model.rng.random(pop.n) * count[nb]).astype(
                np.int64), k - 1)]
            serving = np.where((pop.org < 0) & (count[nb] > 0), pick, serving)
        return serving

    @staticmethod
    def muster(model, in_need: np.ndarray) -> None:
        """Count each team's active volunteers: enrolled, not in need, at home."""
        pop = model.residents
        k = len(model.org_neighbourhood)
        active = pop.volunteer & ~in_need & ~pop.displaced
        team = np.where(pop.org >= 0, pop.org, k)
        model.team_active = np.bincount(team[active], minlength=k + 1)

    @staticmethod
    def help_residents(model, in_need: np.ndarray) -> np.ndarray:
        """Volunteer teams help the residents in need they serve; outside organisations
        reinforce the committee's team once a shock has struck, in proportion to openness.
        Returns units of help received per resident."""
        pop = model.residents
        k = len(model.org_neighbourhood)
        SocialOrganisation.muster(model, in_need)
        capacity = model.team_active * model.p["volunteer_capacity"]
        demand = np.bincount(model.serving[in_need], minlength=k + 1).astype(float)
        if model.days_since_onset >= OUTSIDE_ARRIVAL_DAYS:
            capacity = capacity.astype(float)
            capacity[k] += model.p["external_openness"] * OUTSIDE_HELP_PER_NEED * in_need.sum()
        ratio = np.minimum(1.0, np.divide(capacity, demand, out=np.zeros(k + 1),
                                          where=demand > 0))
        return ratio[model.serving] * in_need * pop.trust_institutions
