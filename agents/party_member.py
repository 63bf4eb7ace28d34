"""Party members: residents with the contact and vanguard role.

FRAMEWORK.txt, second capacity: "establish a normalized mechanism for community party members
to contact ordinary residents, ensure that grass-roots party organizations can charge ahead in
the face of risk events". Each ordinary resident has a linking tie to one party member of the
neighbourhood (model/community.py); contacts and the vanguard's help run along those ties.
"""

from __future__ import annotations

import numpy as np

from .resident import Resident

#: A contact closes this share of the gap between a resident's awareness and full awareness.
CONTACT_AWARENESS_GAIN = 0.1
#: Units of help a party member at home and not in need gives per day in an emergency.
VANGUARD_UNITS = 2.0


class PartyMember(Resident):
    """A resident who is a party member (a view on the same Population row)."""

    @staticmethod
    def contact_residents(model, in_need: np.ndarray) -> None:
        """Each day an ordinary resident is contacted with probability
        party_contact_rate / 30 (contacts per month), provided their party member is at home.
        A contact raises awareness and makes any current need known to the committee."""
        pop = model.residents
        rate = model.p["party_contact_rate"] / 30.0
        if rate <= 0 or model.patron is None:
            return
        ordinary = model.patron_of
        rng = model.routine_rng
        k = rng.binomial(len(ordinary), min(rate, 1.0))
        if k == 0:
            return
        pick = ordinary[rng.choice(len(ordinary), k, replace=False)]
        pick = pick[~pop.displaced[model.patron[pick]]]
        pop.awareness[pick] += CONTACT_AWARENESS_GAIN * (1.0 - pop.awareness[pick])
        pop.known[pick] |= in_need[pick]

    @staticmethod
    def go_first(model, in_need: np.ndarray) -> np.ndarray:
        """In an emergency party members "charge ahead": each one at home and not in need
        gives VANGUARD_UNITS of help a day, shared equally among the residents in need they
        are linked to; residents accept in proportion to trust in institutions. Returns units
        received per resident."""
        pop = model.residents
        units = np.zeros(pop.n)
        if model.patron is None:
            return units
        linked = np.flatnonzero(in_need & (model.patron >= 0))
        if len(linked) == 0:
            return units
        member = model.patron[linked]
        able = ~in_need[member] & ~pop.displaced[member]
        load = np.bincount(member, minlength=pop.n)
        share = VANGUARD_UNITS / load[member]
        units[linked] = np.minimum(1.0, share * able) * pop.trust_institutions[linked]
        return units
