"""The one declaration of every model parameter.

Each parameter is declared exactly once here, with its type, unit, bounds, default and the
sentence that says what it means. The CLI (`--set NAME=VALUE`, `--help`), the dashboard
controls, sweep ranges and input validation are all generated from this table; no default is
written anywhere else.

Groups follow the governance framework (*Grassroots resilience governance*, Chang'an
Commentary; see docs/ODD.md): the five capacities — prevention, resistance, adaptability,
recovery, learning — whose parameters are *levers* (governance choices a user sets), plus the
run settings, the community that is built, the mechanism constants of the dynamics and of the
shocks, whose parameters are *constants* (mechanism settings: documented assumptions that
sweeps and calibration may vary, but no planner "chooses").

Every number a rule uses is declared here; a rule reads it from the resolved parameter dict
`p`. The ODD's parameter tables are generated from this declaration
(`python -m grassroots.core.odd`), and tests/test_odd.py fails when they disagree.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from grassroots.core.cost_model import CostModel
from grassroots.core.io import suggest

GROUPS = (
    "run",
    "community",
    "prevention",
    "resistance",
    "adaptability",
    "recovery",
    "learning",
    "dynamics",
    "shocks",
)
#: Groups whose parameters are levers (governance choices); the rest are constants.
LEVER_GROUPS = ("prevention", "resistance", "adaptability", "recovery", "learning")


class ParameterError(ValueError):
    """Bad parameter input: the message is one line naming the field and what is allowed."""


@dataclass(frozen=True)
class Param:
    """One declared parameter.

    `kind` is int, float or str; `low`/`high` are inclusive bounds for numbers (None = open);
    `choices` restricts a str parameter.
    """

    name: str
    kind: type
    default: Any
    low: float | None
    high: float | None
    unit: str
    group: str
    doc: str
    choices: tuple[str, ...] | None = None
    #: for a lever: the value that switches it off (default: the low bound)
    off: Any = None
    #: for a lever: how its cost is counted (core/cost_model.py); prices in policies/costs.toml
    cost: CostModel | None = None

    @property
    def role(self) -> str:
        """"lever" (a governance choice) or "constant" (a mechanism or run setting)."""
        return "lever" if self.group in LEVER_GROUPS else "constant"

    @property
    def off_value(self) -> Any:
        return self.low if self.off is None else self.off

    def allowed(self) -> str:
        """Human-readable statement of the allowed values, used in every error message."""
        if self.choices:
            return "one of " + ", ".join(self.choices)
        kind = "an integer" if self.kind is int else "a number"
        if self.low is not None and self.high is not None:
            return f"{kind} in [{_fmt(self.low)}, {_fmt(self.high)}]"
        if self.low is not None:
            return f"{kind} >= {_fmt(self.low)}"
        if self.high is not None:
            return f"{kind} <= {_fmt(self.high)}"
        return kind

    def validate(self, value: Any) -> Any:
        """Return `value` coerced to this parameter's type, or raise ParameterError."""
        if self.kind is str:
            if not isinstance(value, str):
                raise ParameterError(f"{self.name}: got {value!r}; allowed: {self.allowed()}")
            if self.choices and value not in self.choices:
                raise ParameterError(f"{self.name}: got {value!r}; allowed: {self.allowed()}")
            return value
        if isinstance(value, bool):
            raise ParameterError(f"{self.name}: got {value!r}; allowed: {self.allowed()}")
        if isinstance(value, str):
            return self.parse(value)
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ParameterError(
                f"{self.name}: got {value!r}; allowed: {self.allowed()}"
            ) from None
        if not math.isfinite(number):
            raise ParameterError(f"{self.name}: got {value!r}; allowed: {self.allowed()}")
        if self.kind is int:
            if number != int(number):
                raise ParameterError(f"{self.name}: got {value!r}; allowed: {self.allowed()}")
            number = int(number)
        if (self.low is not None and number < self.low) or (
            self.high is not None and number > self.high
        ):
            raise ParameterError(f"{self.name}: got {value!r}; allowed: {self.allowed()}")
        return self.kind(number)

    def parse(self, text: str) -> Any:
        """Parse a value given as text (CLI `--set`, dashboard input), then validate it."""
        if self.kind is str:
            return self.validate(text)
        try:
            return self.validate(float(text.strip().replace("_", "")))
        except (ValueError, ParameterError):
            raise ParameterError(
                f"{self.name}: got {text.strip()!r}; allowed: {self.allowed()}"
            ) from None


def _fmt(x: float) -> str:
    return f"{int(x)}" if float(x).is_integer() else f"{x:g}"


