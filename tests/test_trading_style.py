"""leaderboard.trading_style and leaderboard.capacity against plain loops, on real leaderboard data and by hand."""

import math
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from leaderboard import capacity
from leaderboard.trading_style import OTHER, ledger_totals, position_style, symbol_mix


def _style_by_loop(positions: pd.DataFrame, window_days: float) -> dict:
    out = {}
    for trader in sorted(positions["trader_id"].unique()):
        rows = [row for _, row in positions.iterrows() if row["trader_id"] == trader]
        longs = [row for row in rows if row["side"] == "long"]
        known = [row for row in rows if row["entry_price"] is not None and not pd.isna(row["entry_price"])]
        notional = [abs(float(row["amount"]) * float(row["entry_price"])) for row in known]
        long_notional = [n for row, n in zip(known, notional, strict=True) if row["side"] == "long"]
        leverages = [float(row["leverage"]) for row in rows if not pd.isna(row.get("leverage")) and row["leverage"] > 0]
        held = [
            (row["closed_at"] - row["opened_at"]).total_seconds() / 3600
            for row in rows
            if row["opened_at"] is not None and not pd.isna(row["opened_at"])
        ]
        losses = [row["realized_pnl"] for row in rows if row["realized_pnl"] < 0]
        out[trader] = {
            "positions": len(rows),
            "trades_per_week": len(rows) / (window_days / 7),
            "long_share": len(longs) / len(rows),
            "long_notional_share": sum(long_notional) / sum(notional) if sum(notional) > 0 else math.nan,
            "avg_leverage": sum(leverages) / len(leverages) if leverages else math.nan,
            "avg_holding_hours": sum(held) / len(held) if held else math.nan,
            "largest_loss": min(losses) if losses else None,
        }
    return out


def _assert_style(positions: pd.DataFrame, window_days: float) -> int:
    ours = position_style(positions, window_days=window_days)
    expected = _style_by_loop(positions, window_days)
    assert list(ours.index) == list(expected)
    checked = 0
    for trader, row in expected.items():
        for column, want in row.items():
            got = ours.at[trader, column]
            if column == "largest_loss":
                assert got == want and (want is None or isinstance(got, Decimal)), (trader, got, want)
            elif isinstance(want, float) and math.isnan(want):
                assert math.isnan(got), (trader, column, got)
            else:
                assert got == pytest.approx(want, rel=1e-12), (trader, column)
            checked += 1
    return checked


def test_style_of_real_leaderboard_positions_matches_a_loop(shared_data):
    raw = pd.read_csv(shared_data / "binance_futures_leaderboard_positions_2023-03-13.csv", dtype={"pnl": str})
    positions = pd.DataFrame(
        {
            "trader_id": raw["uuid"],
            "symbol": raw["symbol"],
            "side": np.where(raw["amount"] >= 0, "long", "short"),
            "amount": raw["amount"].abs(),
            "entry_price": raw["entryPrice"],
            "realized_pnl": raw["pnl"].map(Decimal),
            "opened_at": None,
            "closed_at": pd.to_datetime(raw["updateTimeStamp"], unit="ms", utc=True),
            "leverage": raw["leverage"],
        }
    )
    assert _assert_style(positions, window_days=110) > 200  # 38 traders x 7 figures
    fills = positions.assign(cost=positions["amount"] * positions["entry_price"])
    mix = symbol_mix(fills, top=3)
    for trader, rows in mix.groupby("trader_id"):
        mine = fills.loc[fills["trader_id"] == trader]
        totals = mine.groupby("symbol")["cost"].sum().sort_values(ascending=False)
        assert rows["share"].sum() == pytest.approx(1.0)
        assert rows.iloc[0]["share"] == pytest.approx(totals.iloc[0] / totals.sum())


