"""The `grassroots` command line.

    grassroots run [--scenario NAME|FILE] [--policy NAME|FILE] [--seed N] [--residents N]
                   [--days N] [--network FILE] [--set PARAM=VALUE ...] [--out DIR]
    grassroots compare [--scenario NAME|FILE] --policy NAME|FILE [--reference NAME|FILE]
                       [--seeds N] [--residents N] [--days N] [--set PARAM=VALUE ...]
                       [--out DIR]
    grassroots params [--group GROUP] [--role lever|constant]
    grassroots scenarios
    grassroots policies
    grassroots gallery [--out DIR] [--seed N] [--residents N]
    grassroots sweep FILE [--workers N | --scheduler ADDRESS | --dask-local N] [--resume]
                     [--out DIR]
    grassroots analyze DIR [--outcome METRIC ...]
    grassroots optimise FILE [--workers N | --scheduler ADDRESS | --dask-local N] [--resume]
                        [--out DIR]
    grassroots export-ema DIR [--out FILE]
    grassroots validate [--quick] [--seeds N] [--residents N] [--workers N] [--seed N]
                        [--only NAME ...] [--out DIR]

Bad input ends with one line on stderr naming the field and what is allowed, exit code 2, and
nothing written.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from grassroots.community.network_io import NetworkFileError
from grassroots.core.costs import CostError, load_costs
from grassroots.core.io import atomic_save, atomic_write_text, check_seed
from grassroots.core.params import GROUPS, PARAMS, ParameterError, by_group, parse_assignments
from grassroots.scenarios import ScenarioError

USAGE_ERROR = 2


class CliError(Exception):
    """A user error: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage dump
        raise CliError(f"{self.prog}: {message}")


def _params_epilog() -> str:
    lines = ["parameters (--set NAME=VALUE; see `grassroots params` for their meaning):"]
    for group in GROUPS:
        names = ", ".join(p.name for p in by_group(group))
        lines.append(f"  {group}: {names}")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="grassroots",
                     description="Agent-based simulation of grassroots community resilience.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser(
        "run", help="run one scenario and write a table, a summary and a figure",
        description="Run one model to its horizon and write DIR/timeseries.csv, "
                    "DIR/timeseries.parquet, DIR/summary.json and DIR/resilience.png.",
        epilog=_params_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("--scenario", default="flood", metavar="NAME|FILE",
                     help="shipped scenario name (see `grassroots scenarios`), a scenario "
                          "TOML file, or `none` for no shock (default: flood)")
    run.add_argument("--policy", default="baseline", metavar="NAME|FILE",
                     help="policy package name (see `grassroots policies`) or a policy TOML "
                          "file (default: baseline)")
    run.add_argument("--seed", default="0", metavar="N",
                     help="seed of the model's random generator, an integer >= 0 (default: 0)")
    run.add_argument("--residents", metavar="N",
                     help=f"residents in the synthetic community "
                          f"(default: {PARAMS['residents'].default}; "
                          f"{PARAMS['residents'].allowed()})")
    run.add_argument("--days", metavar="N",
                     help=f"horizon in days (default: {PARAMS['days'].default}; "
                          f"{PARAMS['days'].allowed()})")
    run.add_argument("--network", metavar="FILE",
                     help="GraphML (.graphml) or edge-list file replacing the synthetic "
                          "community; missing attributes get documented defaults")
    run.add_argument("--community", metavar="FILE",
                     help="community file (TOML naming a neighbourhood map with census "
                          "columns, and optionally a hazard layer and places; see "
                          "community/geo.py and community/examples/riverside/) replacing "
                          "the synthetic community")
    run.add_argument("--set", action="append", default=[], metavar="PARAM=VALUE",
                     help="set any declared parameter (repeatable)")
    run.add_argument("--costs", metavar="FILE",
                     help="unit costs of the levers (TOML, as policies/costs.toml; default: "
                          "the shipped file)")
    run.add_argument("--out", default="results/run", metavar="DIR",
                     help="output folder (default: results/run); files in it are replaced "
                          "only once the run has succeeded")
    run.set_defaults(func=cmd_run)

    params = sub.add_parser("params", help="list every declared parameter, levers and "
                                           "constants: default, bounds, unit, meaning")
    params.add_argument("--group", choices=GROUPS, help="only this group")
    params.add_argument("--role", choices=("lever", "constant"),
                        help="only levers (governance choices) or constants (mechanism and "
                             "run settings)")
    params.set_defaults(func=cmd_params)

    scen = sub.add_parser("scenarios", help="list the shipped scenarios")
    scen.set_defaults(func=cmd_scenarios)
    pol = sub.add_parser("policies", help="list the shipped policy packages and what each "
                                          "costs for the default community")
    pol.add_argument("--costs", metavar="FILE",
                     help="unit costs of the levers (default: the shipped policies/costs.toml)")
    pol.set_defaults(func=cmd_policies)

    gal = sub.add_parser("gallery", help="one figure per shipped scenario (baseline policy) "
                                         "and an index page",
                         description="Run every shipped scenario under the baseline policy "
                                     "and write DIR/<scenario>.png and DIR/README.md.")
    gal.add_argument("--out", default="docs/gallery", metavar="DIR",
                     help="output folder (default: docs/gallery)")
    gal.add_argument("--seed", default="0", metavar="N", help="seed (default: 0)")
    gal.add_argument("--residents", metavar="N",
                     help=f"residents (default: {PARAMS['residents'].default})")
    gal.set_defaults(func=cmd_gallery)
    _add_compare_command(sub)
    _add_sweep_commands(sub)
    _add_optimise_command(sub)
    _add_validate_command(sub)
    _add_dashboard_command(sub)
    return parser


