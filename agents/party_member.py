"""Party members: residents with the contact and vanguard role.

FRAMEWORK.txt, second capacity: "establish a normalized mechanism for community party members
to contact ordinary residents, ensure that grass-roots party organizations can charge ahead in
the face of risk events". Each ordinary resident has a linking tie to one party member of the
neighbourhood (model/community.py); contacts run along those ties.
"""

from __future__ import annotations

import numpy as np

from .resident import Resident

#: A contact closes this share of the gap between a resident's awareness and full awareness.
CONTACT_AWARENESS_GAIN = 0.1


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
        k = model.rng.binomial(len(ordinary), min(rate, 1.0))
        if k == 0:
            return
        pick = ordinary[model.rng.integers(0, len(ordinary), k)]
        pick = pick[~pop.displaced[model.patron[pick]]]
        pop.awareness[pick] += CONTACT_AWARENESS_GAIN * (1.0 - pop.awareness[pick])
        pop.known[pick] |= in_need[pick]
