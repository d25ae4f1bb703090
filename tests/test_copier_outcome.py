"""leaderboard.copier_outcome against a plain per-start-day loop, on real BTC-based and synthetic returns."""

import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from leaderboard import copier_outcome as co
from tests.copier_data import btc_traders, synthetic_returns

RTOL = 1e-9


def _loop(returns, turnover, fees, settle, *, profit_share, fee_rate, slippage_rate, settle_at_end, min_start_days):
    """Each trader, each start day, each day in turn: the module's rules written as plainly as possible."""
    days, traders = returns.shape
    rows = {}
    for j in range(traders):
        outcomes = []
        for s in range(days):
            if math.isnan(returns[s, j]):
                continue
            equity, mark = 1.0, 1.0
            for t in range(s, days):
                if not math.isnan(returns[t, j]):
                    c = returns[t, j] + fees[t, j] - turnover[t, j] * (fee_rate + slippage_rate)
                    equity *= max(0.0, 1.0 + c)
                settles = settle[t] or (t == days - 1 and settle_at_end)
                if settles and equity > mark:
                    equity -= profit_share * (equity - mark)
                    mark = equity
            outcomes.append(equity - 1.0)
        row = dict.fromkeys(co.OUTCOMES, math.nan)
        row["copier_start_days"] = float(len(outcomes))
        if len(outcomes) >= max(1, min_start_days):
            row["copier_roi_p10"], row["copier_roi_median"], row["copier_roi_p90"] = np.percentile(
                outcomes, [10, 50, 90]
            )
            row["copier_loss_share"] = sum(o < 0 for o in outcomes) / len(outcomes)
            growth = 1.0
            for t in range(days):
                if not math.isnan(returns[t, j]):
                    growth *= 1.0 + returns[t, j]
            row["trader_roi"] = growth - 1.0
        rows[j] = row
    return pd.DataFrame(rows).T


def _check(returns: np.ndarray, *, turnover=None, fees=None, settle, **assumptions) -> int:
    params = {**co.DEFAULT_ASSUMPTIONS, **assumptions}
    ours = pd.DataFrame(co.copier_outcome_arrays(returns, turnover=turnover, trader_fees=fees, settle=settle, **params))
    zeros = np.zeros_like(returns)
    expected = _loop(
        returns,
        zeros if turnover is None else np.nan_to_num(turnover),
        zeros if fees is None else np.nan_to_num(fees),
        settle,
        **params,
    )
    checked = 0
    for column in co.OUTCOMES:
        for j in range(returns.shape[1]):
            want, got = expected.at[j, column], ours.at[j, column]
            if math.isnan(want):
                assert math.isnan(got), (j, column, got)
                continue
            np.testing.assert_allclose(got, want, rtol=RTOL, atol=1e-12, err_msg=f"trader {j} {column}")
            checked += 1
    return checked


@pytest.mark.parametrize("schedule", ["daily", "weekly", "monthly"])
def test_btc_traders_with_flows_match_the_per_start_day_loop(shared_data, schedule):
    returns, capital = btc_traders(shared_data, days=120)
    rng = np.random.default_rng(4)
    # Turnover and fees as a fills-based input would give them: notional / capital at work, some days idle.
    turnover = rng.gamma(0.8, 1.5, size=returns.shape) * (rng.random(returns.shape) < 0.7)
    fees = turnover * 0.0004
    settle = co.settlement_days(returns.index, schedule=schedule, zone="Asia/Shanghai")
    checked = _check(returns.to_numpy(), turnover=turnover, fees=fees, settle=settle)
    assert checked == 6 * returns.shape[1]
    # Without costs and without a share, the copier who starts on the trader's first day earns the trader's ROI.
    free = co.copier_outcome_arrays(
        returns.to_numpy(), settle=settle, profit_share=0.0, fee_rate=0.0, slippage_rate=0.0
    )
    equity = co.copier_final_equity(
        np.where(returns.notna(), 1 + returns.fillna(0).to_numpy(), 1.0), settle, profit_share=0.0, settle_at_end=True
    )
    first_days = returns.notna().to_numpy().argmax(axis=0)
    np.testing.assert_allclose(equity[first_days, np.arange(returns.shape[1])] - 1, free["trader_roi"], rtol=1e-12)


@pytest.mark.parametrize("settle_at_end", [True, False])
@pytest.mark.parametrize("profit_share", [0.0, 0.14, 1.0])
def test_synthetic_traders_match_the_per_start_day_loop(profit_share, settle_at_end):
    returns = synthetic_returns(days=70).to_numpy()
    rng = np.random.default_rng(8)
    turnover = rng.uniform(0, 4, size=returns.shape)
    turnover[rng.random(returns.shape) < 0.1] = np.nan  # unknown turnover counts as none
    settle = rng.random(returns.shape[0]) < 0.2
    checked = _check(
        returns,
        turnover=turnover,
        settle=settle,
        profit_share=profit_share,
        settle_at_end=settle_at_end,
        fee_rate=0.0006,
        slippage_rate=0.001,
        min_start_days=5,
    )
    assert checked > 50


