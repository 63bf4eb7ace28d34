"""The search: pymoo's NSGA-II or NSGA-III over the searched levers, every candidate within
the budget (optimise/budget.py), evaluated on the scenarios x seeds through the sweep
executors, streamed to the output folder and resumable.

Why pymoo: its NSGA-II and NSGA-III take a *repair* operator, applied to every candidate the
algorithm proposes (initial sampling and offspring), which is how the budget stays a hard
constraint rather than a penalty; its ask-and-tell interface lets this module evaluate a
generation wherever the sweep executors run (a local process pool or a Dask cluster) instead
of inside the library; and its random state is a seeded generator owned by the algorithm, so
the same master seed proposes the same candidates. (EMA Workbench's optimiser wraps Platypus,
whose budget handling is by constraint violation, and evaluates through its own evaluators.)

Evaluation: candidate x runs on every scenario with the seeds spawn_seed(master, k),
k = 0..seeds-1 (sweeps/experiment.py) — the same seeds for every candidate (common random
numbers), so candidates differ by their levers, not by their luck. For an outcome objective
the values V[scenario, k] are reduced by the robustness measure: `mean` (over scenarios and
seeds), `quantile` (the q-quantile of all scenario-seed values) or `cvar` (the mean of the
values at or above it, the conditional value at risk). Each objective is also reported as the
mean over scenarios per seed, with its mean and 95% Student-t interval over the seeds
(`<objective>.mean`, `.low`, `.high`). The `cost` objective is the candidate's cost, exact.

Determinism and resume: the runs are cached by (candidate, scenario, seed index) in
DIR/runs.parquet, written atomically after every `FLUSH_RUNS` runs and every generation.
`--resume` replays the search from the master seed: the algorithm proposes the same
candidates, their runs come from the cache, and the runs missing are run — so a killed and
resumed search ends with the same files as an uninterrupted one. The manifest keeps the first
start and, under `sessions`, every session that worked on the folder (start, end, executor,
runs found cached and runs made). The `[conditions]` table is not part of the search: it may
be added or changed on --resume, and the failure conditions (optimise/failures.py) are then
looked for from the cached search.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from grassroots.core.io import FolderLock, atomic_write_text
from grassroots.measures.comparison import paired_row
from grassroots.optimise.budget import Budget
from grassroots.optimise.spec import OUTCOME_OBJECTIVES, Optimisation, OptimisationError
from grassroots.scenarios import load_scenario
from grassroots.sweeps.experiment import RunSpec, spawn_seed
from grassroots.sweeps.provenance import git_state, now, package_versions
from grassroots.sweeps.rows import run_one
from grassroots.sweeps.store import write_parquet

#: runs written to DIR/runs.parquet at the latest after this many new ones
FLUSH_RUNS = 50
#: an objective's value for a candidate whose runs failed: dominated by every other
FAILED = 1e30


def candidate_id(values: dict[str, float]) -> str:
    """A candidate's name: a digest of its lever values (12 significant digits)."""
    text = json.dumps({k: float(f"{v:.12g}") for k, v in sorted(values.items())})
    return hashlib.sha1(text.encode()).hexdigest()[:12]


@dataclass
class Outcome:
    """One candidate evaluated: its robust objectives and their intervals over seeds."""

    cid: str
    values: dict[str, float]
    cost: float
    objectives: dict[str, float]
    intervals: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    failed: str | None = None
    #: per outcome objective: its mean over scenarios, seed by seed (for paired comparisons)
    per_seed: dict[str, np.ndarray] = field(default_factory=dict)


class Runs:
    """The cache of model runs, by (candidate, scenario, seed index): DIR/runs.parquet."""

    def __init__(self, path: Path):
        self.path = path
        self.rows: dict[tuple[str, str, int], dict] = {}
        self.unsaved = 0
        if path.is_file():
            for row in pq.read_table(path).to_pylist():
                self.rows[(row["candidate"], row["scenario"], int(row["replicate"]))] = row

    def add(self, row: dict) -> None:
        self.rows[(row["candidate"], row["scenario"], int(row["replicate"]))] = row
        self.unsaved += 1

    def save(self) -> None:
        if not self.unsaved and self.path.is_file():
            return
        rows = sorted(self.rows.values(),
                      key=lambda r: (r["candidate"], r["scenario"], r["replicate"]))
        write_parquet(pa.Table.from_pylist(rows), self.path)
        self.unsaved = 0


