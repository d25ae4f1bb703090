"""What copiers need to decide (issue 13), per trader of one ranking run: confidence, copier outcome, capacity.

The maths is pure and lives in leaderboard.confidence, leaderboard.copier_outcome and leaderboard.capacity; this
module only loads their inputs for a run and passes the rules' limits (rules["confidence"], rules["copier_outcome"]).
Every function returns {Standing field: array per trader, in the run's trader order}; NaN is stored as null.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
import pandas as pd
from django.db.models import F, FloatField, Min, OuterRef, Subquery
from django.db.models.functions import Cast

from leaderboard import capacity, confidence, copier_outcome
from traders.models import DailyEquity, Fill, LeadTrader

CONFIDENCE_FIELDS = ["psr", "dsr", "min_track_record_days", "roi_ci_low", "roi_ci_high"]
COPIER_FIELDS = ["copier_roi_median", "copier_roi_p10", "copier_roi_p90", "copier_loss_share"]


def confidence_figures(returns: np.ndarray, *, rules: dict) -> dict[str, np.ndarray]:
    """psr, dsr (N and V over every trader of the run with a Sharpe), min_track_record_days and the seeded ROI
    interval, from the same dates x traders return matrix the run's metrics use; also the run's dsr inputs."""
    limits = rules["confidence"]
    stats = confidence.confidence_arrays(returns, min_days=limits["min_days"], confidence=limits["confidence"])
    interval = confidence.roi_interval_arrays(
        returns,
        level=limits["level"],
        replicates=limits["replicates"],
        seed=limits["seed"],
        min_days=limits["min_days"],
    )
    return {
        **{name: stats[name] for name in ("psr", "dsr", "min_track_record_days", "dsr_trials", "dsr_benchmark")},
        **interval,
    }


def _fills_frame(*, trader_ids: list[int], since: datetime, until: datetime) -> pd.DataFrame:
    return pd.DataFrame(
        list(
            Fill.objects.filter(account__trader_id__in=trader_ids, timestamp__gte=since, timestamp__lt=until)
            .annotate(trader_id=F("account__trader_id"), c=Cast("cost", FloatField()), f=Cast("fee", FloatField()))
            .values_list("trader_id", "timestamp", "c", "f")
        ),
        columns=["trader_id", "timestamp", "cost", "fee"],
    )


def copier_figures(
    returns: np.ndarray,
    *,
    dates: pd.Index,
    trader_ids: list[int],
    capital: np.ndarray,
    zone,
    rules: dict,
) -> dict[str, np.ndarray]:
    """The copier outcome of every trader: copiers starting on each day of the window, after the profit share on
    the rules' settlement schedule (in the campaign's zone), their own fees and slippage on the trader's turnover
    (from fills, over each day's capital at work `capital`, E_{t-1} + F_t)."""
    assumptions = rules["copier_outcome"]
    first, last = dates[0], dates[-1]
    fills = _fills_frame(
        trader_ids=trader_ids,
        since=datetime.combine(first, time(0), tzinfo=zone),
        until=datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone),
    )
    index = pd.DatetimeIndex(pd.to_datetime(list(dates)))
    turnover, trader_fees = copier_outcome.turnover_inputs(
        fills, pd.DataFrame(capital, index=index, columns=trader_ids), days_zone=str(zone)
    )
    settle = copier_outcome.settlement_days(index, schedule=assumptions["schedule"], zone=zone, days_zone=str(zone))
    out = copier_outcome.copier_outcome_arrays(
        returns,
        turnover=turnover.to_numpy(),
        trader_fees=trader_fees.to_numpy(),
        settle=settle,
        **{k: v for k, v in assumptions.items() if k != "schedule"},
    )
    return {name: out[name] for name in COPIER_FIELDS}


def capacity_figures(*, trader_ids: list[int], end: date, own_capital: np.ndarray) -> dict[str, Any]:
    """The latest reported AUM and copiers (DailyEquity.aum, .followers on or before `end`), days on record as a
    lead trader (since the first daily equity) and skin in the game: own capital (the trader's own account's
    equity at `end`) over the copiers' AUM. What is not reported stays None ("not reported")."""
    last_report = (
        DailyEquity.objects.filter(trader=OuterRef("pk"), date__lte=end)
        .exclude(aum=None, followers=None)
        .order_by("-date")
    )
    latest: dict[int, dict[str, Any]] = {
        row["pk"]: dict(row)
        for row in LeadTrader.objects.filter(pk__in=trader_ids)
        .annotate(aum=Subquery(last_report.values("aum")[:1]), followers=Subquery(last_report.values("followers")[:1]))
        .values("pk", "aum", "followers")
    }
    first_day = dict(
        # Only rows up to the window's end: a trader whose record starts later is not leading yet at `end`.
        DailyEquity.objects.filter(trader_id__in=trader_ids, date__lte=end)
        .values("trader_id")
        .annotate(first=Min("date"))
        .values_list("trader_id", "first")
    )
    aum = [latest.get(t, {}).get("aum") for t in trader_ids]
    aum_float = np.array([float(a) if a is not None else np.nan for a in aum], dtype=float)
    since = [first_day.get(t) for t in trader_ids]
    leading = capacity.days_leading(np.array(since, dtype="datetime64[D]"), end)
    return {
        "aum": aum,
        "copiers": [latest.get(t, {}).get("followers") for t in trader_ids],
        "copiers_max": [None] * len(trader_ids),
        "copier_pnl": [None] * len(trader_ids),
        "profit_share_rate": np.full(len(trader_ids), np.nan),
        "days_leading": [None if np.isnan(d) else int(d) for d in leading],
        "skin_in_game": capacity.skin_in_game(own_capital, aum_float),
    }
