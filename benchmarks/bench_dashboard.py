"""Dashboard responsiveness: one step plus redraw at the default community (2,000 residents).

Prints figures; asserts nothing (targets are checked by reading them, the project brief).
Target (issue 6): one step + redraw <= 250 ms on this machine.

Two measurements over a whole run of the flood scenario (365 days, one day a step), alone
and in comparison mode:

1. the parts, in plain Python: the models' step (chosen run and its prevention-off twin; with
   the comparison also the baseline and its twin), the frame snapshot (curves and summary
   metrics so far), the network PNG and the curves PNG;
2. the whole server-side path a click on Step takes: Solara's component tree re-rendered
   with `solara.render` and the Step button clicked (step, snapshot, both figures, monitors,
   indicators, widget updates) -- everything but the browser's network and paint.

    .venv/bin/python benchmarks/bench_dashboard.py [--days N]
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np


def parts(compare: bool, days: int):
    from grassroots.dashboard.state import Settings, Simulation
    from grassroots.dashboard.views import CurvesCanvas, NetworkCanvas, monitor_rows

    sim = Simulation(Settings.initial(compare=compare).with_value("days", days))
    f = sim.frame()
    net = NetworkCanvas(sim.layout, "function")
    curves = CurvesCanvas(sim.days, f.windows, f.main.summary["parameters"]["recovery_epsilon"],
                          compare)
    net.render(f), curves.render(f)  # first draw of the static parts
    rows = []
    while not sim.done:
        t0 = time.perf_counter()
        sim.step(1)
        t1 = time.perf_counter()
        f = sim.frame()
        t2 = time.perf_counter()
        net.render(f)
        t3 = time.perf_counter()
        curves.render(f)
        monitor_rows(f)
        t4 = time.perf_counter()
        rows.append((t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0))
    return np.array(rows) * 1000.0, curves.blitter.backgrounds


def clicks(compare: bool, days: int):
    import ipyvuetify as v
    import solara

    from grassroots.dashboard.components import Dashboard
    from grassroots.dashboard.state import Settings

    got = []
    _, rc = solara.render(Dashboard(Settings.initial(compare=compare).with_value("days", days),
                                    on_controller=got.append), handle_error=False)
    ctl = got[0]
    step = rc.find(v.Btn, children=["Step"]).widget
    out = []
    while not ctl.sim.done:
        t0 = time.perf_counter()
        step.click()
        out.append(time.perf_counter() - t0)
    return np.array(out) * 1000.0


def show(label: str, ms: np.ndarray) -> None:
    print(f"  {label:34} median {np.median(ms):7.1f}   p95 {np.percentile(ms, 95):7.1f}   "
          f"max {ms.max():7.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=365, help="days to run (default 365)")
    days = ap.parse_args().days
    print(f"dashboard benchmark: 2,000 residents, flood scenario, {days} steps of one day; "
          f"python {platform.python_version()}, {platform.machine()}")
    for compare in (False, True):
        mode = "comparison with baseline" if compare else "chosen policy alone"
        print(f"\n{mode}:")
        ms, backgrounds = parts(compare, days)
        for k, label in enumerate(("step (models)", "frame snapshot", "network PNG",
                                   "curves PNG + monitors", "step + redraw (parts)")):
            show(label, ms[:, k])
        print(f"  (curves axes redrawn {backgrounds} times in {days} frames)")
        show("Step click through Solara", clicks(compare, days))
    print("\ntarget: one step + redraw <= 250 ms")


if __name__ == "__main__":
    main()
