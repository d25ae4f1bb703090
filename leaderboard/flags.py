"""Anti-gaming flags, pure numpy (no Django): raised for the operator to review, never a silent exclusion.

    tiny_capital_high_roi    roi >= min_roi while the capital at work (equity before the window plus money moved
                             in during it) is under capital_floor; detail: roi_on_floor = pnl / max(capital, floor)
    large_deposit_before_end money moved in over the window's last `days` days >= min_fraction of the equity held
                             before them (ROI is deposit-neutral, but pnl and the equity floor are not)
    no_fills_behind_equity   |roi| >= min_abs_roi with no fill and no closed position in the window
    mirror_returns           two accounts whose daily returns correlate >= min_correlation over at least
                             min_overlap_days shared ACTIVE days (both returns non-zero: a dormant account's flat
                             days would make any two sleepers with one shared loss correlate at 1); only
                             the top max_candidates by score are compared, since a mirror earns its partner's
                             score and so sits next to it

Each function takes arrays with one entry per trader (or dates x traders matrices) and returns a boolean array or
the pairs, plus the numbers the operator needs to judge.

A standing keeps every flag raised on it; one an operator reviewed and cleared (leaderboard.models.FlagReview)
carries a "cleared" entry and no longer holds the trader (flags_open / flags_cleared below).
"""

from __future__ import annotations

import numpy as np


def tiny_capital_high_roi(
    *, roi: np.ndarray, pnl: np.ndarray, capital: np.ndarray, capital_floor: float, min_roi: float
) -> tuple[np.ndarray, np.ndarray]:
    """(flagged, roi_on_floor): the roi the pnl would be on at least `capital_floor` of capital."""
    roi, pnl, capital = (np.asarray(x, dtype=float) for x in (roi, pnl, capital))
    with np.errstate(invalid="ignore"):
        on_floor = pnl / np.maximum(np.nan_to_num(capital, nan=0.0), capital_floor) if capital_floor > 0 else roi
        flagged = (roi >= min_roi) & (np.nan_to_num(capital, nan=0.0) < capital_floor)
    return flagged, on_floor


def large_deposit_before_end(
    *, flows: np.ndarray, equity: np.ndarray, opening_equity: np.ndarray, days: int, min_fraction: float
) -> tuple[np.ndarray, np.ndarray]:
    """(flagged, fraction). flows/equity: dates x traders (NaN = no row); opening_equity: equity before the window."""
    flows = np.nan_to_num(np.asarray(flows, dtype=float), nan=0.0)
    equity = np.asarray(equity, dtype=float)
    total_days = flows.shape[0]
    days = min(days, total_days)
    deposits = np.clip(flows[total_days - days :], 0, None).sum(axis=0)
    # Equity held just before the last `days` days: the last known end-of-day value before them.
    before = equity[: total_days - days]
    held = np.asarray(opening_equity, dtype=float).copy()
    if before.shape[0]:
        seen = ~np.isnan(before)
        last = np.where(seen.any(axis=0), before.shape[0] - 1 - np.argmax(seen[::-1], axis=0), -1)
        known = last >= 0
        held[known] = before[last[known], np.flatnonzero(known)]
    held = np.nan_to_num(held, nan=0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.where(held > 0, deposits / held, np.where(deposits > 0, np.inf, 0.0))
    return (deposits > 0) & (fraction >= min_fraction), fraction


def no_fills_behind_equity(*, roi: np.ndarray, evidence: np.ndarray, min_abs_roi: float) -> np.ndarray:
    """Equity moved (|roi| >= min_abs_roi) but no fill or closed position stands behind it."""
    roi = np.nan_to_num(np.asarray(roi, dtype=float), nan=0.0)
    return (np.abs(roi) >= min_abs_roi) & (np.nan_to_num(np.asarray(evidence, dtype=float), nan=0.0) <= 0)


def correlation_matrix(returns: np.ndarray, *, min_overlap_days: int) -> np.ndarray:
    """Pairwise-complete Pearson correlation of the columns of a dates x traders matrix (NaN = missing day) over the
    days both are active (a non-zero return).

    Five matrix products give, for every pair, the sums over the days both have a non-zero return; pairs with fewer
    than min_overlap_days shared active days or no spread are NaN.
    """
    r = np.asarray(returns, dtype=float)
    active = ~np.isnan(r) & (r != 0)
    r = np.where(active, r, np.nan)
    m = active.astype(float)
    x = np.nan_to_num(r, nan=0.0)
    n = m.T @ m
    sx = x.T @ m  # sum of x_i over the days j also has a return
    sxx = (x * x).T @ m
    sxy = x.T @ x
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = n * sxy - sx * sx.T
        var = n * sxx - sx * sx
        corr = cov / np.sqrt(var * var.T)
    corr[(n < min_overlap_days) | ~np.isfinite(corr)] = np.nan
    np.fill_diagonal(corr, np.nan)
    return np.clip(corr, -1.0, 1.0)


def mirror_pairs(
    returns: np.ndarray, *, candidates: np.ndarray, min_correlation: float, min_overlap_days: int
) -> list[tuple[int, int, float]]:
    """[(i, j, correlation), ...] with i < j column indexes among `candidates` whose returns near-coincide."""
    candidates = np.asarray(candidates, dtype=int)
    if len(candidates) < 2:
        return []
    corr = correlation_matrix(np.asarray(returns)[:, candidates], min_overlap_days=min_overlap_days)
    a, b = np.nonzero(np.triu(np.nan_to_num(corr, nan=-2.0) >= min_correlation, k=1))
    pairs = [(int(candidates[i]), int(candidates[j]), float(corr[i, j])) for i, j in zip(a, b, strict=True)]
    return sorted((min(i, j), max(i, j), c) for i, j, c in pairs)


def flags_open(entries) -> list:
    """The entries of Standing.flags that hold the trader for review: those no operator has cleared."""
    return [f for f in entries or [] if not (isinstance(f, dict) and f.get("cleared"))]


def flags_cleared(entries) -> list:
    """The entries of Standing.flags an operator reviewed and cleared (kept on the standing, marked "cleared")."""
    return [f for f in entries or [] if isinstance(f, dict) and f.get("cleared")]
