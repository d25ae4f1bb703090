"""Computing and publishing rankings: one RankingRun with all its Standings, in one transaction.

Windows: 7d / 30d / 90d ending at the data cutoff (the latest daily equity of the campaign's traders, never past
the campaign's last day), and every RewardPeriod of the campaign's leaderboard pool. A period covers the trading
days (DailyEquity.date, read as days in the campaign's zone) that lie wholly inside [starts_at, ends_at) in that
zone. The run is created as "computing" and flipped to "published" in the same transaction, so readers, who only
ever see published runs, never meet a half-written one. Earlier runs are kept as history.

Flag reviews: a flag an operator cleared for a trader in the campaign (leaderboard.models.FlagReview, in force at
the run's publish time) stays on the standing, marked "cleared", but no longer counts against the trader's
eligibility. Runs published earlier keep what they showed.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import Count, FloatField, OuterRef, Subquery, Sum
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign, Enrollment, RewardPeriod, RewardPool
from campaigns.selectors import leaderboard_pool
from core.services.audit import audit_record
from leaderboard import flags as flag_rules
from leaderboard import scoring
from leaderboard.metric_registry import FLOAT_METRICS
from leaderboard.metrics import compound_by_label, db_value, metrics_arrays, metrics_bound
from leaderboard.models import RankingRun, Standing
from leaderboard.scoring import TIE_BREAKS, rules_validate, rules_version, score_and_rank
from leaderboard.selectors import HIDDEN_ENROLMENTS, flag_clearances_in_force
from leaderboard.services import decision_figures
from leaderboard.signals import ranking_published
from regime.selectors import BTC_CODE, regime_labels, series_values
from traders.models import DailyEquity, Fill, LeadTrader
from traders.selectors import closed_position_counts, traders_with_trade_data

ROLLING_DAYS = {RankingRun.Window.D7: 7, RankingRun.Window.D30: 30, RankingRun.Window.D90: 90}
REGIMES = ["scarce", "abundant"]
EXPLAINED_COUNTS = [
    "cagr",
    "pnl",
    "trades",
    "active_days",
    "days",
    "span_days",
    "coverage",
    "scarce_days",
    "abundant_days",
]


class RankingError(Exception):
    """A ranking that cannot be computed (no data, no such window); nothing was written."""


class RankingBusy(RankingError):
    """Another transaction is publishing a run of the same campaign and window (and period) right now."""


def _ranking_target_lock(*, campaign: Campaign, window: str, period: RewardPeriod | None) -> bool:
    """Take the ranking target's lock for the rest of the current transaction; False when another transaction holds
    it. A PostgreSQL advisory lock (released at commit or rollback, so a killed process never leaves it behind).
    SQLite (the embedded default) lets one writer in at a time anyway: nothing to take there."""
    if connection.vendor != "postgresql":
        return True
    name = f"starboard.ranking:{campaign.pk}:{window}:{period.pk if period is not None else '-'}"
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [key])
        return bool(cursor.fetchone()[0])


def ranking_rules(*, campaign: Campaign, pool: RewardPool | None = None) -> dict:
    """The validated rules of the campaign's leaderboard pool (its rules["ranking"] over DEFAULT_RULES)."""
    pool = pool or leaderboard_pool(campaign=campaign)
    return rules_validate((pool.rules or {}).get("ranking") if pool else None)


def period_days(*, period: RewardPeriod, zone) -> tuple[date, date]:
    """First and last trading day wholly inside the period, in the campaign's zone."""
    start, end = period.starts_at.astimezone(zone), period.ends_at.astimezone(zone)
    first = start.date() if start.timetz().replace(tzinfo=None) == time(0) else start.date() + timedelta(days=1)
    return first, end.date() - timedelta(days=1)


def data_cutoff(*, campaign: Campaign) -> date | None:
    ids = Enrollment.objects.filter(campaign=campaign).exclude(status__in=HIDDEN_ENROLMENTS).values("trader_id")
    latest = DailyEquity.objects.filter(trader_id__in=ids).order_by("-date").values_list("date", flat=True).first()
    if latest is None:
        return None
    return min(latest, (campaign.ends_at.astimezone(campaign.zone) - timedelta(microseconds=1)).date())


