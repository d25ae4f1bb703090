"""leaderboard.confidence against scipy.stats and arch, trader by trader, on real BTC-based and synthetic returns."""

import math

import numpy as np
import pandas as pd
import pytest
from arch.bootstrap import StationaryBootstrap
from arch.bootstrap.base import stationary_bootstrap_sample
from scipy import stats

from leaderboard import confidence
from tests.copier_data import btc_traders, synthetic_returns

RTOL = 1e-9


def _reference(returns: pd.DataFrame, *, min_days: int) -> pd.DataFrame:
    """The issue's definitions, one trader at a time, with scipy's moments and normal distribution."""
    rows = {}
    for trader in returns.columns:
        x = returns[trader].dropna().to_numpy()
        n = len(x)
        row = {"n": n, "sr": math.nan, "denom": math.nan}
        if n >= min_days and n >= 2 and x.std(ddof=1) > 0 and np.ptp(x) > 0:
            sr = x.mean() / x.std(ddof=1)
            denom = 1 - stats.skew(x) * sr + (stats.kurtosis(x, fisher=False) - 1) / 4 * sr**2
            row.update(sr=sr, denom=denom if denom > 0 else math.nan)
        rows[trader] = row
    table = pd.DataFrame(rows).T.astype(float)
    sharpes = table["sr"].dropna()
    trials, variance = len(sharpes), sharpes.var(ddof=1)
    benchmark = math.sqrt(variance) * (
        (1 - np.euler_gamma) * stats.norm.ppf(1 - 1 / trials)
        + np.euler_gamma * stats.norm.ppf(1 - 1 / (trials * math.e))
    )
    out = pd.DataFrame(index=table.index)
    for trader, row in table.iterrows():
        sr, denom, n = row["sr"], row["denom"], row["n"]
        defined = not math.isnan(denom)
        out.loc[trader, "psr"] = stats.norm.cdf(sr * math.sqrt(n - 1) / math.sqrt(denom)) if defined else math.nan
        out.loc[trader, "dsr"] = (
            stats.norm.cdf((sr - benchmark) * math.sqrt(n - 1) / math.sqrt(denom)) if defined else math.nan
        )
        out.loc[trader, "min_track_record_days"] = (
            1 + denom * (stats.norm.ppf(0.95) / sr) ** 2 if defined and sr > 0 else math.nan
        )
    out["dsr_trials"] = float(trials)
    out["dsr_benchmark"] = benchmark
    return out


def _compare(returns: pd.DataFrame, *, min_days: int = confidence.DEFAULT_MIN_DAYS) -> int:
    ours = pd.DataFrame(confidence.confidence_arrays(returns.to_numpy(), min_days=min_days), index=returns.columns)
    expected = _reference(returns, min_days=min_days)
    checked = 0
    for column in expected.columns:
        for trader in returns.columns:
            want, got = expected.at[trader, column], ours.at[trader, column]
            if math.isnan(want):
                assert math.isnan(got), (trader, column, got)
                continue
            np.testing.assert_allclose(got, want, rtol=RTOL, atol=0, err_msg=f"{trader} {column}")
            checked += 1
    return checked


def test_psr_dsr_and_track_record_match_scipy_on_btc_traders_with_flows(shared_data):
    returns, _ = btc_traders(shared_data)
    assert returns.notna().sum().min() > 150
    assert _compare(returns) >= 4 * returns.shape[1]  # psr, dsr and the run figures everywhere; TRL where SR > 0
    # Windows of the same traders as the ranking computes them: 7, 30 and 90 days.
    for days in (7, 30, 90):
        assert _compare(returns.iloc[-days:], min_days=5) > 0


def test_psr_dsr_and_track_record_match_scipy_on_synthetic_traders():
    returns = synthetic_returns()
    assert _compare(returns) > 30
    ours = confidence.confidence_arrays(returns.to_numpy())
    for undefined in ("t2", "t3", "t5"):  # no variation, five days, no data
        j = list(returns.columns).index(undefined)
        assert all(math.isnan(ours[k][j]) for k in ("psr", "dsr", "min_track_record_days"))
    j = list(returns.columns).index("t6")  # only losses: a probability, but no track record makes it significant
    assert ours["psr"][j] < 0.01 and math.isnan(ours["min_track_record_days"][j])


