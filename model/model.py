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
from ..scenarios import Scenario, ScenarioError, load_scenario
from .community import Community, build_synthetic
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
    "help_vertical", "help_horizontal", "help_mutual_aid", "help_party",
    "help_organisations", "help_outside",
)
#: A resident in need counts as reached on a day when help of at least this many units
#: arrives (half a full day's help).
REACH_UNITS = 0.5
#: Channels through which help reaches residents (DESIGN §1, fourth capacity): departments'
#: own lines (vertical), pooled or cooperative department capacity (horizontal), neighbours
#: (mutual aid), party members going first (party), volunteer teams (organisations), outside
#: organisations and enterprises (outside).
CHANNELS = ("vertical", "horizontal", "mutual_aid", "party", "organisations", "outside")


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
        self.shock_scenario = copy.deepcopy(scen)  # shocks keep run state; never share it
        # Separate streams, all spawned from the model's generator: the community, the
        # hazards and the prevention routines (training, drills, contacts, assessments,
        # pilots) draw from their own, and the response from self.rng. A lever that changes
        # how many draws one stream makes leaves the other streams untouched (common random
        # numbers for paired comparisons across streams, not within one).
        community_rng, self.hazard_rng, self.routine_rng = self.rng.spawn(3)
        self.community = _community(network, self.p, community_rng)
        c = self.community
        self.day = 0

        # State of the population, the ties and the organisations.
        self.residents = Population(c, self.p)
        self.ties = Ties(c.n, c.tie_i, c.tie_j, c.tie_type, c.tie_strength,
                         self.p["working_tie_threshold"])
        self.exposure = np.asarray(c.exposure, float)
        n_nb = len(self.exposure)
        for k, shock in enumerate(self.shock_scenario.shocks):
            bad = [x for x in (shock.neighbourhoods or []) if x >= n_nb]
            if bad:
                raise ScenarioError(
                    f"scenario {self.shock_scenario.name}: shocks[{k}].neighbourhoods: {bad[0]} does "
                    f"not exist; allowed: indices 0..{n_nb - 1} (this community has {n_nb})")
        self.household_neighbourhood = np.zeros(int(c.household.max()) + 1, np.int64)
        self.household_neighbourhood[c.household] = c.neighbourhood
        self.outage = np.zeros(n_nb)  # utility outage per neighbourhood, 0-1
        self.hazard_ongoing = np.zeros(n_nb, bool)
        self.org_neighbourhood = c.org_neighbourhood
        self.enterprise_neighbourhood = c.enterprise_neighbourhood
        self.enterprise_capacity = np.ones(len(c.enterprise_neighbourhood))
        self.department_capacity = np.ones(len(DEPARTMENTS))
        self.patron = c.patron if (c.patron >= 0).any() else None
        self.patron_of = np.flatnonzero(c.patron >= 0)
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
        self.team_enrolled = np.bincount(team[c.volunteer],
                                          minlength=len(c.org_neighbourhood) + 1)
        self.team_active = self.team_enrolled.copy()

        Resident.settle_awareness(self)

        self.in_need = np.zeros(c.n, bool)
        self.function = np.ones(c.n)
        self.disturbed = False
        self._help = np.zeros(len(CHANNELS))  # today's help by channel (units)
        self.help_totals = np.zeros(len(CHANNELS))
        self.event_open = False
        self.plan_quality_at_onsets: list[float] = []
        # resident-days in need, and of those the days with organised help (>= REACH_UNITS
        # from departments, party members, volunteer teams or outside) or any help
        self.need_days = self.reached_days = self.aided_days = 0
        self.last_onset = 0
        # adaptability, first event: days from onset to the first department help, and until
        # half of the residents in need are known
        self.first_response: int | None = None
        self.half_known: int | None = None
        self.obs: dict[str, float] = {}
        self._reference = self._raw_levels()
        self.observe()
        self.datacollector = mesa.DataCollector(
            model_reporters={k: _reporter(k) for k in OBSERVABLES})
        self.datacollector.collect(self)

    # ---------------------------------------------------------------------------------
    def step(self) -> None:
        """One day, in this order:

        1. hazards: warnings, shock onsets (the committee activates its plan; aware
           residents react) and each shock's daily action;
        2. routines, every day: training and drills (committee), party members' contacts,
           forgetting, restocking of reserves, the plan adjusted, lessons applied;
        3. while the community is disturbed:
           a. coping: residents use reserves; needs become known (reports, monitoring, the
              plan's list); the committee hands out the community reserve;
           b. help: party members go first, mutual aid along ties, volunteer teams, outside
              organisations and enterprises, departments (pooled by the command);
           c. recovery: gaps close; utilities, enterprises and departments recover; ties
              weaken (displaced) or heal; residents return home; trust updates and fades
              back; when the community is at rest again, the event is assessed;
        4. observation: structure, function, relationship and counts are collected.
        """
        self.day = day = int(self.time)
        self.running = day < self.p["days"]  # Mesa's flag: the horizon is reached
        self._hazards(day)

        committee = self.committee
        committee.train_residents()
        committee.run_drill()
        PartyMember.contact_residents(self, self.in_need)
        Resident.forget(self)
        committee.restock()
        committee.adjust_plan(day)
        committee.apply_lessons(day)

        if self.disturbed:
            self._respond_and_recover(day)
            self.disturbed = not self._at_rest()
            if not self.disturbed:
                self._close_event(day)
                self._help[:] = 0.0
                self.team_active[:] = self.team_enrolled
            self.observe()
        self.datacollector.collect(self)

    def _respond_and_recover(self, day: int) -> None:
        pop, p = self.residents, self.p
        # Needs are judged on the gaps themselves: reserves make a day easier to bear (see
        # function) but do not end the need.
        in_need = pop.in_need_of(pop.gap, p["need_threshold"])
        anyone = bool(in_need.any())
        Resident.use_reserves(self, anyone)
        started = in_need & (pop.need_since < 0)
        pop.need_since[started] = day
        pop.need_since[~in_need] = -1
        pop.known &= in_need
        help_ = self._help
        help_[:] = 0.0

        if anyone:
            pop.ever_in_need |= in_need
            Resident.report_needs(self, in_need)
            self.committee.monitor_needs(in_need)
            self.committee.distribute_reserves(in_need)
            party = PartyMember.go_first(self, in_need)
            mutual = Resident.mutual_aid(self, in_need)
            teams = SocialOrganisation.help_residents(self, in_need)
            outside = SocialOrganisation.outside_help(self, in_need)
            departments, vertical, horizontal = GovernmentDepartment.respond(self, in_need)
            pop.relief = np.minimum(RELIEF_MAX, pop.relief + HELP_UNIT * departments[INCOME])
            community = party + teams + outside  # institutions and organisations
            institutional = departments[[HOUSING, HEALTH]] + community
            help_[:] = (vertical, horizontal, mutual.sum(), party.sum(), teams.sum(),
                        outside.sum())
            received = departments.sum(axis=0) + community
            self.need_days += int(in_need.sum())
            self.reached_days += int((in_need & (received >= REACH_UNITS)).sum())
            self.aided_days += int((in_need & (received + mutual >= REACH_UNITS)).sum())
            first_event = len(self.plan_quality_at_onsets) == 1
            if first_event and self.first_response is None and vertical + horizontal > 0:
                self.first_response = day - self.last_onset
            if first_event and self.half_known is None and \
                    pop.known.sum() >= 0.5 * in_need.sum():
                self.half_known = day - self.last_onset
            self.help_totals += help_
        else:  # nobody in need: no one asks for help, no one gives it
            mutual = np.zeros(pop.n)
            institutional = np.zeros((2, pop.n))
            received = mutual
            if pop.displaced.any() or not np.array_equal(self.team_active, self.team_enrolled):
                SocialOrganisation.muster(self, in_need)

        Resident.recover(self, institutional, mutual)
        GovernmentDepartment.repair_utilities(self)
        Enterprise.recover(self)
        Enterprise.pay_wages(self)
        GovernmentDepartment.recover(self)
        self._update_ties()
        Resident.return_home(self)
        if in_need.any():
            Resident.update_trust(self, in_need, received, mutual, self.response_delay())
        Resident.remember(self)
        Resident.restock(self, in_need)

    def _hazards(self, day: int) -> None:
        """Warnings, onsets and each shock's daily action; then which repairs the ongoing
        hazards block."""
        self.days_since_onset += 1
        self.infectious = 0
        shocks = self.shock_scenario.shocks
        for shock in shocks:
            if day == shock.warning_day(self.p["monitoring_accuracy"]) and \
                    self.rng.random() < self.institution.warning_probability(day):
                shock.warned = True
                mask = shock.footprint(self)[self.residents.neighbourhood]
                Resident.prepare_for_warning(self, mask)
        striking = [s for s in shocks if s.onset == day]
        if striking:  # shocks with the same onset make one event
            self._close_event(day)
            self._open_event(day)
            where = np.zeros(len(self.exposure), bool)
            for shock in striking:
                where |= shock.footprint(self)
            if any(s.reaction_possible for s in striking):
                Resident.react_to_onset(self, where[self.residents.neighbourhood])
            self.committee.activate_plan(where)
            for shock in striking:
                shock.strike(self)
            self.disturbed = True
            self.days_since_onset = 0
        for shock in shocks:
            if shock.onset <= day:
                shock.daily(self, day)
        self.hazard_ongoing[:] = False
        self.enterprise_recovery_blocked = False
        for shock in shocks:
            if shock.ongoing(day):
                if shock.blocks_repairs:
                    self.hazard_ongoing |= shock.footprint(self)
                self.enterprise_recovery_blocked |= shock.blocks_enterprise_recovery
            if day == shock.onset + shock.duration and not any(s.ongoing(day) for s in shocks):
                self.residents.prepared[:] = False  # the danger is over
            if shock.onset <= day and shock.active(self, day):
                self.disturbed = True

    def response_delay(self) -> int:
        return GovernmentDepartment.response_delay(self.p, self.committee.plan_quality)

    def _open_event(self, day: int) -> None:
        self.event_open = True
        self.last_onset = day
        self.plan_quality_at_onsets.append(self.committee.plan_quality)

    def _close_event(self, day: int) -> None:
        """An event is over (the community is at rest, or a new shock strikes): the
        committee assesses it."""
        if self.event_open:
            self.event_open = False
            self.committee.assess_event(day)

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
        if any(s.onset <= day and s.active(self, day) for s in self.shock_scenario.shocks):
            return False
        return not (pop.gap.any() or pop.displaced.any() or len(self.ties.damaged)
                    or self.outage.any() or self.hazard_ongoing.any()
                    or (self.enterprise_capacity < 1).any()
                    or (self.department_capacity < 1).any()
                    or not Resident.trust_settled(self)
                    or pop.reserves_moved)

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
        enrolled = self.team_enrolled
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
        unmet = pop.gap > 1.0 - self.p["need_threshold"]
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
            **{f"help_{c}": float(h) for c, h in zip(CHANNELS, self._help)},
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
