"""Sweeps: many runs of the model, described by an experiment file, streamed to a folder.

Modules, bottom-up (each imports only those above it):

    experiment   the experiment file: schema, validation, the sampled design, run seeds
    rows         one run (`run_one`) and the runs-table row it becomes
    executors    where runs run: in process, a local process pool, or Dask
    store        the sweep folder: manifest, design, batches (parts), consolidation
    provenance   what the manifest records: versions, git commit, sessions
    runner       plan_sweep and execute: the progress, flush and signal loop
"""

from grassroots.sweeps.executors import SweepError, make_executor
from grassroots.sweeps.experiment import ExperimentError, load_experiment
from grassroots.sweeps.runner import FLUSH_EVERY, FLUSH_SECONDS, execute, plan_sweep
from grassroots.sweeps.store import SweepStore

__all__ = ["FLUSH_EVERY", "FLUSH_SECONDS", "ExperimentError", "SweepError", "SweepStore",
           "execute", "load_experiment", "make_executor", "plan_sweep"]