def test_track_record_length_is_where_psr_crosses_the_confidence_level():
    rng = np.random.default_rng(5)
    r = rng.normal(0.003, 0.02, size=(400, 1))
    trl = confidence.confidence_arrays(r)["min_track_record_days"][0]
    assert 30 < trl < 400
    # The same distribution observed over exactly that many days gives psr = 0.95 by construction.
    moments = confidence.sharpe_moments(r)
    sr, g3, g4 = moments["sharpe"][0], moments["skew"][0], moments["kurtosis"][0]
    denom = 1 - g3 * sr + (g4 - 1) / 4 * sr**2
    assert stats.norm.cdf(sr * math.sqrt(trl - 1) / math.sqrt(denom)) == pytest.approx(0.95, abs=1e-12)


def test_deflation_counts_only_the_marked_traders():
    returns = synthetic_returns().to_numpy()
    everyone = confidence.confidence_arrays(returns)
    marked = np.zeros(returns.shape[1], dtype=bool)
    marked[[0, 1, 4, 7]] = True
    some = confidence.confidence_arrays(returns, deflate_over=marked)
    assert some["dsr_trials"][0] == 4 and everyone["dsr_trials"][0] > 4
    sharpes = everyone["sharpe_daily"][marked]
    assert some["dsr_benchmark"][0] == pytest.approx(confidence.expected_max_sharpe(4, np.var(sharpes, ddof=1)))
    np.testing.assert_array_equal(some["psr"], everyone["psr"])  # psr does not depend on the others
    one = np.zeros(returns.shape[1], dtype=bool)
    one[0] = True
    assert np.isnan(confidence.confidence_arrays(returns, deflate_over=one)["dsr"]).all()


def test_track_record_status_codes_and_days_needed():
    status = confidence.track_record_status(
        np.array([100.0, 100.0, 100.0, 4.0, 100.0, np.nan]),
        np.array([80.0, 130.2, np.nan, 20.0, np.nan, np.nan]),
        min_days=10,
    )
    assert list(status["code"]) == ["significant", "not_yet", "undefined", "too_short", "undefined", "too_short"]
    np.testing.assert_array_equal(status["more_days"], [np.nan, 31.0, np.nan, 6.0, np.nan, 10.0])


def test_no_edge_is_reported_for_a_non_positive_sharpe():
    c = confidence.confidence_arrays(-np.abs(np.random.default_rng(2).normal(0.01, 0.01, size=(60, 1))))
    status = confidence.track_record_status(c["days"], c["min_track_record_days"], sharpe=c["sharpe_daily"])
    assert status["code"][0] == confidence.NO_EDGE and np.isnan(status["more_days"][0])


# The bootstrap


def test_stationary_indices_are_arch_s_indices():
    n, block = 37, 4.5
    # One replicate from the same seed: arch's update_indices draws the starts, then the uniforms.
    arch_boot = StationaryBootstrap(block, np.zeros(n), seed=np.random.default_rng(99))
    rng = np.random.default_rng(99)
    starts, uniforms = rng.integers(n, size=(1, n), dtype=np.int64), rng.random((1, n))
    ours = confidence.stationary_indices_from(starts, uniforms, 1 / block)[0]
    np.testing.assert_array_equal(ours, arch_boot.update_indices())
    # Many replicates from given draws: arch's sampler row by row.
    rng = np.random.default_rng(3)
    starts = rng.integers(n, size=(50, n), dtype=np.int64)
    uniforms = rng.random((50, n))
    ours = confidence.stationary_indices_from(starts, uniforms.copy(), 1 / block)
    for b in range(50):
        expected = stationary_bootstrap_sample(starts[b].copy(), uniforms[b], 1 / block)
        np.testing.assert_array_equal(ours[b], expected)


def test_shared_draws_give_each_n_its_own_stationary_resamples():
    u_start, u_new = confidence.resample_draws(5, 300, 90)
    shared = confidence._SharedBlocks(u_start, u_new)
    for n in (1, 2, 7, 30, 89, 90):
        for length in (1, 3, 4):
            starts = np.minimum(np.floor(u_start[:, :n] * n), n - 1).astype(np.int64)
            expected = confidence.stationary_indices_from(starts, u_new[:, :n].copy(), 1 / length)
            np.testing.assert_array_equal(shared.indices(n, length), expected)


