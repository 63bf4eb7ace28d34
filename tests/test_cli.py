"""The `grassroots` command line, run the way a user runs it: in a subprocess."""

import csv
import json
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from grassroots.core.params import PARAMS

FAST = ["--residents", "300", "--days", "120"]
OUTPUTS = {"timeseries.csv", "timeseries.parquet", "summary.json", "resilience.png"}
CURVES = ("structure", "function", "relationship", "combined")
METRICS = {"pre_shock", "robustness", "depth", "loss_of_resilience", "resilience_index",
           "time_to_recovery", "recovered", "recovery_status", "bounce_forward",
           "control_window"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def cli(*args, cwd):
    """Run `python -m grassroots.cli ARGS` in `cwd`, in the user's environment (warnings
    would show on stderr); the timeout is a guard against a hang, not an assertion."""
    return subprocess.run([sys.executable, "-m", "grassroots.cli", *map(str, args)],
                          cwd=cwd, capture_output=True, text=True, timeout=600)


def snapshot(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def first(work):
    """One ordinary run: seed 1, flood, 300 residents, 120 days."""
    r = cli("run", *FAST, "--seed", "1", "--out", "run1", cwd=work)
    assert r.returncode == 0, r.stderr
    return work / "run1", r


# -- a run writes its four files ---------------------------------------------------------
def test_run_writes_the_four_files(first):
    out, r = first
    assert {p.name for p in out.iterdir()} == OUTPUTS
    assert r.stderr == ""
    assert "wrote" in r.stdout and "combined" in r.stdout
    # no temporary folder is left behind next to the output
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".run1")] == []


def test_png_is_a_png(first):
    out, _ = first
    data = (out / "resilience.png").read_bytes()
    assert data[:8] == PNG_MAGIC and len(data) > 10_000


