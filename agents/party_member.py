"""Party members: residents with the contact and vanguard role.

The framework's second capacity: "establish a normalized mechanism for community party
members to contact ordinary residents, ensure that grass-roots party organizations can charge
ahead in the face of risk events". Each ordinary resident has a linking tie to one party
member of the neighbourhood, their *patron* (community/synthetic.py); contacts and the
vanguard's help run along those ties. Rules are functions over the arrays (see
agents/resident.py for the convention).
"""

from __future__ import annotations

import numpy as np

from grassroots.agents.resident import Resident
from grassroots.community.state import Population, helpers_at_home
from grassroots.core.vocabulary import DAYS_PER_MONTH


class PartyMember(Resident):
    """A resident who is a party member: the same row view as a Resident (agents carry no
    rules; the party member's roles are the functions below), plus its linked residents."""

    @property
    def linked_residents(self) -> int:
        """Ordinary residents whose patron this party member is."""
        patron = self.model.patron
        return 0 if patron is None else int((patron == self.idx).sum())


def contact_residents(pop: Population, patron: np.ndarray | None, patron_of: np.ndarray,
                      in_need: np.ndarray, p: dict,
                      rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Each day an ordinary resident (`patron_of`: those with a patron) is contacted with
    probability party_contact_rate / 30 (contacts per month), provided their party member is
    at home. A contact closes contact_awareness_gain of the gap to full awareness and makes
    any current need known to the committee.

    Returns (awareness, known), updated in place.
    """
    rate = p["party_contact_rate"] / DAYS_PER_MONTH
    if rate <= 0 or patron is None:
        return pop.awareness, pop.known
    k = rng.binomial(len(patron_of), min(rate, 1.0))
    if k == 0:
        return pop.awareness, pop.known
    pick = patron_of[rng.choice(len(patron_of), k, replace=False)]
    pick = pick[~pop.displaced[patron[pick]]]
    pop.awareness[pick] += p["contact_awareness_gain"] * (1.0 - pop.awareness[pick])
    pop.known[pick] |= in_need[pick]
    return pop.awareness, pop.known


def go_first(pop: Population, patron: np.ndarray | None, in_need: np.ndarray,
             p: dict) -> np.ndarray:
    """In an emergency party members "charge ahead": each one able to help and at home
    (community.state.helpers_at_home) gives
    vanguard_units of help a day, shared equally among the residents in need they are linked
    to; residents accept in proportion to trust in institutions (at most one unit each).
    Returns units of help received per resident."""
    units = np.zeros(pop.n)
    if patron is None:
        return units
    linked = np.flatnonzero(in_need & (patron >= 0))
    if len(linked) == 0:
        return units
    member = patron[linked]
    able = helpers_at_home(pop, p)[member]
    load = np.bincount(member, minlength=pop.n)
    share = p["vanguard_units"] / load[member]
    units[linked] = np.minimum(1.0, share * able) * pop.trust_committee[linked]
    return units