def _loop_samples(returns: np.ndarray, *, replicates: int, seed: int) -> np.ndarray:
    """Each trader alone: its returns in order, resampled with arch's index algorithm from the documented draws,
    block length round(n^(1/3)), ROI by a plain product."""
    out = np.full((replicates, returns.shape[1]), np.nan)
    u_start, u_new = confidence.resample_draws(seed, replicates, returns.shape[0])
    for j in range(returns.shape[1]):
        x = returns[:, j][~np.isnan(returns[:, j])]
        n = len(x)
        if n == 0:
            continue
        p = 1 / max(1, round(n ** (1 / 3)))
        for b in range(replicates):
            starts = np.minimum(np.floor(u_start[b, :n] * n), n - 1).astype(np.int64)
            indices = stationary_bootstrap_sample(starts, u_new[b, :n].copy(), p)
            growth = 1.0
            for i in indices:
                growth *= max(0.0, 1.0 + x[i])
            out[b, j] = growth - 1.0
    return out


@pytest.mark.parametrize("source", ["synthetic", "btc"])
def test_bootstrap_roi_equals_a_plain_loop_over_the_same_draws(source, request):
    if source == "btc":
        returns = btc_traders(request.getfixturevalue("shared_data"))[0].iloc[-120:].to_numpy()
    else:
        returns = synthetic_returns().to_numpy()
    ours = confidence.roi_bootstrap_samples(returns, replicates=200, seed=7)
    expected = _loop_samples(returns, replicates=200, seed=7)
    np.testing.assert_allclose(ours, expected, rtol=RTOL, atol=1e-12)
    interval = confidence.roi_interval_arrays(returns, replicates=200, seed=7, min_days=6)
    enough = (~np.isnan(returns)).sum(axis=0) >= 6
    low, high = np.quantile(expected[:, enough], [0.05, 0.95], axis=0)
    np.testing.assert_allclose(interval["roi_ci_low"][enough], low, rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(interval["roi_ci_high"][enough], high, rtol=RTOL, atol=1e-12)
    assert np.isnan(interval["roi_ci_low"][~enough]).all()


def test_bootstrap_interval_agrees_with_arch_s_own_resampling(shared_data):
    returns, _ = btc_traders(shared_data)
    x = returns["long-2x"].dropna().to_numpy()
    ours = confidence.roi_interval_arrays(x[:, None], replicates=4000)
    block = confidence.block_length_for(len(x))
    arch_boot = StationaryBootstrap(block, x, seed=np.random.default_rng(1))
    rois = arch_boot.apply(lambda data: np.array([np.prod(1 + data) - 1]), 4000)[:, 0]
    low, high = np.quantile(rois, [0.05, 0.95])
    width = high - low
    # Two independent Monte Carlo runs of the same bootstrap: the bounds agree to a few percent of the width.
    assert abs(ours["roi_ci_low"][0] - low) < 0.08 * width
    assert abs(ours["roi_ci_high"][0] - high) < 0.08 * width
    assert ours["roi_ci_low"][0] < np.prod(1 + x) - 1 < ours["roi_ci_high"][0]


def test_bootstrap_is_seeded_and_independent_of_the_other_traders():
    returns = synthetic_returns().to_numpy()
    first = confidence.roi_interval_arrays(returns)
    again = confidence.roi_interval_arrays(returns)
    np.testing.assert_array_equal(first["roi_ci_low"], again["roi_ci_low"])
    alone = confidence.roi_interval_arrays(returns[:, [0, 7]])
    np.testing.assert_array_equal(alone["roi_ci_high"], first["roi_ci_high"][[0, 7]])
    other_seed = confidence.roi_interval_arrays(returns, seed=1)
    assert not np.array_equal(other_seed["roi_ci_low"][[0, 7]], first["roi_ci_low"][[0, 7]])
    j = 4  # a total-loss day: some resamples lose everything, none is NaN
    assert first["roi_ci_low"][j] >= -1.0 and np.isfinite(first["roi_ci_high"][j])
    assert confidence.roi_bootstrap_samples(returns, replicates=300)[:, j].min() == -1.0


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="2-D"):
        confidence.confidence_arrays(np.zeros(3))
    with pytest.raises(ValueError, match="2-D"):
        confidence.roi_interval_arrays(np.zeros(3))
