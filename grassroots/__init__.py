"""Grassroots: an agent-based simulation of grassroots community resilience.

    from grassroots import run
    result = run({"residents": 500}, seed=1, scenario="flood")
    result.timeseries, result.summary

The package root is a thin facade: `grassroots.<x>` lives in the checkout's folder `<x>/`
(core, community, agents, scenarios, policies, measures, model, analysis, sweeps,
dashboard); this folder holds only the root, `python -m grassroots` and the CLI.
"""

from grassroots.model import PARAMS, GrassrootsModel, ParameterError, Run, RunResult, make_model, run

__version__ = "0.1.0"
__all__ = ["PARAMS", "GrassrootsModel", "ParameterError", "Run", "RunResult", "make_model",
           "run"]
