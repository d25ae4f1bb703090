"""What copiers would have made: every start day of a window, every trader at once, pure numpy/pandas (no Django).

A copier who starts on day s copies the lead trader proportionally (Gate's default "proportional to total" mode:
the copier's positions are the trader's scaled to the copier's equity), so before costs the copier earns the
trader's daily return r_t. The copier's own costs and the profit share then make the difference
(docs/copier-outcome.md writes this out with a worked example and the sources of the defaults):

    c_t = r_t + trader_fees_t - turnover_t · (fee_rate + slippage_rate)   the copier's daily return
    V_t = V_{t-1} · max(0, 1 + c_t),   V_{s-1} = 1                         equity, never below zero (isolated margin)
    at the end of each settlement day, and at the window's end when settle_at_end:
        if V > H:  V -= profit_share · (V - H);  H = V                    high-water mark H, starting at 1

turnover_t is the trader's traded notional that day over the trader's capital at work (from fills); the copier trades
the same fraction of its own equity, so it pays fee_rate (its taker fee) and loses slippage_rate on it. trader_fees_t
is the fees the trader paid that day over capital at work (from fills): r_t is net of them, and the copier pays its
own instead, so they are added back; without it (None) r_t is taken as the copier's return before its fees, which
understates the copier by the trader's own fee rate. Missing inputs count as 0; a day without a return (NaN) is flat.
Settling at the window's end means the copier stops copying then, which Gate settles at once.

The copier's outcome for start s is V_end - 1. Start days are the days on which the trader has a return. Per
trader: copier_roi_median, copier_roi_p10, copier_roi_p90 (numpy's linear percentiles over the start days),
copier_loss_share (share of start days with V_end < 1), copier_start_days, and trader_roi = prod(1 + r) - 1 (the
trader's own window ROI, as `metrics.metrics_arrays` computes it), NaN below min_start_days.

Vectorised over traders: a copier whose equity is above its mark at a settlement is charged and then stands exactly
where a copier starting the next day would, scaled; so the start days are computed backwards, each from the first
settlement at which it is charged (found for every trader at once by binary lifting over a sparse table of the
cumulative log growth at the settlement days) and the already computed result of the day after it. The work is
O(days x traders x log(settlements)) whatever the schedule; a trader's loop is never written. `settlement_days`
turns a schedule in the campaign's zone into the boolean day mask this takes.

For the integration (Standing fields copier_roi_median, copier_roi_p10, copier_roi_p90, copier_loss_share): the
ranking task calls `copier_outcome_arrays(window_returns, turnover=..., trader_fees=..., settle=settlement_days(...),
**assumptions)` with the rules' assumptions (`DEFAULT_ASSUMPTIONS` keys) and stores the values via metrics.db_value.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

# Gate's published rates (docs/copier-outcome.md cites each): a 10% profit share (Gate's lead-trader levels are 8,
# 10, 12 and 14%), settled weekly on a high-water mark, the VIP 0 futures taker fee of 0.05%; slippage is ours.
DEFAULT_ASSUMPTIONS = {
    "profit_share": 0.10,
    "fee_rate": 0.0005,
    "slippage_rate": 0.0002,
    "settle_at_end": True,
    "min_start_days": 7,
}
SCHEDULES = ("daily", "weekly", "monthly")
DEFAULT_SCHEDULE = "weekly"  # settlement_days(..., schedule=DEFAULT_SCHEDULE): Gate's Sunday 00:00 settlement
CHUNK_COLUMNS = 4096  # bounds the sparse table at about 100 MB per chunk
RUIN_LOG = -1000.0
OUTCOMES = [
    "copier_roi_median",
    "copier_roi_p10",
    "copier_roi_p90",
    "copier_loss_share",
    "copier_start_days",
    "trader_roi",
]


def _same_shape(values, like: np.ndarray, name: str) -> np.ndarray | float:
    """An optional input matrix with NaN as 0, or 0.0 itself when absent (no days x traders buffer of zeros)."""
    if values is None:
        return 0.0
    matrix = np.asarray(values, dtype=float)
    if matrix.shape != like.shape:
        raise ValueError(f"{name} has shape {matrix.shape}, returns have {like.shape}")
    return np.nan_to_num(matrix, nan=0.0)


def copier_daily_returns(
    returns, *, turnover=None, trader_fees=None, fee_rate: float, slippage_rate: float
) -> np.ndarray:
    """c_t of the module docstring: days x traders, NaN where the trader has no return."""
    r = np.asarray(returns, dtype=float)
    c = r + _same_shape(trader_fees, r, "trader_fees")
    c -= _same_shape(turnover, r, "turnover") * (fee_rate + slippage_rate)
    return c


def copier_final_equity(growth: np.ndarray, settle: np.ndarray, *, profit_share: float, settle_at_end: bool):
    """V_end for every (start day, trader): growth is days x traders of max(0, 1 + c_t) (1 on flat days).

    Returns a (start days x traders) matrix; row s is the copier who started on day s.
    """
    days, traders = growth.shape
    settle = np.asarray(settle, dtype=bool)
    if settle.shape != (days,):
        raise ValueError(f"settle has {settle.shape[0]} days, returns have {days}")
    points = np.flatnonzero(settle)
    if settle_at_end and days and (not points.size or points[-1] != days - 1):
        points = np.append(points, days - 1)
    equity = np.empty((days, traders))
    for lo in range(0, traders, CHUNK_COLUMNS):
        part = slice(lo, min(lo + CHUNK_COLUMNS, traders))
        equity[:, part] = _final_equity_chunk(growth[:, part], points, profit_share)
    return equity


def _final_equity_chunk(growth: np.ndarray, points: np.ndarray, profit_share: float) -> np.ndarray:
    """Backwards over the start days. A copier starting on day s, with V = H = 1, is first charged at the first
    settlement point j (on or after s) where its growth since s, exp(L_j - L_{s-1}) with L the cumulative log growth,
    is above 1; there V becomes 1 + (1 - share)·(growth - 1) and equals its new mark, exactly like a fresh copier
    starting the next day scaled by V, whose result is already known. With no such point it pays nothing and ends at
    exp(L_end - L_{s-1})."""
    days, columns = growth.shape
    with np.errstate(divide="ignore"):
        logs = np.log(growth)
    # A day that wipes the copier out: a log so low that exp() of anything after it is 0, yet differences stay finite.
    np.maximum(logs, RUIN_LOG, out=logs)
    level = np.zeros((days + 1, columns))  # level[t + 1] = L_t, level[0] = 0
    np.cumsum(logs, axis=0, out=level[1:])
    del logs
    at_points = level[points + 1]
    maxima = _range_maxima(at_points)
    first_point = np.searchsorted(points, np.arange(days))
    final = np.empty((days + 1, columns))  # final[s]: V_end of a copier starting on day s with V = H = 1
    final[days] = 1.0
    every = np.arange(columns)
    for s in range(days - 1, -1, -1):
        threshold = level[s]
        result = np.exp(level[days] - threshold)
        point = _first_above(maxima, int(first_point[s]), threshold)
        crossed = point < points.size
        if crossed.any():
            at = np.minimum(point, points.size - 1)
            gain = np.exp(at_points.ravel()[at * columns + every] - threshold)
            settled = 1.0 + (1.0 - profit_share) * (gain - 1.0)
            result = np.where(crossed, settled * final.ravel()[(points[at] + 1) * columns + every], result)
        final[s] = result
    return final[:days]


def _range_maxima(values: np.ndarray) -> list[np.ndarray]:
    """A sparse table: maxima[k][i] = max(values[i : i + 2**k]) per column, for every 2**k <= len(values)."""
    maxima = [values]
    width = 1
    while 2 * width <= values.shape[0]:
        previous = maxima[-1]
        maxima.append(np.maximum(previous[:-width], previous[width:]))
        width *= 2
    return maxima


def _first_above(maxima: list[np.ndarray], start: int, threshold: np.ndarray) -> np.ndarray:
    """Per column, the first index >= start whose value is above the column's threshold (len(values) if none):
    the longest run from start that stays at or below it, grown by halving jumps (binary lifting)."""
    count, columns = maxima[0].shape
    position = np.full(columns, start, dtype=np.intp)
    every = np.arange(columns)
    for k in range(len(maxima) - 1, -1, -1):
        width = 1 << k
        table = maxima[k]
        fits = position + width <= count
        if not fits.any():
            continue
        peak = table.ravel()[np.minimum(position, table.shape[0] - 1) * columns + every]
        position += width * (fits & (peak <= threshold))
    return position


def copier_outcome_arrays(
    returns,
    *,
    turnover=None,
    trader_fees=None,
    settle=None,
    profit_share: float = DEFAULT_ASSUMPTIONS["profit_share"],
    fee_rate: float = DEFAULT_ASSUMPTIONS["fee_rate"],
    slippage_rate: float = DEFAULT_ASSUMPTIONS["slippage_rate"],
    settle_at_end: bool = DEFAULT_ASSUMPTIONS["settle_at_end"],
    min_start_days: int = DEFAULT_ASSUMPTIONS["min_start_days"],
) -> dict[str, np.ndarray]:
    """The OUTCOMES of every column of a (days x traders) returns matrix; settle: one bool per day (None: never,
    so only the end of the window settles when settle_at_end)."""
    r = np.asarray(returns, dtype=float)
    if r.ndim != 2:
        raise ValueError("returns must be a 2-D (days x traders) matrix")
    days, traders = r.shape
    settle = np.zeros(days, dtype=bool) if settle is None else settle
    observed = ~np.isnan(r)
    c = copier_daily_returns(
        r, turnover=turnover, trader_fees=trader_fees, fee_rate=fee_rate, slippage_rate=slippage_rate
    )
    growth = np.where(observed, np.maximum(1.0 + c, 0.0), 1.0)
    del c
    outcome = copier_final_equity(growth, settle, profit_share=profit_share, settle_at_end=settle_at_end)
    outcome -= 1.0
    outcome[~observed] = np.nan
    starts = observed.sum(axis=0)
    enough = starts >= max(1, min_start_days)
    out = {name: np.full(traders, np.nan) for name in OUTCOMES}
    out["copier_start_days"] = starts.astype(float)
    if enough.any():
        picked = outcome[:, enough]
        p10, median, p90 = column_quantiles(picked, starts[enough], [0.1, 0.5, 0.9])
        out["copier_roi_p10"][enough], out["copier_roi_median"][enough], out["copier_roi_p90"][enough] = (
            p10,
            median,
            p90,
        )
        out["copier_loss_share"][enough] = (picked < 0).sum(axis=0) / starts[enough]
        out["trader_roi"][enough] = np.prod(np.where(observed[:, enough], 1.0 + r[:, enough], 1.0), axis=0) - 1.0
    return out


def column_quantiles(matrix: np.ndarray, counts: np.ndarray, quantiles) -> list[np.ndarray]:
    """numpy's linear-rule quantiles of each column's non-NaN values (counts of them given, each >= 1), from one
    sort of the whole matrix (NaN sorts last) instead of nanquantile's per-column work."""
    ordered = np.sort(matrix, axis=0)
    out = []
    for q in quantiles:
        position = q * (counts - 1.0)
        below = np.floor(position).astype(np.intp)
        above = np.minimum(below + 1, counts - 1).astype(np.intp)
        low = np.take_along_axis(ordered, below[None, :], axis=0)[0]
        high = np.take_along_axis(ordered, above[None, :], axis=0)[0]
        out.append(low + (high - low) * (position - below))
    return out


