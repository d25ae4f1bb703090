"""Builders for the results tests: phase 2's first month ranked from generated daily equity and paid, approved by
a second operator (which publishes the bundle), plus a content batch. Everything through the project's services."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
from django.contrib.auth.models import User

from campaigns.models import Enrollment, RewardPool
from leaderboard.models import RankingRun
from leaderboard.services.ranking import ranking_run_publish
from regime.models import MarketSeries, Observation
from regime.selectors import BTC_CODE
from rewards.services.payouts import payout_batch_approve, payout_batch_calculate
from tests.factories import LeadTraderFactory
from tests.payouts_helpers import content_batch, period_of, phase2, post, sh, staff, trader
from tests.test_ranking import _trader as equity_trader  # daily equity from returns and flows
from traders.models import DailyEquity
from traders.services.equity import daily_equity_upsert

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST_DAY = date(2026, 2, 1)
DAYS = 30
NOW = datetime(2026, 3, 3, 4, 0, tzinfo=UTC)


def btc_series(seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    series = MarketSeries.objects.create(code=BTC_CODE, name="BTC/USDT")
    price, rows = 68_000.0, []
    for i in range(DAYS + 1):
        rows.append(Observation(series=series, date=FIRST_DAY - timedelta(days=1) + timedelta(days=i), value=price))
        price = round(price * (1 + rng.normal(0, 0.02)), 2)
    Observation.objects.bulk_create(rows)


def operators():
    """Two operators (four eyes): one calculates, the other approves; the same two on every call."""
    existing = {u.username: u for u in User.objects.filter(username__in=["calc", "approver"])}
    calculator = existing.get("calc") or staff("calc", "change_payoutbatch")
    approver = existing.get("approver") or staff("approver", "approve_payoutbatch")
    return calculator, approver


def shaped_trader(uid: str, rows: list[tuple[int, float, float, float | None]], *, closed: int | None = None):
    """A trader from (day, equity, net flow, weighted flow or None) rows, day 1 = FIRST_DAY; only those days have
    a row."""
    trader = LeadTraderFactory(display_name=uid, exchange_uid=uid, active=True)
    daily_equity_upsert(
        rows=[
            {
                "trader_id": trader.pk,
                "date": FIRST_DAY + timedelta(days=day - 1),
                "equity": Decimal(repr(equity)),
                "net_flow": Decimal(repr(flow)),
                "weighted_flow": None if weighted is None else Decimal(repr(weighted)),
                "closed_positions": closed,
                "winning_positions": None if closed is None else closed // 2,
            }
            for day, equity, flow, weighted in rows
        ],
        source=DailyEquity.Source.SIMULATED,
    )
    return trader


def shaped_traders(rng) -> list:
    """Issue 18's shapes: a sparse, equity-only record sampled every 3 to 9 days (multi-day steps, one reaching
    back before the period's first day, the 13th: low coverage); a trader who withdraws nearly everything
    mid-period, with the ledger's flow weight; a dust account (returns undefined); an equity-only daily record."""
    days = [1, 8, 11, 20, 23, 27]
    level, sparse = 6_000.0, []
    for day in days:
        level = round(level * (1 + rng.normal(0.01, 0.03)), 2)
        sparse.append((day, level, 0.0, None))
    withdrawing, level = [], 40_000.0
    for day in range(1, 29):
        flow = -38_000.0 if day == 18 else 0.0
        level = round((level + flow) * (1 + rng.normal(0.004, 0.02)), 2) if day > 1 else level
        withdrawing.append((day, level, flow, -9_500.0 if day == 18 else None))
    dust = [(day, round(0.4 + 0.01 * (day % 3), 2), 0.0, None) for day in range(1, 29)]
    level, equity_only = 3_000.0, []
    for day in range(1, 29):
        level = round(level * (1 + rng.normal(0.003, 0.015)), 2) if day > 1 else level
        equity_only.append((day, level, 0.0, None))
    return [
        shaped_trader("UID-SPARSE", sparse),
        shaped_trader("UID-WITHDRAW", withdrawing, closed=2),
        shaped_trader("UID-DUST", dust),
        shaped_trader("UID-EQUITY", equity_only),
    ]


def leaderboard_world(*, traders: int = 14, seed: int = 11, pool_rules: dict | None = None, shapes: bool = False):
    """Phase 2 with `traders` generated traders (one with a mid-month deposit, one pending, one tiny) ranked for
    the first month, and with `shapes` issue 18's shapes (shaped_traders). Returns (campaign, period)."""
    campaign = phase2()
    if pool_rules:
        pool = campaign.pools.get(kind=RewardPool.Kind.LEADERBOARD)
        pool.rules = {**pool.rules, **pool_rules}
        pool.save(update_fields=["rules"])
    btc_series()
    rng = np.random.default_rng(seed)
    for i in range(traders):
        returns = rng.normal(0.002 * (i % 5), 0.02 + 0.002 * i, DAYS)
        if i == 5:  # a tiny account with a huge return: flagged, not ranked
            returns = rng.normal(0.05, 0.002, DAYS)
        flows = {date(2026, 2, 20): 25_000.0} if i == 3 else None
        capital = 150.0 if i == 5 else 5_000.0 + 1_000 * i
        trader = equity_trader(f"UID{i:03d}", returns, capital=capital, flows=flows, closed=0 if i == 7 else 3)
        status = Enrollment.Status.PENDING if i == 9 else Enrollment.Status.APPROVED
        Enrollment.objects.create(
            campaign=campaign, trader=trader, status=status, submitted_at=datetime(2026, 2, 13, 19, i, tzinfo=SHANGHAI)
        )
    for i, trader in enumerate(shaped_traders(rng) if shapes else []):
        Enrollment.objects.create(
            campaign=campaign,
            trader=trader,
            status=Enrollment.Status.APPROVED,
            submitted_at=datetime(2026, 2, 13, 20, i, tzinfo=SHANGHAI),
        )
    period = period_of(campaign, RewardPool.Kind.LEADERBOARD, 1)
    ranking_run_publish(campaign=campaign, window=RankingRun.Window.PERIOD, period=period, now=NOW)
    return campaign, period


def approved_leaderboard_batch(**kwargs):
    """The first month's leaderboard batch, calculated by one operator and approved by another (publishing it)."""
    campaign, period = leaderboard_world(**kwargs)
    calculator, approver = operators()
    batch = payout_batch_calculate(period=period, actor=calculator, now=NOW)
    return payout_batch_approve(batch_id=batch.pk, actor=approver)


def approved_content_batch():
    """Phase 2's first content batch: two eligible traders and one with too few posts (listed, not ranked)."""
    calculator, approver = operators()
    campaign = phase2()
    few = trader("C3", campaign=campaign)
    for day in (13, 14):
        post(campaign, few, sh(2026, 2, day, 10), views=5000)
    batch = content_batch(("C1", "C2"), actor=calculator)
    return payout_batch_approve(batch_id=batch.pk, actor=approver)
