"""Seed-pinned regression: the model's results for every shipped scenario x {baseline,
all-of-society} x seeds {0, 1} at 1,000 residents, recorded before the layered rewrite
(issue 16), must stay byte-identical until a change of the model is made on purpose.
Re-recorded on purpose since: in issue 10 (the dimension curves became shares of a fixed
reference community, and a household living on its own supplies no longer counts as in need
of help for services, docs/ODD.md §4.11, §7.15) and in issue 11 (life safety, dislocation and
housing recovery, businesses, trust split three ways, learning from results, §7.27–7.35; two
new scenarios; a need met exactly at the threshold is met).

What was recorded must not change; what was added later is not compared:

* `timeseries.csv` restricted to the columns recorded then (`timeseries_columns.json`) is
  compared by its SHA-256; columns added later (the planner outcomes' people counts) are not;
* `summary.json` text is compared whole after restricting every table of the new summary to
  the keys recorded then: the rewrite declared mechanism constants that used to be written
  inline, so `parameters` lists more names (the identical time series shows they kept their
  old values), and later issues add sections such as `outcomes`.

To record a new reference after a deliberate change of the model:
`python tests/regression/record.py`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from grassroots import run

HERE = Path(__file__).resolve().parent / "regression"
DIGESTS = json.loads((HERE / "timeseries_sha256.json").read_text())
COLUMNS = json.loads((HERE / "timeseries_columns.json").read_text())
CASES = sorted(DIGESTS)

pytestmark = pytest.mark.model


def outputs(case: str) -> tuple[bytes, dict]:
    scenario, policy, seed = case.split("__")
    result = run({"residents": 1000}, seed=int(seed), scenario=scenario, policy=policy)
    csv = result.timeseries[COLUMNS].to_csv(index=False).encode()
    return csv, result.summary


def restricted(new, old):
    """`new` with every table restricted to the keys of `old` (which must all be there)."""
    if isinstance(old, dict):
        assert isinstance(new, dict) and set(old) <= set(new), f"keys lost: {set(old) - set(new)}"
        return {k: restricted(new[k], old[k]) for k in old}
    if isinstance(old, list) and old and isinstance(old[0], dict):
        assert len(new) == len(old)
        return [restricted(n, o) for n, o in zip(new, old)]
    return new


@pytest.mark.parametrize("case", CASES)
def test_results_unchanged(case):
    csv, summary = outputs(case)
    assert hashlib.sha256(csv).hexdigest() == DIGESTS[case], f"{case}: timeseries.csv changed"
    recorded = (HERE / f"{case}.json").read_text()
    summary = restricted(summary, json.loads(recorded))
    assert json.dumps(summary, indent=2) + "\n" == recorded, f"{case}: summary.json changed"
