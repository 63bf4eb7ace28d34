"""Test tiers (markers registered in pyproject.toml).

Every test gets the tier of its file, unless it carries a tier marker of its own:

    unit      a rule, a measure or a parser on a handful of values; no model is built
    model     builds and runs models: boundary cases, invariants, seed-pinned regressions
    claims    statistical claims over many paired seeds (lever directions, theory)
    surfaces  the CLI, sweeps, analysis and the dashboard exercised as a user would
    slow      Dask clusters, Chromium, SIGKILL, notebooks, or long statistical runs
    serial    (beside the tier) times a browser or a render loop: run alone by `make test`

`pytest -m "not slow"` is the quick edit-test loop; CI (`make test`) runs everything.
Slow tests are listed here by file (whole files) or by test name (`SLOW_TESTS`), so the
tiers are visible in one place.
"""

from __future__ import annotations

import pytest

TIER_OF_FILE = {
    "test_architecture.py": "unit",
    "test_metrics.py": "unit",
    "test_params.py": "unit",
    "test_rules.py": "unit",
    "test_odd.py": "unit",
    "test_costs.py": "unit",
    "test_locks.py": "unit",
    "test_faults.py": "surfaces",
    "test_fuzz.py": "surfaces",
    "test_ties.py": "unit",
    "test_community.py": "model",
    "test_model.py": "model",
    "test_life_safety.py": "model",
    "test_scenarios.py": "model",
    "test_regression.py": "model",
    "test_outcomes.py": "model",
    "test_ranking.py": "claims",
    "test_capacities.py": "claims",
    "test_contagion.py": "claims",
    "test_cli.py": "surfaces",
    "test_experiment.py": "surfaces",
    "test_sweep.py": "surfaces",
    "test_analysis.py": "surfaces",
    "test_dashboard.py": "surfaces",
    "test_dashboard_browser.py": "surfaces",
    "test_notebooks.py": "surfaces",
    "test_validation.py": "surfaces",
    "test_lever_effects.py": "surfaces",
    "test_optimise.py": "surfaces",
    "test_geo.py": "model",
}
#: Whole files left out of the quick loop.
SLOW_FILES = {"test_dashboard_browser.py", "test_notebooks.py"}
#: Single tests left out of the quick loop (name without parameters, or a prefix of it
#: ending in "*").
SLOW_TESTS = {
    "test_capacities.py": {"*"},
    "test_contagion.py": {"test_final_size_matches*"},
    "test_sweep.py": {"test_serial_pool_and_dask*", "test_sigkill*", "test_interrupt*",
                      "test_a_dead_worker*", "test_unreachable_scheduler*"},
    "test_analysis.py": {"test_ema*", "test_analyze_sobol_and_morris*"},
    # plays the dashboard in real time; under a loaded machine Solara's render-loop guard
    # can trip, so it runs in the full suite only, alone (SERIAL_TESTS)
    "test_dashboard.py": {"test_play_and_pause"},
    "test_faults.py": {"test_a_full_disk_at_any_write*", "test_a_lost_dask_worker*"},
    "test_fuzz.py": {"test_ten_thousand_fuzzed_files"},
    "test_validation.py": {"test_the_quick_suite*"},
    "test_lever_effects.py": {"*"},
    "test_optimise.py": {"test_a_search_on_the_model*", "test_the_same_seed*"},
}
TIERS = ("unit", "model", "claims", "surfaces")
#: Tests that time a real browser or a render loop: `make test` runs them on their own, after
#: the rest has run on both cores (`-m "not serial" -n 2`, then `-m serial`), so the load of
#: the other worker cannot trip their timing.
SERIAL_FILES = {"test_dashboard_browser.py"}
SERIAL_TESTS = {"test_dashboard.py": {"test_play_and_pause"}}


def _slow(file: str, name: str) -> bool:
    if file in SLOW_FILES:
        return True
    for pattern in SLOW_TESTS.get(file, ()):
        if pattern == "*" or (pattern.endswith("*") and name.startswith(pattern[:-1])) \
                or name == pattern:
            return True
    return False


def pytest_collection_modifyitems(config, items):
    for item in items:
        file = item.path.name
        if not any(item.get_closest_marker(t) for t in TIERS):
            tier = TIER_OF_FILE.get(file)
            if tier is None:
                raise pytest.UsageError(f"tests/conftest.py: {file} has no tier; add it to "
                                        "TIER_OF_FILE")
            item.add_marker(getattr(pytest.mark, tier))
        if _slow(file, item.originalname or item.name):
            item.add_marker(pytest.mark.slow)
        if file in SERIAL_FILES or (item.originalname or item.name) in SERIAL_TESTS.get(
                file, ()):
            item.add_marker(pytest.mark.serial)
