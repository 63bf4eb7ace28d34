"""Quiet days and disturbed days, timed apart (issue 12).

A run's days are of two kinds: *quiet* days, when the community is at rest and the step skips
the help and recovery rules, and *disturbed* days, from a shock's onset until the community
is at rest again, when every rule runs. Since recovery lasts months to years, disturbed days
dominate every run, so they are what this benchmark reports: for each scenario and size it
times every step of one run and splits the time by the kind of day (a day is disturbed when
the rules ran: the community was disturbed at the step's start or became so in it), giving
resident-days per second for each kind; the build time; and the peak resident memory of the
process (ru_maxrss; each measurement runs in a fresh subprocess). Mesa's bundled
`virus_on_network` stepping is timed at the same sizes (benchmarks/bench_core.py: its graph
from networkx's fast G(n, p) generator, no layout), and the table gives the ratio of the
disturbed-day rate to its agent-steps per second, measured in this one run.

    python benchmarks/bench_days.py [--sizes 10000 100000 1000000]
        [--scenarios catastrophic_flood urban_earthquake recurring] [--days 150]
        [--virus-steps 30]

Runs stop after --days days (the scenario keeps its horizon) (the onsets of the three scenarios are on days 30-60, so both
kinds of day are sampled); `--days 0` runs each scenario to its horizon. Figures only:
nothing here asserts (machines are shared and noisy).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def ours(n: int, scenario: str, days: int, seed: int) -> dict:
    from grassroots.model.run import make_model

    t0 = time.perf_counter()
    model = make_model({"residents": n}, seed=seed, scenario=scenario)
    build = time.perf_counter() - t0
    quiet = [0, 0.0]
    disturbed = [0, 0.0]
    horizon = model.p["days"]
    for _ in range(min(days, horizon) if days else horizon):
        before = model.disturbed
        t = time.perf_counter()
        model.step()
        dt = time.perf_counter() - t
        kind = disturbed if (before or model.disturbed) else quiet
        kind[0] += 1
        kind[1] += dt

    def rate(kind):
        return n * kind[0] / kind[1] if kind[1] > 0 else float("nan")

    return {"build_s": build, "quiet_days": quiet[0], "quiet_s": quiet[1],
            "quiet_rate": rate(quiet), "disturbed_days": disturbed[0],
            "disturbed_s": disturbed[1], "disturbed_rate": rate(disturbed),
            "ms_per_disturbed_day": 1000 * disturbed[1] / max(1, disturbed[0])}


def child(args: list[str]) -> None:
    kind = args[0]
    if kind == "ours":
        n, scenario, days, seed = int(args[1]), args[2], int(args[3]), int(args[4])
        out = ours(n, scenario, days, seed)
    else:
        from bench_core import virus
        out = virus(int(args[1]), int(args[2]), int(args[3]))
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def measure(*args) -> dict:
    cmd = [sys.executable, __file__, "--child", *map(str, args)]
    res = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--scenarios", nargs="+",
                    default=["catastrophic_flood", "urban_earthquake", "recurring"])
    ap.add_argument("--days", type=int, default=150,
                    help="days per run (default 150; 0: each scenario's horizon)")
    ap.add_argument("--virus-steps", type=int, default=30,
                    help="virus_on_network steps timed per size (default 30)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child)
        return

    print(f"Grassroots quiet and disturbed days ({args.days or 'full'} days per run, seed "
          f"{args.seed}) vs Mesa virus_on_network ({args.virus_steps} steps)")
    head = (f"{'scenario':>18} {'residents':>10} {'build s':>8} {'quiet d':>7} "
            f"{'quiet /s':>9} {'dist d':>6} {'ms/dist d':>9} {'dist /s':>9} "
            f"{'peak MB':>8} | {'virus /s':>9} | {'ratio':>6}")
    print(head)
    print("-" * len(head))
    for n in args.sizes:
        v = measure("virus", n, args.virus_steps, args.seed)
        for scenario in args.scenarios:
            a = measure("ours", n, scenario, args.days, args.seed)
            print(f"{scenario:>18} {n:>10,} {a['build_s']:>8.2f} {a['quiet_days']:>7} "
                  f"{a['quiet_rate'] / 1e6:>7.2f} M {a['disturbed_days']:>6} "
                  f"{a['ms_per_disturbed_day']:>9.1f} {a['disturbed_rate'] / 1e6:>7.2f} M "
                  f"{a['peak_mb']:>8.0f} | {v['rate'] / 1e6:>7.3f} M | "
                  f"{a['disturbed_rate'] / v['rate']:>5.1f}x", flush=True)


if __name__ == "__main__":
    main()
