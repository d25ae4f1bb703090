"""Capacity and skin in the game, per trader, pure numpy (no Django).

From what the exchange or the operator reports (each may be missing: NaN in, NaN out, shown "not reported"):

    skin_in_game  own capital / AUM, AUM being the copiers' money the trader manages; when the reported AUM includes
                  the trader's own capital (aum_includes_own), own / (AUM - own). NaN unless own >= 0 and the
                  copiers' money > 0 (no copiers: no ratio to show, not an infinite one)
    slot_usage    copiers / copiers_max, NaN unless copiers_max > 0
    free_slots    max(copiers_max - copiers, 0)
    days_leading  whole days from the day the trader started leading to as_of (both dates)

For the integration (Standing fields aum, copiers, copiers_max, copier_pnl, profit_share_rate, days_leading,
skin_in_game): the ranking task passes the latest reported values per trader as arrays and stores the results via
metrics.db_value; the reported money fields themselves stay Decimal in the models.
"""

from __future__ import annotations

import numpy as np


def _floats(values) -> np.ndarray:
    return np.asarray(values, dtype=float)


def skin_in_game(own_capital, aum, *, aum_includes_own: bool = False) -> np.ndarray:
    own, managed = _floats(own_capital), _floats(aum)
    copiers_money = managed - own if aum_includes_own else managed
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((own >= 0) & (copiers_money > 0), own / copiers_money, np.nan)


def slot_usage(copiers, copiers_max) -> np.ndarray:
    used, limit = _floats(copiers), _floats(copiers_max)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(limit > 0, used / limit, np.nan)


def free_slots(copiers, copiers_max) -> np.ndarray:
    return np.maximum(_floats(copiers_max) - _floats(copiers), 0.0)


def days_leading(lead_since, as_of) -> np.ndarray:
    """Days from each start date (None/NaT = unknown: NaN) to as_of; a start after as_of is NaN too (not leading
    yet on that day), never a negative count."""
    since = np.asarray(lead_since, dtype="datetime64[D]")
    days = (np.datetime64(as_of, "D") - since).astype(float)
    return np.where(np.isnat(since) | (days < 0), np.nan, days)


def capacity_arrays(*, own_capital, aum, copiers, copiers_max, lead_since, as_of, aum_includes_own=False) -> dict:
    """Every figure of the module docstring for arrays of one value per trader."""
    return {
        "skin_in_game": skin_in_game(own_capital, aum, aum_includes_own=aum_includes_own),
        "slot_usage": slot_usage(copiers, copiers_max),
        "free_slots": free_slots(copiers, copiers_max),
        "days_leading": days_leading(lead_since, as_of),
    }
