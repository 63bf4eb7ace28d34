"""The Grassroots model: parameters, community, the Mesa model, metrics and the entry point."""

from .model import OBSERVABLES, GrassrootsModel
from .params import PARAMS, ParameterError
from .run import RunResult, make_model, run

__all__ = ["OBSERVABLES", "PARAMS", "GrassrootsModel", "ParameterError", "RunResult",
           "make_model", "run"]