def _window_bounds(*, campaign, window, period, cutoff) -> tuple[date, date]:
    if window == RankingRun.Window.PERIOD:
        if period is None:
            raise RankingError("A period ranking needs a reward period.")
        first, last = period_days(period=period, zone=campaign.zone)
        end = min(last, cutoff)
        if end < first:
            raise RankingError(f"Period {period} has no trading day with data yet (data ends {cutoff}).")
        return first, end
    if window not in ROLLING_DAYS:
        raise RankingError(f"Unknown window {window!r}; use one of 7d, 30d, 90d, period.")
    return cutoff - timedelta(days=ROLLING_DAYS[window] - 1), cutoff


def _local_instant(day: date, zone) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _load(*, campaign, trader_ids, start, end):
    """Long equity rows of the window plus the day before it, and per-trader counts of fills and positions."""
    # Floats for the matrices (cast in the database: no Decimal per cell); money stays Decimal below.
    rows = pd.DataFrame(
        list(
            DailyEquity.objects.filter(trader_id__in=trader_ids, date__gte=start - timedelta(days=1), date__lte=end)
            .annotate(
                e=Cast("equity", FloatField()), f=Cast("net_flow", FloatField()), r=Cast("daily_return", FloatField())
            )
            .values_list("trader_id", "date", "e", "f", "r", "step_days", "closed_positions", "winning_positions")
        ),
        columns=["trader_id", "date", "equity", "net_flow", "daily_return", "step_days", "closed", "wins"],
    )
    zone = campaign.zone
    since, until = _local_instant(start, zone), _local_instant(end + timedelta(days=1), zone)
    fills = dict(
        Fill.objects.filter(account__trader_id__in=trader_ids, timestamp__gte=since, timestamp__lt=until)
        .values("account__trader_id")
        .annotate(n=Count("id"))
        .values_list("account__trader_id", "n")
    )
    positions = closed_position_counts(trader_ids=trader_ids, since=since, until=until)
    # pnl exactly, in Decimal, straight from the database.
    pnl = dict(
        DailyEquity.objects.filter(trader_id__in=trader_ids, date__gte=start, date__lte=end)
        .values("trader_id")
        .annotate(p=Sum("pnl"))
        .values_list("trader_id", "p")
    )
    last_equity = dict(
        LeadTrader.objects.filter(pk__in=trader_ids)
        .annotate(
            last=Subquery(
                DailyEquity.objects.filter(trader=OuterRef("pk"), date__lte=end).order_by("-date").values("equity")[:1]
            )
        )
        .exclude(last=None)
        .values_list("pk", "last")
    )
    # Whose data has trade records at all (the others are equity-and-flows-only records).
    trade_data = traders_with_trade_data(trader_ids=trader_ids)
    if not rows.empty:
        trade_data |= set(rows.loc[rows["closed"].notna() & (rows["date"] >= start), "trader_id"])
    return rows, fills, positions, pnl, last_equity, trade_data


def _matrix(rows: pd.DataFrame, value: str, dates: pd.Index, traders: list[int]) -> np.ndarray:
    if rows.empty:
        return np.full((len(dates), len(traders)), np.nan)
    frame = rows.pivot(index="date", columns="trader_id", values=value)
    return frame.reindex(index=dates, columns=traders).to_numpy(dtype=float)


def _capital_at_work(rows: pd.DataFrame, dates: pd.Index, traders: list[int], flows: np.ndarray) -> np.ndarray:
    """Each day's capital at work, E_{t-1} + F_t (the last known equity before the day plus that day's flow)."""
    days = pd.Index([dates[0] - timedelta(days=1), *dates])
    before = pd.DataFrame(_matrix(rows, "equity", days, traders)).ffill().to_numpy()[:-1]
    return before + np.nan_to_num(flows, nan=0.0)


