"""Run the registered patterns and write the validation report.

`run_suite(settings, out_dir, only=None)` measures every registered pattern (or those named in
`only`), in registry order, then writes into `out_dir`:

    <name>.png        one figure per pattern: the model against the reference
    validation.json   a JSON list, one entry per pattern with exactly the keys name,
                      reference, source, measured (its named values), tolerance, passed and
                      checks (each: name, value, comparison, bound, passed)
    validation.md     a title, the settings, one table (a row per pattern: pattern,
                      reference, source, measured, tolerance, passed), then a section per
                      pattern with its figure and its checks
    manifest.json     the settings, each pattern's run seeds and time, package versions,
                      the git commit, start and end

Every pattern is measured and every figure drawn (in memory) before anything is written, so
a pattern that raises (PatternError) or a figure that cannot be drawn leaves `out_dir` as it
was. Each file is then written under a temporary name and renamed into place
(`grassroots.core.io.atomic_write`): a reader never finds half a file, and a full disk leaves
every file whole (the old one or the new one), manifest.json last.
"""

from __future__ import annotations

import io
import json
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from grassroots.core.io import atomic_write, atomic_write_text
from grassroots.sweeps.provenance import git_state, now, package_versions
from grassroots.sweeps.rows import error_line
from grassroots.validation.patterns import (Measured, Pattern, PatternError, Settings,
                                            clear_cache, run_seeds, select)

__all__ = ["FORMAT", "KEYS", "PatternResult", "measure", "render_markdown", "run_suite"]

FORMAT = "grassroots-validation/1"
#: the keys of every validation.json entry, in this order
KEYS = ("name", "reference", "source", "measured", "tolerance", "passed", "checks")


@dataclass
class PatternResult:
    """One pattern measured: the pattern, what its measurement returned, the seeds of its
    runs and the seconds it took."""

    pattern: Pattern
    measured: Measured
    seeds: list[int]
    elapsed: float

    @property
    def name(self) -> str:
        return self.pattern.name

    @property
    def passed(self) -> bool:
        return self.measured.passed

    def measured_text(self) -> str:
        """The checks in a few words: `name value (bound); ...`."""
        return "; ".join(c.text() for c in self.measured.checks) or "no checks"

    def as_dict(self) -> dict:
        p = self.pattern
        return {"name": p.name, "reference": p.reference, "source": p.source,
                "measured": {k: _number(v) for k, v in self.measured.values.items()},
                "tolerance": p.tolerance, "passed": self.passed,
                "checks": [c.as_dict() for c in self.measured.checks]}


def _number(value) -> float | None:
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def measure(pattern: Pattern, settings: Settings) -> PatternResult:
    """Run one pattern's measurement; any error becomes a PatternError naming it."""
    t0 = time.perf_counter()
    try:
        measured = pattern.measure(settings)
    except PatternError as err:
        raise PatternError(f"pattern {pattern.name}: {err}") from err
    except Exception as err:
        raise PatternError(f"pattern {pattern.name}: {error_line(err)}") from err
    if not isinstance(measured, Measured):
        raise PatternError(f"pattern {pattern.name}: measure returned "
                           f"{type(measured).__name__}, not Measured")
    return PatternResult(pattern, measured, run_seeds(settings, pattern.seed_name),
                         time.perf_counter() - t0)


def figure_png(result: PatternResult) -> bytes:
    """The pattern's figure as PNG bytes (drawn without pyplot: no global state)."""
    from matplotlib.figure import Figure

    m = result.measured
    fig = Figure(figsize=(5.6 * m.panels, 5.0), layout="constrained")
    axes = fig.subplots(1, m.panels, squeeze=False)[0]
    try:
        m.figure(*axes)
    except Exception as err:
        raise PatternError(f"pattern {result.name}: its figure: {error_line(err)}") from err
    fig.suptitle(result.pattern.title)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120)
    return buf.getvalue()


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _yes(passed: bool) -> str:
    return "yes" if passed else "**no**"