#: what a cached run keeps of the runs-table row
KEPT = ("status", "error", "seed", *(f"outcomes.{o}" for o in OUTCOME_OBJECTIVES))


class Evaluation:
    """Evaluates candidates on the optimisation's scenarios x seeds (module doc)."""

    def __init__(self, opt: Optimisation, budget: Budget, executor, runs: Runs,
                 run_fn: Callable = run_one, progress: bool = True):
        self.opt, self.budget, self.executor, self.runs = opt, budget, executor, runs
        self.run_fn, self.progress = run_fn, progress
        self.seeds = [spawn_seed(opt.seed, k) for k in range(opt.seeds)]
        # a censored "days until 90% home" counts as the days from the onset to the horizon
        self.censor = {}
        for s in opt.scenarios:
            sc = load_scenario(s, horizon=opt.fixed.get("days"))
            days = opt.fixed.get("days") or sc.days
            onset = min((x.onset for x in sc.shocks), default=0)
            self.censor[s] = float((days or 0) - onset)
        self.ran = 0

    def missing(self, cid: str, params: dict) -> list[tuple[str, int, dict]]:
        """The runs of a candidate the cache lacks: (scenario, seed index, parameters)."""
        return [(s, k, params) for s in self.opt.scenarios for k in range(self.opt.seeds)
                if (cid, s, k) not in self.runs.rows]

    def evaluate(self, candidates: list[tuple[str, dict, dict, float]],
                 label: str = "evaluating") -> list[Outcome]:
        """candidates: (cid, searched lever values, the parameters a run is given, cost).
        Runs what the cache lacks; `label` names the batch on the progress bar."""
        todo = [(cid, s, k, params, s, self.seeds[k]) for cid, _, params, _ in candidates
                for s, k, params in self.missing(cid, params)]
        if todo:
            self.run_jobs(todo, label)
        return [self.reduce(cid, values, cost) for cid, values, _, cost in candidates]

    def run_jobs(self, todo: list[tuple], label: str) -> None:
        """Run jobs (cid, cache key's scenario, cache key's index, parameters, the scenario
        run — a name, file or Scenario —, seed) through the executor into the cache."""
        specs = [RunSpec(run_id=i, point=0, sample=0, replicate=k, scenario=scenario,
                         policy="baseline", params={**params, "residents": self.opt.residents},
                         seed=seed, indicators=False, timeseries_every=0)
                 for i, (_, _, k, params, scenario, seed) in enumerate(todo)]
        bar = None
        if self.progress:
            from tqdm import tqdm
            bar = tqdm(total=len(specs), unit="run", desc=label, leave=False)
        try:
            for result in self.executor.run(self.run_fn, specs):
                if result is None:
                    continue
                row, _ = result
                cid, key, k = todo[row["run_id"]][:3]
                kept = {c: row.get(c) for c in KEPT}
                self.runs.add({"candidate": cid, "scenario": key, "replicate": k, **kept})
                self.ran += 1
                if bar is not None:
                    bar.update(1)
                if self.runs.unsaved >= FLUSH_RUNS:
                    self.runs.save()
        finally:
            if bar is not None:
                bar.close()
            self.runs.save()

    def reduce(self, cid: str, values: dict, cost: float) -> Outcome:
        """The robust objectives of a candidate whose runs are all cached."""
        opt = self.opt
        objectives, intervals, per_seed = {}, {}, {}
        failed = None
        rows = {(s, k): self.runs.rows[(cid, s, k)] for s in opt.scenarios
                for k in range(opt.seeds)}
        bad = [r for r in rows.values() if r["status"] != "ok"]
        if bad:
            failed = bad[0]["error"] or "a run failed"
        for o in opt.objectives:
            if o == "cost":
                objectives[o] = cost
                continue
            if failed:
                objectives[o] = FAILED
                continue
            v = np.array([[self._value(rows[(s, k)], o, s) for k in range(opt.seeds)]
                          for s in opt.scenarios])
            objectives[o] = robust(v, opt.robustness, opt.quantile)
            per_seed[o] = v.mean(axis=0)
            intervals[o] = mean_interval(per_seed[o])
        return Outcome(cid, values, cost, objectives, intervals, failed, per_seed)

    def _value(self, row: dict, objective: str, scenario: str) -> float:
        value = row[f"outcomes.{objective}"]
        if value is None:  # days until 90% home, not within the horizon: censored
            return self.censor[scenario]
        return float(value)