def _benchmark(start: date, end: date, dates: pd.Index) -> np.ndarray | None:
    prices = series_values(code=BTC_CODE, start=start - timedelta(days=1), end=end)
    if prices.empty:
        return None
    full = prices.reindex(pd.Index([start - timedelta(days=1), *dates]))
    return full.pct_change(fill_method=None).iloc[1:].to_numpy(dtype=float)


def ranking_compute(
    *, campaign: Campaign, window: str, period: RewardPeriod | None = None, cutoff=None, now=None
) -> dict:
    """Everything a run needs, computed but not written: bounds, rules, and one row per trader.

    `now` is the publish time: the flag clearances in force then are applied.
    """
    now = now or timezone.now()
    pool = period.pool if period is not None else leaderboard_pool(campaign=campaign)
    rules = ranking_rules(campaign=campaign, pool=pool)
    cutoff = cutoff or data_cutoff(campaign=campaign)
    if cutoff is None:
        raise RankingError(f"No daily equity for the traders of {campaign.slug} yet: nothing to rank.")
    start, end = _window_bounds(campaign=campaign, window=window, period=period, cutoff=cutoff)

    enrolments = list(
        Enrollment.objects.filter(campaign=campaign)
        .exclude(status__in=HIDDEN_ENROLMENTS)
        .values_list("trader_id", "status", "submitted_at")
        .order_by("trader_id")
    )
    traders = [t for t, _, _ in enrolments]
    rows, fills, positions, exact_pnl, last_equity, trade_data = _load(
        campaign=campaign, trader_ids=traders, start=start, end=end
    )
    dates = pd.Index(pd.date_range(start, end, freq="D").date)
    before = start - timedelta(days=1)
    previous_day = rows[rows["date"] == before].set_index("trader_id") if not rows.empty else pd.DataFrame()
    window_rows = rows[rows["date"] >= start] if not rows.empty else rows
    if not window_rows.empty:
        # A step that began before the window (a sparse sample reaching back) is not the window's return.
        ends = pd.to_datetime(window_rows["date"]).to_numpy()
        began = ends - window_rows["step_days"].fillna(1).to_numpy(dtype="int64").astype("timedelta64[D]")
        window_rows = window_rows.assign(daily_return=window_rows["daily_return"].where(began >= np.datetime64(before)))

    r = _matrix(window_rows, "daily_return", dates, traders)
    steps = _matrix(window_rows, "step_days", dates, traders)
    equity = _matrix(window_rows, "equity", dates, traders)
    flows = _matrix(window_rows, "net_flow", dates, traders)
    closed = _matrix(window_rows, "closed", dates, traders)
    wins = _matrix(window_rows, "wins", dates, traders)
    m = metrics_arrays(
        r,
        closed=closed,
        wins=wins,
        benchmark=_benchmark(start, end, dates),
        step_days=steps,
        window_days=len(dates),
    )
    undefined = metrics_bound(m, **rules["coverage"])
    labels = regime_labels(start, end).reindex(dates).tolist()
    for regime in REGIMES:
        m[f"{regime}_days"], m[f"return_{regime}"] = compound_by_label(r, labels, regime)
    pnl_float = np.array([float(exact_pnl.get(t) or 0) for t in traders])
    m["pnl"] = pnl_float  # summed exactly in Decimal by the database

    # Closed positions recorded as rows count when the daily snapshots carry no counts.
    cp = np.array([positions.get(t, (0, 0)) for t in traders], dtype=float).reshape(-1, 2)
    use_rows = (m["trades"] == 0) & (cp[:, 0] > 0)
    m["trades"] = np.where(use_rows, cp[:, 0], m["trades"])
    m["win_rate"] = np.where(use_rows, cp[:, 1] / np.maximum(cp[:, 0], 1), m["win_rate"])
    fill_counts = np.array([fills.get(t, 0) for t in traders], dtype=float)

    # Capital at work: equity before the window (or on a newcomer's first day) plus money moved in after it.
    seen = ~np.isnan(equity)
    opening = np.array(
        [float(previous_day.at[t, "equity"]) if t in previous_day.index else np.nan for t in traders], dtype=float
    )
    first_row = np.argmax(seen, axis=0)
    first_equity = equity[first_row, np.arange(len(traders))] if len(traders) and len(dates) else np.zeros(0)
    positive = np.clip(np.nan_to_num(flows, nan=0.0), 0, None)
    from_first = np.where(np.isnan(opening), positive[first_row, np.arange(len(traders))], 0.0) if len(traders) else 0
    capital = np.where(np.isnan(opening), first_equity, opening) + positive.sum(axis=0) - from_first

    fr = rules["flags"]
    tiny, roi_on_floor = flag_rules.tiny_capital_high_roi(
        roi=m["roi"], pnl=pnl_float, capital=capital, **fr["tiny_capital"]
    )
    late, late_fraction = flag_rules.large_deposit_before_end(
        flows=flows, equity=equity, opening_equity=opening, **fr["late_deposit"]
    )
    has_trades = np.array([t in trade_data for t in traders], dtype=bool)
    # Without any trade record the flag cannot tell "no trade" from "trades not reported": equity-only records
    # are ranked on what they have (and say so) instead of all being held back.
    no_fills = has_trades & flag_rules.no_fills_behind_equity(
        roi=m["roi"], evidence=m["trades"] + fill_counts, min_abs_roi=fr["no_fills"]["min_abs_roi"]
    )
    by_roi = np.argsort(-np.nan_to_num(m["roi"], nan=-np.inf), kind="stable")[: fr["mirror"]["max_candidates"]]
    pairs = flag_rules.mirror_pairs(
        r,
        candidates=by_roi,
        min_correlation=fr["mirror"]["min_correlation"],
        min_overlap_days=fr["mirror"]["min_overlap_days"],
    )
    flags: list[list[dict]] = [[] for _ in traders]
    for i in np.flatnonzero(tiny):
        flags[i].append(
            {
                "code": "tiny_capital_high_roi",
                "capital": round(float(capital[i]), 2),
                "roi_on_floor": db_value(roi_on_floor[i]),
            }
        )
    for i in np.flatnonzero(late):
        flags[i].append({"code": "large_deposit_before_end", "fraction": db_value(late_fraction[i])})
    for i in np.flatnonzero(no_fills):
        flags[i].append({"code": "no_fills_behind_equity"})
    uids = dict(
        LeadTrader.objects.filter(pk__in=[traders[k] for p in pairs for k in p[:2]]).values_list("pk", "exchange_uid")
    )
    for i, j, corr in pairs:
        for me, other in ((i, j), (j, i)):
            flags[me].append(
                {
                    "code": "mirror_returns",
                    "with_trader_id": traders[other],
                    "with_exchange_uid": uids.get(traders[other]),
                    "correlation": round(corr, 6),
                }
            )

    clearances = flag_clearances_in_force(campaign=campaign, at=now)
    for trader_id, raised in zip(traders, flags, strict=True):
        for flag in raised:
            review = clearances.get((trader_id, flag["code"]))
            if review is not None:
                flag["cleared"] = {
                    "review_id": review.pk,
                    "reviewed_at": review.reviewed_at.isoformat(),
                    "expires_at": review.expires_at.isoformat() if review.expires_at else None,
                }

    # Issue 13: what copiers need to decide (confidence, copier outcome, capacity), from the same returns.
    m.update(decision_figures.confidence_figures(r, rules=rules))
    m.update(
        decision_figures.copier_figures(
            r,
            dates=dates,
            trader_ids=traders,
            capital=_capital_at_work(rows, dates, traders, flows),
            zone=campaign.zone,
            rules=rules,
        )
    )
    own_capital = np.array([float(last_equity[t]) if t in last_equity else np.nan for t in traders], dtype=float)
    reported = decision_figures.capacity_figures(trader_ids=traders, end=end, own_capital=own_capital)
    m["skin_in_game"], m["profit_share_rate"] = reported.pop("skin_in_game"), reported.pop("profit_share_rate")

    table = pd.DataFrame({"trader_id": traders})
    table["approved"] = [status == Enrollment.Status.APPROVED for _, status, _ in enrolments]
    table["enrolled_at"] = pd.to_datetime([submitted for _, _, submitted in enrolments], utc=True)
    table["equity"] = [float(last_equity[t]) if t in last_equity else np.nan for t in traders]
    table["trade_data"] = has_trades
    for name, values in m.items():
        table[name] = values
    table["flags"] = [sorted({f["code"] for f in flag_rules.flags_open(fl)}) for fl in flags]
    ranked = score_and_rank(table, rules)
    return {
        "rules": rules,
        "rule_version": rules_version(rules),
        "start": start,
        "end": end,
        "ranked": ranked,
        "flags": flags,
        "undefined": undefined,
        "last_equity": last_equity,
        "exact_pnl": exact_pnl,
        "reported": reported,
    }