# -- commands ----------------------------------------------------------------------------
def cmd_run(args) -> int:
    from grassroots.analysis.figures import resilience_figure
    from grassroots.model.run import run

    overrides = _overrides(args)
    seed = _seed(args.seed)
    if args.network is not None and not Path(args.network).is_file():
        raise CliError(f"--network: no such file {args.network!r}")
    if args.community is not None:
        if args.network is not None:
            raise CliError("--community: given with --network; allowed: one of the two")
        if not Path(args.community).is_file():
            raise CliError(f"--community: no such file {args.community!r}")
        if not args.community.endswith(".toml"):
            raise CliError(f"--community: got {args.community!r}; allowed: a community "
                           f"file (.toml) naming its map layers")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CliError(f"--out: {str(out)!r} exists and is not a folder")

    costs = load_costs(args.costs)
    t0 = time.perf_counter()
    result = run(overrides, seed=seed, scenario=args.scenario, policy=args.policy,
                 network=args.community or args.network, costs=costs)
    elapsed = time.perf_counter() - t0
    extra = {}
    if args.community is not None:  # the map of the community file, beside the curves
        extra["map.png"] = lambda path: _community_map(args.community, result, path)
    _write_outputs(out, result, resilience_figure, extra)
    _print_summary(result.summary, out, elapsed, extra=list(extra))
    return 0


def _community_map(file: str, result, path: Path) -> None:
    """map.png: per neighbourhood, the share ever displaced, ever in need, and at home at
    the end of the run (analysis/maps.py)."""
    from grassroots.analysis.maps import community_map
    from grassroots.community.geo import read_community_file
    from grassroots.measures.neighbourhoods import by_neighbourhood

    geo = read_community_file(file)
    model = result.model
    panels = {k: by_neighbourhood(model, k) for k in ("ever_displaced", "ever_in_need",
                                                      "at_home")}
    s = result.summary
    fig = community_map(geo, panels, title=f"{geo.name}: {s['scenario']['name']}, "
                                           f"{s['parameters']['days']} days, seed {s['seed']} "
                                           f"(at home: on the last day)")
    fig.savefig(path, dpi=110)


def _overrides(args) -> dict:
    """The parameters a command line sets: --set NAME=VALUE, --residents, --days."""
    overrides = parse_assignments(args.set)
    if args.residents is not None:
        overrides["residents"] = PARAMS["residents"].parse(args.residents)
    if args.days is not None:
        overrides["days"] = PARAMS["days"].parse(args.days)
    return overrides


def _seed(text: str) -> int:
    """The one seed rule of every surface (grassroots.core.io.check_seed)."""
    return check_seed(text, CliError, "--seed")


