"""Record the regression reference of tests/test_regression.py (after a deliberate change)."""

import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from test_regression import HERE, outputs  # noqa: E402

# A new reference keeps the columns of the current table (edit timeseries_columns.json first
# to record more).

from grassroots.scenarios import shipped  # noqa: E402

digests = {}
for scenario in sorted(shipped()):
    for policy in ("baseline", "all-of-society"):
        for seed in (0, 1):
            case = f"{scenario}__{policy}__{seed}"
            csv, summary = outputs(case)
            digests[case] = hashlib.sha256(csv).hexdigest()
            (HERE / f"{case}.json").write_text(json.dumps(summary, indent=2) + "\n")
(HERE / "timeseries_sha256.json").write_text(json.dumps(digests, indent=1) + "\n")
print(f"recorded {len(digests)} cases in {HERE}")
