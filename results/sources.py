"""What a payout batch was decided from, read from the other apps: the only module of `results` that reads their
data (bundle.py borrows campaigns' CSV cell neutraliser; api.py leaderboard's API conventions).

Everything here reads (HackSoft selectors); a later move of a model or a service changes this file alone. The
values come from what was frozen where the project froze them: the batch and its lines, the ranking run the batch
cites with its rules and standings (metrics, eligibility values and flags as the run saw them), the lines'
explanations for the content and first-post pools, and the daily equity rows behind the run's window.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pandas as pd

from campaigns.models import Campaign, Enrollment, RewardPool
from core.models import AuditEvent
from leaderboard.flags import flags_open
from regime.selectors import BTC_CODE, series_values
from results.verify_results import DECISION_METRICS
from rewards.models import Payout, PayoutBatch
from traders.models import DailyEquity, LeadTrader
from traders.selectors import closed_position_counts

KIND_LEADERBOARD = RewardPool.Kind.LEADERBOARD
KIND_CONTENT = RewardPool.Kind.CONTENT
KIND_FIRST_POST = RewardPool.Kind.FIRST_POST
PUBLISHED_STATUSES = [PayoutBatch.Status.APPROVED, PayoutBatch.Status.PAID]


def batch_for_results(*, batch_id: int) -> PayoutBatch:
    """The batch with what its page needs; raises PayoutBatch.DoesNotExist."""
    return PayoutBatch.objects.select_related("period__pool__campaign", "ranking_run").get(pk=batch_id)


def batches_published_without_bundle(*, bundled_ids) -> list[PayoutBatch]:
    """Approved or paid batches with no bundle yet (approved before results existed, or a publish that failed)."""
    return list(
        PayoutBatch.objects.filter(status__in=PUBLISHED_STATUSES)
        .exclude(pk__in=bundled_ids)
        .select_related("period__pool__campaign")
        .order_by("approved_at", "id")
    )


def campaign_locked(*, campaign_id: int) -> Campaign:
    """The campaign row locked for the rest of the transaction: one bundle of a campaign is chained at a time."""
    return Campaign.objects.select_for_update().get(pk=campaign_id)


def campaign_public(*, slug: str) -> Campaign | None:
    return Campaign.objects.filter(slug=slug).first()


def payout_lines(*, batch: PayoutBatch) -> list[dict]:
    """The batch's lines as frozen: whom each pays (payee UID and name), rank, score, amount and the explanation."""
    return list(
        batch.lines.order_by("rank", "trader_id", "id").values(
            "id",
            "trader_id",
            "payee_exchange",
            "payee_uid",
            "payee_name",
            "rank",
            "score",
            "amount",
            "currency",
            "reward_form",
            "reason",
            "explanation",
        )
    )


def trader_payout_line_ids(*, trader_id: int, batch_ids) -> dict[int, int]:
    """{batch id: line id} of a trader's lines in these batches (the trader's own lines link to the bundle)."""
    return dict(Payout.objects.filter(trader_id=trader_id, batch_id__in=batch_ids).values_list("batch_id", "id"))


def _calculation_notes(batch: PayoutBatch) -> dict:
    event = (
        AuditEvent.objects.filter(
            target_type=PayoutBatch._meta.label_lower,
            target_id=str(batch.pk),
            action__in=["payout_batch.calculated", "payout_batch.recalculated"],
        )
        .order_by("-id")
        .first()
    )
    return event.data if event is not None else {}


def content_standings(*, batch: PayoutBatch, lines: list[dict]) -> list[dict]:
    """Per trader the content pool's inputs: eligible ones from their lines, ineligible ones from the notes of the
    calculation that produced the lines (posts and days only: they were not ranked)."""
    rows = [
        {
            "trader_id": line["trader_id"],
            "posts": line["explanation"].get("posts"),
            "days": line["explanation"].get("days"),
            "exposure": line["explanation"].get("exposure"),
            "engagement": line["explanation"].get("engagement"),
            "copy_volume": line["explanation"].get("copy_volume"),
            "eligible": True,
            "score": line["score"],
            "rank": line["rank"],
        }
        for line in lines
    ]
    for trader_id, counts in (_calculation_notes(batch).get("ineligible") or {}).items():
        rows.append({"trader_id": int(trader_id), **counts, "eligible": False, "score": None, "rank": None})
    return rows


def first_post_standings(*, lines: list[dict]) -> list[dict]:
    return [
        {
            "trader_id": line["trader_id"],
            "post_id": line["explanation"].get("post_id"),
            "post_url": line["explanation"].get("post_url"),
            "qualified_at": line["explanation"].get("qualified_at"),
            "rank": line["rank"],
        }
        for line in lines
    ]


def traders_public(*, trader_ids) -> dict[int, dict]:
    """{trader id: exchange, exchange_uid, display_name}: what the public leaderboard shows of each trader."""
    return {
        row["id"]: row
        for row in LeadTrader.objects.filter(pk__in=list(trader_ids)).values(
            "id", "exchange", "exchange_uid", "display_name"
        )
    }


def _local_midnight(day: date, zone) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def ranking_inputs(*, batch: PayoutBatch) -> dict:
    """The ranking run the batch was paid from: its rules and window, every standing, the daily rows of the window
    (and the day before it), closed positions recorded as rows, the BTC benchmark and the enrolment times."""
    run = batch.ranking_run
    campaign = batch.period.pool.campaign
    standings = list(
        run.standings.order_by("trader_id").values(
            "trader_id",
            "rank",
            "score",
            "eligible",
            "ineligible_reasons",
            "flags",
            "pnl",
            "explanation",
            *DECISION_METRICS,
        )
    )
    trader_ids = [s["trader_id"] for s in standings]
    for s in standings:
        s["open_flags"] = sorted({f["code"] for f in flags_open(s["flags"]) if isinstance(f, dict)})
    daily = list(
        DailyEquity.objects.filter(
            trader_id__in=trader_ids, date__gte=run.start_date - timedelta(days=1), date__lte=run.end_date
        )
        .order_by("trader_id", "date")
        .values(
            "trader_id",
            "date",
            "equity",
            "net_flow",
            "weighted_flow",
            "pnl",
            "step_days",
            "daily_return",
            "unit_value",
            "closed_positions",
            "winning_positions",
        )
    )
    since = _local_midnight(run.start_date, campaign.zone)
    until = _local_midnight(run.end_date + timedelta(days=1), campaign.zone)
    recorded = closed_position_counts(trader_ids=trader_ids, since=since, until=until)
    dates = list(pd.date_range(run.start_date, run.end_date, freq="D").date)
    prices = series_values(code=BTC_CODE, start=run.start_date - timedelta(days=1), end=run.end_date)
    benchmark = []
    if not prices.empty:
        changes = prices.reindex(pd.Index([run.start_date - timedelta(days=1), *dates])).pct_change(fill_method=None)
        benchmark = [
            (day, None if pd.isna(value) else float(value)) for day, value in zip(dates, changes.iloc[1:], strict=True)
        ]
    enrolled = dict(
        Enrollment.objects.filter(campaign=campaign, trader_id__in=trader_ids).values_list("trader_id", "submitted_at")
    )
    return {
        "run": run,
        "dates": dates,
        "standings": standings,
        "daily": daily,
        "recorded_positions": recorded,
        "benchmark": benchmark,
        "enrolled_at": enrolled,
    }


def trader_id_of_user(user) -> int | None:
    """The signed-in user's lead-trader id (their own lines are marked on the results pages), or None."""
    if not user.is_authenticated:
        return None
    return LeadTrader.objects.filter(user=user).values_list("pk", flat=True).first()
