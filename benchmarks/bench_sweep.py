"""Sweep benchmark: throughput per executor, Dask overhead, driver memory over a long sweep.

    python benchmarks/bench_sweep.py [--runs 40] [--residents 2000] [--days 365]
                                     [--repeats 3] [--memory-runs 2000] [--scheduler ADDR]
                                     [--json FILE]

1. Throughput: a sweep of `--runs` runs at the default community size (flood scenario,
   every series kept every day, as the default experiment does), run by
   * 1 worker: in the driver process (what `--workers 1` does), and a one-process pool;
   * 2 workers: the local process pool (`--workers 2`);
   * 2 workers: a Dask LocalCluster (`--dask-local 2`) and, with --scheduler, an existing
     Dask scheduler's workers.
   Executors are started and warmed (model imported in every worker) before the clock
   starts: start-up is printed separately, and runs per minute is the sweep's own rate
   (submission to consolidated runs.parquet). Each configuration runs `--repeats` times,
   interleaved; the best and the median are printed. Speed-up = runs/min of 2 pool workers
   over 1 worker (target >= 1.7). Overhead of an executor = wall time per run and worker
   minus the time the run itself took in the worker; Dask overhead = Dask's overhead minus
   the local pool's, as a share of a run (target <= 10%).
2. Driver and worker memory: a `--memory-runs` sweep on 2 pool workers (issue 17 asks for
   10,000: `--memory-runs 10000 --memory-residents 100 --days 100 --skip-throughput`); the
   driver's and each worker's resident memory are sampled at every flush and by a
   background thread; the slope of RSS against runs done over the second half of the sweep
   shows whether it stays flat.

Figures only; nothing here asserts (machines are shared and noisy: the load average is
printed next to the results).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from grassroots.sweeps.executors import DaskExecutor, ProcessPool, SerialExecutor, warm_up
from grassroots.sweeps.experiment import from_dict
from grassroots.sweeps.runner import execute, plan_sweep


def experiment(runs: int, residents: int, days: int, seed: int = 1):
    return from_dict({"name": "bench", "seed": seed, "replicates": runs, "days": days,
                      "constants": {"residents": residents}}, where="bench")


def timed_sweep(exp, executor, folder: Path) -> dict:
    out = folder / f"s{time.monotonic_ns()}"
    plan = plan_sweep(exp, out)
    t0 = time.perf_counter()
    report = execute(plan, executor, progress=False)
    elapsed = time.perf_counter() - t0
    import pyarrow.parquet as pq

    wall = pq.read_table(out / "runs.parquet", columns=["wall_time"])["wall_time"].to_pylist()
    shutil.rmtree(out, ignore_errors=True)
    assert report.status == "complete" and report.ok == exp.n_runs, report
    return {"elapsed": elapsed, "runs_per_min": exp.n_runs / elapsed * 60,
            "mean_run_s": statistics.fmean(wall)}


def start(kind: str, workers: int, scheduler: str | None):
    t0 = time.perf_counter()
    if kind == "serial":
        ex = SerialExecutor().__enter__()
        from grassroots.model import run as _  # noqa: F401  (import before the clock)
    elif kind == "pool":
        ex = ProcessPool(workers).__enter__()
        ex.warm()
    elif kind == "dask-local":
        ex = DaskExecutor(local_workers=workers).__enter__()
        ex.client.run(warm_up, 0.0)
    else:
        ex = DaskExecutor(scheduler=scheduler).__enter__()
        ex.client.run(warm_up, 0.0)
    return ex, time.perf_counter() - t0


def throughput(args, folder: Path) -> dict:
    """Every executor is started and warmed first, then the repeats are interleaved (each
    round runs every configuration once), so load from elsewhere hits them alike."""
    exp = experiment(args.runs, args.residents, args.days)
    configs = [("1 worker, in-process", "serial", 1), ("1 worker, process pool", "pool", 1),
               ("2 workers, process pool", "pool", 2),
               ("2 workers, Dask LocalCluster", "dask-local", 2)]
    if args.scheduler:
        configs.append((f"Dask scheduler {args.scheduler}", "scheduler", 0))
    started = {}
    try:
        for label, kind, workers in configs:
            started[label] = start(kind, workers, args.scheduler)
        runs: dict[str, list[dict]] = {label: [] for label, _, _ in configs}
        for _ in range(args.repeats):
            for label, _, _ in configs:
                runs[label].append(timed_sweep(exp, started[label][0], folder))
        workers = {label: started[label][0].workers for label in started}
    finally:
        for ex, _ in started.values():
            ex.__exit__(None, None, None)
    results = {}
    for label, _, _ in configs:
        n, rs = workers[label], runs[label]
        rates = [r["runs_per_min"] for r in rs]
        best = max(rs, key=lambda r: r["runs_per_min"])
        per_run = best["elapsed"] * n / exp.n_runs
        results[label] = {
            "workers": n, "startup_s": started[label][1],
            "runs_per_min_best": max(rates), "runs_per_min_median": statistics.median(rates),
            "per_run_wall_s": per_run, "run_s_in_worker": best["mean_run_s"],
            # what the executor adds to each run: wall time per run and worker beyond the
            # run itself (queueing, transfer, writing, consolidation)
            "overhead_s": per_run - best["mean_run_s"],
        }
        r = results[label]
        print(f"  {label:30} {r['runs_per_min_best']:6.0f} runs/min best, "
              f"{r['runs_per_min_median']:6.0f} median | per run and worker "
              f"{r['per_run_wall_s']:.3f} s, the run itself {r['run_s_in_worker']:.3f} s, "
              f"overhead {r['overhead_s']:.4f} s | start-up {r['startup_s']:.1f} s",
              flush=True)
    one = results["1 worker, in-process"]["runs_per_min_best"]
    pool = results["2 workers, process pool"]
    dask = results["2 workers, Dask LocalCluster"]
    summary = {"speedup_2_vs_1": pool["runs_per_min_best"] / one,
               "dask_overhead": (dask["overhead_s"] - pool["overhead_s"])
               / pool["run_s_in_worker"],
               "dask_wall_ratio": dask["per_run_wall_s"] / pool["per_run_wall_s"] - 1}
    print(f"  speed-up, 2 pool workers over 1 worker: {summary['speedup_2_vs_1']:.2f}x "
          f"(target >= 1.7)")
    print(f"  Dask LocalCluster: per-run overhead beyond the local pool's "
          f"{100 * summary['dask_overhead']:+.1f}% of a run (target <= 10%); per-run wall "
          f"time {100 * summary['dask_wall_ratio']:+.1f}% (includes how fast the runs "
          f"themselves went)")
    if args.scheduler:
        ext = results[f"Dask scheduler {args.scheduler}"]
        summary["dask_scheduler_overhead"] = ((ext["overhead_s"] - pool["overhead_s"])
                                              / pool["run_s_in_worker"])
        print(f"  Dask scheduler: per-run overhead beyond the local pool's "
              f"{100 * summary['dask_scheduler_overhead']:+.1f}% of a run")
    return {"configs": results, **summary}


def memory(args, folder: Path) -> dict:
    exp = experiment(args.memory_runs, args.memory_residents, args.days, seed=2)
    me = psutil.Process()
    samples: list[tuple[int, float]] = []
    worker_samples: list[tuple[int, float]] = []  # (runs done, largest worker RSS)
    peak = {"sweep": 0.0, "consolidation": 0.0, "worker": 0.0}

    def worker_rss() -> float:
        # the pool's workers are the forkserver's children (and share its command line);
        # the forkserver and the resource tracker are not workers: the largest worker
        rss = []
        for c in me.children():
            with contextlib.suppress(psutil.Error):
                if "forkserver" in " ".join(c.cmdline()):
                    for w in c.children():
                        with contextlib.suppress(psutil.Error):
                            rss.append(w.memory_info().rss / 2**20)
        return max(rss, default=0.0)
    phase = {"name": "sweep", "stop": False}

    def sampler():
        while not phase["stop"]:
            rss = me.memory_info().rss / 2**20
            peak[phase["name"]] = max(peak[phase["name"]], rss)
            peak["worker"] = max(peak["worker"], worker_rss())
            time.sleep(0.2)

    def on_flush(ran):
        samples.append((ran, me.memory_info().rss / 2**20))
        worker_samples.append((ran, worker_rss()))
        if ran == exp.n_runs:
            phase["name"] = "consolidation"

    out = folder / "memory"
    with ProcessPool(2) as ex:
        ex.warm()
        base = me.memory_info().rss / 2**20
        thread = threading.Thread(target=sampler, daemon=True)
        thread.start()
        t0 = time.perf_counter()
        report = execute(plan_sweep(exp, out), ex, progress=False, on_flush=on_flush)
        elapsed = time.perf_counter() - t0
        phase["stop"] = True
        thread.join()
    size = sum(p.stat().st_size for p in out.rglob("*.parquet")) / 2**20
    shutil.rmtree(out, ignore_errors=True)
    half = [(r, m) for r, m in samples if r >= exp.n_runs / 2]
    slope = _slope(half) * 1000 if len(half) >= 2 else float("nan")
    whalf = [(r, m) for r, m in worker_samples if r >= exp.n_runs / 2 and m > 0]
    wslope = _slope(whalf) * 1000 if len(whalf) >= 2 else float("nan")
    wfirst = next((m for r, m in worker_samples if m > 0), float("nan"))
    at = {}
    for frac in (0.1, 0.25, 0.5, 0.75, 1.0):
        target = frac * exp.n_runs
        r, m = min(samples, key=lambda s: abs(s[0] - target))
        at[f"{int(100 * frac)}%"] = {"runs": r, "rss_mb": m}
    print(f"  {exp.n_runs} runs ({args.memory_residents} residents, {args.days} days, every "
          f"series every day) in {elapsed:.0f} s, {report.ok} ok; results on disk "
          f"{size:.0f} MB")
    print(f"  driver RSS before {base:.0f} MB; at " + ", ".join(
        f"{k} ({v['runs']} runs) {v['rss_mb']:.0f} MB" for k, v in at.items()))
    print(f"  driver peak while running {peak['sweep']:.0f} MB, while consolidating "
          f"{peak['consolidation']:.0f} MB; slope over the second half "
          f"{slope:+.2f} MB per 1000 runs")
    print(f"  largest worker RSS at the first flush {wfirst:.0f} MB, peak {peak['worker']:.0f} "
          f"MB; slope over the second half {wslope:+.2f} MB per 1000 runs")
    return {"runs": exp.n_runs, "elapsed_s": elapsed, "rss_before_mb": base, "at": at,
            "peak_sweep_mb": peak["sweep"], "peak_consolidation_mb": peak["consolidation"],
            "slope_mb_per_1000_runs": slope, "disk_mb": size,
            "worker_first_mb": wfirst, "worker_peak_mb": peak["worker"],
            "worker_slope_mb_per_1000_runs": wslope}


def _slope(points):
    xs, ys = zip(*points)
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else 0.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--residents", type=int, default=2000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--memory-runs", type=int, default=2000)
    ap.add_argument("--memory-residents", type=int, default=2000)
    ap.add_argument("--scheduler", help="also time an existing Dask scheduler's workers")
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--json", help="also write the figures to this JSON file")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; Python "
          f"{sys.version.split()[0]}")
    out = {}
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        folder = Path(tmp)
        if not args.skip_throughput:
            print(f"throughput: {args.runs}-run sweep, {args.residents} residents, "
                  f"{args.days} days, flood; best of {args.repeats}")
            out["throughput"] = throughput(args, folder)
        if not args.skip_memory:
            print("driver and worker memory:")
            out["memory"] = memory(args, folder)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