def _explanation(*, row, flags, rules, start, end, window, period, undefined) -> dict:
    score_rules = rules["score"]
    trade_data = bool(row.get("trade_data", True))
    weights = {k: w for k, w in score_rules.get("weights", {}).items() if trade_data or k not in scoring.TRADE_METRICS}
    total = sum(weights.values()) or 1
    percentiles = {k: db_value(row.get(f"pct_{k}")) for k in weights}
    return {
        "window": {"kind": window, "start": start.isoformat(), "end": end.isoformat(), "period_id": period},
        "score": {"method": score_rules["method"], "metric": score_rules.get("metric"), "weights": weights},
        # "equity_and_flows": no trade record behind this trader, ranked on the return metrics alone.
        "basis": "trades" if trade_data else "equity_and_flows",
        # A record without a single return in the window is "no data", not low coverage.
        "low_coverage": bool(
            (row.get("days") or 0) > 0
            and np.nan_to_num(row.get("coverage"), nan=1.0) < rules["coverage"]["min_coverage"]
        ),
        "undefined": undefined,
        # The limit the track-record badge needs (leaderboard.models.Standing.track_record).
        "confidence": {"min_days": rules["confidence"]["min_days"]},
        "metrics": {k: db_value(row.get(k)) for k in [*FLOAT_METRICS, *EXPLAINED_COUNTS]},
        "percentiles": percentiles,
        "contributions": {k: (None if p is None else 100.0 * weights[k] * p / total) for k, p in percentiles.items()},
        "eligibility": {
            "floors": {k: v for k, v in rules["eligibility"].items()},
            "values": {
                "approved": bool(row["approved"]),
                "equity": db_value(row["equity"]),
                "trades": db_value(row["trades"]),
                "active_days": db_value(row["active_days"]),
            },
            "reasons": list(row["reasons"]),
            # Flags an operator cleared: shown, not counted (FlagReview).
            "cleared_flags": list(
                {f["code"]: {"code": f["code"], **f["cleared"]} for f in flag_rules.flags_cleared(flags)}.values()
            ),
        },
        "tie_break": TIE_BREAKS,
    }