def test_worked_example_of_the_documentation():
    """docs/copier-outcome.md, "Worked example": six days, a settlement after day 3 and at the end."""
    r = np.array([[0.04], [-0.02], [0.03], [-0.05], [0.06], [0.01]])
    turnover = np.array([[2.0], [1.0], [0.0], [3.0], [1.0], [0.5]])
    settle = np.array([False, False, True, False, False, False])
    out = co.copier_outcome_arrays(r, turnover=turnover, settle=settle, min_start_days=1)
    # By hand, with Decimal: the copier who starts on day 1.
    c = [Decimal(str(x)) - Decimal(str(t)) * Decimal("0.0007") for x, t in zip(r[:, 0], turnover[:, 0], strict=True)]
    assert c[0] == Decimal("0.0386") and c[3] == Decimal("-0.0521")
    v = (1 + c[0]) * (1 + c[1]) * (1 + c[2])
    assert v.quantize(Decimal("1e-9")) == Decimal("1.047614009")
    v -= Decimal("0.1") * (v - 1)  # settlement after day 3: 10% of the profit above the mark of 1
    mark = v
    v = v * (1 + c[3]) * (1 + c[4]) * (1 + c[5])
    v -= Decimal("0.1") * max(v - mark, Decimal(0))  # the end: 10% of what is above the new mark
    equity = co.copier_final_equity(1 + (r - turnover * 0.0007), settle, profit_share=0.1, settle_at_end=True)
    assert equity[0, 0] - 1 == pytest.approx(float(v - 1), rel=1e-12)
    assert float(v - 1) == pytest.approx(0.05580497, abs=1e-8)
    assert out["copier_roi_median"][0] == pytest.approx(0.0300418515, abs=1e-9)
    assert out["copier_loss_share"][0] == 0
    assert out["trader_roi"][0] == pytest.approx(0.0676956763, abs=1e-9)
    assert out["trader_roi"][0] > out["copier_roi_p90"][0]


def test_a_losing_copier_pays_no_share_and_a_total_loss_stays_at_zero():
    r = np.array([[0.10, 0.0], [-0.20, -1.5], [0.05, 0.3]])
    out = co.copier_final_equity(
        np.maximum(1 + r, 0), np.array([True, True, True]), profit_share=0.5, settle_at_end=True
    )
    assert out[0, 0] == pytest.approx((1 + (1.1 - 1) * 0.5) * 0.8 * 1.05)  # the mark after day 1 is 1.05: no share
    assert out[0, 1] == 0 and out[1, 1] == 0  # a return below -100% leaves nothing, never a negative equity
    assert out[2, 1] == pytest.approx(1 + 0.3 * 0.5)


def test_start_days_are_the_trader_s_days_and_short_windows_are_undefined():
    r = np.full((10, 2), np.nan)
    r[6:, 0] = 0.01
    r[:, 1] = 0.01
    out = co.copier_outcome_arrays(r, min_start_days=5)
    assert list(out["copier_start_days"]) == [4.0, 10.0]
    assert math.isnan(out["copier_roi_median"][0]) and out["copier_roi_median"][1] > 0


def test_settlement_days_in_the_campaign_zone():
    days = pd.date_range("2026-02-01", "2026-03-31", freq="D")
    weekly = co.settlement_days(days, schedule="weekly", zone="Asia/Shanghai")
    # Sunday 00:00 in Shanghai is Saturday 16:00 UTC: Saturday's close is the nearest the daily data has.
    assert set(days[weekly].day_name()) == {"Saturday"} and weekly.sum() == 8
    monthly = co.settlement_days(days, schedule="monthly", zone="Asia/Shanghai")
    assert list(days[monthly].strftime("%m-%d")) == ["02-28", "03-31"]
    assert co.settlement_days(days, schedule="daily", zone="America/New_York").all()
    # Monday 00:00 in New York is 05:00 UTC: it settles Sunday's close, the day that just ended.
    new_york = co.settlement_days(days, schedule="weekly", zone="America/New_York", weekday=0)
    assert set(days[new_york].day_name()) == {"Sunday"}
    with pytest.raises(ValueError, match="Unknown settlement schedule"):
        co.settlement_days(days, schedule="hourly", zone="UTC")


def test_turnover_inputs_from_fills_in_the_days_zone():
    index = pd.date_range("2026-03-01", periods=3, freq="D")
    capital = pd.DataFrame({"a": [1000.0, 2000.0, 0.0], "b": [500.0, 500.0, 500.0]}, index=index)
    fills = pd.DataFrame(
        {
            "trader_id": ["a", "a", "b", "a"],
            "timestamp": pd.to_datetime(
                ["2026-03-01T10:00Z", "2026-03-01T23:30Z", "2026-03-02T01:00Z", "2026-03-03T05:00Z"]
            ),
            "cost": [Decimal("1500"), Decimal("500"), Decimal("250"), Decimal("100")],
            "fee": [Decimal("0.75"), Decimal("0.25"), Decimal("0.125"), Decimal("0.05")],
        }
    )
    turnover, fees = co.turnover_inputs(fills, capital)
    assert turnover.loc[index[0], "a"] == pytest.approx(2.0) and fees.loc[index[0], "a"] == pytest.approx(0.001)
    assert turnover.loc[index[1], "b"] == pytest.approx(0.5)
    assert turnover.loc[index[2], "a"] == 0  # no capital at work: no ratio
    shanghai, _ = co.turnover_inputs(fills, capital, days_zone="Asia/Shanghai")
    assert shanghai.loc[index[1], "a"] == pytest.approx(0.25)  # 23:30 UTC is the next morning in Shanghai


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="2-D"):
        co.copier_outcome_arrays(np.zeros(3))
    with pytest.raises(ValueError, match="turnover"):
        co.copier_outcome_arrays(np.zeros((3, 2)), turnover=np.zeros((3, 1)))
    with pytest.raises(ValueError, match="settle"):
        co.copier_outcome_arrays(np.zeros((3, 2)), settle=np.zeros(4, dtype=bool))