def _write_outputs(out: Path, result, figure, extra: dict | None = None) -> None:
    """Write every output into a temporary folder, then move each file into `out` with an
    atomic rename: a reader never sees a half-written file, and a failure leaves `out` as it
    was. `extra`: more files, name -> a function writing it to the path it is given."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        ts = result.timeseries
        ts.to_csv(tmp / "timeseries.csv", index=False)
        ts.to_parquet(tmp / "timeseries.parquet", index=False)
        (tmp / "summary.json").write_text(json.dumps(result.summary, indent=2) + "\n")
        figure(ts, result.summary, tmp / "resilience.png")
        for name, write in (extra or {}).items():
            write(tmp / name)
        out.mkdir(exist_ok=True)
        for f in tmp.iterdir():
            os.replace(f, out / f.name)
    except OSError as err:  # a full disk: name the folder (a failed write() names no file)
        raise OSError(err.errno, f"{err.strerror or err}; {str(out)!r} is left as it was",
                      str(out)) from err
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _print_summary(s: dict, out: Path, elapsed: float, extra: list | None = None) -> None:
    print(f"{s['scenario']['name']} | policy {s['policy']} | {s['residents']:,} residents, "
          f"{s['parameters']['days']} days, seed {s['seed']} | {elapsed:.2f} s")
    for line in outcome_lines(s["outcomes"]):
        print(line)
    m = s["metrics"]
    # curves are shares of full performance (a reference community): "before" is where
    # this community stood before the shock
    print(f"{'':14}{'before':>8}{'robustness':>11}{'loss':>9}{'index':>9}  time to recovery")
    for dim in ("structure", "function", "relationship", "combined"):
        d = m[dim]
        ttr = (f"{d['time_to_recovery']} days" if d["time_to_recovery"] is not None
               else d["recovery_status"])
        print(f"{dim:14}{d['pre_shock']:>8.3f}{d['robustness']:>11.3f}"
              f"{d['loss_of_resilience']:>9.2f}{d['resilience_index']:>9.5f}  {ttr}")
    print("(curves: share of full performance, 1 = the reference community; "
          "docs/ODD.md §4.11)")
    pk = s["peaks"]
    print(f"ties lost at the peak {pk['ties_lost']:,}")
    print(f"wrote {out}/timeseries.csv, timeseries.parquet, summary.json, resilience.png"
          + "".join(f", {name}" for name in extra or ()))


def outcome_lines(o: dict) -> list[str]:
    """The planner outcomes in a few lines of people and days."""
    home = o["days_until_90pct_home"]
    home = "not within the horizon" if home is None else f"{home} days"
    unmet = ", ".join(f"{k} {v:,}" for k, v in o["unmet_need_days"].items())
    help_ = ", ".join(f"{k.replace('_', ' ')} {v:,.0f}" for k, v in o["help_delivered"].items())
    return [
        f"resident-days in need {o['resident_days_in_need']:,} (vulnerable residents "
        f"{o['vulnerable_resident_days_in_need']:,}); peak in need "
        f"{o['peak_residents_in_need']:,}; ever in need {o['residents_ever_in_need']:,}",
        f"displaced resident-days {o['displaced_resident_days']:,} "
        f"({o['residents_ever_displaced']:,} residents); 90% of them home after {home}",
        f"unmet-need-days: {unmet}",
        f"help delivered (resident-help units): {help_}",
    ]


def cmd_params(args) -> int:
    groups = [args.group] if args.group else list(GROUPS)
    shown = [p for group in groups for p in by_group(group)
             if args.role is None or p.role == args.role]
    for group in groups:
        params = [p for p in shown if p.group == group]
        if not params:
            continue
        role = params[0].role
        print(f"[{group}]  ({role}s)")
        for p in params:
            print(f"  {p.name} = {p.default!r}  ({p.unit}; {p.allowed()})")
            print(f"      {p.doc}")
    levers = sum(p.role == "lever" for p in shown)
    print(f"{len(shown)} parameters: {levers} levers (governance choices), "
          f"{len(shown) - levers} constants (mechanism and run settings)")
    return 0


def cmd_scenarios(args) -> int:
    from grassroots.scenarios import load_scenario, shipped

    names = shipped()
    width = max(len(n) for n in ["none", *names])
    print(f"{'none':{width}} No shock: the community at rest.")
    for name in names:
        sc = load_scenario(name, PARAMS["days"].high)
        print(f"{name:{width}} {sc.description}")
    return 0


def cmd_policies(args) -> int:
    from grassroots.policies import load_policy, shipped_policies

    from grassroots.core.costs import package_cost

    costs = load_costs(args.costs)
    n, days = PARAMS["residents"].default, PARAMS["days"].default
    print(f"{'package':18} {'one-off':>9} {'per year':>9} {'per res-yr':>10}  rationale")
    for name in shipped_policies():
        pol = load_policy(name)
        c = package_cost(pol.levers, costs, residents=n, days=days)
        first = pol.rationale.split(". ")[0].replace("\n", " ")
        print(f"{name:18} {c['one_off']:>9,.0f} {c['recurring_per_year']:>9,.0f} "
              f"{c['per_resident_year']:>10.2f}  {first}")
    print(f"costs in {costs.unit} ({costs.path.name}) for the default community: {n:,} "
          f"residents, {days} days; one-off + per year, and their total per resident-year")
    return 0


def cmd_gallery(args) -> int:
    from grassroots.analysis.figures import resilience_figure
    from grassroots.model.run import run
    from grassroots.scenarios import shipped

    overrides = {}
    if args.residents is not None:
        overrides["residents"] = PARAMS["residents"].parse(args.residents)
    seed = _seed(args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = ["# Scenario gallery", "",
            "Every shipped scenario under the `baseline` policy, seed "
            f"{seed}. Regenerate with `grassroots gallery` (or `make gallery`).", "",
            "| scenario | what happens | resident-days in need | of vulnerable residents "
            "| displaced resident-days | combined robustness | loss (quality-days) "
            "| resilience index | time to recovery |", "|---|---|---|---|---|---|---|---|---|"]
    figures = []
    for name in shipped():
        result = run(overrides, seed=seed, scenario=name)
        atomic_save(out / f"{name}.png",
                    lambda tmp: resilience_figure(result.timeseries, result.summary, tmp))
        s = result.summary
        m = s["metrics"]["combined"]
        ttr = (f"{m['time_to_recovery']} days" if m["time_to_recovery"] is not None
               else m["recovery_status"])
        o = s["outcomes"]
        rows.append(f"| [{name}](#{name}) | {s['scenario']['description']} | "
                    f"{o['resident_days_in_need']:,} | "
                    f"{o['vulnerable_resident_days_in_need']:,} | "
                    f"{o['displaced_resident_days']:,} | "
                    f"{m['robustness']:.3f} | {m['loss_of_resilience']:.2f} | "
                    f"{m['resilience_index']:.5f} | {ttr} |")
        figures += [f"## {name}", "", s["scenario"]["description"], "", f"![{name}]({name}.png)",
                    ""]
        print(f"wrote {out / (name + '.png')}")
    atomic_write_text("\n".join(rows + [""] + figures), out / "README.md")
    print(f"wrote {out / 'README.md'}")
    return 0


# -- sweeps (sweeps/ and analysis/) -------------------------------------------------------
# -- compare ----------------------------------------------------------------------------
def _add_compare_command(sub) -> None:
    cmp = sub.add_parser(
        "compare", help="a package against a reference package on the same seeds: the "
                        "difference of every outcome and measure with its 95% interval",
        description="Run the package and the reference package on seeds 0..N-1 (each pair on "
                    "the same seed, so the same community and draws) and print, for every "
                    "planner outcome and every dimension's robustness, loss, index and time "
                    "to recovery, the means, the mean difference (package - reference) and "
                    "its 95%% Student-t interval over the seeds. Writes DIR/compare.csv and "
                    "DIR/compare.json.",
        epilog=_params_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter)
    cmp.add_argument("--scenario", default="flood", metavar="NAME|FILE",
                     help="shipped scenario name, a scenario TOML file (default: flood)")
    cmp.add_argument("--policy", required=True, metavar="NAME|FILE",
                     help="the package compared (a shipped name or a policy TOML file)")
    cmp.add_argument("--reference", default="baseline", metavar="NAME|FILE",
                     help="the reference package (default: baseline)")
    cmp.add_argument("--seeds", default="12", metavar="N",
                     help="number of paired seeds, 0..N-1 (default: 12; at least 2)")
    cmp.add_argument("--residents", metavar="N",
                     help=f"residents (default: {PARAMS['residents'].default})")
    cmp.add_argument("--days", metavar="N", help="horizon in days (default: the scenario's)")
    cmp.add_argument("--set", action="append", default=[], metavar="PARAM=VALUE",
                     help="set a parameter for both packages (repeatable); a lever set here "
                          "overrides both packages' value")
    cmp.add_argument("--costs", metavar="FILE",
                     help="unit costs of the levers (default: the shipped policies/costs.toml)")
    cmp.add_argument("--out", default="results/compare", metavar="DIR",
                     help="output folder (default: results/compare)")
    cmp.set_defaults(func=cmd_compare)


def cmd_compare(args) -> int:
    from grassroots.measures.comparison import paired_comparison
    from grassroots.model.run import run
    from grassroots.policies import load_policy
    from grassroots.scenarios import load_scenario

    overrides = _overrides(args)
    try:
        seeds = int(args.seeds)
    except ValueError:
        seeds = -1
    if seeds < 2:
        raise CliError(f"--seeds: got {args.seeds!r}; allowed: an integer >= 2")
    load_scenario(args.scenario)  # bad input fails before any run
    load_policy(args.policy)
    load_policy(args.reference)
    costs = load_costs(args.costs)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CliError(f"--out: {str(out)!r} exists and is not a folder")

    t0 = time.perf_counter()
    ref, pkg = [], []
    for seed in range(seeds):
        for policy, into in ((args.reference, ref), (args.policy, pkg)):
            into.append(run(overrides, seed=seed, scenario=args.scenario, policy=policy,
                            indicators=False, costs=costs).summary)
    rows = paired_comparison(ref, pkg)
    elapsed = time.perf_counter() - t0
    _write_comparison(out, rows, {"scenario": args.scenario, "policy": args.policy,
                                  "reference": args.reference, "seeds": list(range(seeds)),
                                  "parameters": overrides})
    print(f"{pkg[0]['policy']} vs {ref[0]['policy']} | {ref[0]['scenario']['name']} | "
          f"{ref[0]['residents']:,} residents | seeds 0..{seeds - 1} | {elapsed:.1f} s")
    print(f"{'measure':48}{'reference':>12}{'package':>12}{'difference':>12}"
          f"{'95% interval':>26}  verdict")
    for r in rows:
        interval = f"[{r['low']:.4g}, {r['high']:.4g}]"
        print(f"{r['measure']:48}{r['reference']:>12.5g}{r['package']:>12.5g}"
              f"{r['difference']:>12.4g}{interval:>26}  {r['verdict']}")
    pc, rc = pkg[0]["costs"], ref[0]["costs"]
    print(f"cost ({pc['unit']} per resident-year, {pc['costs_file']}): package "
          f"{pc['per_resident_year']:.3f}, reference {rc['per_resident_year']:.3f}, difference "
          f"{pc['per_resident_year'] - rc['per_resident_year']:+.3f}")
    print(f"wrote {out}/compare.csv, compare.json")
    return 0


def _write_comparison(out: Path, rows: list[dict], about: dict) -> None:
    import csv
    import io

    out.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_text(buf.getvalue(), out / "compare.csv")
    atomic_write_text(json.dumps({**about, "rows": rows}, indent=2) + "\n", out / "compare.json")


def _add_executor_options(parser) -> None:
    """Where the runs run: --workers N | --scheduler ADDRESS | --dask-local N (sweep,
    optimise)."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", metavar="N",
                       help="local worker processes (default: one per core; 1 runs in this "
                            "process)")
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="address of a running Dask scheduler (`dask scheduler`), e.g. "
                            "tcp://127.0.0.1:8786")
    where.add_argument("--dask-local", metavar="N",
                       help="start a local Dask cluster of N single-threaded processes")


