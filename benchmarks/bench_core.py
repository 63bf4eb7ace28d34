"""Core benchmark: whole 365-day runs of Grassroots against Mesa's virus_on_network.

For each size (default 10,000 and 100,000) it measures, each in a fresh subprocess so peak
memory is per run:
  * Grassroots, flood scenario, baseline policy: build time, 365 steps, total, resident-steps
    per second (residents x days / step time) and peak resident memory (ru_maxrss);
  * Mesa's bundled `virus_on_network` (mesa.examples) at the same number of nodes, its step
    code unchanged, its graph built with networkx's fast G(n, p) generator (same distribution
    as its `erdos_renyi_graph`) and the network layout off (its default spring layout takes
    minutes at 10k nodes); only its steps are timed, giving agent-steps per second.
Then it prints the ratio resident-steps/s : agent-steps/s, measured in this one run.

    python benchmarks/bench_core.py [--sizes 10000 100000] [--days 365] [--virus-steps 120]

Targets (issue 2): 10,000 residents in <= 3 s and 100,000 in <= 30 s (build + steps), and a
ratio >= 20. Figures only; nothing here asserts (machines are shared and noisy).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time


def ours(n: int, days: int, seed: int) -> dict:
    from grassroots.model.run import make_model

    t0 = time.perf_counter()
    model = make_model({"residents": n, "days": days}, seed=seed, scenario="flood")
    t1 = time.perf_counter()
    model.run_for(days)
    t2 = time.perf_counter()
    return {"build_s": t1 - t0, "steps_s": t2 - t1, "rate": n * days / (t2 - t1)}


def virus(n: int, steps: int, seed: int) -> dict:
    from unittest import mock

    import networkx as nx
    from mesa.discrete_space import Network
    from mesa.examples.basic.virus_on_network import model as vm

    def fast_graph(n, p, *args, **kwargs):
        return nx.fast_gnp_random_graph(n, p, seed=seed)

    def no_layout(graph, capacity=None, random=None, **kwargs):
        return Network(graph, capacity=capacity, random=random, layout=None)

    with mock.patch.object(vm.nx, "erdos_renyi_graph", fast_graph), \
            mock.patch.object(vm, "Network", no_layout):
        t0 = time.perf_counter()
        m = vm.VirusOnNetwork(num_nodes=n, avg_node_degree=3,
                              initial_outbreak_size=max(1, n // 1000), rng=seed)
        t1 = time.perf_counter()
    for _ in range(steps):
        m.step()
    t2 = time.perf_counter()
    return {"build_s": t1 - t0, "steps_s": t2 - t1, "rate": n * steps / (t2 - t1)}


def child(kind: str, n: int, length: int, seed: int) -> None:
    out = ours(n, length, seed) if kind == "ours" else virus(n, length, seed)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def measure(kind: str, n: int, length: int, seed: int) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, str(n), str(length), str(seed)]
    res = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--virus-steps", type=int, default=120,
                    help="virus_on_network steps timed per size (default 120)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, n, length, seed = args.child
        child(kind, int(n), int(length), int(seed))
        return

    print(f"Grassroots flood run of {args.days} days vs Mesa virus_on_network "
          f"({args.virus_steps} steps), seed {args.seed}")
    head = (f"{'residents':>10} {'build s':>8} {'steps s':>8} {'total s':>8} "
            f"{'res-steps/s':>12} {'peak MB':>8} | {'virus ag-steps/s':>16} "
            f"{'virus MB':>8} | {'ratio':>6}")
    print(head)
    print("-" * len(head))
    for n in args.sizes:
        a = measure("ours", n, args.days, args.seed)
        v = measure("virus", n, args.virus_steps, args.seed)
        total = a["build_s"] + a["steps_s"]
        print(f"{n:>10,} {a['build_s']:>8.2f} {a['steps_s']:>8.2f} {total:>8.2f} "
              f"{a['rate'] / 1e6:>10.2f} M {a['peak_mb']:>8.0f} | "
              f"{v['rate'] / 1e6:>14.3f} M {v['peak_mb']:>8.0f} | "
              f"{a['rate'] / v['rate']:>5.1f}x", flush=True)


if __name__ == "__main__":
    main()