def mean_interval(x: np.ndarray) -> tuple[float, float, float]:
    """Mean of x and its 95% Student-t interval (measures/comparison.py's, as a paired
    difference from 0)."""
    row = paired_row("outcomes.x", np.zeros(len(x)), np.asarray(x, float))
    return row["difference"], row["low"], row["high"]


def robust(v: np.ndarray, how: str, q: float) -> float:
    """Reduce the values of one objective over scenarios x seeds (module doc)."""
    flat = np.asarray(v, float).ravel()
    if how == "mean":
        return float(flat.mean())
    cut = float(np.quantile(flat, q))
    if how == "quantile":
        return cut
    return float(flat[flat >= cut].mean())  # cvar


def non_dominated(F: np.ndarray) -> np.ndarray:
    """Mask of the rows of F (minimised) no other row dominates (duplicates all kept):
    pymoo's non-dominated filter."""
    from pymoo.util.nds.non_dominated_sorting import find_non_dominated

    keep = np.zeros(len(F), bool)
    keep[find_non_dominated(np.asarray(F, float))] = True
    return keep


# -- the search ---------------------------------------------------------------------------
def _algorithm(opt: Optimisation, budget: Budget):
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.algorithms.moo.nsga3 import NSGA3
    from pymoo.core.repair import Repair
    from pymoo.util.ref_dirs import get_reference_directions

    class BudgetRepair(Repair):
        """Every proposed candidate within bounds and budget (optimise/budget.py)."""

        def _do(self, problem, X, **kwargs):
            return np.array([budget.repair(x) for x in X])

    if opt.algorithm == "nsga2":
        return NSGA2(pop_size=opt.population, repair=BudgetRepair(), eliminate_duplicates=True)
    partitions = 1
    while len(get_reference_directions("das-dennis", len(opt.objectives),
                                       n_partitions=partitions + 1)) <= opt.population:
        partitions += 1
    ref_dirs = get_reference_directions("das-dennis", len(opt.objectives),
                                        n_partitions=partitions)
    return NSGA3(ref_dirs=ref_dirs, pop_size=opt.population, repair=BudgetRepair(),
                 eliminate_duplicates=True)


@dataclass
class Report:
    """What a search did: files written, candidates, runs, time."""

    out: Path
    generations: int
    candidates: int
    front: int
    runs_ran: int
    elapsed: float
    files: list[str]