def _executor_options(args) -> dict:
    """The options of _add_executor_options, each checked: keyword arguments of
    sweeps.make_executor."""
    import re

    workers = _count(args.workers, "--workers") if args.workers is not None else None
    dask_local = _count(args.dask_local, "--dask-local") if args.dask_local is not None \
        else None
    if args.scheduler is not None and not re.fullmatch(
            r"([a-z]+://)?[^\s/:]+(:\d+)?/?", args.scheduler):
        raise CliError(f"--scheduler: got {args.scheduler!r}; allowed: an address like "
                       f"tcp://HOST:PORT")
    return {"workers": workers, "scheduler": args.scheduler, "dask_local": dask_local}


def _add_sweep_commands(sub) -> None:
    from grassroots.sweeps import FLUSH_EVERY, FLUSH_SECONDS

    sw = sub.add_parser(
        "sweep", help="run an experiment file: many runs, streamed to Parquet",
        description="Run every run of an experiment file (see experiments/) and write "
                    "DIR/runs.parquet (one row per run), DIR/timeseries.parquet and "
                    "DIR/manifest.json. Finished runs are written in batches as they come "
                    "in; Ctrl-C or a kill keeps them, and --resume runs only what is missing.")
    sw.add_argument("file", metavar="FILE", help="experiment TOML file")
    _add_executor_options(sw)
    sw.add_argument("--resume", action="store_true",
                    help="finish the sweep in --out: run only the runs not yet recorded")
    sw.add_argument("--retry-failed", action="store_true",
                    help="with --resume: also run the failed runs again")
    sw.add_argument("--out", metavar="DIR",
                    help="sweep folder (default: results/sweeps/<experiment name>)")
    sw.add_argument("--flush-every", default=str(FLUSH_EVERY), metavar="N",
                    help=f"write finished runs to disk every N runs (default: {FLUSH_EVERY}) "
                         f"or every {FLUSH_SECONDS:g} seconds, whichever comes first")
    sw.add_argument("--no-progress", action="store_true", help="no progress bar")
    sw.set_defaults(func=cmd_sweep)

    an = sub.add_parser(
        "analyze", help="summarise a finished sweep: tables, sensitivity indices, plots",
        description="Write DIR/analysis/: replicate summaries (mean, 95% interval), "
                    "per-day summaries, Sobol or Morris indices when the design allows, "
                    "and PNG plots.")
    an.add_argument("dir", metavar="DIR", help="folder of a finished sweep")
    an.add_argument("--outcome", action="append", default=[], metavar="METRIC",
                    help="a runs-table metric to analyse, e.g. combined.loss_of_resilience "
                         "(repeatable; default: the experiment's analysis.outcomes)")
    an.set_defaults(func=cmd_analyze)

    ema = sub.add_parser(
        "export-ema", help="export a finished sweep for EMA Workbench (PRIM, feature scoring)",
        description="Write the successful runs as an EMA Workbench results archive, read "
                    "with ema_workbench.load_results(FILE).")
    ema.add_argument("dir", metavar="DIR", help="folder of a finished sweep")
    ema.add_argument("--out", metavar="FILE",
                     help="archive to write (default: DIR/ema_results.tar.gz)")
    ema.set_defaults(func=cmd_export_ema)