def settlement_days(days, *, schedule: str, zone: str | ZoneInfo, weekday: int = 6, days_zone: str = "UTC"):
    """One bool per day of `days` (calendar dates of the daily series, in days_zone): True when a settlement is
    applied to that day's closing equity.

    Settlements happen at local midnight in the campaign's zone: every day (daily), at the start of `weekday`
    (0 = Monday ... 6 = Sunday; Gate settles its high-water-mark share "every Sunday at 00:00"), or on the 1st of
    each month (monthly). Daily data cannot see inside a day, so a settlement at instant X applies to the day whose
    end is nearest X: in Asia/Shanghai, Sunday 00:00 (Saturday 16:00 UTC) settles Saturday's UTC close.
    """
    if schedule not in SCHEDULES:
        raise ValueError(f"Unknown settlement schedule: {schedule!r} (one of {', '.join(SCHEDULES)})")
    index = pd.DatetimeIndex(pd.to_datetime(list(days) if not isinstance(days, pd.Index) else days))
    if index.empty:
        return np.zeros(0, dtype=bool)
    index = index.tz_localize(None).normalize()
    zone_name = str(zone)
    # Local midnights from a day before the first day to two after the last, so every boundary is covered.
    first = (index.min() - pd.Timedelta(days=1)).tz_localize(days_zone).tz_convert(zone_name).normalize()
    last = (index.max() + pd.Timedelta(days=2)).tz_localize(days_zone).tz_convert(zone_name)
    midnights = pd.date_range(first.tz_localize(None), last.tz_localize(None), freq="D").tz_localize(
        zone_name, nonexistent="shift_forward", ambiguous=False
    )
    if schedule == "weekly":
        midnights = midnights[midnights.dayofweek == weekday]
    elif schedule == "monthly":
        midnights = midnights[midnights.day == 1]
    # The day (in days_zone) whose end is nearest each instant (the earlier one on a tie).
    local = midnights.tz_convert(days_zone).tz_localize(None)
    settled = (local - pd.Timedelta(hours=12)).ceil("D") - pd.Timedelta(days=1)
    return np.asarray(index.isin(settled))


