"""Per-run resilience metrics computed from a daily quality curve.

A curve `q` is sampled once a day: q[0] is the level before any shock and q[t] the level at
the end of day t. Q0 is the full quality the curve is measured against: for the dimension
curves the fixed reference 1 (measures/dimensions.py: Bruneau's 100% of full performance), so
a community that starts below it counts that shortfall as lost quality from the onset on;
otherwise q[0]. `onset` is the day the (first) shock strikes. Integrals use
the rectangle rule on daily samples (dt = 1 day), so each metric is exact for the curve as
simulated.

- robustness: min q[t] for t >= onset (Bruneau et al. 2003, "robustness").
- depth: Q0 - robustness, at least 0.
- loss of resilience (Bruneau et al. 2003, Earthquake Spectra 19(4), eq. 1):
      LoR = sum_{t=onset}^{T} max(0, Q0 - q[t]) * dt       [quality-days]
  Days after full recovery add nothing, so this is the area "from the event to full recovery";
  with several shocks it adds up every drop.
- resilience index (Cimellaro et al. 2010, Engineering Structures 32(11), eq. 2):
      RI = (1 / T_LC) * sum_{t=onset}^{onset+T_LC-1} q[t] / Q0 * dt
  over the control window T_LC (days), clipped to the horizon; 1 means no loss.
- time to recovery: days from onset to the first day t >= the day of the minimum with
  q[t] >= (1 - epsilon) * Q0; 0 if q never fell below that; None ("not recovered within
  horizon") if it never came back.
- pre-shock level: q[0], what the community had before the shock (below Q0: a shortfall
  against full performance that no recovery removes; the time to recovery counts back to
  (1 - epsilon) Q0, so such a community may never "recover").
- bounce-forward: q[T] / q[0], the level at the horizon relative to before (> 1: bounced
  forward).
"""

from __future__ import annotations

import numpy as np

NOT_RECOVERED = "not recovered within horizon"


def curve_metrics(q, onset: int | None, epsilon: float = 0.05,
                  control_window: int = 180, reference: float | None = None) -> dict:
    """All per-run metrics of one daily curve (see module doc). `reference` is the full
    quality Q0 the curve is measured against (the dimension curves: 1, their fixed
    reference); None takes the curve's own first value."""
    q = np.asarray(q, float)
    q0 = q[0] if reference is None else float(reference)
    horizon = len(q) - 1
    if onset is None or onset > horizon:
        return {"pre_shock": float(q[0]),
                "robustness": float(q.min()), "depth": max(0.0, float(q0 - q.min())),
                "loss_of_resilience": 0.0, "resilience_index": 1.0,
                "time_to_recovery": 0, "recovered": True, "recovery_status": "no shock",
                "bounce_forward": float(q[-1] / q[0]), "control_window": 0}
    after = q[onset:]
    t_min = int(np.argmin(after))
    robustness = float(after[t_min])
    depth = max(0.0, float(q0 - robustness))
    loss = float(np.maximum(0.0, q0 - after).sum())
    window = min(control_window, horizon - onset + 1)
    index = float((after[:window] / q0).sum() / window)
    threshold = (1.0 - epsilon) * q0
    if robustness >= threshold:
        ttr, status = 0, "recovered"
    else:
        back = np.flatnonzero(after[t_min:] >= threshold)
        if len(back):
            ttr, status = int(t_min + back[0]), "recovered"
        else:
            ttr, status = None, NOT_RECOVERED
    return {"pre_shock": float(q[0]),
            "robustness": robustness, "depth": depth, "loss_of_resilience": loss,
            "resilience_index": index, "time_to_recovery": ttr,
            "recovered": ttr is not None, "recovery_status": status,
            "bounce_forward": float(q[-1] / q[0]), "control_window": int(window)}