def test_parquet_is_readable_and_matches_the_csv(first):
    out, _ = first
    table = pq.read_table(out / "timeseries.parquet")
    with open(out / "timeseries.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert table.num_rows == len(rows) == 121
    assert table.column_names == list(rows[0])
    assert table.column_names[:5] == ["day", *CURVES]
    assert table.column("day").to_pylist() == list(range(121))
    for col in CURVES:
        assert table.column(col).to_pylist() == pytest.approx(
            [float(row[col]) for row in rows], rel=1e-12)


def test_summary_has_every_metric_the_seed_and_the_parameters(first):
    out, _ = first
    s = json.loads((out / "summary.json").read_text())
    assert s["seed"] == 1
    assert s["policy"] == "baseline"
    assert s["scenario"]["name"] == "flood"
    assert s["residents"] == 300
    assert set(s["metrics"]) == set(CURVES)
    for dim in CURVES:
        assert set(s["metrics"][dim]) == METRICS, dim
    assert set(s["parameters"]) == set(PARAMS)
    assert s["parameters"]["residents"] == 300 and s["parameters"]["days"] == 120
    for name, value in s["parameters"].items():
        assert PARAMS[name].validate(value) == value, name
    assert {"peaks", "final", "resources_used"} <= set(s)


def test_same_seed_is_byte_identical_other_seed_differs(first, work):
    out, _ = first
    csv1 = (out / "timeseries.csv").read_bytes()
    # the same seed into a new folder: byte-identical table and summary
    again = cli("run", *FAST, "--seed", "1", "--out", "run1b", cwd=work)
    assert again.returncode == 0, again.stderr
    assert (work / "run1b" / "timeseries.csv").read_bytes() == csv1
    assert (work / "run1b" / "summary.json").read_bytes() == (out / "summary.json").read_bytes()
    # another seed, into a folder holding a previous result and a file of the user's
    target = work / "run2"
    shutil.copytree(out, target)
    (target / "notes.txt").write_text("mine")
    other = cli("run", *FAST, "--seed", "2", "--out", target, cwd=work)
    assert other.returncode == 0, other.stderr
    assert (target / "timeseries.csv").read_bytes() != csv1
    assert json.loads((target / "summary.json").read_text())["seed"] == 2
    assert (target / "notes.txt").read_text() == "mine"  # other files are left alone
    assert {p.name for p in target.iterdir()} == OUTPUTS | {"notes.txt"}


def test_scenario_none_keeps_every_curve_at_its_pre_shock_level(work):
    r = cli("run", *FAST, "--scenario", "none", "--out", "calm", cwd=work)
    assert r.returncode == 0, r.stderr
    with open(work / "calm" / "timeseries.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 121
    for row in rows:
        for col in CURVES:
            assert row[col] == rows[0][col], (row["day"], col, row[col])
        assert float(row["function"]) == 1.0
    s = json.loads((work / "calm" / "summary.json").read_text())
    assert all(s["metrics"][d]["loss_of_resilience"] == 0.0 for d in CURVES)


# -- bad input: one line, exit 2, nothing written ----------------------------------------
def _bad_graphml(folder):
    f = folder / "broken.graphml"
    f.write_text('<graphml><graph><node id="a"/><edge source="a" target=')
    return f.name


def _bad_strength(folder):
    f = folder / "strong.txt"
    f.write_text("a b 0.5\nb c 1.5\n")
    return f.name


def _bad_toml(folder):
    f = folder / "broken.toml"
    f.write_text('name = "broken"\n[[shocks]\ntype = "flood"\n')
    return f.name


# id -> (arguments, a word the one-line message must contain)
BAD = {
    "residents-negative": (["--residents", "-5"], "residents"),
    "share-out-of-range": (["--set", "party_member_share=1.5"], "party_member_share"),
    "unknown-parameter": (["--set", "nosuch=1"], "nosuch"),
    "malformed-graphml": (["--network", _bad_graphml], "broken.graphml"),
    "no-such-scenario": (["--scenario", "nosuch_scenario"], "nosuch_scenario"),
    "negative-seed": (["--seed", "-1"], "--seed"),
}
MORE_BAD = {
    "set-syntax": (["--set", "days"], "NAME=VALUE"),
    "no-such-network": (["--network", "nowhere.graphml"], "nowhere.graphml"),
    "strength-out-of-range": (["--network", _bad_strength], "strong.txt"),
    "malformed-scenario": (["--scenario", _bad_toml], "broken.toml"),
    "no-such-policy": (["--policy", "nosuch_policy"], "nosuch_policy"),
    "int-given-fraction": (["--days", "90.5"], "days"),
}
ALL_BAD = {**BAD, **MORE_BAD}
#: Run in a subprocess into an existing result folder too (the others are checked in-process:
#: each CLI start costs a second or two of imports).
EXISTING_IN_SUBPROCESS = ("malformed-graphml", "no-such-scenario")


def _check_error(code, stdout, stderr, word):
    assert code == 2, stderr
    assert stdout == ""
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert stderr.endswith("\n") and lines[0].strip()
    assert "Traceback" not in stderr
    assert lines[0].startswith("grassroots")
    assert word in lines[0], lines[0]


def _no_leftovers(folder, name):
    assert not [p.name for p in folder.iterdir() if p.name.startswith(f".{name}.")]


@pytest.fixture(scope="module")
def bad_runs(first, work):
    """The bad inputs as a user meets them: one process each, a few at a time."""
    folder = work / "bad"
    folder.mkdir()
    jobs = {}
    for key, (args, _) in BAD.items():
        args = [a(folder) if callable(a) else a for a in args]
        jobs[key, "new"] = [*args, "--out", f"{key}-new"]
        if key in EXISTING_IN_SUBPROCESS:
            shutil.copytree(first[0], folder / f"{key}-existing")
            jobs[key, "existing"] = [*args, "--out", f"{key}-existing"]
    before = {key: snapshot(folder / f"{key}-existing") for key in EXISTING_IN_SUBPROCESS}
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {job: pool.submit(cli, "run", *FAST, *args, cwd=folder)
                   for job, args in jobs.items()}
        results = {job: f.result() for job, f in futures.items()}
    return folder, results, before


@pytest.mark.parametrize("key", list(BAD))
def test_bad_input_in_a_subprocess(bad_runs, key):
    folder, results, before = bad_runs
    r = results[key, "new"]
    _check_error(r.returncode, r.stdout, r.stderr, BAD[key][1])
    assert not (folder / f"{key}-new").exists()
    _no_leftovers(folder, f"{key}-new")
    if key in EXISTING_IN_SUBPROCESS:
        r = results[key, "existing"]
        _check_error(r.returncode, r.stdout, r.stderr, BAD[key][1])
        assert snapshot(folder / f"{key}-existing") == before[key]
        _no_leftovers(folder, f"{key}-existing")


@pytest.mark.parametrize("key", list(ALL_BAD))
def test_bad_input_in_process_leaves_existing_results_alone(first, tmp_path, monkeypatch,
                                                            capsys, key):
    from grassroots.cli import main

    monkeypatch.chdir(tmp_path)
    args, word = ALL_BAD[key]
    args = [a(tmp_path) if callable(a) else a for a in args]
    existing = tmp_path / "previous"
    shutil.copytree(first[0], existing)
    before = snapshot(existing)
    for out in ("new", "previous"):
        code = main(["run", *FAST, *args, "--out", out])
        captured = capsys.readouterr()
        _check_error(code, captured.out, captured.err, word)
        _no_leftovers(tmp_path, out)
    assert not (tmp_path / "new").exists()
    assert snapshot(existing) == before


def test_out_that_is_a_file_is_refused(tmp_path, monkeypatch, capsys):
    from grassroots.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken").write_text("not a folder")
    assert main(["run", *FAST, "--out", "taken"]) == 2
    captured = capsys.readouterr()
    _check_error(2, captured.out, captured.err, "--out")
    assert (tmp_path / "taken").read_text() == "not a folder"


def test_bad_input_messages_name_what_is_allowed(first, tmp_path, monkeypatch, capsys):
    from grassroots.cli import main

    monkeypatch.chdir(tmp_path)
    msg = {}
    for key, (args, _) in ALL_BAD.items():
        args = [a(tmp_path) if callable(a) else a for a in args]
        assert main(["run", *FAST, *args, "--out", "x"]) == 2
        msg[key] = capsys.readouterr().err.strip()
    assert "allowed: an integer in [10, 2000000]" in msg["residents-negative"]
    assert "allowed: a number in [0, 1]" in msg["share-out-of-range"]
    assert "allowed: an integer in [0, 2^128 - 1]" in msg["negative-seed"]
    assert "allowed: a number in (0, 1]" in msg["strength-out-of-range"]
    assert "allowed: an integer in [1, 3650]" in msg["int-given-fraction"]
    assert "flood" in msg["no-such-scenario"]  # lists the shipped scenarios
    assert "baseline" in msg["no-such-policy"]  # lists the shipped policies


# -- help and the listing commands -------------------------------------------------------
def test_run_help_mentions_every_option(work):
    # through the `grassroots` console script when it is installed next to the interpreter
    script = Path(sys.executable).with_name("grassroots")
    if script.exists():
        r = subprocess.run([str(script), "run", "--help"], cwd=work, capture_output=True,
                           text=True, timeout=600)
    else:
        r = cli("run", "--help", cwd=work)
    assert r.returncode == 0 and r.stderr == ""
    for option in ("--scenario", "--policy", "--seed", "--residents", "--days", "--network",
                   "--set", "--out"):
        assert option in r.stdout, option
    # the epilog lists every parameter
    text = " ".join(r.stdout.split())
    for name in PARAMS:
        assert name in text, name


def test_params_lists_every_parameter(work, capsys):
    r = cli("params", cwd=work)
    assert r.returncode == 0 and r.stderr == ""
    for name, p in PARAMS.items():
        assert f"  {name} = {p.default!r}" in r.stdout, name
    from grassroots.cli import main

    assert main(["params", "--group", "recovery"]) == 0
    out = capsys.readouterr().out
    assert "mutual_aid_strength" in out and "residents =" not in out


def test_scenarios_and_policies_list(work):
    s = cli("scenarios", cwd=work)
    assert s.returncode == 0 and s.stderr == ""
    names = [line.split()[0] for line in s.stdout.splitlines() if line.strip()]
    assert "none" in names and "flood" in names
    p = cli("policies", cwd=work)
    assert p.returncode == 0 and p.stderr == ""
    assert "baseline" in [line.split()[0] for line in p.stdout.splitlines() if line.strip()]


def test_unknown_command_and_option_are_one_line_errors(capsys):
    from grassroots.cli import main

    for argv in (["fly"], ["run", "--nosuch", "1"], []):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1 and "Traceback" not in err
