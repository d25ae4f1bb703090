"""Deposit-neutral daily returns and unit value (NAV per unit), pure pandas.

Flows are taken at the start of the day (the convention Bybit documents), so money moved in or out is never
profit or loss:

    pnl_t    = E_t - E_{t-1} - F_t                 (exact, Decimal)
    r_t      = pnl_t / (E_{t-1} + F_t)             (undefined when the capital at work is not positive)
    unit_t   = unit_{t-1} * (1 + r_t),  unit = 1 on each trader's first day

The first day of a trader has no previous equity, so its pnl and return are undefined (None).
"""

from decimal import Decimal

import numpy as np
import pandas as pd

COLUMNS = ["trader_id", "date", "equity", "net_flow"]


def derive_returns(rows: pd.DataFrame) -> pd.DataFrame:
    """rows: trader_id, date, equity (Decimal), net_flow (Decimal); any order, one row per (trader, date).

    Returns the rows sorted by (trader_id, date) with pnl (Decimal or None), daily_return and unit_value (float or
    None) added.
    """
    if rows.empty:
        return rows.assign(pnl=[], daily_return=[], unit_value=[])
    frame = rows.sort_values(["trader_id", "date"], kind="mergesort").reset_index(drop=True)
    previous = frame.groupby("trader_id", sort=False)["equity"].shift(1)
    first_day = previous.isna()

    equity = frame["equity"].to_numpy(dtype=object)
    flow = frame["net_flow"].to_numpy(dtype=object)
    prev = previous.to_numpy(dtype=object)
    pnl = np.where(first_day, None, equity - np.where(first_day, Decimal(0), prev) - flow)

    capital = (previous.astype(float) + frame["net_flow"].astype(float)).to_numpy()
    pnl_float = pd.to_numeric(pd.Series(pnl), errors="coerce").to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ret = np.where(capital > 0, pnl_float / capital, np.nan)

    growth = pd.Series(1.0 + np.nan_to_num(ret, nan=0.0))
    unit = growth.groupby(frame["trader_id"].to_numpy(), sort=False).cumprod().to_numpy()

    frame["pnl"] = pnl
    frame["daily_return"] = pd.Series([None if np.isnan(x) else float(x) for x in ret], dtype=object)
    frame["unit_value"] = unit
    return frame
