"""Grassroots: an agent-based simulation of grassroots community resilience.

    from grassroots import run
    result = run({"residents": 500}, seed=1, scenario="flood")
    result.timeseries, result.summary
"""

from .model import PARAMS, GrassrootsModel, ParameterError, RunResult, make_model, run

__version__ = "0.1.0"
__all__ = ["PARAMS", "GrassrootsModel", "ParameterError", "RunResult", "make_model", "run"]