def search(opt: Optimisation, out: str | Path, executor, *, resume: bool = False,
           progress: bool = True, run_fn: Callable = run_one, packages: bool = True,
           plots: bool = True) -> Report:
    """Run the search of `opt` into folder `out` (module doc). A second writer on the
    folder, or a folder of another optimisation, is refused with OptimisationError."""
    from pymoo.core.evaluator import Evaluator
    from pymoo.core.problem import Problem
    from pymoo.problems.static import StaticProblem

    out = Path(out)
    manifest_path = out / "manifest.json"
    if manifest_path.is_file() and not resume:
        raise OptimisationError(f"{out}: holds an optimisation already; allowed: --resume to "
                                f"finish it, or another --out")
    if resume and manifest_path.is_file():
        previous = json.loads(manifest_path.read_text(encoding="utf-8"))
        kept = {k: v for k, v in previous.get("optimisation", {}).items()
                if k not in ("file", "conditions")}
        if kept != opt.search_identity():
            raise OptimisationError(f"{out}: was started from another optimisation file "
                                    f"({previous['optimisation'].get('name')}); allowed: the "
                                    f"same file, or another --out")
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with FolderLock(out, OptimisationError, what="optimisation"):
        budget = Budget(opt)
        runs = Runs(out / "runs.parquet")
        ev = Evaluation(opt, budget, executor, runs, run_fn=run_fn, progress=progress)
        # one entry per session that worked on the folder: the first start, then each
        # --resume, with its executor and what it found cached
        sessions = []
        if resume and manifest_path.is_file():
            sessions = previous.get("sessions") or [  # a manifest from before sessions
                {"started": previous.get("started"), "finished": previous.get("finished"),
                 "executor": previous.get("executor"), "runs_ran": previous.get("runs"),
                 "elapsed_s": previous.get("elapsed_s")}]
        session = {"started": now(), "resumed": bool(sessions),
                   "executor": executor.describe(), "runs_cached": len(runs.rows),
                   "versions": package_versions(), "git": git_state()}
        sessions = [*sessions, session]
        manifest = {"optimisation": opt.as_dict(), "started": sessions[0]["started"],
                    "status": "running", "versions": session["versions"],
                    "git": session["git"], "executor": session["executor"],
                    "sessions": sessions}
        atomic_write_text(json.dumps(manifest, indent=2) + "\n", manifest_path)

        problem = Problem(n_var=len(budget.names), n_obj=len(opt.objectives),
                          xl=budget.low, xu=budget.high)
        algorithm = _algorithm(opt, budget)
        algorithm.setup(problem, termination=("n_gen", opt.generations), seed=opt.seed,
                        verbose=False)
        evaluated: list[tuple[int, Outcome]] = []
        generation = 0
        while algorithm.has_next():
            pop = algorithm.ask()
            X = pop.get("X")
            batch = []
            for x in X:
                x = budget.repair(x)  # idempotent: pymoo's repair did it; never trust, check
                values = dict(zip(budget.names, (float(v) for v in x)))
                cost = budget.cost(x)
                if cost > opt.budget * (1 + 1e-12):
                    raise AssertionError(f"candidate over budget: {cost} > {opt.budget}")
                batch.append((candidate_id(values), values, budget.params(x), cost))
            outcomes = ev.evaluate(batch, label=f"generation {generation + 1}/"
                                                f"{opt.generations}")
            F = np.array([[o.objectives[k] for k in opt.objectives] for o in outcomes])
            Evaluator().eval(StaticProblem(problem, F=F), pop)
            algorithm.tell(infills=pop)
            evaluated += [(generation, o) for o in outcomes]
            generation += 1
            manifest.update(generations_done=generation, candidates=len(evaluated))
            atomic_write_text(json.dumps(manifest, indent=2) + "\n", manifest_path)

        # the baseline package on the same scenarios and seeds: every candidate's paired
        # difference from it
        names = _package_names() if packages else ["baseline"]
        shipped = {name: _package_outcome(opt, ev, budget, name) for name in names}
        baseline = shipped["baseline"]
        files, front = _write_tables(opt, out, evaluated, baseline)
        if packages:
            rows = _rows(opt, list(shipped.items()), "package", baseline)
            for row, package in zip(rows, shipped.values()):
                row.update(_against_front(opt, package, front))
            write_parquet(pa.Table.from_pylist(rows), out / "packages.parquet")
            files.append(str(out / "packages.parquet"))
        if opt.conditions is not None:
            from grassroots.optimise.failures import look_for_failures
            files += look_for_failures(opt, ev, budget, front, baseline, out)
        if plots:
            from grassroots.optimise.plots import plot_all
            files += plot_all(out)
        session.update(finished=now(), runs_ran=ev.ran,
                       elapsed_s=round(time.perf_counter() - t0, 1))
        manifest.update(status="complete", finished=now(), files=files,
                        runs=len(runs.rows), elapsed_s=session["elapsed_s"])
        atomic_write_text(json.dumps(manifest, indent=2) + "\n", manifest_path)
    return Report(out, generation, len(evaluated), len(front), ev.ran,
                  time.perf_counter() - t0, files + [str(manifest_path)])


def _rows(opt: Optimisation, items: list[tuple[Any, Outcome]], label: str,
          baseline: Outcome) -> list[dict]:
    """Table rows: lever values, cost, each objective (robust), its mean over scenarios with
    the 95% interval over seeds, and its paired difference from the baseline package on the
    same seeds with its interval (`.vs_baseline`, `_low`, `_high`)."""
    rows = []
    for tag, o in items:
        row = {label: tag, "candidate": o.cid, **{k: o.values.get(k) for k in opt.levers},
               "cost": o.cost, "within_budget": bool(o.cost <= opt.budget * (1 + 1e-12)),
               "status": "failed" if o.failed else "ok", "error": o.failed}
        for k in opt.objectives:
            if k == "cost":
                continue
            row[k] = o.objectives[k]
            mean, low, high = o.intervals.get(k, (None, None, None))
            row.update({f"{k}.mean": mean, f"{k}.low": low, f"{k}.high": high})
            if k in o.per_seed and k in baseline.per_seed:
                d, lo, hi = mean_interval(o.per_seed[k] - baseline.per_seed[k])
            else:
                d = lo = hi = None
            row.update({f"{k}.vs_baseline": d, f"{k}.vs_baseline_low": lo,
                        f"{k}.vs_baseline_high": hi})
        rows.append(row)
    return rows