def test_style_by_hand_with_missing_leverage_and_opening_times():
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    positions = pd.DataFrame(
        [
            ("a", "BTC/USDT:USDT", "long", "0.5", "60000", Decimal("-120.55"), t0, t0 + timedelta(hours=6), 10),
            ("a", "ETH/USDT:USDT", "short", "2", "3000", Decimal("45.10"), t0, t0 + timedelta(hours=2), None),
            ("a", "BTC/USDT:USDT", "long", "0.1", None, Decimal("-300.01"), None, t0 + timedelta(days=1), 20),
            ("b", "SOL/USDT:USDT", "short", "10", "150", Decimal("12"), t0, t0 + timedelta(hours=30), None),
        ],
        columns=[
            "trader_id",
            "symbol",
            "side",
            "amount",
            "entry_price",
            "realized_pnl",
            "opened_at",
            "closed_at",
            "leverage",
        ],
    )
    style = position_style(positions, window_days=14)
    assert style.at["a", "positions"] == 3 and style.at["a", "trades_per_week"] == 1.5
    assert style.at["a", "long_share"] == pytest.approx(2 / 3)
    assert style.at["a", "long_notional_share"] == pytest.approx(30000 / 36000)  # the unpriced one is left out
    assert style.at["a", "avg_leverage"] == 15 and math.isnan(style.at["b", "avg_leverage"])
    assert style.at["a", "avg_holding_hours"] == 4 and style.at["b", "avg_holding_hours"] == 30
    assert style.at["a", "largest_loss"] == Decimal("-300.01") and style.at["b", "largest_loss"] is None
    assert _assert_style(positions, window_days=14) == 14
    with pytest.raises(ValueError, match="window_days"):
        position_style(positions, window_days=0)
    assert position_style(positions.iloc[:0], window_days=7).empty


def test_symbol_mix_keeps_the_top_and_groups_the_rest():
    fills = pd.DataFrame(
        {
            "trader_id": ["a"] * 5 + ["b"],
            "symbol": ["X", "Y", "Z", "W", "X", "Q"],
            "cost": [Decimal("100"), Decimal("300"), Decimal("50"), Decimal("50"), Decimal("100"), Decimal("7")],
        }
    )
    mix = symbol_mix(fills, top=2)
    a = mix.loc[mix["trader_id"] == "a"]
    assert list(a["symbol"]) == ["Y", "X", OTHER]
    assert list(a["share"]) == pytest.approx([0.5, 200 / 600, 100 / 600])
    assert list(mix.loc[mix["trader_id"] == "b", "share"]) == [1.0]


def test_ledger_totals_are_exact_decimals():
    ledger = pd.DataFrame(
        {
            "trader_id": ["a", "a", "a", "a", "b"],
            "kind": ["fee", "fee", "funding", "deposit", "withdrawal"],
            "amount": [Decimal("-0.1"), Decimal("-0.2"), Decimal("0.05"), Decimal("1000"), Decimal("-10.01")],
        }
    )
    totals = ledger_totals(ledger)
    assert totals.at["a", "fees"] == Decimal("-0.3")  # not -0.30000000000000004
    assert totals.at["a", "withdrawals"] == Decimal(0) and totals.at["b", "withdrawals"] == Decimal("-10.01")


def test_capacity_on_real_copy_trading_leaders(shared_data):
    raw = pd.read_csv(shared_data / "binance_copytrading_lead_traders_30d_roi_ranking_2026-08-06.csv")
    usage = capacity.slot_usage(raw["currentCopyCount"], raw["maxCopyCount"])
    free = capacity.free_slots(raw["currentCopyCount"], raw["maxCopyCount"])
    for i, row in raw.iterrows():
        limit = row["maxCopyCount"]
        assert usage[i] == (row["currentCopyCount"] / limit if limit > 0 else pytest.approx(np.nan, nan_ok=True))
        assert free[i] == max(limit - row["currentCopyCount"], 0)
    # Own capital is not in that file: a trader who keeps 5% of the AUM next to it.
    skin = capacity.skin_in_game(raw["aum_usdt"] * 0.05, raw["aum_usdt"])
    assert np.allclose(skin[raw["aum_usdt"] > 0], 0.05)


def test_capacity_by_hand():
    skin = capacity.skin_in_game([500, 500, -1, np.nan], [10000, 0, 100, 100])
    assert skin[0] == 0.05 and all(math.isnan(x) for x in skin[1:])
    assert capacity.skin_in_game([500], [10500], aum_includes_own=True)[0] == 0.05
    assert math.isnan(capacity.skin_in_game([500], [500], aum_includes_own=True)[0])  # nobody else's money
    days = capacity.days_leading([date(2026, 1, 1), None, date(2026, 3, 2)], date(2026, 3, 1))
    assert days[0] == 59 and math.isnan(days[1])
    assert math.isnan(days[2])  # a record that starts after the day asked about: not leading yet, never negative
    figures = capacity.capacity_arrays(
        own_capital=[1000],
        aum=[4000],
        copiers=[12],
        copiers_max=[0],
        lead_since=[date(2026, 2, 1)],
        as_of=date(2026, 2, 8),
    )
    assert (
        figures["skin_in_game"][0] == 0.25 and math.isnan(figures["slot_usage"][0]) and figures["days_leading"][0] == 7
    )
