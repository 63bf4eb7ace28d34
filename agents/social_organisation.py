"""Social organisations (NGOs) and the volunteer teams they field.

The framework, first capacity: "rely on residents' self-governing organizations, enterprises
and non-governmental organizations around the community to build volunteer service teams";
fourth capacity: "welcome social organizations, the private sector and other entities in the
region and abroad to participate in the follow-up handling of risk events".

Every resident is served by one team: their own organisation's if they are a member, else the
committee's own volunteer team (the last slot, index K), which enrols the volunteers who belong
to no organisation. A team's daily capacity is its active volunteers (volunteers able to help —
alive, healthy, not trapped — and at home) x volunteer_capacity x the committee's plan fit; it is shared equally among the
residents in need it serves, each accepting in proportion to trust in institutions. Outside
organisations and enterprises join after a shock as openness allows (`outside_help`).
Rules over all residents are functions; a `SocialOrganisation` agent views its own team.
"""

from __future__ import annotations

import mesa
import numpy as np

from grassroots.community.state import Population, helpers_at_home


class SocialOrganisation(mesa.Agent):
    """One community-based NGO (index `idx` into the model's organisation arrays)."""

    def __init__(self, model, idx: int):
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


def serving_teams(org: np.ndarray, n_orgs: int) -> np.ndarray:
    """The team serving each resident: their organisation's, or the committee's (n_orgs)."""
    return np.where(org >= 0, org, n_orgs)


def enrolled_volunteers(pop: Population, n_orgs: int) -> np.ndarray:
    """Volunteers enrolled in each team (the last slot: the committee's own team)."""
    team = serving_teams(pop.org, n_orgs)
    return np.bincount(team[pop.volunteer], minlength=n_orgs + 1)


def muster(pop: Population, n_orgs: int, p: dict) -> np.ndarray:
    """Each team's active volunteers: enrolled, able to help and at home
    (community.state.helpers_at_home). Returns `team_active`."""
    active = pop.volunteer & helpers_at_home(pop, p)
    return np.bincount(serving_teams(pop.org, n_orgs)[active], minlength=n_orgs + 1)


def team_capacity(team_active: np.ndarray, plan_fit: float, p: dict) -> np.ndarray:
    """Units of help a day each volunteer team can give: active volunteers x
    volunteer_capacity x the committee's plan fit."""
    return team_active * p["volunteer_capacity"] * plan_fit


def help_residents(pop: Population, in_need: np.ndarray, serving: np.ndarray,
                   team_active: np.ndarray, plan_fit: float, p: dict) -> np.ndarray:
    """Volunteer teams help the residents in need they serve: a team's capacity is its
    active volunteers x volunteer_capacity x plan fit, shared equally (at most one unit each)
    and accepted in proportion to trust in institutions. Returns units received per
    resident."""
    k = len(team_active) - 1
    capacity = team_capacity(team_active, plan_fit, p)
    demand = np.bincount(serving[in_need], minlength=k + 1).astype(float)
    ratio = np.minimum(1.0, np.divide(capacity, demand, out=np.zeros(k + 1), where=demand > 0))
    return ratio[serving] * in_need * pop.trust_committee


def outside_help(pop: Population, in_need: np.ndarray, days_since_onset: int,
                 enterprise_capacity: np.ndarray, p: dict) -> np.ndarray:
    """From outside_arrival_days after an onset, outside organisations and the private
    sector join in proportion to external_openness: outside_help_per_need units per resident
    in need, plus enterprise_donation units per enterprise at full capacity, shared equally
    among residents in need (at most one unit each, accepted in proportion to trust in
    institutions). Returns units received per resident."""
    openness = p["external_openness"]
    demand = float(in_need.sum())
    if days_since_onset < p["outside_arrival_days"] or openness <= 0 or demand == 0:
        return np.zeros(pop.n)
    capacity = openness * (p["outside_help_per_need"] * demand
                           + p["enterprise_donation"] * float(enterprise_capacity.sum()))
    return min(1.0, capacity / demand) * in_need * pop.trust_committee