def render_markdown(results: Sequence[PatternResult], settings: Settings) -> str:
    """validation.md: title, settings, the table, one section per pattern."""
    size = "quick" if settings.quick else "full"
    passed = sum(r.passed for r in results)
    lines = [
        "# Validation: the model against published patterns", "",
        f"Generated by `grassroots validate{' --quick' if settings.quick else ''}` "
        f"({size} settings): {settings.seeds} seeds per pattern, {settings.residents:,} "
        f"residents, master seed {settings.master_seed} (each run's seed is in "
        f"`manifest.json`). Each pattern runs the model and compares its time series with "
        f"the published numbers; nothing of the reference is put into the model.", "",
        f"**{passed} of {len(results)} patterns pass.**", "",
        "| pattern | reference | source | measured | tolerance | passed |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        p = r.pattern
        lines.append(f"| [{_cell(p.title)}](#{p.name}) | {_cell(p.reference)} | "
                     f"{_cell(p.source)} | {_cell(r.measured_text())} | {_cell(p.tolerance)} "
                     f"| {_yes(r.passed)} |")
    for r in results:
        p, m = r.pattern, r.measured
        lines += ["", f'<a id="{p.name}"></a>', "", f"## {p.title}", "",
                  f"**Reference.** {p.reference}", "", f"**Source.** {p.source}", "",
                  f"**Tolerance.** {p.tolerance}", "", f"![{p.name}]({p.name}.png)", "",
                  "| check | measured | bound | passed |", "|---|---|---|---|"]
        for c in m.checks:
            lines.append(f"| {_cell(c.name)} | {c.fmt.format(c.value)} | "
                         f"{_cell(c.bound_text())} | {_yes(c.passed)} |")
        if m.values:
            lines += ["", "Measured values: " + ", ".join(
                f"`{k}` = {v:.4g}" for k, v in m.values.items()) + "."]
        shared = (f" (the runs of `{p.seeds_from}`, shared)"
                  if p.seeds_from and p.seeds_from != p.name else "")
        lines += ["", f"{len(r.seeds)} seeds{shared}, {r.elapsed:.1f} s."]
    return "\n".join(lines) + "\n"


def run_suite(settings: Settings, out_dir: str | Path, only: Iterable[str] | None = None,
              patterns: Sequence[Pattern] | None = None,
              log: Callable[[str], None] | None = None) -> list[PatternResult]:
    """Measure the patterns and write the report (module docstring).

    only: pattern names to run (UnknownPattern for a name not registered); default all.
    patterns: the patterns to choose from (default: the registry, PATTERNS).
    log: called with a line before each pattern is measured (the CLI prints it).
    """
    chosen = select(only, patterns)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(20, "exists and is not a folder", str(out))
    started = now()
    results = []
    clear_cache()  # runs shared by patterns (run_models) are shared within this suite run
    try:
        for pattern in chosen:
            if log is not None:
                log(f"{pattern.name}: {settings.seeds} seeds of {settings.residents:,} "
                    "residents")
            results.append(measure(pattern, settings))
    finally:
        clear_cache()
    pngs = {r.name: figure_png(r) for r in results}
    entries = json.dumps([r.as_dict() for r in results], indent=2, ensure_ascii=False) + "\n"
    markdown = render_markdown(results, settings)
    manifest = {
        "format": FORMAT,
        "settings": settings.as_dict(),
        "patterns": [{"name": r.name, "passed": r.passed, "seeds": r.seeds,
                      "elapsed": round(r.elapsed, 3)} for r in results],
        "passed": all(r.passed for r in results),
        "versions": package_versions(),
        "git": git_state(),
        "started": started,
        "ended": now(),
    }
    out.mkdir(parents=True, exist_ok=True)
    for name, png in pngs.items():
        atomic_write(out / f"{name}.png", lambda f, png=png: f.write(png), "wb")
    atomic_write_text(entries, out / "validation.json")
    atomic_write_text(markdown, out / "validation.md")
    atomic_write_text(json.dumps(manifest, indent=2, default=str) + "\n", out / "manifest.json")
    return results
