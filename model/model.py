"""GrassrootsModel: the community, its agents, the shocks and the daily step.

One step is one day. The step order is explicit (see `step`); every rule is a method of the
agent type that carries it out (agents/). Resident state is numpy arrays and the tie matrix
is scipy.sparse, so no step loops over residents in Python.

While the community is *at rest* — no shock has struck, or everything has been repaired —
the help and recovery rules have nothing to act on and are skipped; prevention routines
(training, drills, party contacts, assessments) run every day regardless.
"""

from __future__ import annotations

import copy
from typing import Any

import mesa
import networkx as nx
import numpy as np

from ..agents import (
    CommunityCommittee, Enterprise, GovernmentDepartment, PartyMember, Resident,
    RiskAssessmentInstitution, SocialOrganisation,
)
from ..agents.department import DEPARTMENTS, RELIEF_MAX
from ..agents.resident import HELP_UNIT, HOUSING, HEALTH, INCOME, Population
from ..scenarios import Scenario, load_scenario
from .community import LINKING, Community, build_synthetic
from .network_io import community_from_graph, load_community
from .params import resolve
from .policy import load_policy
from .ties import Ties

#: Per-step observables, in the column order of the time-series table.
OBSERVABLES = (
    "structure", "function", "relationship", "combined",
    "residents_in_need", "unmet_needs", "displaced", "infectious", "ties_working", "ties_lost",
    "giant_component", "bonding_ties", "bridging_ties", "linking_ties",
    "organisations_working", "trust", "resources_used",
    "help_mutual_aid", "help_organisations", "help_departments",
)