@transaction.atomic
def ranking_run_publish(
    *, campaign: Campaign, window: str, period: RewardPeriod | None = None, cutoff: date | None = None, now=None
) -> RankingRun:
    """Compute and publish one run with all its Standings; any failure leaves nothing behind.

    One run per campaign, window and period at a time: while another transaction publishes the same target this one
    raises RankingBusy at once (it would only publish the same standings again milliseconds later).
    """
    now = now or timezone.now()
    if not _ranking_target_lock(campaign=campaign, window=window, period=period):
        raise RankingBusy(
            _(
                "Another ranking of %(campaign)s (%(window)s) is being published right now, so this one stopped "
                "without publishing. Run it again once that one has finished."
            )
            % {"campaign": campaign.slug, "window": window if period is None else f"{window} #{period.index}"}
        )
    result = ranking_compute(campaign=campaign, window=window, period=period, cutoff=cutoff, now=now)
    ranked, rules = result["ranked"], result["rules"]
    run = RankingRun.objects.create(
        campaign=campaign,
        window=window,
        period=period,
        start_date=result["start"],
        end_date=result["end"],
        status=RankingRun.Status.COMPUTING,
        rule_version=result["rule_version"],
        rules=rules,
        trader_count=len(ranked),
    )
    previous = (
        RankingRun.objects.filter(campaign=campaign, window=window, period=period, status=RankingRun.Status.PUBLISHED)
        .exclude(pk=run.pk)
        .order_by("-published_at", "-id")
        .first()
    )
    previous_ranks = dict(previous.standings.values_list("trader_id", "rank")) if previous else {}
    standings = []
    undefined = result["undefined"]
    for index, (row, fl) in enumerate(zip(ranked.to_dict("records"), result["flags"], strict=True)):
        trader_id = int(row["trader_id"])
        rank = None if np.isnan(row["rank"]) else int(row["rank"])
        pnl = result["exact_pnl"].get(trader_id)
        standings.append(
            Standing(
                run=run,
                trader_id=trader_id,
                rank=rank,
                previous_rank=previous_ranks.get(trader_id),
                score=db_value(row["score"]),
                eligible=bool(row["eligible"]),
                ineligible_reasons=list(row["reasons"]),
                flags=fl,
                equity=result["last_equity"].get(trader_id),
                pnl=pnl if pnl is not None else Decimal(0),
                trades=int(row["trades"] or 0),
                active_days=int(row["active_days"] or 0),
                explanation=_explanation(
                    row=row,
                    flags=fl,
                    rules=rules,
                    start=result["start"],
                    end=result["end"],
                    window=window,
                    period=period.pk if period else None,
                    undefined={k: why[index] for k, why in undefined.items() if why[index]},
                ),
                **{k: db_value(row[k]) for k in FLOAT_METRICS},
                **{k: values[index] for k, values in result["reported"].items()},
            )
        )
    Standing.objects.bulk_create(standings, batch_size=1000)
    run.status = RankingRun.Status.PUBLISHED
    run.published_at = now
    run.save(update_fields=["status", "published_at"])
    ranking_published.send(sender=RankingRun, run=run)  # web's cached pages switch to it once it is committed
    audit_record(
        action="ranking.published",
        target=run,
        campaign=campaign,
        data={
            "window": window,
            "period": period.pk if period else None,
            "traders": len(standings),
            "rule_version": run.rule_version,
        },
    )
    return run


