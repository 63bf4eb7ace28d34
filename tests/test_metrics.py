"""measures/metrics.py `curve_metrics` on hand-made curves; every expected value is worked out by
hand in the comments (rectangle rule, dt = 1 day, q[0] is the reference Q0)."""

import math

import numpy as np
import pytest

from grassroots.measures.metrics import NOT_RECOVERED, curve_metrics

KEYS = {"pre_shock", "robustness", "depth", "loss_of_resilience", "resilience_index", "time_to_recovery",
        "recovered", "recovery_status", "bounce_forward", "control_window"}


def test_flat_curve_has_no_loss():
    # q = 1 on days 0..10, shock "strikes" on day 3 but nothing happens.
    # robustness = min(q[3:]) = 1; depth = 0; LoR = sum of max(0, 1 - 1) = 0;
    # window = min(180, 10 - 3 + 1) = 8 days, RI = 8 * 1 / 8 = 1; ttr 0; bounce = 1 / 1.
    m = curve_metrics(np.ones(11), onset=3)
    assert set(m) == KEYS
    assert m["robustness"] == 1.0
    assert m["depth"] == 0.0
    assert m["loss_of_resilience"] == 0.0
    assert m["resilience_index"] == 1.0
    assert m["time_to_recovery"] == 0
    assert m["recovered"] is True
    assert m["recovery_status"] == "recovered"
    assert m["bounce_forward"] == 1.0
    assert m["control_window"] == 8


# A V-shaped drop and recovery with Q0 = 2 (so every metric must normalise by Q0):
#   day:  0    1    2    3    4    5    6     7    8    9
#   q:    2    2    2    1.6  1.2  1.6  1.92  2.0  2.1  2.2
V = [2.0, 2.0, 2.0, 1.6, 1.2, 1.6, 1.92, 2.0, 2.1, 2.2]


def test_v_shape_robustness_and_depth():
    m = curve_metrics(V, onset=3, epsilon=0.05, control_window=5)
    # robustness = min(q[3:]) = 1.2 (day 4); depth = 2 - 1.2 = 0.8
    assert m["robustness"] == pytest.approx(1.2)
    assert m["depth"] == pytest.approx(0.8)


def test_v_shape_loss_of_resilience_is_area_from_onset():
    m = curve_metrics(V, onset=3, epsilon=0.05, control_window=5)
    # LoR = sum_{t>=3} max(0, 2 - q[t]) = 0.4 + 0.8 + 0.4 + 0.08 + 0 + 0 + 0 = 1.68
    # (days 8, 9 are above Q0 and add nothing, they do not subtract either)
    assert m["loss_of_resilience"] == pytest.approx(1.68)


def test_v_shape_resilience_index_over_control_window():
    m = curve_metrics(V, onset=3, epsilon=0.05, control_window=5)
    # window = days 3..7: (1.6 + 1.2 + 1.6 + 1.92 + 2.0) / 2 = 4.16; RI = 4.16 / 5 = 0.832
    assert m["control_window"] == 5
    assert m["resilience_index"] == pytest.approx(0.832)


def test_v_shape_time_to_recovery_counts_from_onset():
    m = curve_metrics(V, onset=3, epsilon=0.05, control_window=5)
    # threshold (1 - 0.05) * 2 = 1.9; minimum on day 4; first day >= 4 with q >= 1.9 is
    # day 6 (1.92); ttr = 6 - 3 = 3 days
    assert m["time_to_recovery"] == 3
    assert m["recovered"] is True
    assert m["recovery_status"] == "recovered"
    # a stricter epsilon (threshold 1.98): first such day is day 7 -> ttr 4
    assert curve_metrics(V, onset=3, epsilon=0.01)["time_to_recovery"] == 4


def test_v_shape_bounce_forward_is_last_over_first():
    m = curve_metrics(V, onset=3, epsilon=0.05, control_window=5)
    # q[9] / q[0] = 2.2 / 2 = 1.1 (bounced forward)
    assert m["bounce_forward"] == pytest.approx(1.1)


def test_control_window_is_clipped_to_the_horizon():
    m = curve_metrics(V, onset=3, epsilon=0.05, control_window=180)
    # horizon = 9, so the window is days 3..9 = 7 days:
    # (1.6 + 1.2 + 1.6 + 1.92 + 2.0 + 2.1 + 2.2) / 2 = 6.31; RI = 6.31 / 7 = 0.901428...
    assert m["control_window"] == 7
    assert m["resilience_index"] == pytest.approx(6.31 / 7)
    # the window does not change the other metrics
    short = curve_metrics(V, onset=3, epsilon=0.05, control_window=5)
    for key in ("robustness", "depth", "loss_of_resilience", "time_to_recovery"):
        assert m[key] == short[key]


def test_curve_that_never_recovers():
    # q: 1, 1, 0.5, 0.6, 0.7, 0.8, 0.9 ; onset 2; threshold 0.95 never reached again.
    q = [1.0, 1.0, 0.5, 0.6, 0.7, 0.8, 0.9]
    m = curve_metrics(q, onset=2, epsilon=0.05)
    assert m["time_to_recovery"] is None
    assert m["recovered"] is False
    assert m["recovery_status"] == NOT_RECOVERED == "not recovered within horizon"
    # LoR = 0.5 + 0.4 + 0.3 + 0.2 + 0.1 = 1.5; robustness 0.5; bounce 0.9
    assert m["loss_of_resilience"] == pytest.approx(1.5)
    assert m["robustness"] == pytest.approx(0.5)
    assert m["bounce_forward"] == pytest.approx(0.9)


