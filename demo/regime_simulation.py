"""Seeded continuation of a real market series past its last real value (demo only). Pure numpy: no Django.

The demo's real snapshots end months before today; the leaderboard's "vs BTC" column and the regime readings need
values up to yesterday. A continuation resamples the series' own recent step log returns (demeaned, so no trend of
the real past is extrapolated; volatility and fat tails are kept) from its last real value. Every value it makes is
simulated and is stored and labelled as such by the caller.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np

LOOKBACK_DAYS = 3 * 365  # the returns resampled: the last three years of the real series
HORIZON = 4000  # draws made whatever the length asked, so a longer continuation extends a shorter one unchanged


def series_seed(code: str, base: int) -> int:
    """A stable per-series seed (Python's hash() of a str changes between processes)."""
    return (base * 1_000_003 + zlib.crc32(code.encode())) % 2**32


def continuation_dates(*, history: Sequence[date], end: date, frequency: str = "daily") -> list[date]:
    """The dates after the last real one up to `end`, on the series' own calendar: the first of each month for a
    monthly series, every day when the series has weekend values (crypto), else Monday to Friday."""
    if not history:
        return []
    last = max(history)
    if last >= end:
        return []
    if frequency == "monthly":
        out, year, month = [], last.year, last.month
        while True:
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            day = date(year, month, 1)
            if day > end:
                return out
            out.append(day)
    recent = sorted(history)[-60:]
    every_day = any(d.weekday() >= 5 for d in recent)
    days = (last + timedelta(days=i) for i in range(1, (end - last).days + 1))
    return [d for d in days if every_day or d.weekday() < 5]


def continue_values(*, dates: Sequence[date], values: Sequence[float], steps: int, seed: int) -> np.ndarray:
    """`steps` simulated values following the last real one: a bootstrap of the series' demeaned step log returns
    over its last LOOKBACK_DAYS (arithmetic steps when a value is not positive). Deterministic for a seed."""
    if steps <= 0:
        return np.zeros(0)
    order = np.argsort(np.asarray(dates, dtype="datetime64[D]"), kind="stable")
    day = np.asarray(dates, dtype="datetime64[D]")[order]
    level = np.asarray(values, dtype=float)[order]
    if len(level) < 3 or not np.all(np.isfinite(level)):
        raise ValueError("a continuation needs at least three finite real values")
    recent = level[day >= day[-1] - np.timedelta64(LOOKBACK_DAYS, "D")]
    recent = recent if len(recent) >= 3 else level
    positive = bool(np.all(recent > 0))
    step = np.diff(np.log(recent)) if positive else np.diff(recent)
    step = step - step.mean()
    rng = np.random.default_rng(seed)
    drawn = step[rng.integers(0, len(step), size=max(steps, HORIZON))[:steps]]
    path = np.cumsum(drawn)
    return level[-1] * np.exp(path) if positive else level[-1] + path


def decimals_of(values: Sequence[str]) -> int:
    """How many decimals the real values are quoted with (so a continuation looks like its series), 0..10."""
    places = 0
    for text in values:
        text = str(text).rstrip("0")
        if "." in text:
            places = max(places, len(text.split(".", 1)[1]))
    return min(places, 10)