class GrassrootsModel(mesa.Model):
    """A community under shocks. Parameters are those of model/params.py, as keywords.

    Args:
        rng: seed (int) of the model's generator; every random draw comes from it.
        scenario: a shipped scenario name, a TOML path, `none`, or a Scenario.
        policy: a policy package name or TOML path (model/policy.py); its levers apply
            unless a parameter is given explicitly.
        network: a GraphML / edge-list path or a networkx graph to use instead of the
            synthetic community (model/network_io.py); a built Community is accepted too.
        **params: any declared parameter; unknown names or bad values raise ParameterError.
    """

    def __init__(self, rng: int | None = 0, scenario: str | Scenario = "flood",
                 policy: str = "baseline", network: Any = None, **params: Any):
        super().__init__(rng=rng)
        scen = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        self.policy = load_policy(policy)
        # defaults < policy levers < the horizon the scenario asks for < explicit parameters
        self.p = resolve(self.policy.levers, {"days": scen.days} if scen.days else None, params)
        scen.check_horizon(self.p["days"])
        self.scenario = copy.deepcopy(scen)  # shocks keep run state; never share it
        # Separate streams, all spawned from the model's generator: the community and the
        # hazards draw from their own, so changing a lever or the number of ties leaves the
        # damage a shock does (given the seed) unchanged; behaviour draws from self.rng.
        community_rng, self.hazard_rng = self.rng.spawn(2)
        self.community = _community(network, self.p, community_rng)
        c = self.community
        self.day = 0

        # State of the population, the ties and the organisations.
        self.residents = Population(c, self.p)
        self.ties = Ties(c.n, c.tie_i, c.tie_j, c.tie_type, c.tie_strength,
                         self.p["working_tie_threshold"])
        self.exposure = np.asarray(c.exposure, float)
        n_nb = len(self.exposure)
        self.household_neighbourhood = np.zeros(int(c.household.max()) + 1, np.int64)
        self.household_neighbourhood[c.household] = c.neighbourhood
        self.outage = np.zeros(n_nb)  # utility outage per neighbourhood, 0-1
        self.hazard_ongoing = np.zeros(n_nb, bool)
        self.org_neighbourhood = c.org_neighbourhood
        self.enterprise_neighbourhood = c.enterprise_neighbourhood
        self.enterprise_capacity = np.ones(len(c.enterprise_neighbourhood))
        self.department_capacity = np.ones(len(DEPARTMENTS))
        self.delay = GovernmentDepartment.response_delay(self.p)
        self.patron, self.patron_of = self._patrons()
        self.resources_used = 0.0
        self.wages_cut = False  # some employees' income is cut (enterprise capacity < 1)
        self.days_since_onset = 10**9
        self.infectious = 0  # residents infectious today (epidemics)
        self.enterprise_recovery_blocked = False  # a market-wide crisis is ongoing

        # Agents: one Mesa agent per actor; residents are views on the arrays above.
        ordinary = np.flatnonzero(~c.party)
        Resident.create_agents(self, len(ordinary), ordinary)
        PartyMember.create_agents(self, int(c.party.sum()), np.flatnonzero(c.party))
        SocialOrganisation.create_agents(self, len(c.org_neighbourhood),
                                         np.arange(len(c.org_neighbourhood)))
        Enterprise.create_agents(self, len(c.enterprise_neighbourhood),
                                 np.arange(len(c.enterprise_neighbourhood)))
        GovernmentDepartment.create_agents(self, len(DEPARTMENTS), np.arange(len(DEPARTMENTS)))
        self.committee = CommunityCommittee(self)
        self.institution = RiskAssessmentInstitution(self)
        self.serving = SocialOrganisation.serving_teams(self)
        team = np.where(c.org >= 0, c.org, len(c.org_neighbourhood))
        self._team_enrolled = np.bincount(team[c.volunteer],
                                          minlength=len(c.org_neighbourhood) + 1)
        self.team_active = self._team_enrolled.copy()

        self.in_need = np.zeros(c.n, bool)
        self.function = np.ones(c.n)
        self.disturbed = False
        self._help = np.zeros(3)
        self.obs: dict[str, float] = {}
        self._reference = self._raw_levels()
        self.observe()
        self.datacollector = mesa.DataCollector(
            model_reporters={k: _reporter(k) for k in OBSERVABLES})
        self.datacollector.collect(self)

    # ---------------------------------------------------------------------------------
    def step(self) -> None:
        """One day, in this order:

        1. hazards: warnings and shock onsets from the scenario;
        2. prevention routines: training and drills (committee), party members' contacts;
        3. coping: residents use reserves; needs are reported; the committee hands out the
           community reserve;
        4. help: mutual aid along ties, volunteer teams, departments (with pooling);
        5. recovery: gaps close, utilities and enterprises and departments recover, ties
           weaken (displaced) or heal, residents return home, trust updates;
        6. observation: structure, function, relationship and counts are collected.
        """
        self.day = day = int(self.time)
        self._hazards(day)

        self.committee.train_residents()
        self.committee.run_drill()
        PartyMember.contact_residents(self, self.in_need)

        if self.disturbed:
            self._respond_and_recover(day)
            self.disturbed = not self._at_rest()
            if not self.disturbed:
                self._help[:] = 0.0
                self.team_active[:] = self._team_enrolled
            self.observe()
        self.datacollector.collect(self)

    def _respond_and_recover(self, day: int) -> None:
        pop, p = self.residents, self.p
        Resident.use_reserves(self)
        in_need = pop.in_need_of(pop.effective_gap(p["reserve_buffer"]), p["need_threshold"])
        started = in_need & (pop.need_since < 0)
        pop.need_since[started] = day
        pop.need_since[~in_need] = -1
        pop.known &= in_need

        if in_need.any():
            Resident.report_needs(self, in_need)
            self.committee.distribute_reserves(in_need)
            mutual = Resident.mutual_aid(self, in_need)
            volunteers = SocialOrganisation.help_residents(self, in_need)
            departments = GovernmentDepartment.respond(self, in_need)
            pop.relief = np.minimum(RELIEF_MAX, pop.relief + HELP_UNIT * departments[INCOME])
            institutional = departments[[HOUSING, HEALTH]] + volunteers
            self._help = np.array([mutual.sum(), volunteers.sum(), departments.sum()])
        else:  # nobody in need: no one asks for help, no one gives it
            mutual = np.zeros(pop.n)
            volunteers = mutual
            departments = np.zeros((4, pop.n))
            institutional = departments[:2]
            self._help = np.zeros(3)
            SocialOrganisation.muster(self, in_need)

        Resident.recover(self, institutional, mutual)
        GovernmentDepartment.repair_utilities(self)
        Enterprise.recover(self)
        Enterprise.pay_wages(self)
        GovernmentDepartment.recover(self)
        self._update_ties()
        Resident.return_home(self)
        if in_need.any():
            Resident.update_trust(self, in_need, departments.sum(axis=0) + volunteers, mutual,
                                  self.delay)

    def _hazards(self, day: int) -> None:
        """Warnings, onsets and each shock's daily action; then which repairs the ongoing
        hazards block."""
        self.days_since_onset += 1
        self.infectious = 0
        shocks = self.scenario.shocks
        for shock in shocks:
            if day == shock.warning_day(self.p["monitoring_accuracy"]) and \
                    self.rng.random() < self.institution.warning_probability(day):
                shock.warned = True
                mask = shock.footprint(self)[self.residents.neighbourhood]
                Resident.prepare_for_warning(self, mask)
            if day == shock.onset:
                shock.strike(self)
                self.disturbed = True
                self.days_since_onset = 0
            if shock.onset <= day:
                shock.daily(self, day)
        self.hazard_ongoing[:] = False
        self.enterprise_recovery_blocked = False
        for shock in shocks:
            if shock.ongoing(day):
                if shock.blocks_repairs:
                    self.hazard_ongoing |= shock.footprint(self)
                self.enterprise_recovery_blocked |= shock.blocks_enterprise_recovery
            if day == shock.onset + shock.duration:
                self.residents.prepared[:] = False
            if shock.onset <= day and shock.active(self, day):
                self.disturbed = True

    def _update_ties(self) -> None:
        """Displaced residents' ties outside the household weaken; ties between residents
        at home heal, faster with more community activities."""
        pop, p = self.residents, self.p
        if pop.displaced.any():
            self.ties.weaken(self.ties.touching(pop.displaced),
                             1.0 - p["displacement_tie_decay"])
        self.ties.repair(p["tie_recovery_rate"] * (1.0 + p["activity_rate"] / 4.0),
                         pop.displaced)

    def _at_rest(self) -> bool:
        pop = self.residents
        day = self.day
        if any(s.onset <= day and s.active(self, day) for s in self.scenario.shocks):
            return False
        return not (pop.gap.any() or pop.displaced.any() or len(self.ties.damaged)
                    or self.outage.any() or self.hazard_ongoing.any()
                    or (self.enterprise_capacity < 1).any()
                    or (self.department_capacity < 1).any())

    def _patrons(self) -> tuple[np.ndarray | None, np.ndarray]:
        """Each ordinary resident's party member (from the linking ties), -1 if none."""
        t = self.ties
        link = t.kind == LINKING
        if not link.any():
            return None, np.zeros(0, np.int64)
        party = self.residents.party
        i, j = t.i[link], t.j[link]
        ordinary = np.where(party[i], j, i)
        member = np.where(party[i], i, j)
        patron = np.full(self.residents.n, -1, np.int64)
        patron[ordinary] = member
        return patron, np.flatnonzero(patron >= 0)

    # -- observation -------------------------------------------------------------------
    def _raw_levels(self) -> dict[str, float]:
        """The un-normalised levels whose ratio to the pre-shock value makes the curves."""
        pop = self.residents
        self._gap = pop.effective_gap(self.p["reserve_buffer"])
        self.function = pop.function_of(self._gap)
        self._orgs = self._organisation_capacities()
        return {
            "giant": self.ties.giant_component_share(),
            "organisations": float(self._orgs.mean()),
            "function": float(self.function.mean()),
            "strength": self.ties.total_strength(),
            "trust": float((pop.trust_neighbours.mean() + pop.trust_institutions.mean()) / 2),
        }

    def _organisation_capacities(self) -> np.ndarray:
        """Working capacity, 0-1, of every organisation: departments, enterprises, and each
        volunteer team (active / enrolled volunteers)."""
        enrolled = self._team_enrolled
        has = enrolled > 0
        teams = self.team_active[has] / enrolled[has]
        return np.concatenate([self.department_capacity, self.enterprise_capacity, teams])

    def observe(self) -> None:
        """Compute this step's observables into `self.obs` (read by the DataCollector)."""
        raw = self._raw_levels()
        ref = self._reference if hasattr(self, "_reference") else raw
        rel = {k: (raw[k] / ref[k] if ref[k] > 0 else 1.0) for k in raw}
        structure = 0.5 * (rel["giant"] + rel["organisations"])
        relationship = 0.5 * (rel["strength"] + rel["trust"])
        function = rel["function"]
        pop, t = self.residents, self.ties
        working = t.working_counts()
        unmet = self._gap > 1.0 - self.p["need_threshold"]
        in_need = self.in_need = unmet.any(axis=0)
        self.obs = {
            "structure": structure,
            "function": function,
            "relationship": relationship,
            "combined": (structure + function + relationship) / 3.0,
            "residents_in_need": int(in_need.sum()),
            "unmet_needs": int(unmet.sum()),
            "displaced": int(pop.displaced.sum()),
            "infectious": self.infectious,
            "ties_working": t.working_count(),
            "ties_lost": t.base_working_count() - t.working_count(),
            "giant_component": raw["giant"],
            "bonding_ties": working["household"] + working["neighbour"],
            "bridging_ties": working["bridging"],
            "linking_ties": working["linking"] + int((pop.org >= 0).sum()),
            "organisations_working": int((self._orgs >= 0.5).sum()),
            "trust": raw["trust"],
            "resources_used": self.resources_used,
            "help_mutual_aid": float(self._help[0]),
            "help_organisations": float(self._help[1]),
            "help_departments": float(self._help[2]),
        }


def _community(network, p, rng) -> Community:
    if network is None:
        return build_synthetic(p, rng)
    if isinstance(network, Community):
        return network
    if isinstance(network, nx.Graph):
        return community_from_graph(network, p, rng)
    return load_community(network, p, rng)


def _reporter(key: str):
    def report(model: GrassrootsModel) -> float:
        return model.obs[key]
    report.__name__ = key
    return report
