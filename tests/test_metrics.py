"""leaderboard.metrics against quantstats and empyrical (365 periods a year), on real and simulated data."""

import warnings
from datetime import date

import empyrical
import numpy as np
import pandas as pd
import pytest
import quantstats as qs

from demo.simulation import simulate_population
from leaderboard.metrics import METRICS, compute_metrics, db_value, metrics_arrays
from traders.unit_value import derive_returns

P = 365
RTOL = 1e-9


def _btc_returns(shared_data) -> pd.Series:
    btc = pd.read_csv(shared_data / "btc_usdt_daily_hyperliquid_2023-2026.csv")
    closes = pd.Series(btc["close"].to_numpy(float), index=pd.to_datetime(btc["time"], unit="ms").dt.normalize())
    return closes.pct_change(fill_method=None).dropna()


def _vault_returns(shared_data) -> pd.DataFrame:
    """Real Hyperliquid vault account values (weekly-ish snapshots) as a dates x vaults matrix of returns."""
    raw = pd.read_csv(shared_data / "hyperliquid_vaults_alltime_account_value_history.csv")
    raw["date"] = pd.to_datetime(raw["timestamp"], unit="ms").dt.normalize()
    values = raw.groupby(["date", "vault_address"])["value"].last().unstack()
    previous = values.ffill().shift(1)
    returns = (values - previous) / previous.where(previous > 0)
    returns = returns.where(values.notna()).replace([np.inf, -np.inf], np.nan)
    return returns.loc[:, returns.notna().sum() >= 5]


def _simulated_returns() -> tuple[pd.DataFrame, pd.DataFrame]:
    _, table = simulate_population(count=60, end=date(2026, 1, 23), days=365, seed=7)
    table = table.rename(columns={"exchange_uid": "trader_id"})
    derived = derive_returns(table)
    derived["date"] = pd.to_datetime(derived["date"])
    returns = derived.pivot(index="date", columns="trader_id", values="daily_return").astype(float)
    return returns, derived


def _quantstats_reads_as_returns(series: pd.Series) -> bool:
    # quantstats takes a series with no negative value and a value above 1 for prices, not returns.
    return not (series.min() >= 0 and series.max() > 1)


def _safe(call) -> float:
    """A library's value, NaN when it raises on an undefined ratio (quantstats divides 0 by 0 for calmar)."""
    try:
        return float(call())
    except ZeroDivisionError:
        return float("nan")


def _reference(series: pd.Series, bench: pd.Series) -> dict[str, tuple]:
    """(quantstats, empyrical) for each metric of one trader's observed returns."""
    s, b = series, bench
    return {
        "roi": (lambda: qs.stats.comp(s), lambda: empyrical.cum_returns_final(s)),
        "max_drawdown": (lambda: qs.stats.max_drawdown(s), lambda: empyrical.max_drawdown(s)),
        "volatility": (
            lambda: qs.stats.volatility(s, periods=P),
            lambda: empyrical.annual_volatility(s, annualization=P),
        ),
        "sharpe": (lambda: qs.stats.sharpe(s, periods=P), lambda: empyrical.sharpe_ratio(s, annualization=P)),
        "sortino": (lambda: qs.stats.sortino(s, periods=P), lambda: empyrical.sortino_ratio(s, annualization=P)),
        "cagr": (lambda: qs.stats.cagr(s, periods=P), lambda: empyrical.annual_return(s, annualization=P)),
        "calmar": (lambda: qs.stats.calmar(s, periods=P), lambda: empyrical.calmar_ratio(s, annualization=P)),
        "profit_factor": (lambda: qs.stats.profit_factor(s),),
        "beta": (lambda: qs.stats.greeks(s, b, periods=P)["beta"], lambda: empyrical.beta(s, b)),
        "btc_return": (lambda: qs.stats.comp(b), lambda: empyrical.cum_returns_final(b)),
    }


def _compare(ours: pd.DataFrame, returns: pd.DataFrame, bench: pd.Series) -> int:
    checked = 0
    for trader in returns.columns:
        series = returns[trader].dropna()
        if len(series) == 0 or not _quantstats_reads_as_returns(series):
            continue
        for metric, refs in _reference(series, bench.reindex(series.index)).items():
            value = ours.at[trader, metric]
            for call in refs:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    ref = _safe(call)
                if not np.isfinite(value):
                    # Undefined for us: the libraries give inf/NaN (or quantstats' 0 fill for beta, or 0 for a
                    # profit factor with neither wins nor losses), never a usable number.
                    assert not np.isfinite(ref) or ref == 0, (trader, metric, ref)
                    continue
                np.testing.assert_allclose(value, ref, rtol=RTOL, atol=0, err_msg=f"{trader} {metric}")
                checked += 1
    return checked


def test_real_hyperliquid_vaults_match_quantstats_and_empyrical(shared_data):
    returns = _vault_returns(shared_data).iloc[:, ::3]  # a third of the 500+ vaults keeps the test fast
    bench = _btc_returns(shared_data)
    returns = returns.loc[returns.index.isin(bench.index)]
    ours = compute_metrics(returns, benchmark=bench)
    assert _compare(ours, returns, bench) > 1500
    assert ours["excess_return_vs_btc"].notna().sum() > 100


