"""Return matrices for the copier-maths tests: traders built on real BTC prices with deposits and withdrawals, and a
seeded synthetic population with the awkward cases (late starts, gaps, flat, too short, a total-loss day)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from traders.unit_value import derive_returns

# (leverage on BTC, first day, {day: net flow in USDT}): longs, a short, a late starter, big flows both ways.
BTC_TRADERS = {
    "long-1x": (1.0, 0, {40: Decimal("5000"), 200: Decimal("-3000")}),
    "long-2x": (2.0, 0, {10: Decimal("20000"), 90: Decimal("-15000"), 300: Decimal("8000")}),
    "short-1x": (-1.0, 0, {120: Decimal("-4000")}),
    "half": (0.5, 0, {}),
    "late-3x": (3.0, 180, {220: Decimal("2500"), 260: Decimal("-6000")}),
    "tilted": (1.5, 30, {31: Decimal("-9000"), 150: Decimal("12000")}),
}


def btc_daily_returns(shared_data) -> pd.Series:
    btc = pd.read_csv(shared_data / "btc_usdt_daily_hyperliquid_2023-2026.csv")
    closes = pd.Series(btc["close"].to_numpy(float), index=pd.to_datetime(btc["time"], unit="ms").dt.normalize())
    return closes.pct_change(fill_method=None).dropna()


def btc_trader_rows(shared_data, *, days: int = 365) -> list[dict]:
    """Daily rows (trader_id, date, equity, net_flow) of equity in cents that follows leveraged BTC with the flows
    above, on the last `days` days of the real series."""
    btc = btc_daily_returns(shared_data).iloc[-days:]
    rows = []
    for trader, (leverage, first, flows) in BTC_TRADERS.items():
        equity = Decimal("10000")
        for i, (day, move) in enumerate(btc.items()):
            if i < first:
                continue
            flow = flows.get(i, Decimal(0)) if i > first else Decimal(0)
            if i > first:
                grown = (float(equity + flow)) * (1.0 + leverage * float(move))
                equity = Decimal(str(round(max(grown, 0.0), 2)))
            rows.append({"trader_id": trader, "date": day, "equity": equity, "net_flow": flow})
    return rows


def btc_traders(shared_data, *, days: int = 365) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(returns, capital): dates x traders from btc_trader_rows, through the production unit-value derivation
    (flows at the start of the day)."""
    derived = derive_returns(pd.DataFrame(btc_trader_rows(shared_data, days=days)))
    returns = derived.pivot(index="date", columns="trader_id", values="daily_return").astype(float)
    previous = derived.groupby("trader_id")["equity"].shift(1)
    derived["capital"] = previous.astype(float) + derived["net_flow"].astype(float)
    capital = derived.pivot(index="date", columns="trader_id", values="capital").astype(float)
    return returns.sort_index(), capital.reindex(index=returns.index, columns=returns.columns)


def synthetic_returns(days: int = 120, traders: int = 14, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    r = rng.standard_t(4, size=(days, traders)) * rng.uniform(0.005, 0.05, size=traders)
    r += rng.normal(0.002, 0.002, size=traders)
    r[: days // 3, 1] = np.nan  # a late starter
    r[rng.random((days, traders)) < 0.05] = np.nan  # scattered missing days
    r[:, 2] = 0.001  # no variation
    r[:-5, 3] = np.nan  # five days only
    r[days // 2, 4] = -1.0  # a total loss
    r[:, 5] = np.nan  # nothing at all
    r[:, 6] = -np.abs(r[:, 6])  # only losses
    index = pd.date_range("2026-01-01", periods=days, freq="D")
    return pd.DataFrame(r, index=index, columns=[f"t{j}" for j in range(traders)])
