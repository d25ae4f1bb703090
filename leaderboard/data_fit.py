"""What imported data can and cannot support, pure (no Django): missing days, and ranking rules the data can never
meet (so the import says so instead of the board silently ranking nobody).

    missing_days(dates)      calendar days between a trader's first and last row that have no row, and the gaps
    rules_fit(...)           one message per rule the records cannot satisfy, with what to set instead
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median

from leaderboard.scoring import TRADE_METRICS

ROLLING_WINDOWS = (7, 30, 90)


@dataclass(frozen=True)
class Gaps:
    missing: int  # days without a row between the first and the last
    longest: int  # the longest run of missing days
    first_gap: tuple[date, date] | None  # the first run of missing days (first missing day, last missing day)


def missing_days(dates: Iterable[date]) -> Gaps:
    days = sorted(set(dates))
    missing, longest, first = 0, 0, None
    for before, after in zip(days, days[1:], strict=False):
        run = (after - before).days - 1
        if run > 0:
            missing += run
            longest = max(longest, run)
            first = first or (before + timedelta(days=1), after - timedelta(days=1))
    return Gaps(missing=missing, longest=longest, first_gap=first)


def median_step(dates: Iterable[date]) -> float | None:
    days = sorted(set(dates))
    steps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
    return float(median(steps)) if steps else None


def rules_fit(*, rules: dict, traders: int, without_trades: int, steps: list[float]) -> list[str]:
    """Messages for the rules (validated, leaderboard.scoring) that `traders` records cannot satisfy.

    without_trades: how many of them have no trade record at all (equity and flows only); steps: each trader's
    median step in days.
    """
    messages = []
    elig, score, coverage = rules["eligibility"], rules["score"], rules["coverage"]
    if without_trades and elig["min_trades"] > 0:
        messages.append(
            f"eligibility.min_trades is {elig['min_trades']}, which {without_trades} of {traders} traders can never "
            "meet: their records have no trade data (no closed_positions, fills or closed positions). Set it to 0 "
            "to rank them on equity and flows, or import closed_positions."
        )
    trade_weights = sorted(TRADE_METRICS.intersection(score.get("weights", {})))
    if without_trades and trade_weights:
        messages.append(
            f"score.weights uses {', '.join(trade_weights)}, which {without_trades} of {traders} traders have no "
            "data for: they are scored on the other weights only."
        )
    if score["method"] == "metric" and score.get("metric") in TRADE_METRICS and without_trades:
        messages.append(
            f"score.metric is {score['metric']}, which {without_trades} of {traders} traders have no data for: they "
            "cannot rank. Use a return metric such as roi."
        )
    if without_trades and "no_fills_behind_equity" in elig["exclude_flags"]:
        messages.append(
            f"The flag no_fills_behind_equity cannot be checked for the {without_trades} traders without trade "
            "data; it is not raised for them."
        )
    for window in ROLLING_WINDOWS:
        # Returns a window can hold at a trader's usual sampling interval.
        short = sum(1 for s in steps if window / s < coverage["min_returns"])
        if short:
            messages.append(
                f"{short} of {traders} traders sample too sparsely for the {window}d window: fewer than "
                f"coverage.min_returns = {coverage['min_returns']} returns fit in it, so their volatility, Sharpe "
                "and Sortino show '—' there (rank them over a longer window or period, or lower the minimum)."
            )
    return messages