def test_simulated_traders_match_quantstats_and_empyrical(shared_data):
    returns, derived = _simulated_returns()
    bench = _btc_returns(shared_data)
    returns = returns.loc[returns.index.isin(bench.index)]
    closed = derived.pivot(index="date", columns="trader_id", values="closed_positions")
    ours = compute_metrics(returns, benchmark=bench, closed=closed)
    # Late starters leave NaN at the top of their column: those days are skipped, as the libraries skip them.
    assert returns.isna().any().any()
    assert _compare(ours, returns, bench) > 500
    for trader in returns.columns:
        series = returns[trader].dropna()
        expected = qs.stats.comp(series) - qs.stats.comp(bench.reindex(series.index))
        np.testing.assert_allclose(ours.at[trader, "excess_return_vs_btc"], expected, rtol=RTOL)


def test_counts_pnl_and_win_rate_by_hand():
    idx = pd.date_range("2026-03-01", periods=4)
    returns = pd.DataFrame({1: [np.nan, 0.1, -0.05, 0.0], 2: [0.0, 0.0, 0.0, 0.0]}, index=idx)
    pnl = pd.DataFrame({1: [np.nan, 100.0, -55.0, 0.0], 2: [0.0, 0.0, 0.0, 0.0]}, index=idx)
    closed = pd.DataFrame({1: [0, 2, 1, 1], 2: [0, 0, 0, 0]}, index=idx)
    wins = pd.DataFrame({1: [0, 2, 0, 0], 2: [0, 0, 0, 0]}, index=idx)
    m = compute_metrics(returns, pnl=pnl, closed=closed, wins=wins)
    assert m.at[1, "days"] == 3
    assert m.at[1, "pnl"] == pytest.approx(45.0)
    assert m.at[1, "trades"] == 4
    assert m.at[1, "win_rate"] == pytest.approx(0.5)
    assert m.at[1, "active_days"] == 3  # two moving days plus a flat day with a closed position
    assert m.at[1, "roi"] == pytest.approx(1.1 * 0.95 - 1)
    assert m.at[1, "max_drawdown"] == pytest.approx(-0.05)
    assert m.at[1, "profit_factor"] == pytest.approx(2.0)
    # A flat account: no variance, no losses, no drawdown, no trades: every ratio is undefined, never inf.
    assert m.at[2, "roi"] == 0 and m.at[2, "max_drawdown"] == 0
    for metric in ("sharpe", "sortino", "calmar", "profit_factor", "win_rate"):
        assert np.isnan(m.at[2, metric]), metric
    assert list(m.columns) == METRICS


def test_first_day_loss_counts_from_the_opening_peak():
    m = metrics_arrays(np.array([[-0.2], [0.1]]))
    assert m["max_drawdown"][0] == pytest.approx(-0.2)


def test_one_day_and_empty_windows_are_undefined_not_infinite():
    m = metrics_arrays(np.array([[0.05, np.nan]]))
    assert m["roi"][0] == pytest.approx(0.05)
    assert np.isnan(m["volatility"][0]) and np.isnan(m["sharpe"][0])
    assert np.isnan(m["roi"][1]) and np.isnan(m["max_drawdown"][1])
    assert all(np.isnan(v) or np.isfinite(v) for values in m.values() for v in values)
    empty = metrics_arrays(np.empty((0, 2)))
    assert np.isnan(empty["roi"]).all()


def test_constant_returns_have_no_sharpe():
    m = metrics_arrays(np.full((30, 1), 0.001))
    assert np.isnan(m["sharpe"][0]) and m["volatility"][0] == 0


def test_db_value_never_lets_inf_or_nan_through():
    assert db_value(float("inf")) is None
    assert db_value(float("nan")) is None
    assert db_value(None) is None
    assert db_value(np.float64(0.25)) == 0.25


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="2-D"):
        metrics_arrays(np.zeros(3))
    with pytest.raises(ValueError, match="benchmark"):
        metrics_arrays(np.zeros((3, 2)), benchmark=np.zeros(4))


def test_compound_by_label_matches_a_per_trader_loop():
    from leaderboard.metrics import compound_by_label

    rng = np.random.default_rng(3)
    returns = rng.normal(0.001, 0.02, size=(60, 5))
    returns[rng.random(returns.shape) < 0.2] = np.nan
    returns[:, 4] = np.nan  # a trader with no data at all
    labels = rng.choice(["scarce", "neutral", "abundant", None], size=60)
    days, compounded = compound_by_label(returns, labels, "scarce")
    for t in range(5):
        picked = [returns[d, t] for d in range(60) if labels[d] == "scarce" and not np.isnan(returns[d, t])]
        assert days[t] == len(picked)
        if picked:
            assert compounded[t] == pytest.approx(np.prod([1 + r for r in picked]) - 1, rel=1e-12)
        else:
            assert np.isnan(compounded[t])
    with pytest.raises(ValueError, match="labels has 3 days"):
        compound_by_label(returns, ["scarce"] * 3, "scarce")