def test_drop_that_stays_above_threshold_has_zero_time_to_recovery():
    # q: 1, 1, 0.97, 0.96, 0.99, 1 ; onset 2; never below 0.95 -> ttr 0, still a (small) loss
    q = [1.0, 1.0, 0.97, 0.96, 0.99, 1.0]
    m = curve_metrics(q, onset=2, epsilon=0.05)
    assert m["time_to_recovery"] == 0
    assert m["recovered"] is True
    assert m["recovery_status"] == "recovered"
    assert m["robustness"] == pytest.approx(0.96)
    assert m["depth"] == pytest.approx(0.04)
    # LoR = 0.03 + 0.04 + 0.01 + 0 = 0.08
    assert m["loss_of_resilience"] == pytest.approx(0.08)


def test_time_to_recovery_is_measured_after_the_deepest_point():
    # after onset 1: 0.5, 0.97, 0.4, 0.98 -> deepest point day 3; first day >= 3 with
    # q >= 0.95 is day 4; ttr = 4 - 1 = 3 (the brief recovery on day 2 does not count)
    m = curve_metrics([1.0, 0.5, 0.97, 0.4, 0.98], onset=1)
    assert m["time_to_recovery"] == 3
    # a second, deeper drop that never comes back: not recovered, although day 2 was above
    m = curve_metrics([1.0, 0.5, 0.97, 0.4, 0.6], onset=1)
    assert m["time_to_recovery"] is None


def test_days_before_onset_do_not_count():
    # a dip before the onset (day 1) is outside every post-event metric
    q = [1.0, 0.2, 1.0, 0.9, 1.0]
    m = curve_metrics(q, onset=3, epsilon=0.05, control_window=2)
    assert m["robustness"] == pytest.approx(0.9)
    assert m["loss_of_resilience"] == pytest.approx(0.1)
    assert m["resilience_index"] == pytest.approx((0.9 + 1.0) / 2)
    assert m["time_to_recovery"] == 1


@pytest.mark.parametrize("onset", [None, 11])
def test_no_shock(onset):
    # onset None (or beyond the horizon, 10): no event, so no loss, RI 1, ttr 0, window 0
    m = curve_metrics(np.ones(11), onset=onset)
    assert set(m) == KEYS
    assert m["loss_of_resilience"] == 0.0
    assert m["resilience_index"] == 1.0
    assert m["time_to_recovery"] == 0
    assert m["recovered"] is True
    assert m["recovery_status"] == "no shock"
    assert m["control_window"] == 0
    assert m["robustness"] == 1.0
    assert m["depth"] == 0.0
    assert m["bounce_forward"] == 1.0


def test_metrics_are_plain_python_numbers():
    # summary.json is written with json.dumps: no numpy scalars may leak out
    m = curve_metrics(V, onset=3, control_window=5)
    for key in ("robustness", "depth", "loss_of_resilience", "resilience_index",
                "bounce_forward"):
        assert type(m[key]) is float and math.isfinite(m[key])
    assert type(m["time_to_recovery"]) is int
    assert type(m["control_window"]) is int


def test_against_a_fixed_reference_a_shortfall_counts_from_onset():
    # q = 0.8 before and after a dip to 0.6 on day 3; onset 2; measured against Q0 = 1:
    # LoR = (1-0.8) + (1-0.6) + 7 x (1-0.8) = 2.0 over days 2..10;
    # window 9, RI = (8 x 0.8 + 0.6) / 9; robustness 0.6, depth 0.4;
    # threshold 0.95 is never reached: not recovered; pre_shock 0.8, bounce 0.8/0.8 = 1.
    q = np.full(11, 0.8)
    q[3] = 0.6
    m = curve_metrics(q, onset=2, reference=1.0)
    assert m["pre_shock"] == 0.8
    assert m["loss_of_resilience"] == pytest.approx(2.0)
    assert m["resilience_index"] == pytest.approx((8 * 0.8 + 0.6) / 9)
    assert m["robustness"] == 0.6 and m["depth"] == pytest.approx(0.4)
    assert m["time_to_recovery"] is None and m["recovery_status"] == NOT_RECOVERED
    assert m["bounce_forward"] == pytest.approx(1.0)
    # the same curve measured against its own start has only the dip's loss
    own = curve_metrics(q, onset=2)
    assert own["loss_of_resilience"] == pytest.approx(0.2)
    assert own["time_to_recovery"] == 2  # back on day 4, two days after the onset


def test_having_less_never_scores_better_against_the_fixed_reference():
    # a community at 0.9 with a smaller dip still loses more than one at 1 with a deeper one
    weak, strong = np.full(30, 0.9), np.ones(30)
    weak[5:8] = 0.85
    strong[5:8] = 0.8
    a = curve_metrics(weak, onset=5, reference=1.0)
    b = curve_metrics(strong, onset=5, reference=1.0)
    assert a["loss_of_resilience"] > b["loss_of_resilience"]
    assert a["resilience_index"] < b["resilience_index"]
