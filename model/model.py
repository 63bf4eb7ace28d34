"""GrassrootsModel: the community, its agents, the shocks and the daily step.

One step is one day. `GrassrootsModel.step` wires the rules (agents/) in the order its
docstring states; each rule is a function whose arguments are what it reads and whose return
value is what it changes, and the step writes the result back into the state. Resident state
is a struct of arrays (community/state.py) and the tie matrix is scipy.sparse
(community/ties.py), so no step loops over residents in Python. What is observed each day is
computed by the pure functions of measures/dimensions.py.

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

from grassroots.agents import (
    CommunityCommittee, Enterprise, GovernmentDepartment, PartyMember, Resident,
    RiskAssessmentInstitution, SocialOrganisation,
)
from grassroots.agents import department as departments
from grassroots.agents import enterprise as enterprises
from grassroots.agents import housing
from grassroots.agents import party_member as party
from grassroots.agents import rescue
from grassroots.agents import resident as residents
from grassroots.agents import social_organisation as organisations
from grassroots.community.network_io import community_from_graph, load_community
from grassroots.community.state import Population, felt_need, in_need_of
from grassroots.community.synthetic import Community, build_synthetic
from grassroots.community.ties import Ties
from grassroots.core.params import resolve
from grassroots.core.vocabulary import (
    CHANNELS, DEPARTMENTS, HEALTH, HOUSING, HOUSING_UTIL, INCOME, RESCUERS, SERVICES,
)
from grassroots.measures.dimensions import OBSERVABLES, observe, resident_function
from grassroots.policies import load_policy
from grassroots.scenarios import Scenario, ScenarioError, load_scenario

__all__ = ["CHANNELS", "OBSERVABLES", "GrassrootsModel"]


class GrassrootsModel(mesa.Model):
    """A community under shocks. Parameters are those of core/params.py, as keywords.

    Args:
        rng: seed (int) of the model's generator; every random draw comes from it.
        scenario: a shipped scenario name, a TOML path, `none`, or a Scenario.
        policy: a policy package name or TOML path (policies/); its levers apply unless a
            parameter is given explicitly.
        network: a GraphML / edge-list path or a networkx graph to use instead of the
            synthetic community (community/network_io.py), or a community file (.toml: map
            layers and census tables, community/geo.py); a built Community is accepted too.
        **params: any declared parameter; unknown names or bad values raise ParameterError.
    """

    def __init__(self, rng: int | None = 0, scenario: str | Scenario = "flood",
                 policy: str = "baseline", network: Any = None, **params: Any):
        super().__init__(rng=rng)
        scen = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        self.policy = load_policy(policy)
        # defaults < policy levers < the horizon the scenario asks for < explicit parameters
        self.p = p = resolve(self.policy.levers, {"days": scen.days} if scen.days else None,
                             params)
        scen.check_horizon(p["days"])
        self.shock_scenario = copy.deepcopy(scen)  # shocks keep run state; never share it
        # Separate streams, all spawned from the model's generator: the community, the
        # hazards and the prevention routines (training, drills, contacts, assessments,
        # pilots) draw from their own, and the response from self.rng. A lever that changes
        # how many draws one stream makes leaves the other streams untouched (common random
        # numbers for paired comparisons across streams, not within one).
        community_rng, self.hazard_rng, self.routine_rng = self.rng.spawn(3)
        self.community = c = _community(network, p, community_rng)
        self.day = 0

        # State: the residents, the ties, the places and the organisations.
        self.residents = pop = Population(c)
        self.ties = Ties(c.n, c.tie_i, c.tie_j, c.tie_type, c.tie_strength,
                         p["working_tie_threshold"])
        self.exposure = np.asarray(c.exposure, float)
        self.hazard_exposure = {k: np.asarray(v, float)
                                for k, v in (c.hazard_exposure or {}).items()}
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
        self.enterprise_open = np.ones(len(c.enterprise_neighbourhood), bool)
        self.enterprise_failed = np.zeros(len(c.enterprise_neighbourhood), bool)
        self.residents_before = np.bincount(c.neighbourhood, minlength=n_nb)
        self.department_capacity = np.ones(len(DEPARTMENTS))
        self.patron = c.patron if (c.patron >= 0).any() else None
        self.patron_of = np.flatnonzero(c.patron >= 0)
        self.resources_used = 0.0
        self.wages_cut = False  # some employees' income is cut (enterprise capacity < 1)
        self.days_since_onset = 10**9
        self.infectious = 0  # residents infectious today (epidemics)
        self.enterprise_recovery_blocked = False  # a market-wide crisis is ongoing
        # life safety: residents whose home collapsed today (set by the shocks), deaths and
        # live rescues by rescuer (RESCUERS) so far
        self.collapsed = np.zeros(c.n, bool)
        self.deaths = 0
        self.departed = 0  # residents who left for good (agents/housing.py `leave`)
        self.rescued = np.zeros(len(RESCUERS), np.int64)
        n_orgs = len(c.org_neighbourhood)
        self.serving = organisations.serving_teams(pop.org, n_orgs)
        self.team_enrolled = organisations.enrolled_volunteers(pop, n_orgs)
        self.team_active = self.team_enrolled.copy()

        # Agents: one Mesa agent per actor; residents and party members view their row.
        ordinary = np.flatnonzero(~c.party)
        Resident.create_agents(self, len(ordinary), ordinary)
        PartyMember.create_agents(self, int(c.party.sum()), np.flatnonzero(c.party))
        SocialOrganisation.create_agents(self, n_orgs, np.arange(n_orgs))
        Enterprise.create_agents(self, len(c.enterprise_neighbourhood),
                                 np.arange(len(c.enterprise_neighbourhood)))
        GovernmentDepartment.create_agents(self, len(DEPARTMENTS), np.arange(len(DEPARTMENTS)))
        self.committee = CommunityCommittee(self, pop.n, p)
        self.institution = RiskAssessmentInstitution(self, p, self.routine_rng)

        pop.awareness = residents.settle_awareness(pop, self.patron, p)

        #: who was in need at the end of the last disturbed day (what party members find)
        self.in_need = np.zeros(c.n, bool)
        self.disturbed = False
        self.help_today = np.zeros(len(CHANNELS))  # today's help by channel (units)
        self.help_totals = np.zeros(len(CHANNELS))
        self.event_open = False
        self.plan_quality_at_onsets: list[float] = []
        # resident-days in need, and of those the days with organised help (>= reach_units
        # from departments, party members, volunteer teams or outside) or any help
        self.need_days = self.reached_days = self.aided_days = 0
        self.last_onset = 0
        # adaptability, first event: days from onset to the first department help, and until
        # half of the residents in need are known
        self.first_response: int | None = None
        self.half_known: int | None = None
        self._function_day = None  # day of the cached `function`
        self.obs: dict[str, float] = observe(self)
        self.datacollector = mesa.DataCollector(
            model_reporters={k: _reporter(k) for k in OBSERVABLES})
        self.datacollector.collect(self)

    # ---------------------------------------------------------------------------------
    def exposure_for(self, kind: str) -> np.ndarray:
        """Exposure per neighbourhood (0-1) to shocks of type `kind`: a community file's
        layer for that hazard where it has one (community/geo.py), else `exposure`."""
        return self.hazard_exposure.get(kind, self.exposure)

    def step(self) -> None:
        """One day, in this order:

        1. hazards (`_hazards`): warnings, shock onsets (the committee activates its plan;
           aware residents react) and each shock's daily action;
        2. routines, every day: training and drills (committee), party members' contacts,
           forgetting, restocking of the community reserve, the plan adjusted, lessons
           applied;
        3. while the community is disturbed (`_respond_and_recover`):
           a. coping: residents use reserves; needs become known (reports, monitoring, the
              plan's list); the committee hands out the community reserve;
           b. help: party members go first, mutual aid along ties, volunteer teams, outside
              organisations and enterprises, departments (pooled by the command);
           0. emergency: the trapped are freed by themselves, their household, neighbours,
              volunteers and party members, or professionals; those still trapped may die
              (`_rescue`, agents/rescue.py);
           c. recovery: gaps close; utilities, enterprises and departments recover; ties
              weaken (displaced) or heal; residents return home; trust updates and fades
              back; households restock; when the community is at rest again, the event is
              assessed;
        4. observation (measures/dimensions.py): structure, function, relationship and
           counts are collected.
        """
        self.day = day = int(self.time)
        self.running = day < self.p["days"]  # Mesa's flag: the horizon is reached
        self._hazards(day)

        pop, p, committee = self.residents, self.p, self.committee
        committee.train_residents(pop, self.routine_rng)
        committee.run_drill(pop, self.routine_rng)
        pop.awareness, pop.known = party.contact_residents(
            pop, self.patron, self.patron_of, self.in_need, p, self.routine_rng)
        pop.awareness = residents.forget(pop.awareness, pop.awareness_base, day, p)
        committee.restock()
        committee.adjust_plan(day)
        committee.apply_lessons(day)
        if self.event_open and day - self.last_onset >= p["event_review_days"]:
            self._close_event(day)  # the after-action review does not wait for the end

        if self.disturbed:
            self._respond_and_recover(day)
            self.disturbed = not self._at_rest()
            if not self.disturbed:
                self._close_event(day)
                self.help_today[:] = 0.0
                self.team_active[:] = self.team_enrolled
            self.in_need = felt_need(pop.gap, pop.buffered, p["reserve_buffer"],
                                     p["need_threshold"])
            self.obs = observe(self)
        self.datacollector.collect(self)

    def _respond_and_recover(self, day: int) -> None:
        """Steps 3a-3c of `step`."""
        pop, p, rng = self.residents, self.p, self.rng
        helped = self._rescue(day) if pop.trapped.any() else None
        delay = self.response_delay()  # the plan's quality does not change within the day
        # Needs are judged on the gaps as felt: a household living on its own supplies has
        # today's services covered and is not in need of help for them (§7.15).
        anyone = bool(in_need_of(pop.gap, p["need_threshold"]).any())
        pop.buffered, pop.reserves_moved = residents.use_reserves(pop, anyone, p)
        in_need = felt_need(pop.gap, pop.buffered, p["reserve_buffer"], p["need_threshold"])
        started = in_need & (pop.need_since < 0)
        pop.need_since[started] = day
        pop.need_since[~in_need] = -1
        pop.known &= in_need
        help_ = self.help_today
        help_[:] = 0.0
        n_orgs = len(self.org_neighbourhood)

        if anyone:
            pop.ever_in_need |= in_need
            pop.known = residents.report_needs(pop, in_need, p, rng)
            self.committee.monitor_needs(pop, in_need, rng)
            self.committee.distribute_reserves(pop, in_need, rng)
            vanguard = party.go_first(pop, self.patron, in_need, p)
            mutual, offered = residents.mutual_aid(pop, self.ties, in_need, p)
            helped = offered if helped is None else helped + offered
            self.team_active = organisations.muster(pop, n_orgs, p)
            teams = organisations.help_residents(pop, in_need, self.serving, self.team_active,
                                                 self.committee.plan_fit, p)
            outside = organisations.outside_help(pop, in_need, self.days_since_onset,
                                                 self.enterprise_capacity, p)
            units, vertical, horizontal = departments.respond(
                pop, in_need, day, delay, self.department_capacity,
                self.committee.plan_fit, p)
            self.resources_used += float(units.sum())
            pop.relief = enterprises.relieve_income(pop.relief, units[INCOME], p)
            community = vanguard + teams + outside  # institutions and organisations
            institutional = units[[HOUSING, HEALTH]] + community
            government = units.sum(axis=0)
            help_[:] = (vertical, horizontal, mutual.sum(), vanguard.sum(), teams.sum(),
                        outside.sum())
            received = government + community
            reached = in_need & (received >= p["reach_units"])
            self.need_days += int(in_need.sum())
            self.reached_days += int(reached.sum())
            self.committee.record_day(pop.neighbourhood, in_need, reached, len(self.exposure))
            self.aided_days += int((in_need & (received + mutual >= p["reach_units"])).sum())
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
            received = government = community = mutual
            if pop.displaced.any() or not np.array_equal(self.team_active, self.team_enrolled):
                self.team_active = organisations.muster(pop, n_orgs, p)

        if helped is not None or pop.fatigue.any():
            pop.fatigue = rescue.tire(pop.fatigue,
                                      np.zeros(pop.n) if helped is None else helped, p)
        pop.gap = residents.recover_gaps(pop, institutional, mutual, self.hazard_ongoing, p)
        housing.pay_claims(pop, day, p)
        housing.rebuild(pop, self.hazard_ongoing[self.household_neighbourhood], day, p,
                        institutional[0] + mutual)
        if self.outage.any():
            before = self.outage.copy()
            self.outage[:] = departments.repair_utilities(
                self.outage, self.hazard_ongoing, self.department_capacity[HOUSING_UTIL], p)
            pop.gap[SERVICES] = departments.services_gap(self.outage, pop.neighbourhood)
            # utilities restored are the departments' help too, for trust: an outage cut by
            # d today counts as d / help_unit units (the unit's definition, §7.1)
            government = government + ((before - self.outage) / p["help_unit"])[
                pop.neighbourhood] * (in_need & ~pop.displaced)
        self._run_enterprises(p)
        self.department_capacity[:] = departments.recover_departments(
            self.department_capacity, p)
        self._update_ties()
        pop.displaced = residents.return_home(pop, self.hazard_ongoing, self.outage, day, p)
        if pop.displaced.any():
            self._remove(housing.leave(pop, self.ties, day, p, rng), dead=False)
        if in_need.any():
            pop.trust_moved = True
            residents.update_trust(pop, self.ties, in_need, government, community, mutual,
                                   day, p)
        residents.remember(pop, p)
        back, pop.reserves_moved = residents.restock_households(pop, in_need, p)
        if back:
            self.committee.take_back(back)
        self._clear_dead()

    def _hazards(self, day: int) -> None:
        """Warnings, onsets and each shock's daily action; then which repairs the ongoing
        hazards block."""
        self.days_since_onset += 1
        self.infectious = 0
        pop = self.residents
        shocks = self.shock_scenario.shocks
        for shock in shocks:
            if day == shock.warning_day(self.p["monitoring_accuracy"]) and \
                    self.rng.random() < self.institution.warning_probability(day):
                shock.warned = True
                mask = shock.footprint(self)[pop.neighbourhood]
                pop.prepared = residents.prepare_for_warning(pop, mask, self.rng)
        striking = [s for s in shocks if s.onset == day]
        if striking:  # shocks with the same onset make one event
            self._close_event(day)
            self._open_event(day)
            where = np.zeros(len(self.exposure), bool)
            for shock in striking:
                where |= shock.footprint(self)
            if any(s.reaction_possible for s in striking):
                pop.prepared = residents.react_to_onset(
                    pop, where[pop.neighbourhood],
                    self.committee.local_quality(pop.neighbourhood), self.rng,
                    self.p)
            self.committee.activate_plan(pop, where, day, self.rng)
            before = housing.home_damage(pop)
            for shock in striking:
                shock.strike(self)
            collapsed = np.zeros(pop.n_households, bool)
            if self.collapsed.any():  # residents of collapsed homes: trapped, or killed
                collapsed[pop.household[self.collapsed]] = True
                _, killed = rescue.entrap(pop, self.collapsed, day, self.p, self.hazard_rng)
                self._remove(killed, dead=True)
                self.collapsed[:] = False
            # who leaves a damaged home, and the claims of this event (agents/housing.py)
            damage = housing.home_damage(pop)
            damaged = damage > before
            housing.claim_losses(pop, damage, damaged, day)
            pop.displaced = housing.dislocate(pop, damage, damaged, collapsed, self.p,
                                              self.hazard_rng)
            fresh = pop.displaced & (pop.displaced_since < 0)
            pop.displaced_since[fresh] = day
            pop.first_displaced[fresh & (pop.first_displaced < 0)] = day
            pop.ever_displaced |= pop.displaced
            self.disturbed = True
            self.days_since_onset = 0
        for shock in shocks:
            if shock.onset <= day:
                shock.daily(self, day)
        self._clear_dead()
        self.hazard_ongoing[:] = False
        self.enterprise_recovery_blocked = False
        for shock in shocks:
            if shock.ongoing(day):
                if shock.blocks_repairs:
                    self.hazard_ongoing |= shock.footprint(self)
                self.enterprise_recovery_blocked |= shock.blocks_enterprise_recovery
            if day == shock.onset + shock.duration and not any(s.ongoing(day) for s in shocks):
                pop.prepared[:] = False  # the danger is over
            if shock.onset <= day and shock.active(self, day):
                self.disturbed = True

    def _run_enterprises(self, p: dict) -> None:
        """Enterprises recover, open, fail; employees find work; wages are paid
        (agents/enterprise.py)."""
        if len(self.enterprise_capacity) == 0:
            return
        pop = self.residents
        custom = enterprises.customers(pop, self.enterprise_neighbourhood,
                                       self.residents_before)
        self.enterprise_capacity[:] = enterprises.recover_enterprises(
            self.enterprise_capacity, self.outage, self.hazard_ongoing,
            self.enterprise_neighbourhood, self.enterprise_recovery_blocked, custom,
            self.enterprise_failed, p)
        self.enterprise_open = enterprises.open_enterprises(
            self.enterprise_capacity, custom, self.enterprise_failed, p)
        self.enterprise_failed = enterprises.fail_enterprises(
            self.enterprise_capacity, custom, self.enterprise_open, self.enterprise_failed,
            p, self.rng)
        if self.enterprise_failed.any():
            enterprises.find_jobs(pop, self.enterprise_failed, self.enterprise_open, p,
                                  self.rng)
        self.wages_cut = enterprises.pay_wages(pop, self.enterprise_capacity,
                                               self.enterprise_open, self.wages_cut)

    def _rescue(self, day: int) -> np.ndarray:
        """Step 3.0: today's rescues of the trapped and deaths of those still trapped
        (agents/rescue.py). Returns the rescue effort each resident gave (for fatigue)."""
        pop, p = self.residents, self.p
        along, household, organised, helped = rescue.rescue_effort(pop, self.ties, p)
        hazards, victims = rescue.rescue_hazards(pop, along, household, organised,
                                                 self.days_since_onset,
                                                 self.department_capacity, p)
        by = rescue.free_trapped(hazards, self.rng)
        freed = victims[by >= 0]
        self.rescued += np.bincount(by[by >= 0], minlength=len(RESCUERS))
        pop.trapped[freed] = False
        pop.trapped_since[freed] = -1
        self._remove(rescue.die_trapped(pop, victims[by < 0], day, p, self.rng), dead=True)
        return helped

    def _clear_dead(self) -> None:
        """Rules that write a need for everyone in a place (outages, wages, heat, infection)
        also write it for the dead and those who left; clear it, so they are never counted
        in need."""
        pop = self.residents
        if self.deaths or self.departed:
            pop.gap[:, ~pop.present] = 0.0

    def _remove(self, who: np.ndarray, dead: bool) -> None:
        """Residents `who` (bool mask) die (`dead`) or leave for good: out of every count,
        their ties gone (Population.die / leave, Ties.remove)."""
        if not who.any():
            return
        if dead:
            self.residents.die(who)
            self.deaths += int(who.sum())
        else:
            self.residents.leave(who)
            self.departed += int(who.sum())
        self.ties.remove(self.ties.touching(who, skip_household=False))

    @property
    def function(self) -> np.ndarray:
        """Each resident's function today, 0-1 (measures/dimensions.py), computed once per
        day however often it is read (agents' views read their row of it)."""
        if self._function_day != self.time:
            self._function, self._function_day = resident_function(self), self.time
        return self._function

    def response_delay(self) -> int:
        """Days a known need waits for departments today (agents/department.py)."""
        return departments.response_delay(self.p, self.committee.plan_quality)

    def _open_event(self, day: int) -> None:
        self.event_open = True
        self.last_onset = day
        self.plan_quality_at_onsets.append(self.committee.plan_quality)

    def _close_event(self, day: int) -> None:
        """An event is assessed: when the community is at rest, when a new shock strikes,
        or event_review_days after its onset, whichever comes first (rebuilding can take
        years; the review of the response does not wait for it)."""
        if self.event_open:
            self.event_open = False
            self.committee.assess_event(day, len(self.exposure), self.routine_rng)

    def _update_ties(self) -> None:
        """Displaced residents' ties outside the household weaken; ties between residents
        at home heal, faster with more community activities."""
        pop, p = self.residents, self.p
        if pop.displaced.any():
            self.ties.weaken(self.ties.touching(pop.displaced),
                             1.0 - p["displacement_tie_decay"])
        self.ties.repair(p["tie_recovery_rate"] * (1.0 + p["activity_rate"] * p["activity_tie_gain"]),
                         pop.displaced, p["repair_floor"])

    def _at_rest(self) -> bool:
        """Nothing left to act on: no active shock, no gap, nobody displaced, no damaged tie,
        outage or capacity, trust and reserves back at their long-run levels."""
        pop = self.residents
        day = self.day
        if any(s.onset <= day and s.active(self, day) for s in self.shock_scenario.shocks):
            return False
        return not (pop.gap.any() or pop.displaced.any() or len(self.ties.damaged)
                    or pop.trapped.any() or pop.fatigue.any()
                    or self.outage.any() or self.hazard_ongoing.any()
                    or ((self.enterprise_capacity < 1) & ~self.enterprise_failed).any()
                    or not self.enterprise_open[~self.enterprise_failed].all()
                    or (self.department_capacity < 1).any()
                    or self._trust_moved()
                    or pop.reserves_moved)

    def _trust_moved(self) -> bool:
        pop = self.residents
        pop.trust_moved = residents.trust_moved(pop)
        return pop.trust_moved


def _community(network, p, rng) -> Community:
    if network is None:
        return build_synthetic(p, rng)
    if isinstance(network, Community):
        return network
    if isinstance(network, nx.Graph):
        return community_from_graph(network, p, rng)
    if str(network).endswith(".toml"):  # a community file: map layers and census tables
        from grassroots.community.geo import load_geo_community
        return load_geo_community(network, p, rng)
    return load_community(network, p, rng)


def _reporter(key: str):
    def report(model: GrassrootsModel) -> float:
        return model.obs[key]
    report.__name__ = key
    return report