def ranking_targets(*, campaign: Campaign, windows=None, include_closed_periods: bool = False, now=None):
    """(window, period) pairs to rank: the rolling windows and each started period of the leaderboard pool."""
    now = now or timezone.now()
    windows = list(windows or [*ROLLING_DAYS, RankingRun.Window.PERIOD])
    targets = [(w, None) for w in windows if w in ROLLING_DAYS]
    if RankingRun.Window.PERIOD in windows:
        pool = leaderboard_pool(campaign=campaign)
        if pool is not None:
            periods = pool.periods.filter(starts_at__lte=now).order_by("starts_at")
            if not include_closed_periods:
                periods = periods.filter(status=RewardPeriod.Status.OPEN)
            targets += [(RankingRun.Window.PERIOD, p) for p in periods]
    return targets


def rankings_publish(
    *, campaigns=None, windows=None, include_closed_periods: bool = False, now=None, progress=None
) -> tuple[list[RankingRun], list[str]]:
    """Publish every target of every campaign, each run in its own transaction. Returns (runs, skipped reasons)."""
    now = now or timezone.now()
    campaigns = list(campaigns if campaigns is not None else Campaign.objects.filter(starts_at__lte=now))
    jobs = [
        (c, w, p)
        for c in campaigns
        for w, p in ranking_targets(campaign=c, windows=windows, include_closed_periods=include_closed_periods, now=now)
    ]
    runs, skipped = [], []
    for campaign, window, period in progress(jobs) if progress else jobs:
        try:
            runs.append(ranking_run_publish(campaign=campaign, window=window, period=period, now=now))
        except RankingError as exc:
            skipped.append(f"{campaign.slug} {window}{f' #{period.index}' if period else ''}: {exc}")
    return runs, skipped