def _count(text: str, option: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise CliError(f"{option}: got {text!r}; allowed: an integer >= 1") from None
    if value < 1:
        raise CliError(f"{option}: got {text!r}; allowed: an integer >= 1")
    return value


def cmd_sweep(args) -> int:
    import signal

    from grassroots.sweeps import load_experiment
    from grassroots.sweeps import SweepError, SweepStore, execute, make_executor, plan_sweep

    where = _executor_options(args)
    flush_every = _count(args.flush_every, "--flush-every")
    if args.retry_failed and not args.resume:
        raise CliError("--retry-failed: only together with --resume")
    exp = load_experiment(args.file)
    out = Path(args.out) if args.out else Path("results") / "sweeps" / exp.name
    if args.resume:  # the master seed the sweep started with, if the file names none
        manifest = SweepStore(out).manifest() if out.is_dir() else None
        if manifest is not None:
            exp = load_experiment(args.file, seed=manifest["experiment"]["seed"])
    try:
        plan = plan_sweep(exp, out, resume=args.resume, retry_failed=args.retry_failed)
        executor = make_executor(**where)
        if plan.finished:
            print(f"{exp.name}: nothing to do, all {exp.n_runs} runs are recorded in {out}")
            return 0
        with executor:
            report = execute(plan, executor, flush_every=flush_every,
                             progress=not args.no_progress, source_file=args.file)
    except SweepError as err:
        raise CliError(str(err)) from None
    kept = report.ok + report.failed
    resume = f"grassroots sweep {args.file} --resume --out {out}"
    if report.status == "interrupted":
        print(f"grassroots: interrupted ({signal.Signals(report.signum).name}): kept {kept} of "
              f"{report.total} runs in {out}; finish with: {resume}", file=sys.stderr)
        return 128 + int(report.signum)
    if report.status != "complete":
        print(f"grassroots: error: {report.message}; kept {kept} of {report.total} runs in "
              f"{out}; finish with: {resume}", file=sys.stderr)
        return 1
    print(f"{exp.name}: {report.total} runs ({report.ok} ok, {report.failed} failed); this "
          f"session ran {report.ran} in {report.elapsed:.1f} s on {executor.describe()}")
    if report.failed:
        print(f"{report.failed} runs failed; their errors are in {out}/runs.parquet "
              f"(columns status, error, traceback)")
    print(f"wrote {', '.join(report.files + [str(out / 'manifest.json')])}")
    print(f"next: grassroots analyze {out}")
    return 0


def _add_optimise_command(sub) -> None:
    opt = sub.add_parser(
        "optimise", help="search the levers for the allocations that protect people best "
                         "within a budget",
        description="Search the levers an optimisation file names (see experiments/"
                    "*.optimise.toml) with pymoo's NSGA-II or NSGA-III: every candidate "
                    "within the budget (a repair, not a penalty), evaluated on the file's "
                    "scenarios x seeds with common random numbers. Writes DIR/front.parquet "
                    "(the non-dominated allocations), DIR/evaluations.parquet (every "
                    "candidate), DIR/packages.parquet (the shipped packages, evaluated the "
                    "same way), DIR/runs.parquet (every model run), DIR/front.png, "
                    "DIR/front_levers.png and DIR/manifest.json. With a [conditions] table, "
                    "allocations along the front and the baseline package are then run on "
                    "sampled hazard conditions and PRIM names where each fails: "
                    "DIR/failures.md (a short report per allocation), DIR/failures.json and "
                    "DIR/conditions.parquet. A killed search is finished with --resume: the "
                    "search is replayed from its seed, runs already made come from "
                    "DIR/runs.parquet; [conditions] may be added or changed on --resume.")
    opt.add_argument("file", metavar="FILE", help="optimisation TOML file")
    _add_executor_options(opt)
    opt.add_argument("--resume", action="store_true",
                     help="finish the search in --out (same file): runs already made are "
                          "read back")
    opt.add_argument("--out", metavar="DIR",
                     help="output folder (default: results/optimise/<name>)")
    opt.add_argument("--no-progress", action="store_true", help="no progress bar")
    opt.set_defaults(func=cmd_optimise)


def cmd_optimise(args) -> int:
    from grassroots.optimise import load_optimisation, search
    from grassroots.sweeps import SweepError, make_executor

    where = _executor_options(args)
    if not Path(args.file).is_file():
        raise CliError(f"optimise: no such file {args.file!r}")
    opt = load_optimisation(args.file)
    out = Path(args.out) if args.out else Path("results") / "optimise" / opt.name
    if out.exists() and not out.is_dir():
        raise CliError(f"--out: {str(out)!r} exists and is not a folder")
    try:
        executor = make_executor(**where)
        with executor:
            report = search(opt, out, executor, resume=args.resume,
                            progress=not args.no_progress)
    except SweepError as err:
        raise CliError(str(err)) from None
    print(f"{opt.name}: {report.generations} generations, {report.candidates} candidates "
          f"evaluated on {len(opt.scenarios)} scenarios x {opt.seeds} seeds; {report.front} "
          f"on the front; this session ran {report.runs_ran} runs in {report.elapsed:.1f} s "
          f"on {executor.describe()}")
    print(f"wrote {', '.join(report.files)}")
    return 0


def cmd_analyze(args) -> int:
    from grassroots.analysis import analyze

    report = analyze(args.dir, outcomes=args.outcome or None)
    for note in report.notes:
        print(f"note: {note}")
    print(f"wrote {len(report.files)} files to {report.folder}: "
          f"{', '.join(Path(f).name for f in report.files)}")
    return 0


def cmd_export_ema(args) -> int:
    from grassroots.analysis import export_ema

    path = export_ema(args.dir, args.out)
    print(f"wrote {path} (load with ema_workbench.load_results)")
    return 0


# -- validation (validation/) ----------------------------------------------------------------
def _add_validate_command(sub) -> None:
    from grassroots.validation import FULL, QUICK

    val = sub.add_parser(
        "validate", help="run the model against published patterns and write a report",
        description="Run every registered validation pattern (the model's output against "
                    "numbers published after real disasters), print one row per pattern and "
                    "write DIR/validation.json, DIR/validation.md, DIR/<pattern>.png and "
                    "DIR/manifest.json. Exit code 0 when every pattern passes, 1 when one "
                    "fails, 2 on bad input. Each file is replaced only once every pattern is "
                    "measured.")
    val.add_argument("--quick", action="store_true",
                     help=f"quick settings: {QUICK['seeds']} seeds of {QUICK['residents']:,} "
                          f"residents per pattern (default: full, {FULL['seeds']} seeds of "
                          f"{FULL['residents']:,})")
    val.add_argument("--seeds", metavar="N",
                     help="runs per pattern, an integer >= 1 (default: by --quick)")
    val.add_argument("--residents", metavar="N",
                     help=f"residents in the synthetic community "
                          f"({PARAMS['residents'].allowed()}; default: by --quick)")
    val.add_argument("--workers", default="1", metavar="N",
                     help="local worker processes for each pattern's runs (default: 1, in "
                          "this process); the results do not depend on it")
    val.add_argument("--seed", default="0", metavar="N",
                     help="master seed every run's seed is spawned from (default: 0)")
    val.add_argument("--only", nargs="+", action="extend", metavar="NAME",
                     help="run only these patterns (default: all registered)")
    val.add_argument("--out", default="results/validation", metavar="DIR",
                     help="output folder (default: results/validation; `make validate` "
                          "writes the committed report to docs/validation)")
    val.set_defaults(func=cmd_validate)


def cmd_validate(args) -> int:
    from grassroots.validation import (PatternError, Settings, SettingsError, UnknownPattern,
                                       run_suite, select)

    seeds = _count(args.seeds, "--seeds") if args.seeds is not None else None
    residents = (PARAMS["residents"].parse(args.residents) if args.residents is not None
                 else None)
    workers = _count(args.workers, "--workers")
    try:
        settings = Settings(quick=args.quick, seeds=seeds, residents=residents,
                            workers=workers, master_seed=_seed(args.seed))
        chosen = select(args.only)
    except (SettingsError, UnknownPattern) as err:
        raise CliError(str(err)) from None
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CliError(f"--out: {str(out)!r} exists and is not a folder")

    t0 = time.perf_counter()
    print(f"validate ({'quick' if settings.quick else 'full'}): {len(chosen)} patterns, "
          f"{settings.seeds} seeds of {settings.residents:,} residents each, master seed "
          f"{settings.master_seed}, {settings.workers} workers")
    try:
        results = run_suite(settings, out, only=args.only, log=lambda line: print(f"  {line}"))
    except PatternError as err:
        print(f"grassroots: error: {str(err).splitlines()[0]}; nothing written to {out}",
              file=sys.stderr)
        return 1
    width = max([len("pattern"), *(len(r.name) for r in results)])
    print(f"{'pattern':{width}}  passed  measured (tolerance)")
    for r in results:
        print(f"{r.name:{width}}  {'yes' if r.passed else 'NO':6}  {r.measured_text()}")
    passed = sum(r.passed for r in results)
    print(f"{passed} of {len(results)} patterns passed in {time.perf_counter() - t0:.1f} s")
    print(f"wrote {out}/validation.md, validation.json, manifest.json and "
          f"{len(results)} figures")
    return 0 if passed == len(results) else 1


# -- dashboard (dashboard/) ------------------------------------------------------------------
def _add_dashboard_command(sub) -> None:
    dash = sub.add_parser(
        "dashboard", help="start the planner dashboard (Solara) in the browser",
        description="Serve the planner dashboard with Solara. It listens on 127.0.0.1 "
                    "(this machine only) unless --host says otherwise, and needs no "
                    "internet access.")
    dash.add_argument("--host", default="127.0.0.1", metavar="H",
                      help="address to listen on (default: 127.0.0.1; another host makes "
                           "the dashboard reachable from other machines)")
    dash.add_argument("--port", default="8765", metavar="N",
                      help="port, an integer in [0, 65535]; 0 picks a free port "
                           "(default: 8765)")
    dash.add_argument("--fronts", action="append", default=[], metavar="DIR",
                      help="a folder of finished `grassroots optimise` outputs (each "
                           "subfolder with front.parquet and manifest.json) that the "
                           "'What to fund' tab offers beside the shipped ones; repeatable. "
                           "Nothing outside these folders is read")
    dash.add_argument("--communities", action="append", default=[], metavar="DIR",
                      help="a folder of community files (TOML with their map layers, see "
                           "community/geo.py) that the community picker offers beside the "
                           "synthetic one and the shipped examples; repeatable")
    dash.set_defaults(func=cmd_dashboard)


def cmd_dashboard(args) -> int:
    from grassroots.dashboard.serve import serve

    try:
        port = int(args.port)
    except ValueError:
        raise CliError(f"--port: got {args.port!r}; allowed: an integer in [0, 65535]") \
            from None
    if not 0 <= port <= 65535:
        raise CliError(f"--port: got {args.port!r}; allowed: an integer in [0, 65535]")
    if not args.host.strip():
        raise CliError("--host: empty; allowed: a host name or IP address")
    serve(host=args.host.strip(), port=port,
          fronts=_folders(args.fronts, "--fronts", "`grassroots optimise` outputs"),
          communities=_folders(args.communities, "--communities", "community files"))


def _folders(values: list[str], option: str, what: str) -> list[str]:
    """The folders an option names, made absolute; one that is not a folder is refused."""
    for d in values:
        if not Path(d).is_dir():
            raise CliError(f"{option}: {d}: not a folder; allowed: a folder of {what}")
    return [str(Path(d).resolve()) for d in values]
    return 0


def main(argv: list[str] | None = None) -> int:
    import matplotlib

    matplotlib.use("Agg")  # the CLI writes files; it never needs a display
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return args.func(args)
    except (CliError, ParameterError, ScenarioError, NetworkFileError, CostError) as err:
        msg = str(err).splitlines()[0] if str(err) else type(err).__name__
        print(f"grassroots: error: {msg}" if not msg.startswith("grassroots") else msg,
              file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("grassroots: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except OSError as err:  # a full disk, a read-only or vanished folder: one line
        where = f" {err.filename}" if err.filename else ""
        print(f"grassroots: error: cannot read or write{where}: {err.strerror or err}",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