def _write_tables(opt: Optimisation, out: Path, evaluated: list[tuple[int, Outcome]],
                  baseline: Outcome) -> tuple[list[str], list[Outcome]]:
    """Write evaluations.parquet and front.parquet; return the files and the front (its
    outcomes sorted by cost)."""
    rows = _rows(opt, evaluated, "generation", baseline)
    write_parquet(pa.Table.from_pylist(rows), out / "evaluations.parquet")
    # the front: non-dominated among every candidate evaluated whose runs all succeeded,
    # each candidate once
    unique: dict[str, Outcome] = {}
    for _, o in evaluated:
        if not o.failed:
            unique.setdefault(o.cid, o)
    cands = list(unique.values())
    if cands:
        F = np.array([[o.objectives[k] for k in opt.objectives] for o in cands])
        keep = non_dominated(F)
        front = [o for o, k in zip(cands, keep) if k]
    else:
        front = []
    front.sort(key=lambda o: (o.cost, o.cid))
    front_rows = _rows(opt, [(i, o) for i, o in enumerate(front)], "rank", baseline)
    table = pa.Table.from_pylist(front_rows) if front_rows else \
        pa.Table.from_pylist(rows).slice(0, 0)
    write_parquet(table, out / "front.parquet")
    return [str(out / "evaluations.parquet"), str(out / "front.parquet")], front


def _against_front(opt: Optimisation, package: Outcome, front: list[Outcome]) -> dict:
    """A shipped package against the front at its cost: the front's best allocation (on the
    first outcome objective) among those that cost no more than the package and are at least
    as good on every outcome objective — or, if none is, the best that costs no more — with
    each outcome's paired difference from the package on the same seeds (front minus
    package, 95% interval) and whether it matches or dominates the package."""
    outcomes = [k for k in opt.objectives if k != "cost"]
    cheaper = [o for o in front if o.cost <= package.cost * (1 + 1e-12) and not o.failed]
    row: dict[str, Any] = {"front_match": None, "front_match_cost": None,
                           "front_matches_or_dominates": False}
    for k in outcomes:
        row.update({f"{k}.front_minus_package": None, f"{k}.front_minus_package_low": None,
                    f"{k}.front_minus_package_high": None})
    if not cheaper or package.failed or not outcomes:
        return row
    good = [o for o in cheaper
            if all(o.objectives[k] <= package.objectives[k] for k in outcomes)]
    pick = min(good or cheaper, key=lambda o: (o.objectives[outcomes[0]], o.cost))
    row.update(front_match=pick.cid, front_match_cost=pick.cost,
               front_matches_or_dominates=bool(good))
    for k in outcomes:
        d, lo, hi = mean_interval(pick.per_seed[k] - package.per_seed[k])
        row.update({f"{k}.front_minus_package": d, f"{k}.front_minus_package_low": lo,
                    f"{k}.front_minus_package_high": hi})
    return row


def _package_names() -> list[str]:
    from grassroots.policies import shipped_policies
    return list(shipped_policies())


def _package_outcome(opt: Optimisation, ev: Evaluation, budget: Budget, name: str) -> Outcome:
    """A shipped policy package evaluated like a candidate (the same scenarios and seeds),
    at its own cost; levers the file fixes in [set] keep that value unless the package sets
    them."""
    from grassroots.core.params import resolve
    from grassroots.policies import load_policy

    levers = load_policy(name).levers
    values = {k: resolve(budget.base, levers)[k] for k in opt.levers}
    cost = budget.cost_of(levers)
    return ev.evaluate([(f"package:{name}", values, {**opt.fixed, **levers}, cost)],
                       label=f"package {name}")[0]