_DECLARATIONS: list[Param] = [
    # ---- run ---------------------------------------------------------------------------
    Param("days", int, 365, 1, 3650, "days", "run",
          "Horizon: number of daily steps simulated."),
    Param("recovery_epsilon", float, 0.05, 0.001, 0.5, "fraction", "run",
          "Recovered means back to at least (1 - epsilon) of full performance (the reference community)."),
    # The reference community of the dimension curves is the default synthetic community:
    # its mean over seeds 0-19 at 2,000 residents, measured by
    # benchmarks/reference_community.py (measures/dimensions.py).
    Param("reference_service_capacity", float, 0.33, 0.001, 100.0,
          "resident-help per resident-day", "run",
          "Structure's reference: the help departments, volunteer teams and party members can "
          "deliver per resident and day in the reference community; structure counts capacity "
          "against it, capped at 1, so having fewer organisations never scores better."),
    Param("reference_working_ties", float, 4.42, 0.001, 1000.0, "working ties per resident",
          "run",
          "Structure's reference: working ties per resident in the reference community."),
    Param("reference_tie_strength", float, 2.87, 0.001, 1000.0, "tie strength per resident",
          "run",
          "Relationship's reference: tie strength per resident, organisation memberships "
          "included, in the reference community; relationship counts it capped at 1, so "
          "having fewer ties never scores better."),
    Param("reference_trust", float, 0.6, 0.001, 1.0, "trust 0-1", "run",
          "Relationship's reference: mean trust (in neighbours and in institutions) in the "
          "reference community; relationship counts trust against it, capped at 1."),
    Param("membership_tie_strength", float, 0.5, 0.0, 1.0, "strength 0-1", "run",
          "Strength a resident's membership of a social organisation counts for in "
          "relationship (a linking tie kept as membership, not as an edge)."),
    Param("control_window", int, 180, 1, 3650, "days", "run",
          "Length of the control window, from the first shock onset, over which the "
          "Cimellaro resilience index is averaged (clipped to the horizon)."),
    # ---- community ---------------------------------------------------------------------
    Param("residents", int, 2000, 10, 2_000_000, "persons", "community",
          "Number of residents in the synthetic community."),
    Param("household_size", float, 2.6, 1.0, 8.0, "persons", "community",
          "Mean household size (1 + Poisson distributed)."),
    Param("neighbourhood_size", int, 250, 10, 100_000, "persons", "community",
          "Mean number of residents per neighbourhood; neighbourhoods differ in hazard "
          "exposure."),
    Param("neighbour_ties", float, 4.0, 0.0, 50.0, "ties per resident", "community",
          "Mean number of bonding ties a resident has with neighbours outside the household."),
    Param("bridging_ties", float, 1.0, 0.0, 20.0, "ties per resident", "community",
          "Mean number of bridging ties a resident has to other neighbourhoods."),
    Param("five_plus_household_size", float, 5.5, 5.0, 12.0, "persons", "community",
          "Mean size of a household of 5 or more persons, when a community file's household "
          "size shares are turned into a number of households (community/geo.py)."),
    Param("bridging_distance_exponent", float, 2.0, 0.0, 6.0, "exponent", "community",
          "Gravity rule of a community file (community/geo.py): bridging ties between two "
          "neighbourhoods in proportion to the product of their populations over their "
          "centroids' distance to this power; 0 ignores distance."),
    Param("adult_share", float, 0.8, 0.1, 1.0, "fraction", "community",
          "Share of residents who are adults (can be employed, volunteer, be party members)."),
    Param("party_member_share", float, 0.07, 0.0, 1.0, "fraction of adults", "community",
          "Share of adults who are party members; each ordinary resident is linked to one "
          "party member of the neighbourhood."),
    Param("vulnerable_share", float, 0.2, 0.0, 1.0, "fraction", "community",
          "Share of residents in vulnerable groups (elderly, disabled, low income)."),
    Param("organisations_per_1000", float, 3.0, 0.0, 100.0, "per 1000 residents", "community",
          "Social organisations (NGOs) based in the community."),
    Param("membership_share", float, 0.3, 0.0, 1.0, "fraction", "community",
          "Share of residents who are members of a social organisation."),
    Param("enterprises_per_1000", float, 5.0, 0.0, 200.0, "per 1000 residents", "community",
          "Enterprises located in the community."),
    Param("employment_rate", float, 0.6, 0.0, 1.0, "fraction of adults", "community",
          "Share of adults employed by a community enterprise (income depends on it)."),
    Param("initial_awareness", float, 0.3, 0.0, 1.0, "0-1", "community",
          "Mean risk awareness of residents before any training."),
    Param("initial_trust_neighbours", float, 0.6, 0.0, 1.0, "0-1", "community",
          "Mean trust of residents in their neighbours (multiplied by U(0.8, 1.2), clipped)."),
    Param("initial_trust_institutions", float, 0.6, 0.0, 1.0, "0-1", "community",
          "Mean trust of residents in the committee, party members and organisations "
          "(multiplied by U(0.8, 1.2), clipped)."),
    Param("initial_trust_government", float, 0.6, 0.0, 1.0, "0-1", "community",
          "Mean trust of residents in government departments (multiplied by U(0.8, 1.2), "
          "clipped)."),
    Param("household_reserve_share", float, 0.3, 0.0, 1.0, "fraction", "community",
          "Share of households keeping emergency supplies before any campaign."),
    # what households have to recover with (community/synthetic.py: household_means)
    Param("low_resource_share", float, 0.3, 0.0, 1.0, "fraction of households", "community",
          "Share of low-resource households: low income and little savings (Orleans Parish's "
          "poverty rate was about a quarter in 2005)."),
    Param("savings_other", float, 0.25, 0.0, 10.0, "share of home value", "community",
          "Mean savings of other households, as a share of their home's value "
          "(exponentially distributed)."),
    Param("savings_low_resource", float, 0.02, 0.0, 10.0, "share of home value", "community",
          "Mean savings of low-resource households, as a share of their home's value."),
    Param("insurance_take_up", float, 0.6, 0.0, 1.0, "fraction of households", "community",
          "Share of other households whose home is insured against the hazard."),
    Param("insurance_take_up_low_resource", float, 0.25, 0.0, 1.0, "fraction of households",
          "community",
          "Share of low-resource households whose home is insured against the hazard."),
    Param("single_family_share", float, 0.6, 0.0, 1.0, "fraction of households", "community",
          "Share of households living in a single-family home (the rest in apartments); a "
          "term of the dislocation model (Lin 2008)."),
    Param("renter_share", float, 0.0, 0.0, 1.0, "fraction of households", "community",
          "Share of households renting their home (the rest own it); a rented home is "
          "repaired by its landlord (agents/housing.py). 0 keeps the synthetic community "
          "owner-occupied as in version one; about 0.35 of US households rent (Census ACS); "
          "a community file's renter column sets it per neighbourhood."),
    # Base tie strength is drawn uniformly in [low, high) by tie type: household ties are
    # strongest, bridging ties weakest (Granovetter's weak ties).
    Param("household_tie_low", float, 0.8, 0.0, 1.0, "strength 0-1", "community",
          "Lowest base strength of a household tie."),
    Param("household_tie_high", float, 1.0, 0.0, 1.0, "strength 0-1", "community",
          "Highest base strength of a household tie (exclusive)."),
    Param("neighbour_tie_low", float, 0.3, 0.0, 1.0, "strength 0-1", "community",
          "Lowest base strength of a neighbour tie."),
    Param("neighbour_tie_high", float, 0.8, 0.0, 1.0, "strength 0-1", "community",
          "Highest base strength of a neighbour tie (exclusive)."),
    Param("bridging_tie_low", float, 0.25, 0.0, 1.0, "strength 0-1", "community",
          "Lowest base strength of a bridging tie."),
    Param("bridging_tie_high", float, 0.6, 0.0, 1.0, "strength 0-1", "community",
          "Highest base strength of a bridging tie (exclusive)."),
    Param("linking_tie_low", float, 0.3, 0.0, 1.0, "strength 0-1", "community",
          "Lowest base strength of a linking tie (resident to party member)."),
    Param("linking_tie_high", float, 0.7, 0.0, 1.0, "strength 0-1", "community",
          "Highest base strength of a linking tie (exclusive)."),
    # ---- 1. prevention -----------------------------------------------------------------
    Param("awareness_training_rate", float, 0.2, 0.0, 4.0, "trainings per resident-year",
          "prevention",
          "Publicity and training: expected trainings per resident per year; each raises "
          "awareness by a third of the gap to full awareness.",
          cost=CostModel(per="resident", one_off="trainer_preparation",
                         recurring="resident_training",
                         note="a resident attending one training session; trainers prepared "
                              "once")),
    Param("assessment_interval", int, 365, 7, 3650, "days", "prevention",
          "Days between professional risk assessments by the assessment institution.",
          off=3650,
          cost=CostModel(per="neighbourhood", recurring="risk_assessment", amount="frequency",
                         note="professional assessments of each neighbourhood a year, above one "
                              "per ten years")),
    Param("assessment_quality", float, 0.5, 0.0, 1.0, "0-1", "prevention",
          "Quality of a risk assessment: the hazard knowledge it leaves behind.",
          cost=CostModel(per="neighbourhood_assessment",
                         recurring="assessment_quality_premium",
                         note="a more thorough assessment costs more each time it is made")),
    Param("volunteer_share", float, 0.05, 0.0, 1.0, "fraction of adults", "prevention",
          "Share of adults in volunteer service teams (of organisations or the committee).",
          cost=CostModel(per="adult", one_off="volunteer_training",
                         recurring="volunteer_upkeep",
                         note="each added volunteer: a CERT-style basic course, then coordination "
                              "and refreshers")),
    Param("reserve_stock", float, 1.0, 0.0, 30.0, "person-days per resident", "prevention",
          "Community reserve of emergency materials held by the committee.",
          cost=CostModel(per="resident", one_off="supply_person_day",
                         recurring="supply_holding",
                         note="person-days of supplies bought once, then stored and rotated")),
    Param("drills_per_year", float, 1.0, 0.0, 12.0, "drills per year", "prevention",
          "Emergency drills run by the committee; each raises awareness of participants.",
          cost=CostModel(per="neighbourhood", recurring="neighbourhood_drill",
                         note="one drill run in every neighbourhood; residents' own time not "
                              "counted")),
    # ---- 2. resistance -----------------------------------------------------------------
    Param("party_contact_rate", float, 0.5, 0.0, 8.0, "contacts per resident-month",
          "resistance",
          "Normalised contact of party members with the ordinary residents they are linked "
          "to; a contact raises awareness and reveals needs.",
          cost=CostModel(per="resident", recurring="resident_contact", amount="monthly",
                         note="the party member's time for each contact (volunteered time counted "
                              "as a cost)")),
    Param("activity_rate", float, 1.0, 0.0, 8.0, "activities per month", "resistance",
          "Community activities; they speed the repair of weakened ties.",
          cost=CostModel(per="neighbourhood", recurring="community_activity", amount="monthly",
                         note="one activity a month in every neighbourhood")),
    Param("command_coordination", float, 0.5, 0.0, 1.0, "0-1", "resistance",
          "Cross-departmental emergency command: share of a department's spare capacity "
          "pooled to departments with unmet demand.",
          cost=CostModel(per="resident", one_off="command_setup", recurring="command_staffing",
                         note="organisational: a joint command set up once, then staffed; no "
                              "budget line of its own")),
    Param("facility_investment", float, 0.3, 0.0, 1.0, "0-1", "resistance",
          "Emergency facilities, equipment and information technology: reduces utility "
          "outages and damage to enterprises and department capacity.",
          cost=CostModel(per="resident", one_off="facility_capital",
                         recurring="facility_upkeep",
                         note="capital works, equipment and IT, then their maintenance")),
    # ---- 3. adaptability ---------------------------------------------------------------
    Param("feedback_reach", float, 0.4, 0.0, 1.0, "probability per day", "adaptability",
          "Feedback channels: daily chance that a resident in need who trusts institutions "
          "reports the need.",
          cost=CostModel(per="resident", one_off="feedback_setup",
                         recurring="feedback_handling",
                         note="hotline and grid-worker channels set up, then staffed")),
    Param("monitoring_accuracy", float, 0.5, 0.0, 1.0, "0-1", "adaptability",
          "Monitoring and analytics: scales the chance and lead time of a hazard warning.",
          cost=CostModel(per="neighbourhood", one_off="monitoring_system",
                         recurring="monitoring_operation",
                         note="sensors and a data platform, then their operation and analysts' "
                              "time")),
    Param("grassroots_autonomy", float, 0.5, 0.0, 1.0, "0-1", "adaptability",
          "Autonomy of grassroots organisations: shortens the committee's plan-adjustment "
          "delay.",
          cost=CostModel(per="neighbourhood", one_off="delegation_training",
                         recurring="delegation_oversight",
                         note="organisational, not a budget item: leaders trained to decide, then "
                              "held to account; the political cost of delegated control is not "
                              "priced")),
    Param("household_reserve_campaign", float, 0.2, 0.0, 1.0, "0-1", "adaptability",
          "Campaign guiding households to keep emergency supplies: share of the remaining "
          "households that start keeping a week of supplies.",
          cost=CostModel(per="household_without_supplies", one_off="household_kit",
                         recurring="household_kit_upkeep",
                         note="outreach and a week's supplies per household that joins, then "
                              "restocking (partly paid by households)")),
    # ---- 4. recovery (multi-party mobilisation) ----------------------------------------
    Param("vertical_responsiveness", float, 0.5, 0.0, 1.0, "0-1", "recovery",
          "Needs go up and resources come down: department response delay is "
          "1 + max_response_delay x (1 - responsiveness) x (1.5 - plan quality) days, "
          "rounded.",
          cost=CostModel(per="resident", recurring="liaison_duty",
                         note="organisational: standby liaison between the committee and "
                              "departments")),
    Param("horizontal_cooperation", float, 0.5, 0.0, 1.0, "0-1", "recovery",
          "Cooperation between departments at the same level: information sharing raises "
          "each department's effective throughput.",
          cost=CostModel(per="resident", one_off="data_sharing_setup",
                         recurring="interagency_meetings",
                         note="organisational: shared information set up once, then coordination "
                              "meetings")),
    Param("mutual_aid_strength", float, 0.5, 0.0, 1.0, "0-1", "recovery",
          "Social mutual aid: each resident not in need and at home offers this x their trust "
          "in neighbours, shared along their ties; a receiver gets mutual_aid_capacity of "
          "repair rate when the offers they accept reach 1.",
          cost=CostModel(per="resident", recurring="mutual_aid_organising",
                         note="organising neighbour help (pairing, checks on the vulnerable); the "
                              "help itself unpaid")),
    Param("external_openness", float, 0.3, 0.0, 1.0, "0-1", "recovery",
          "Openness to outside organisations and the private sector after a shock.",
          cost=CostModel(per="resident", one_off="partnership_agreements",
                         recurring="partner_liaison",
                         note="agreements with outside organisations and enterprises, then "
                              "liaison; their help is paid by them")),
    # ---- 5. learning -------------------------------------------------------------------
    Param("learning_rate", float, 0.3, 0.0, 1.0, "0-1", "learning",
          "Dynamic assessment after each event: the plan quality q rises by "
          "learning_rate x (1 - q); adopted pilot results count at this rate too.",
          cost=CostModel(per="neighbourhood", recurring="after_action_review",
                         note="a thorough after-action review in every neighbourhood, one event a "
                              "year")),
    Param("pilot_share", float, 0.1, 0.0, 0.5, "fraction", "learning",
          "Share of neighbourhoods where trial-and-error pilots try a plan variation after "
          "each event; more pilot neighbourhoods (rounded) give clearer evidence.",
          cost=CostModel(per="neighbourhood", recurring="pilot",
                         note="designing, running and evaluating a plan variation in a pilot "
                              "neighbourhood")),
    Param("assessment_feedback_speed", float, 0.5, 0.0, 1.0, "0-1", "learning",
          "Speed of the rapid feedback mechanism: how soon after an event lessons apply.",
          cost=CostModel(per="neighbourhood", recurring="rapid_feedback",
                         note="staff time to turn lessons into the plan quickly")),
    # ---- dynamics constants (documented assumptions, see docs/ODD.md) ------------------
    Param("need_threshold", float, 0.8, 0.0, 1.0, "share of a need met", "dynamics",
          "A resident with any need met below this share is 'in need'; such a need is "
          "'unmet'."),
    Param("self_recovery_rate", float, 0.02, 0.0, 1.0, "gap fraction per day", "dynamics",
          "Daily share of a housing or health gap a resident closes by own means "
          "(lowered by vulnerability and lost income: own_means_*_drag)."),
    Param("own_means_vulnerability_drag", float, 0.5, 0.0, 1.0, "fraction", "dynamics",
          "Own-means repair is slowed by this share per unit of vulnerability: rate = "
          "self_recovery_rate x (1 - drag x vulnerability) x (1 - income drag x income gap)."),
    Param("own_means_income_drag", float, 0.5, 0.0, 1.0, "fraction", "dynamics",
          "Own-means repair is slowed by this share per unit of income gap (see "
          "own_means_vulnerability_drag)."),
    Param("mutual_aid_capacity", float, 0.08, 0.0, 1.0, "repair rate per day", "dynamics",
          "Most mutual aid can add to a resident's daily repair rate, reached when the offers "
          "they accept add up to 1."),
    Param("volunteer_capacity", float, 3.0, 0.0, 100.0, "resident-help per volunteer-day",
          "dynamics",
          "Units of help one active volunteer gives per day; a unit adds help_unit to the "
          "daily repair rate of a resident's gaps."),
    Param("department_throughput", float, 20.0, 0.0, 10_000.0,
          "resident-help per day per 1000 residents", "dynamics",
          "Daily help a department at full capacity delivers, per 1000 residents."),
    Param("max_response_delay", int, 14, 0, 90, "days", "dynamics",
          "Department response delay when vertical responsiveness is 0."),
    Param("return_threshold", float, 0.25, 0.0, 1.0, "housing gap 0-1", "dynamics",
          "Displaced residents return home when their housing gap falls below this."),
    Param("displacement_tie_decay", float, 0.02, 0.0, 1.0, "strength fraction per day",
          "dynamics",
          "Daily loss of strength of a displaced resident's ties outside the household."),
    Param("tie_recovery_rate", float, 0.03, 0.0, 1.0, "strength fraction per day", "dynamics",
          "Daily share of lost tie strength regained when both ends are at home "
          "(multiplied by 1 + activity_tie_gain x activity_rate)."),
    Param("working_tie_threshold", float, 0.2, 0.0, 1.0, "strength 0-1", "dynamics",
          "A tie whose strength is at least this is 'working' (used for structure)."),
    Param("trust_gain", float, 0.01, 0.0, 1.0, "share of distrust per unit help", "dynamics",
          "Per unit of help received while in need, trust closes this share of its distance "
          "to 1."),
    Param("trust_erosion", float, 0.004, 0.0, 1.0, "share of trust per day", "dynamics",
          "Once a need has lasted longer than trust_patience_days: share of trust lost per "
          "day without help from government, from the committee and organisations, or from "
          "neighbours (each trust by its own help; help of institutions counts from "
          "reach_units a day)."),
    Param("trust_patience_days", int, 7, 0, 365, "days", "dynamics",
          "Days residents in need expect to wait for help before each day without it "
          "erodes their trust (an expectation of their own, not the departments' plan)."),
    Param("trust_witness", float, 0.05, 0.0, 1.0, "share of trust per day", "dynamics",
          "Share of their trust in government every resident present loses a day per unit "
          "share of the community whose need has waited past trust_patience_days without "
          "any answer from the departments (fairness seen, in need or not)."),
    Param("trust_base_drift", float, 0.005, 0.0, 1.0, "per day", "dynamics",
          "Rate at which the long-run level of trust moves toward trust as it is: what a "
          "response did to trust leaves a lasting mark instead of fading back entirely."),
    Param("trust_memory", float, 90.0, 1.0, 3650.0, "days", "dynamics",
          "Trust gained or lost in a shock fades back to its long-run level at 1/trust_memory "
          "of the difference per day (a steady 0.1/trust_memory once within 0.1; "
          "repair_step in core/vocabulary.py)."),
    Param("enterprise_recovery_rate", float, 0.03, 0.0, 1.0, "capacity fraction per day",
          "dynamics",
          "Daily share of lost capacity an enterprise regains when utilities work."),
    Param("business_open_capacity", float, 0.5, 0.0, 1.0, "capacity 0-1", "dynamics",
          "An enterprise opens again once its capacity is back to this."),
    Param("business_min_customers", float, 0.25, 0.0, 1.0, "share of residents", "dynamics",
          "Share of its neighbourhood's pre-shock residents back home an enterprise needs to "
          "stay open."),
    Param("business_failure_rate", float, 0.01, 0.0, 1.0, "per day", "dynamics",
          "Daily chance a closed enterprise with no customers and no capacity fails for "
          "good (x (1 - customers) x (1 - capacity))."),
    Param("job_finding_rate", float, 0.02, 0.0, 1.0, "per day", "dynamics",
          "Daily chance an employee of a failed enterprise finds work with an open one, at "
          "every enterprise open."),
    Param("utility_repair_rate", float, 0.08, 0.0, 1.0, "outage fraction per day", "dynamics",
          "Daily share of a neighbourhood's utility outage repaired by a fully working "
          "housing & utilities department."),
    Param("department_recovery_rate", float, 0.05, 0.0, 1.0, "capacity fraction per day",
          "dynamics",
          "Daily share of lost department capacity restored."),
    Param("warning_protection", float, 0.4, 0.0, 1.0, "fraction", "dynamics",
          "Share of flood damage a prepared resident (warned, or reacting in time) avoids."),
    Param("reserve_buffer", float, 0.8, 0.0, 1.0, "fraction", "dynamics",
          "Share of a day's services gap a household covers from its own supplies on a day it "
          "lives on them (water, food, light, medicines; not the power for everything)."),
    # -- help and repair --
    Param("help_unit", float, 0.1, 0.0, 1.0, "gap share per day per unit", "dynamics",
          "One unit of help ('resident-help') adds this to the daily repair rate of a "
          "resident's gap."),
    Param("repair_floor", float, 0.1, 0.001, 1.0, "deficit 0-1", "dynamics",
          "Damage smaller than this is repaired at the pace of damage of this size, so repair "
          "ends in finite time (repair_step)."),
    Param("reach_units", float, 0.5, 0.0, 10.0, "resident-help per day", "dynamics",
          "A resident in need counts as reached on a day when at least this much help "
          "arrives (half a full day's help); used by the recovery indicator."),
    Param("activity_tie_gain", float, 0.25, 0.0, 10.0, "per activity per month", "dynamics",
          "Each monthly community activity speeds the repair of weakened ties by this share "
          "of tie_recovery_rate."),
    # -- awareness, warnings and reserves --
    Param("training_gain", float, 1.0 / 3.0, 0.0, 1.0, "share of awareness gap", "dynamics",
          "A training or drill closes this share of the gap between a resident's awareness "
          "and full awareness."),
    Param("drill_turnout", float, 0.2, 0.0, 1.0, "fraction", "dynamics",
          "Share of residents (besides all volunteers) who take part in a drill."),
    Param("contact_awareness_gain", float, 0.1, 0.0, 1.0, "share of awareness gap",
          "dynamics",
          "A party member's contact closes this share of the gap to full awareness."),
    Param("awareness_memory", float, 365.0, 1.0, 36500.0, "days", "dynamics",
          "Awareness forgets 1/awareness_memory of its gap to its base level a day (applied "
          "weekly)."),
    Param("onset_reaction", float, 0.4, 0.0, 1.0, "probability per unit awareness",
          "dynamics",
          "Chance, per unit of awareness, that a resident acts as the hazard arrives when the "
          "plan is worthless; a perfect plan (quality 1) doubles it."),
    Param("knowledge_lifetime", float, 365.0, 1.0, 36500.0, "days", "dynamics",
          "Days over which a risk assessment's hazard knowledge fades by a factor e."),
    Param("household_restock_days", float, 30.0, 1.0, 3650.0, "days", "dynamics",
          "Days a household takes to restock its emergency supplies from empty."),
    Param("reserve_ration", float, 3.0, 0.1, 365.0, "person-days", "dynamics",
          "Person-days of community reserve handed to a resident at a time."),
    Param("reserve_restock_days", float, 90.0, 1.0, 3650.0, "days", "dynamics",
          "Days the committee takes to restock the community reserve from empty."),
    # -- the committee's plan, monitoring and learning --
    Param("monitor_detect", float, 0.2, 0.0, 1.0, "probability per day", "dynamics",
          "Daily chance, at monitoring_accuracy 1, that monitoring finds a resident's "
          "unreported need."),
    Param("plan_quality_start", float, 0.5, 0.0, 1.0, "0-1", "dynamics",
          "Quality of the committee's emergency plan before any learning."),
    Param("plan_fit_base", float, 0.4, 0.0, 1.0, "0-1", "dynamics",
          "Plan fit before the plan is adjusted, with a worthless plan and no drills: "
          "fit = plan_fit_base + plan_fit_quality x q + plan_fit_drills x "
          "min(1, drills_per_year / plan_fit_drills_full)."),
    Param("plan_fit_quality", float, 0.3, 0.0, 1.0, "0-1", "dynamics",
          "Plan fit gained per unit of plan quality q (see plan_fit_base)."),
    Param("plan_fit_drills", float, 0.3, 0.0, 1.0, "0-1", "dynamics",
          "Plan fit gained by a fully drilled community (see plan_fit_base)."),
    Param("plan_fit_drills_full", float, 4.0, 0.1, 365.0, "drills per year", "dynamics",
          "Drills a year at which drilling gives its full plan fit."),
    Param("max_adjust_delay", int, 21, 0, 365, "days", "dynamics",
          "Days the committee takes to adjust its plan to a new situation with no autonomy."),
    Param("max_lesson_delay", int, 180, 0, 3650, "days", "dynamics",
          "Days before an event's lessons apply with the slowest feedback."),
    Param("event_review_days", int, 120, 1, 3650, "days", "dynamics",
          "Days after an onset when the committee reviews the response (the event's "
          "assessment), if the community is not at rest before."),
    Param("pilot_effect_low", float, -0.15, -1.0, 1.0, "plan quality", "dynamics",
          "Lowest true effect on plan quality of a variation tried in pilots (uniform draw)."),
    Param("pilot_effect_high", float, 0.25, -1.0, 1.0, "plan quality", "dynamics",
          "Highest true effect on plan quality of a variation tried in pilots."),
    # -- departments, party members and outside help --
    Param("response_plan_offset", float, 1.5, 1.0, 10.0, "multiplier", "dynamics",
          "Department response delay is 1 + max_response_delay x (1 - vertical_responsiveness) "
          "x (response_plan_offset - plan quality) days, rounded."),
    Param("cooperation_gain", float, 0.5, 0.0, 10.0, "share of throughput", "dynamics",
          "Full horizontal cooperation raises each department's throughput by this share."),
    Param("relief_max", float, 0.6, 0.0, 1.0, "share of lost income", "dynamics",
          "Civil-affairs relief replaces at most this share of lost income (a minimum-living-"
          "standard payment)."),
    Param("vanguard_units", float, 2.0, 0.0, 100.0, "resident-help per day", "dynamics",
          "Help a party member at home and not in need gives a day in an emergency."),
    Param("outside_arrival_days", int, 3, 0, 365, "days", "dynamics",
          "Days after onset before outside organisations arrive."),
    Param("outside_help_per_need", float, 0.3, 0.0, 100.0,
          "resident-help per day per resident in need", "dynamics",
          "Outside organisations' help at full openness."),
    Param("enterprise_donation", float, 2.0, 0.0, 1000.0, "resident-help per day", "dynamics",
          "Daily donation of an enterprise at full capacity and full openness."),
    # displacement and housing recovery (agents/housing.py)
    Param("dislocation_beta0", float, -0.42523, -10.0, 10.0, "log-odds", "dynamics",
          "Intercept of the household dislocation logit (Lin 2008, as in NIST IN-CORE's "
          "population dislocation)."),
    Param("dislocation_beta1", float, 0.02480, 0.0, 1.0, "log-odds per % value loss",
          "dynamics",
          "Effect of the home's value loss (percent) on the dislocation logit (Lin 2008)."),
    Param("dislocation_beta2", float, -0.50166, -10.0, 10.0, "log-odds", "dynamics",
          "Effect of living in a single-family home on the dislocation logit (Lin 2008)."),
    Param("dislocation_min_damage", float, 0.1, 0.0, 1.0, "value loss 0-1", "dynamics",
          "Homes damaged less than this (below HAZUS's slight damage) stay habitable: the "
          "dislocation logit applies to homes damaged at least this much."),
    Param("return_outage_max", float, 0.5, 0.0, 1.0, "outage 0-1", "dynamics",
          "Displaced residents return only once their neighbourhood's utility outage is "
          "below this (and the hazard has passed)."),
    Param("self_repair_limit", float, 0.3, 0.0, 1.0, "housing gap 0-1", "dynamics",
          "Damage a household repairs by own means and neighbours' help; above it the work "
          "needs contractors, paid from savings, insurance or aid."),
    Param("help_rebuild_share", float, 0.002, 0.0, 1.0, "fraction", "dynamics",
          "Home-value a day one unit of help (neighbours, volunteers, departments' crews) "
          "rebuilds above self_repair_limit, as a share of help_unit: labour and donated "
          "materials for homes that wait for builders."),
    Param("contractor_capacity", float, 0.15, 0.0, 100.0,
          "home-values repaired per day per 1000 households", "dynamics",
          "Repair work the community's builders can do a day, shared by the funded repairs."),
    Param("outside_contractor_capacity", float, 0.15, 0.0, 100.0,
          "home-values repaired per day per 1000 households", "dynamics",
          "Repair work outside builders add at full external openness."),
    Param("repair_pace_max", float, 1.0 / 120.0, 0.0001, 1.0, "home-value per day",
          "dynamics",
          "Most repair work one home can take a day (a full rebuild takes at least "
          "1 / this days of work)."),
    Param("insurance_coverage", float, 0.8, 0.0, 1.0, "share of the loss", "dynamics",
          "Share of an insured household's loss the insurer pays."),
    Param("insurance_delay_days", int, 90, 0, 3650, "days", "dynamics",
          "Days from the onset until insurers pay."),
    Param("aid_share", float, 0.5, 0.0, 1.0, "share of the uninsured loss", "dynamics",
          "Share of a household's uninsured loss that public rebuilding aid pays."),
    Param("aid_delay_days", int, 540, 0, 3650, "days", "dynamics",
          "Days from the onset until public rebuilding aid pays (Louisiana's Road Home paid "
          "most grants 18-30 months after Katrina)."),
    Param("aid_low_resource_factor", float, 0.6, 0.0, 1.0, "fraction", "dynamics",
          "Aid a low-resource household gets relative to others for the same loss (aid "
          "follows resources: Howell & Elliott 2019)."),
    Param("aid_rental_factor", float, 0.5, 0.0, 1.0, "fraction", "dynamics",
          "Public rebuilding aid for a rented home relative to an owner-occupied one for "
          "the same loss: repair grants go to owner-occupants, rental repairs wait for "
          "smaller landlord programmes (Lee & Van Zandt 2019); 0.5 is our order of magnitude."),
    Param("rental_repair_delay_days", int, 180, 0, 3650, "days", "dynamics",
          "Days from the onset before a landlord's repairs of a rented home can start: "
          "landlords decide whether to rebuild, sell or convert, and rental housing "
          "recovers more slowly than owner-occupied (Zhang & Peacock 2010); 180 is our order of "
          "magnitude."),
    Param("emergency_shelter_days", int, 14, 1, 3650, "days", "dynamics",
          "Days a displaced household spends in emergency shelter before moving to "
          "temporary shelter (Sutley & Hamideh 2020's stages)."),
    Param("temporary_shelter_days", int, 90, 1, 3650, "days", "dynamics",
          "Days displaced until a household moves from temporary shelter to temporary "
          "housing; from then on it may give up and leave for good."),
    Param("migration_rate", float, 0.015, 0.0, 1.0, "per day", "dynamics",
          "Daily chance that a household in temporary housing with no attachment and no "
          "funds for its repairs leaves the community for good."),
    Param("attachment_ties", float, 0.7, 0.0, 1.0, "fraction", "dynamics",
          "Weight of the household's ties (base strength per member outside the household, "
          "against reference_tie_strength) in its attachment to the community."),
    Param("attachment_organisations", float, 0.6, 0.0, 1.0, "fraction", "dynamics",
          "Weight of membership of a social organisation in a household's attachment "
          "(exit versus voice: Aldrich 2012)."),
    # life safety: rescue of the trapped, their survival, helpers' fatigue (agents/rescue.py)
    Param("trapped_survival_days", float, 2.0, 0.1, 30.0, "days", "dynamics",
          "Scale of the Weibull survival of a resident trapped in a collapse: S(t) = "
          "exp(-(t / scale)^shape), t days trapped (the 'golden 72 hours')."),
    Param("trapped_survival_shape", float, 1.5, 0.2, 5.0, "1", "dynamics",
          "Shape of that Weibull survival (> 1: the chance of dying each day rises the "
          "longer one is trapped)."),
    Param("self_rescue_rate", float, 0.5, 0.0, 10.0, "per day", "dynamics",
          "Daily hazard of freeing oneself from a collapse, for a resident of no "
          "vulnerability (scaled by 1 - vulnerability)."),
    Param("household_rescue_rate", float, 0.4, 0.0, 20.0,
          "per day per able household member", "dynamics",
          "Daily hazard of being freed by one's household, per able member not trapped, "
          "shared among the household's trapped."),
    Param("neighbour_rescue_rate", float, 0.12, 0.0, 20.0, "per day per unit of effort",
          "dynamics",
          "Daily hazard of being freed by neighbours and friends, per unit of digging effort "
          "reaching the trapped along their ties (an able helper gives 1 x (1 - fatigue), "
          "split over the trapped they are tied to in proportion to tie strength)."),
    Param("organised_rescue_rate", float, 0.015, 0.0, 20.0, "per day per unit of effort",
          "dynamics",
          "Daily hazard of being freed by the volunteers and party members of one's "
          "neighbourhood, per unit of their effort shared among its trapped."),
    Param("professional_rescue_capacity", float, 0.5, 0.0, 100.0,
          "live-rescue attempts per day per 1000 residents", "dynamics",
          "Search-and-rescue work the local professional teams (fire, police) can do a day "
          "at full emergency-management capacity, shared among all the trapped."),
    Param("outside_rescue_capacity", float, 1.0, 0.0, 100.0,
          "live-rescue attempts per day per 1000 residents", "dynamics",
          "The same for outside professional teams (other cities, the army, USAR), at full "
          "external openness, from outside_arrival_days after onset."),
    Param("helper_fatigue_gain", float, 0.08, 0.0, 1.0, "per day of helping", "dynamics",
          "Share of the gap to exhaustion a helper's fatigue closes on each day they dig or "
          "give help; what they can give is scaled by 1 - fatigue."),
    Param("helper_rest_rate", float, 0.2, 0.0, 1.0, "per day", "dynamics",
          "Rate at which fatigue fades on a day without helping (the repair rule)."),
    # ---- shocks: constants of the shock modules (scenarios/) ------------------------------
    Param("facility_outage_reduction", float, 0.6, 0.0, 1.0, "fraction", "shocks",
          "Share of a utility outage that full facility investment prevents (flood, "
          "earthquake, heatwave)."),
    Param("facility_damage_reduction", float, 0.5, 0.0, 1.0, "fraction", "shocks",
          "Share of damage to enterprises and department capacity that full facility "
          "investment prevents."),
    Param("broken_tie_keeps", float, 0.1, 0.0, 1.0, "fraction", "shocks",
          "Share of its strength a tie broken by an earthquake keeps."),
    Param("heat_warning_protection", float, 0.75, 0.0, 1.0, "fraction", "shocks",
          "Share of heat harm a prepared resident (warned, or reacting in time) avoids: the "
          "heatwave's counterpart of warning_protection (cooling, water, checking on the "
          "elderly)."),
    Param("failed_enterprise_keeps", float, 0.1, 0.0, 1.0, "fraction", "shocks",
          "Capacity an enterprise that fails in an economic shock keeps."),
    # flood (scenarios/flood.py)
    Param("flood_reach", float, 1.5, 0.0, 10.0, "per unit intensity x exposure", "shocks",
          "A household is flooded with probability min(1, flood_reach x intensity x "
          "exposure)."),
    Param("flood_severity_base", float, 0.6, 0.0, 1.0, "fraction", "shocks",
          "Flood damage to a home is intensity x (flood_severity_base + "
          "flood_severity_vulnerability x vulnerability) x U(flood_severity_low, "
          "flood_severity_high)."),
    Param("flood_severity_vulnerability", float, 0.4, 0.0, 1.0, "fraction", "shocks",
          "Extra flood damage per unit of vulnerability (see flood_severity_base)."),
    Param("flood_severity_low", float, 0.7, 0.0, 2.0, "multiplier", "shocks",
          "Lowest household-to-household spread factor of flood damage."),
    Param("flood_severity_high", float, 1.3, 0.0, 2.0, "multiplier", "shocks",
          "Highest household-to-household spread factor of flood damage."),
    Param("flood_health_share", float, 0.3, 0.0, 1.0, "fraction", "shocks",
          "A flooded resident's health gap is flood_health_share x damage x vulnerability "
          "(none for prepared vulnerable residents, moved out in time)."),
    Param("flood_enterprise_damage", float, 0.8, 0.0, 1.0, "per unit intensity x exposure",
          "shocks",
          "Share of capacity a flooded enterprise loses per unit of intensity x exposure."),
    Param("flood_emergency_share", float, 0.5, 0.0, 1.0, "fraction", "shocks",
          "Emergency management loses this share of the capacity housing & utilities loses "
          "in a flood."),
    # earthquake (scenarios/earthquake.py)
    Param("quake_local_base", float, 0.6, 0.0, 1.0, "fraction", "shocks",
          "Local shaking is intensity x (quake_local_base + quake_local_exposure x "
          "exposure)."),
    Param("quake_local_exposure", float, 0.4, 0.0, 1.0, "fraction", "shocks",
          "Extra local shaking per unit of exposure (soil, building stock)."),
    Param("quake_damage_scale", float, 1.5, 0.0, 10.0, "multiplier", "shocks",
          "A building's damage is min(1, local shaking x quake_damage_scale x "
          "Beta(quake_damage_beta, quake_damage_beta))."),
    Param("quake_damage_beta", float, 2.0, 0.1, 100.0, "shape", "shocks",
          "Shape of the symmetric Beta distribution of building damage across households."),
    Param("quake_injury_threshold", float, 0.3, 0.0, 1.0, "damage 0-1", "shocks",
          "Residents of buildings damaged more than this may be injured."),
    Param("quake_injury_chance", float, 0.12, 0.0, 1.0, "per unit damage", "shocks",
          "Chance that a resident of a building damaged more than quake_injury_threshold is "
          "injured, per unit of damage, x (1 + vulnerability) (after the 1995 Kobe "
          "earthquake about 7% of the residents of heavily damaged homes were injured)."),
    Param("quake_injury_base", float, 0.3, 0.0, 1.0, "fraction", "shocks",
          "An injured resident's health gap is damage x (quake_injury_base + "
          "quake_injury_vulnerability x vulnerability)."),
    Param("quake_injury_vulnerability", float, 0.5, 0.0, 1.0, "fraction", "shocks",
          "Extra injury per unit of vulnerability (see quake_injury_base)."),
    Param("quake_tie_break", float, 0.8, 0.0, 1.0, "per unit shaking", "shocks",
          "A tie outside the household breaks with probability quake_tie_break x the mean "
          "local shaking of its two ends."),
    Param("quake_enterprise_damage", float, 0.9, 0.0, 1.0, "per unit shaking", "shocks",
          "Share of capacity an enterprise loses per unit of local shaking."),
    Param("quake_department_damage", float, 0.5, 0.0, 1.0, "per unit intensity", "shocks",
          "Capacity a department loses per unit of intensity x share of the community "
          "shaken."),
    Param("quake_first_responder_damage", float, 0.7, 0.0, 1.0, "per unit intensity",
          "shocks",
          "The same for emergency management and housing & utilities, on the front line."),
    Param("quake_collapse_damage", float, 0.9, 0.0, 1.0, "damage 0-1", "shocks",
          "Building damage at or above which a home collapses (HAZUS's complete damage "
          "state); its residents may be trapped."),
    Param("quake_entrapment", float, 0.3, 0.0, 1.0, "fraction", "shocks",
          "Share of the residents of a collapsed home who are trapped in it."),
    Param("collapse_lethality", float, 0.12, 0.0, 1.0, "fraction", "shocks",
          "Share of the trapped killed at once by the collapse, for a resident of no "
          "vulnerability (x (1 + collapse_lethality_vulnerability x vulnerability))."),
    Param("collapse_lethality_vulnerability", float, 1.0, 0.0, 10.0, "1", "shocks",
          "How much more often the most vulnerable trapped are killed at once."),
    Param("trapped_injury", float, 0.6, 0.0, 1.0, "gap 0-1", "shocks",
          "Health gap of a resident who survives being trapped (crush injuries, at least)."),
    # heatwave (scenarios/heatwave.py)
    Param("heat_ramp_parts", float, 3.0, 1.0, 100.0, "parts of the duration", "shocks",
          "The heat builds up over the first 1/heat_ramp_parts of a heatwave's days."),
    Param("heat_harm_base", float, 0.5, 0.0, 10.0, "multiplier", "shocks",
          "Heat harm is heat x vulnerability^heat_vulnerability_power x (heat_harm_base + "
          "exposure)."),
    Param("heat_vulnerability_power", int, 2, 1, 10, "exponent", "shocks",
          "How steeply heat harm rises with vulnerability (the old and the sick)."),
    Param("heat_grid_strain", float, 0.3, 0.0, 1.0, "outage per unit heat x exposure",
          "shocks",
          "Utility outage from a strained power grid per unit of heat x exposure."),
    # economic shock (scenarios/economic.py)
    Param("economic_failure_share", float, 0.5, 0.0, 1.0, "per unit intensity", "shocks",
          "Chance an enterprise fails, per unit of intensity, when the scenario gives no "
          "failure_share."),
    Param("economic_capacity_loss", float, 0.4, 0.0, 1.0, "per unit intensity", "shocks",
          "Share of capacity an enterprise that does not fail loses, per unit of intensity."),
    # epidemic (scenarios/epidemic.py)
    Param("epidemic_severity_base", float, 0.3, 0.0, 1.0, "fraction", "shocks",
          "An infectious resident's health gap is intensity x (epidemic_severity_base + "
          "epidemic_severity_vulnerability x vulnerability)."),
    Param("epidemic_severity_vulnerability", float, 0.7, 0.0, 1.0, "fraction", "shocks",
          "Extra severity per unit of vulnerability (see epidemic_severity_base)."),
    Param("epidemic_strain_max", float, 0.9, 0.0, 1.0, "fraction", "shocks",
          "Most of its capacity the health department can lose to an epidemic."),
    Param("health_strain", float, 3.0, 0.0, 100.0, "capacity per unit prevalence", "shocks",
          "Health-department capacity lost per unit of prevalence in an epidemic (at most "
          "epidemic_strain_max)."),
]

