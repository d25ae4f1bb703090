"""Performance metrics of every trader at once, pure numpy/pandas (no Django).

Input is a dates x traders matrix of step returns r_t (traders.unit_value), each on the date its step ends
(NaN where a trader has no return that day: not yet trading, no previous equity, or a day inside a longer step),
and optionally the matching matrix of step lengths d_t in calendar days (1 on daily data). Every metric is computed
for all traders in one vectorised pass; a Python loop over traders would be a bug here. On daily data (d_t = 1) the
definitions are the ones quantstats and empyrical use with 365 periods a year (tests check both libraries to 1e-9
relative); missing days are skipped, as both libraries skip NaN. A multi-day step is one multi-day return, never
one day's: the annualisation counts calendar days.

    n             number of returns (steps) in the window
    span_days     sum of d_t: the calendar days the returns cover
    coverage      span_days / the window's days (when the window length is given)
    roi           prod(1 + r_t) - 1
    pnl           sum of pnl_t = E_t - E_{t-1} - F_t (USDT)
    max_drawdown  min_t(U_t / max(1, max_{s<=t} U_s)) - 1 with U_t = prod_{s<=t}(1 + r_s): the deepest fall of the
                  unit value below its running peak, the window's opening value (1) counting as a peak; <= 0
    volatility    std(r, ddof=1) * sqrt(365 / dbar), dbar = span_days / n (the mean step, 1 on daily data)
    sharpe        mean(r) / std(r, ddof=1) * sqrt(365 / dbar)              (risk-free rate 0)
    sortino       mean(r) / sqrt(mean(min(r, 0)^2)) * sqrt(365 / dbar)
    cagr          (1 + roi) ** (365 / span_days) - 1                       (calendar-day annualisation)
    calmar        cagr / |max_drawdown|
    profit_factor sum of the positive daily returns / |sum of the negative ones| (quantstats' definition)
    win_rate      winning closed positions / closed positions
    trades        closed positions in the window
    active_days   days with a closed position or a non-zero return
    btc_return    prod(1 + b_t) - 1 of BTC/USDT over the days the trader has a return
    excess_return_vs_btc  roi - btc_return
    beta          cov(r, b) / var(b) over the days both have a return
    return on days labelled L (compound_by_label): prod(1 + r_t) - 1 over the days whose liquidity-regime label
                  is L and the trader has a return; with the number of such days

Undefined values are NaN here (fewer than two days, no variance, no losing day, no drawdown, no closed position)
and become None through `db_value`, so inf or NaN never reach the database. `metrics_bound` then empties the ratios
the data cannot support and says why (RATIO_REASONS):

    too_few_returns   volatility, sharpe, sortino from fewer than min_returns returns
    low_coverage      volatility, sharpe, sortino, cagr, calmar when the returns cover less than min_coverage of
                      the window
    short_window      cagr and calmar over fewer than calmar_min_days calendar days (a week's gain annualised)
    tiny_drawdown     calmar with |max_drawdown| below calmar_min_drawdown (a ratio over almost nothing)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

PERIODS_PER_YEAR = 365

METRICS = [
    "days",
    "span_days",
    "coverage",
    "roi",
    "pnl",
    "max_drawdown",
    "volatility",
    "sharpe",
    "sortino",
    "cagr",
    "calmar",
    "profit_factor",
    "win_rate",
    "trades",
    "active_days",
    "btc_return",
    "excess_return_vs_btc",
    "beta",
]


def _as_matrix(values, like: np.ndarray) -> np.ndarray | None:
    if values is None:
        return None
    matrix = np.asarray(values, dtype=float)
    if matrix.shape != like.shape:
        raise ValueError(f"matrix shape {matrix.shape} does not match the returns' {like.shape}")
    return matrix


def _column_sums(matrix: np.ndarray) -> np.ndarray:
    """nansum over days without copying the whole matrix when (as usual) it has no NaN."""
    sums = matrix.sum(axis=0)
    gaps = np.isnan(sums)
    if gaps.any():
        sums[gaps] = np.nansum(matrix[:, gaps], axis=0)
    return sums


def metrics_arrays(
    returns: np.ndarray,
    *,
    pnl: np.ndarray | None = None,
    closed: np.ndarray | None = None,
    wins: np.ndarray | None = None,
    benchmark: np.ndarray | None = None,
    step_days: np.ndarray | None = None,
    window_days: int | None = None,
    periods: int = PERIODS_PER_YEAR,
) -> dict[str, np.ndarray]:
    """The metrics of every column of a (days x traders) float matrix; NaN marks a missing day.

    pnl, closed, wins: same shape (NaN = unknown, counts as 0 in sums). benchmark: one return per day (NaN = no
    price that day). step_days: same shape, each return's step in calendar days (None: all 1). window_days: the
    window's length, for coverage. Returns {metric: array of one value per trader}, NaN where undefined.
    """
    r = np.asarray(returns, dtype=float)
    if r.ndim != 2:
        raise ValueError("returns must be a 2-D (days x traders) matrix")
    days, traders = r.shape
    out: dict[str, np.ndarray] = {}
    mask = ~np.isnan(r)
    n = mask.sum(axis=0)
    nf = n.astype(float)
    steps = _as_matrix(step_days, r)
    span = nf.copy() if steps is None else np.where(mask, np.nan_to_num(steps, nan=1.0), 0.0).sum(axis=0)
    out["span_days"] = span
    out["coverage"] = span / window_days if window_days else np.full(traders, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Buffer a holds the returns with missing days as 0 (neutral for sums and for compounding).
        a = np.where(mask, r, 0.0)
        total = a.sum(axis=0)
        mean = total / nf
        # Buffer b: first the losing part of each return (sortino, profit factor), then squared deviations.
        b = np.minimum(a, 0.0)
        losses = b.sum(axis=0)
        np.multiply(b, b, out=b)
        downside = np.sqrt(b.sum(axis=0) / nf)
        np.subtract(a, mean, out=b)
        b *= mask
        dev_sq = np.einsum("ij,ij->j", b, b) if days else np.zeros(traders)
        std = np.sqrt(dev_sq / (nf - 1))
        # A constant column has zero spread; its float residue (~1e-18) must not become a huge ratio.
        constant = (np.fmax.reduce(r, axis=0, initial=-np.inf) == np.fmin.reduce(r, axis=0, initial=np.inf)) & (n > 0)
        std = np.where(constant, 0.0, std)
        std = np.where(n >= 2, std, np.nan)

        # Returns a year: 365 on daily data, 365 / the mean step on sparser samples.
        annual = np.sqrt(periods * nf / span)
        out["days"] = nf
        out["volatility"] = std * annual
        out["sharpe"] = np.where(std > 0, mean / std * annual, np.nan)
        out["sortino"] = np.where(downside > 0, mean / downside * annual, np.nan)
        out["profit_factor"] = np.where(losses < 0, (total - losses) / -losses, np.nan)

        beta = np.full(traders, np.nan)
        btc_return = np.full(traders, np.nan)
        if benchmark is not None:
            bench = np.asarray(benchmark, dtype=float).reshape(-1)
            if bench.shape[0] != days:
                raise ValueError(f"benchmark has {bench.shape[0]} days, returns have {days}")
            # Matrix-vector products only (no second days x traders buffer). a is 0 on a trader's missing days;
            # the benchmark is shifted by its own mean (beta does not move) so the paired sums do not cancel.
            bench_ok = ~np.isnan(bench)
            shift = bench[bench_ok].mean() if bench_ok.any() else 0.0
            centred = np.where(bench_ok, bench - shift, 0.0)
            maskf = b  # the free buffer, as 0/1 floats: no new allocation
            np.copyto(maskf, mask)
            n_pair = bench_ok.astype(float) @ maskf
            sum_r = bench_ok.astype(float) @ a
            sum_b = centred @ maskf
            sum_bb = (centred * centred) @ maskf
            sum_br = centred @ a
            with np.errstate(divide="ignore", invalid="ignore"):
                cov = sum_br - sum_b * sum_r / n_pair
                var_b = sum_bb - sum_b * sum_b / n_pair
            beta = np.where((n_pair >= 2) & (var_b / np.maximum(n_pair, 1) > 1e-30), cov / var_b, np.nan)
            # BTC compounded over the days the trader has a return (a missing BTC day counts as flat).
            log_growth = np.log1p(np.where(bench_ok, bench, 0.0)) @ maskf
            btc_return = np.where(n > 0, np.expm1(log_growth), np.nan)

        # Unit value U_t and its drawdown below the running peak (the opening value 1 is a peak).
        a += 1.0
        np.cumprod(a, axis=0, out=a)
        roi = np.where(n > 0, a[-1] - 1.0 if days else np.nan, np.nan)
        np.maximum.accumulate(a, axis=0, out=b)
        np.maximum(b, 1.0, out=b)
        np.divide(a, b, out=b)
        trough = b.min(axis=0) if days else np.ones(traders)
        del a, b
        max_drawdown = np.where(n > 0, np.minimum(trough - 1.0, 0.0), np.nan)
        out["roi"] = roi
        out["max_drawdown"] = max_drawdown
        cagr = np.where(n > 0, np.power(np.maximum(1.0 + roi, 0.0), periods / span) - 1.0, np.nan)
        out["cagr"] = cagr
        out["calmar"] = np.where(max_drawdown < 0, cagr / np.abs(max_drawdown), np.nan)
        out["btc_return"] = btc_return
        out["excess_return_vs_btc"] = roi - btc_return
        out["beta"] = beta

        pnl_m = _as_matrix(pnl, r)
        out["pnl"] = _column_sums(pnl_m) if pnl_m is not None else np.full(traders, np.nan)
        closed_m = _as_matrix(closed, r)
        wins_m = _as_matrix(wins, r)
        trades = _column_sums(closed_m) if closed_m is not None else np.zeros(traders)
        won = _column_sums(wins_m) if wins_m is not None else np.zeros(traders)
        out["trades"] = trades
        out["win_rate"] = np.where(trades > 0, won / trades, np.nan)
        active = mask & (r != 0)
        if closed_m is not None:
            active |= closed_m > 0  # NaN (unknown) compares False
        out["active_days"] = active.sum(axis=0).astype(float)
    return out


def compute_metrics(
    returns: pd.DataFrame,
    *,
    pnl: pd.DataFrame | None = None,
    closed: pd.DataFrame | None = None,
    wins: pd.DataFrame | None = None,
    benchmark: pd.Series | None = None,
    step_days: pd.DataFrame | None = None,
    window_days: int | None = None,
    periods: int = PERIODS_PER_YEAR,
) -> pd.DataFrame:
    """DataFrame front of `metrics_arrays`: dates x traders in, traders x METRICS out (NaN where undefined).

    The other matrices are aligned on the returns' index and columns; the benchmark on its index.
    """

    def aligned(frame):
        return None if frame is None else frame.reindex(index=returns.index, columns=returns.columns).to_numpy(float)

    bench = None if benchmark is None else benchmark.reindex(returns.index).to_numpy(dtype=float)
    arrays = metrics_arrays(
        returns.to_numpy(dtype=float),
        pnl=aligned(pnl),
        closed=aligned(closed),
        wins=aligned(wins),
        benchmark=bench,
        step_days=aligned(step_days),
        window_days=window_days,
        periods=periods,
    )
    return pd.DataFrame(arrays, index=returns.columns)[METRICS]


RATIO_REASONS = ["too_few_returns", "low_coverage", "short_window", "tiny_drawdown"]
BOUNDED = {
    "volatility": ["too_few_returns", "low_coverage"],
    "sharpe": ["too_few_returns", "low_coverage"],
    "sortino": ["too_few_returns", "low_coverage"],
    "cagr": ["low_coverage", "short_window"],
    "calmar": ["low_coverage", "short_window", "tiny_drawdown"],
}


def metrics_bound(
    m: dict[str, np.ndarray],
    *,
    min_returns: int,
    min_coverage: float,
    calmar_min_days: int,
    calmar_min_drawdown: float,
) -> dict[str, list[str | None]]:
    """Empty (NaN, in place) the ratios of `metrics_arrays`' output that the data cannot support.

    Returns {metric: one reason code or None per trader}, the first that applies in RATIO_REASONS order, only for
    values that were defined before (an undefined value keeps its own, mathematical, reason).
    """
    coverage = np.nan_to_num(m["coverage"], nan=1.0)
    tests = {
        "too_few_returns": m["days"] < min_returns,
        "low_coverage": coverage < min_coverage,
        "short_window": m["span_days"] < calmar_min_days,
        "tiny_drawdown": np.abs(np.nan_to_num(m["max_drawdown"], nan=0.0)) < calmar_min_drawdown,
    }
    reasons: dict[str, list[str | None]] = {}
    for metric, codes in BOUNDED.items():
        why = np.full(len(coverage), None, dtype=object)
        for code in reversed(codes):  # the first code in the list wins
            why = np.where(tests[code] & ~np.isnan(m[metric]), code, why)
        m[metric] = np.where(why == None, m[metric], np.nan)  # noqa: E711 (element-wise)
        reasons[metric] = why.tolist()
    return reasons


def compound_by_label(returns: np.ndarray, labels, label: str) -> tuple[np.ndarray, np.ndarray]:
    """(days, compounded return) per trader over the days whose label equals `label`.

    returns: days x traders (NaN = no return that day); labels: one label per day (None = unknown). A trader with
    no such day gets 0 days and NaN.
    """
    matrix = np.asarray(returns, dtype=float)
    if matrix.ndim == 1:
        matrix = matrix[:, None]
    mask = np.asarray([lab == label for lab in labels], dtype=bool)
    if mask.shape[0] != matrix.shape[0]:
        raise ValueError(f"labels has {mask.shape[0]} days, returns have {matrix.shape[0]}")
    chosen = matrix[mask]
    days = np.count_nonzero(~np.isnan(chosen), axis=0)
    compounded = np.nanprod(1.0 + chosen, axis=0) - 1.0
    return days, np.where(days > 0, compounded, np.nan)


def wide(long: pd.DataFrame, value: str, *, index: str = "date", columns: str = "trader_id") -> pd.DataFrame:
    """A long table (one row per trader and day) as a dates x traders float matrix, NaN where absent."""
    return long.pivot(index=index, columns=columns, values=value).astype(float).sort_index()


def db_value(value) -> float | None:
    """A metric as the database stores it: a finite float, or None when undefined (never inf or NaN)."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None
