"""Seed-pinned regression: the model's results for every shipped scenario x {baseline,
all-of-society} x seeds {0, 1} at 1,000 residents, recorded before the layered rewrite
(issue 16), must stay byte-identical until a change of the model is made on purpose.

`timeseries.csv` is compared by its SHA-256; `summary.json` text is compared whole, except
that the `parameters` block is restricted to the names recorded then: the rewrite declared
mechanism constants that used to be written inline, so the summary now lists more
parameters, and the identical time series shows they kept their old values. To record a new
reference after a deliberate change: `python tests/regression/record.py`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from grassroots import run

HERE = Path(__file__).resolve().parent / "regression"
DIGESTS = json.loads((HERE / "timeseries_sha256.json").read_text())
CASES = sorted(DIGESTS)

pytestmark = pytest.mark.model


def outputs(case: str) -> tuple[bytes, dict]:
    scenario, policy, seed = case.split("__")
    result = run({"residents": 1000}, seed=int(seed), scenario=scenario, policy=policy)
    csv = result.timeseries.to_csv(index=False).encode()
    return csv, result.summary


@pytest.mark.parametrize("case", CASES)
def test_results_unchanged(case):
    csv, summary = outputs(case)
    assert hashlib.sha256(csv).hexdigest() == DIGESTS[case], f"{case}: timeseries.csv changed"
    recorded = (HERE / f"{case}.json").read_text()
    old_names = json.loads(recorded)["parameters"]
    assert set(old_names) <= set(summary["parameters"]), "a parameter disappeared"
    summary = {**summary, "parameters": {k: summary["parameters"][k] for k in old_names}}
    assert json.dumps(summary, indent=2) + "\n" == recorded, f"{case}: summary.json changed"