PARAMS: dict[str, Param] = {p.name: p for p in _DECLARATIONS}
assert len(PARAMS) == len(_DECLARATIONS), "a parameter is declared twice"
assert all(p.group in GROUPS for p in _DECLARATIONS)
for _p in _DECLARATIONS:  # every default must itself be valid
    _p.validate(_p.default)


def defaults() -> dict[str, Any]:
    """Every parameter at its declared default."""
    return {name: p.default for name, p in PARAMS.items()}


def by_group(group: str) -> list[Param]:
    """The parameters of one group, in declaration order."""
    return [p for p in _DECLARATIONS if p.group == group]


def resolve(*layers: Mapping[str, Any] | None, source: str = "") -> dict[str, Any]:
    """Defaults overlaid by each mapping in turn, every value validated.

    An unknown name raises ParameterError naming it (and `source`, e.g. a policy file).
    """
    values = defaults()
    for layer in layers:
        if not layer:
            continue
        for name, value in layer.items():
            values[name] = validate_one(name, value, source)
    return values


def validate_one(name: str, value: Any, source: str = "") -> Any:
    """Validate one named value; unknown names are an error."""
    where = f"{source}: " if source else ""
    param = PARAMS.get(name)
    if param is None:
        close = suggest(name, PARAMS)
        hint = f" (did you mean {close}?)" if close else ""
        raise ParameterError(f"{where}unknown parameter {name!r}{hint}")
    try:
        return param.validate(value)
    except ParameterError as err:
        raise ParameterError(f"{where}{err}") from None


def parse_assignments(items: Iterable[str]) -> dict[str, Any]:
    """Parse `NAME=VALUE` strings (the CLI's `--set`) into validated values."""
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise ParameterError(f"--set: expected NAME=VALUE, got {item!r}")
        name, text = (s.strip() for s in item.split("=", 1))
        param = PARAMS.get(name)
        if param is None:
            validate_one(name, None)  # raises the unknown-name error
        out[name] = param.parse(text)
    return out


def levers() -> list[Param]:
    """Every lever (a governance choice), in declaration order."""
    return [p for p in _DECLARATIONS if p.role == "lever"]


def constants() -> list[Param]:
    """Every constant (a mechanism or run setting), in declaration order."""
    return [p for p in _DECLARATIONS if p.role == "constant"]



