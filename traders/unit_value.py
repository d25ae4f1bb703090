"""Deposit-neutral step returns and unit value (NAV per unit), pure pandas (no Django).

A step runs from one equity row of a trader to the next: usually one day, several when samples are sparse
(step_days = the calendar days between the two rows). Its return follows GIPS's time-weighted rules for external
cash flows (Modified Dietz within the step), computed in Decimal so money never picks up float residue:

    pnl_k      = E_k - E_{k-1} - F_k                                    (exact, Decimal)
    W_k        = weighted_flow_k when known: sum of each flow x the share of the step left after it
                 (exchange ledger timestamps give it; a flow at the step's start weighs 1, at its end 0);
                 otherwise F_k / 2 (Modified Dietz's day-weighting with the flows' times unknown: mid-step)
    capital_k  = E_{k-1} + W_k
                 large-flow guard: when |F_k| >= LARGE_FLOW x E_{k-1} (or E_{k-1} is 0), the largest of that,
                 E_{k-1}, E_{k-1} + F_k and -F_k (money withdrawn was in the account first), so a flow that empties
                 or fills the account never leaves the step's profit on a sliver of capital (GIPS asks to revalue
                 at large flows; without a valuation at the flow's time the capital that could have been at work
                 is the honest bound)
    r_k        = pnl_k / capital_k, at least -1 (a total loss); undefined when capital_k < MIN_CAPITAL (dust: a
                 cent moving on a millionth of a dollar is not a return)
    unit_k     = unit_{k-1} * (1 + r_k), unit = 1 on each trader's first row; never negative

The first row of a trader has no previous equity, so its pnl, return and step are undefined (None).
"""

from decimal import Decimal, localcontext

import numpy as np
import pandas as pd

COLUMNS = ["trader_id", "date", "equity", "net_flow"]
LARGE_FLOW = Decimal("0.25")  # |flow| / opening equity from which the large-flow guard applies
MIN_CAPITAL = Decimal("1")  # USDT at work below which a step has no meaningful return
_HALF = Decimal("0.5")


def step_return(
    *, opening: Decimal, equity: Decimal, flow: Decimal, weighted_flow: Decimal | None
) -> tuple[Decimal, Decimal | None]:
    """(pnl, return) of one step in exact Decimal; the return is None when no capital was at work."""
    pnl = equity - opening - flow
    weighted = flow * _HALF if weighted_flow is None else weighted_flow
    capital = opening + weighted
    if opening <= 0 or abs(flow) >= LARGE_FLOW * opening:
        capital = max(capital, opening, opening + flow, -flow)
    if capital < MIN_CAPITAL:
        return pnl, None
    with localcontext() as ctx:
        ctx.prec = 34
        return pnl, max(pnl / capital, Decimal(-1))


def derive_returns(rows: pd.DataFrame) -> pd.DataFrame:
    """rows: trader_id, date, equity (Decimal), net_flow (Decimal), optionally weighted_flow (Decimal or None);
    any order, one row per (trader, date).

    Returns the rows sorted by (trader_id, date) with pnl (Decimal or None), step_days (int or None), daily_return
    (the step's return) and unit_value (float or None) added.
    """
    if rows.empty:
        return rows.assign(pnl=[], step_days=[], daily_return=[], unit_value=[])
    frame = rows.sort_values(["trader_id", "date"], kind="mergesort").reset_index(drop=True)
    if "weighted_flow" not in frame:
        frame["weighted_flow"] = None
    grouped = frame.groupby("trader_id", sort=False)
    previous = grouped["equity"].shift(1).to_numpy(dtype=object)
    previous_date = grouped["date"].shift(1).to_numpy(dtype=object)

    pnl, ret, steps = [], [], []
    for opening, equity, flow, weighted, day, before in zip(
        previous,
        frame["equity"].to_numpy(dtype=object),
        frame["net_flow"].to_numpy(dtype=object),
        frame["weighted_flow"].to_numpy(dtype=object),
        frame["date"].to_numpy(dtype=object),
        previous_date,
        strict=True,
    ):
        if opening is None or (isinstance(opening, float) and np.isnan(opening)):
            pnl.append(None)
            ret.append(None)
            steps.append(None)
            continue
        weighted = None if weighted is None or (isinstance(weighted, float) and np.isnan(weighted)) else weighted
        p, r = step_return(opening=Decimal(opening), equity=Decimal(equity), flow=Decimal(flow), weighted_flow=weighted)
        pnl.append(p)
        ret.append(None if r is None else float(r))
        steps.append((day - before).days)

    growth = pd.Series([1.0 if r is None else 1.0 + r for r in ret])
    unit = growth.groupby(frame["trader_id"].to_numpy(), sort=False).cumprod().to_numpy()

    frame["pnl"] = pd.Series(pnl, dtype=object)
    frame["step_days"] = pd.Series(steps, dtype=object)
    frame["daily_return"] = pd.Series(ret, dtype=object)
    frame["unit_value"] = np.maximum(unit, 0.0)
    return frame