def turnover_inputs(fills: pd.DataFrame, capital: pd.DataFrame, *, days_zone: str = "UTC"):
    """(turnover, trader_fees) dates x traders matrices aligned on `capital` (each day's capital at work,
    E_{t-1} + F_t), from fills with trader_id, timestamp (aware), cost (notional) and fee (paid, positive).

    turnover_t = traded notional that day / capital; trader_fees_t = fees paid that day / capital; 0 where the
    trader has no fill or no positive capital.
    """
    if fills.empty:
        zeros = pd.DataFrame(0.0, index=capital.index, columns=capital.columns)
        return zeros, zeros.copy()
    day = pd.to_datetime(fills["timestamp"], utc=True).dt.tz_convert(days_zone).dt.tz_localize(None).dt.normalize()
    work = pd.DataFrame(
        {
            "date": day,
            "trader_id": fills["trader_id"],
            "cost": pd.to_numeric(fills["cost"]).astype(float).abs(),
            "fee": pd.to_numeric(fills["fee"]).astype(float),
        }
    )
    sums = work.groupby(["date", "trader_id"])[["cost", "fee"]].sum()
    base = capital.astype(float)
    base = base.where(base > 0)
    index = pd.DatetimeIndex(pd.to_datetime(capital.index))

    def per_capital(column: str) -> pd.DataFrame:
        matrix = sums[column].unstack("trader_id").reindex(index=index, columns=capital.columns)
        matrix.index = capital.index
        return (matrix / base).fillna(0.0)

    return per_capital("cost"), per_capital("fee")
