"""Measure the reference community of the dimension curves (measures/dimensions.py).

The reference is the default synthetic community under the baseline package, before any
shock: the mean over seeds 0-19 at 2,000 residents of the per-resident levels that
structure and relationship count. Their values are declared in core/params.py
(reference_working_ties, reference_service_capacity, reference_tie_strength,
reference_trust); re-run this after a deliberate change of the community builder or of a
rule's capacity and update the declarations. It prints figures; it asserts nothing.

    python benchmarks/reference_community.py [--residents 2000] [--seeds 20]
"""

from __future__ import annotations

import argparse

import numpy as np

from grassroots.core.params import PARAMS
from grassroots.measures.dimensions import raw_levels
from grassroots.model.run import make_model

DECLARED = {"working": "reference_working_ties", "service": "reference_service_capacity",
            "strength": "reference_tie_strength", "trust": "reference_trust"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--residents", type=int, default=2000)
    ap.add_argument("--seeds", type=int, default=20)
    args = ap.parse_args()
    rows = [raw_levels(make_model({"residents": args.residents}, seed=s, scenario="none"))
            for s in range(args.seeds)]
    print(f"reference community: {args.residents} residents, seeds 0-{args.seeds - 1}, baseline")
    print(f"{'level':<10}{'mean':>10}{'sd':>10}{'min':>10}{'max':>10}   declared")
    for key, name in DECLARED.items():
        v = np.array([r[key] for r in rows])
        print(f"{key:<10}{v.mean():>10.4f}{v.std(ddof=1):>10.4f}{v.min():>10.4f}"
              f"{v.max():>10.4f}   {name} = {PARAMS[name].default}")


if __name__ == "__main__":
    main()
