"""Budget-constrained, robust policy search over the governance levers (issue 13).

Modules, bottom-up (each imports only those above it):

    spec      the optimisation file: levers and bounds, budget, objectives, scenarios, seeds,
              and the hazard conditions a front is tested on
    budget    what an allocation costs, and the repair that keeps every candidate within it
    failures  where an allocation fails: its runs on sampled hazard conditions, and PRIM
    search    pymoo's NSGA-II/III, candidates evaluated through the sweep executors, the
              folder (runs cache, evaluations, front, packages, failures, manifest), resume
    plots     the front and the levers along it

`grassroots optimise FILE` is the command line; `search(load_optimisation(FILE), DIR,
executor)` the same from Python.
"""

from grassroots.optimise.spec import Optimisation, OptimisationError, load_optimisation
from grassroots.optimise.search import Report, search

__all__ = ["Optimisation", "OptimisationError", "Report", "load_optimisation", "search"]
