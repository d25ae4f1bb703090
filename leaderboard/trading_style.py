"""How a trader trades, from fills, closed positions and ledger, pure pandas (no Django); grouped, vectorised.

Inputs are plain long DataFrames, one row per record, for any number of traders (the integration builds them from
Fill, ClosedPosition and LedgerEntry rows of one window with `.values(...)`):

    positions  trader_id, symbol, side ("long"/"short"), amount, entry_price, realized_pnl (Decimal), opened_at,
               closed_at (aware), and optionally leverage (NaN/None where the exchange does not say)
    fills      trader_id, symbol, cost (traded notional, USDT)
    ledger     trader_id, kind (LedgerEntry.Kind values), amount (Decimal, signed: money in is positive)

`position_style` gives, per trader (indexed by trader_id):

    positions            closed positions in the window
    trades_per_week      positions / (window_days / 7)
    long_share           share of the positions that were long (by count); short is 1 - long_share
    long_notional_share  the same by entry notional |amount · entry_price|, over positions where it is known
    avg_leverage         mean leverage over the positions that report it; NaN when none does
    avg_holding_hours    mean of closed_at - opened_at over positions with an opening time
    largest_loss         the most negative realized_pnl (Decimal, exact), None without a losing position

`symbol_mix` gives a long table (trader_id, rank, symbol, share) of each trader's top symbols by traded notional
(fills) with the rest as one OTHER row; `ledger_totals` the exact Decimal sums of fees, funding, deposits and
withdrawals. Money stays Decimal: it is summed exactly, never through floats.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

OTHER = "other"
STYLE_COLUMNS = [
    "positions",
    "trades_per_week",
    "long_share",
    "long_notional_share",
    "avg_leverage",
    "avg_holding_hours",
    "largest_loss",
]
LEDGER_TOTALS = {"fees": "fee", "funding": "funding", "deposits": "deposit", "withdrawals": "withdrawal"}


def _floats(column: pd.Series) -> pd.Series:
    return pd.to_numeric(column, errors="coerce").astype(float)


def position_style(positions: pd.DataFrame, *, window_days: float) -> pd.DataFrame:
    """STYLE_COLUMNS per trader_id (only traders with at least one position appear)."""
    if window_days <= 0:
        raise ValueError("window_days must be positive")
    if positions.empty:
        return pd.DataFrame(columns=STYLE_COLUMNS, index=pd.Index([], name="trader_id"))
    frame = positions.reset_index(drop=True)
    trader = frame["trader_id"]
    is_long = frame["side"].astype(str).str.lower().eq("long").astype(float)
    missing = pd.Series(np.nan, index=frame.index)
    notional = (_floats(frame["amount"]) * _floats(frame.get("entry_price", missing))).abs()
    leverage = _floats(frame.get("leverage", missing))
    leverage = leverage.where(leverage > 0)
    opened = pd.to_datetime(frame["opened_at"], utc=True) if "opened_at" in frame else None
    held = (
        (pd.to_datetime(frame["closed_at"], utc=True) - opened).dt.total_seconds() / 3600.0
        if opened is not None
        else missing
    )
    pnl = _floats(frame["realized_pnl"])
    work = pd.DataFrame(
        {
            "trader_id": trader,
            "one": 1.0,
            "long": is_long,
            "long_notional": notional * is_long,
            "notional": notional,
            "leverage": leverage,
            "held": held,
            "pnl": pnl,
        }
    )
    grouped = work.groupby("trader_id", sort=True)
    count = grouped["one"].sum()
    out = pd.DataFrame(index=count.index)
    out["positions"] = count
    out["trades_per_week"] = count / (window_days / 7.0)
    out["long_share"] = grouped["long"].sum() / count
    known_notional = grouped["notional"].sum(min_count=1)
    out["long_notional_share"] = (grouped["long_notional"].sum(min_count=1) / known_notional).where(known_notional > 0)
    out["avg_leverage"] = grouped["leverage"].mean()
    out["avg_holding_hours"] = grouped["held"].mean()
    # The exact Decimal of each trader's worst position: found on floats, read back from the row.
    worst = work.loc[work["pnl"].notna()].groupby("trader_id")["pnl"].idxmin()
    worst_pnl = pd.Series(frame.loc[worst.to_numpy(), "realized_pnl"].to_numpy(), index=worst.index)
    losing = pd.Series(work.loc[worst.to_numpy(), "pnl"].to_numpy() < 0, index=worst.index)
    out["largest_loss"] = worst_pnl.where(losing).reindex(out.index).astype(object)
    out["largest_loss"] = out["largest_loss"].where(out["largest_loss"].notna(), None)
    return out[STYLE_COLUMNS]


def symbol_mix(fills: pd.DataFrame, *, top: int = 5) -> pd.DataFrame:
    """trader_id, rank (1 = largest), symbol, share of the trader's traded notional; the rest as one OTHER row."""
    columns = ["trader_id", "rank", "symbol", "share"]
    if fills.empty:
        return pd.DataFrame(columns=columns)
    work = pd.DataFrame(
        {"trader_id": fills["trader_id"], "symbol": fills["symbol"], "cost": _floats(fills["cost"]).abs()}
    )
    per_symbol = work.groupby(["trader_id", "symbol"], sort=True)["cost"].sum().reset_index()
    total = per_symbol.groupby("trader_id")["cost"].transform("sum")
    per_symbol = per_symbol.loc[total > 0]
    per_symbol["share"] = per_symbol["cost"] / total[total > 0]
    # Largest first; ties by symbol name, so the order never depends on the input order.
    per_symbol = per_symbol.sort_values(["trader_id", "share", "symbol"], ascending=[True, False, True])
    per_symbol["rank"] = per_symbol.groupby("trader_id").cumcount() + 1
    shown = per_symbol.loc[per_symbol["rank"] <= top, columns]
    rest = per_symbol.loc[per_symbol["rank"] > top].groupby("trader_id")["share"].sum().reset_index()
    rest["rank"] = top + 1
    rest["symbol"] = OTHER
    mixed = pd.concat([shown, rest[columns]], ignore_index=True)
    return mixed.sort_values(["trader_id", "rank"], kind="mergesort").reset_index(drop=True)


def ledger_totals(ledger: pd.DataFrame) -> pd.DataFrame:
    """Exact Decimal sums per trader_id of LEDGER_TOTALS (fees and funding as signed: a cost is negative)."""
    if ledger.empty:
        return pd.DataFrame(columns=list(LEDGER_TOTALS), index=pd.Index([], name="trader_id"))
    kinds = ledger["kind"].astype(str)
    out = {}
    for name, kind in LEDGER_TOTALS.items():
        picked = ledger.loc[kinds.eq(kind)]
        out[name] = picked.groupby("trader_id")["amount"].agg(lambda values: sum(values, Decimal(0)))
    traders = pd.Index(sorted(ledger["trader_id"].unique()), name="trader_id")
    return pd.DataFrame(out).reindex(traders).map(lambda v: Decimal(0) if v is None or v != v else v)
