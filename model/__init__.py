"""The model: the daily step (model.py) and the one run entry point (run.py)."""

from grassroots.core.params import PARAMS, ParameterError
from grassroots.model.model import OBSERVABLES, GrassrootsModel
from grassroots.model.run import Run, RunResult, make_model, run

__all__ = ["OBSERVABLES", "PARAMS", "GrassrootsModel", "ParameterError", "Run", "RunResult",
           "make_model", "run"]
