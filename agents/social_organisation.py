"""Social organisations (NGOs) and the volunteer teams they field.

FRAMEWORK.txt, first capacity: "rely on residents' self-governing organizations, enterprises
and non-governmental organizations around the community to build volunteer service teams";
fourth capacity: "welcome social organizations, the private sector and other entities in the
region and abroad to participate in the follow-up handling of risk events".

Every resident is served by one team: their own organisation's if they are a member, else the
committee's own volunteer team (the last slot, index K), which enrols the volunteers who belong
to no organisation. A team's daily capacity is its active volunteers (volunteers not themselves in need
and at home) x volunteer_capacity x the committee's plan fit; it is shared equally among the
residents in need it serves, each accepting in proportion to trust in institutions. Outside
organisations and enterprises join after a shock as openness allows (`outside_help`).
"""

from __future__ import annotations

import mesa
import numpy as np

#: Days after onset before outside organisations arrive.
OUTSIDE_ARRIVAL_DAYS = 3
#: Outside help at full openness, in resident-help per day per resident in need.
OUTSIDE_HELP_PER_NEED = 0.3
#: Daily donation of an enterprise at full capacity and full openness, in resident-help.
ENTERPRISE_DONATION = 2.0


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
        """The team serving each resident: their organisation's, or the committee's (K)."""
        pop = model.residents
        return np.where(pop.org >= 0, pop.org, len(model.org_neighbourhood))

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
        """Volunteer teams help the residents in need they serve, at the plan's fit.
        Returns units of help received per resident."""
        pop = model.residents
        k = len(model.org_neighbourhood)
        SocialOrganisation.muster(model, in_need)
        capacity = model.team_active * model.p["volunteer_capacity"] * model.committee.plan_fit
        demand = np.bincount(model.serving[in_need], minlength=k + 1).astype(float)
        ratio = np.minimum(1.0, np.divide(capacity, demand, out=np.zeros(k + 1),
                                          where=demand > 0))
        return ratio[model.serving] * in_need * pop.trust_institutions

    @staticmethod
    def outside_help(model, in_need: np.ndarray) -> np.ndarray:
        """From OUTSIDE_ARRIVAL_DAYS after an onset, outside organisations and the private
        sector join in proportion to external_openness: OUTSIDE_HELP_PER_NEED units per
        resident in need, plus ENTERPRISE_DONATION units per enterprise at full capacity,
        shared equally among residents in need (accepted in proportion to trust in
        institutions). Returns units received per resident."""
        pop = model.residents
        openness = model.p["external_openness"]
        if model.days_since_onset < OUTSIDE_ARRIVAL_DAYS or openness <= 0:
            return np.zeros(pop.n)
        demand = float(in_need.sum())
        capacity = openness * (OUTSIDE_HELP_PER_NEED * demand
                               + ENTERPRISE_DONATION * float(model.enterprise_capacity.sum()))
        return min(1.0, capacity / demand) * in_need * pop.trust_institutions
