"""Deterministic fixture data for the public pages, API tests and bench/bench_pages.py.

Until the ranking work publishes runs through its own service, rows are written directly: a campaign from
demo.campaigns, N traders, two published runs per window (so rank change has a previous run), daily equity for
a few traders, posts and an approved payout.
"""

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from campaigns.models import Campaign, Post, RewardPeriod, RewardPool
from campaigns.services.periods import reward_periods_ensure
from demo.campaigns import seed_campaigns
from leaderboard.models import RankingRun, Standing
from rewards.models import Payout, PayoutBatch
from traders.models import DailyEquity, LeadTrader

WINDOW_DAYS = {"7d": 7, "30d": 30, "90d": 90, "period": 30}


def build_board(*, traders: int = 40, equity_traders: int = 3, seed: int = 7, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    rng = random.Random(seed)
    _phase2, campaign = seed_campaigns(now=now)
    reward_periods_ensure(campaign=campaign)
    people = LeadTrader.objects.bulk_create(
        [
            LeadTrader(
                display_name=f"{rng.choice(['Aurora', 'Bolt', 'Cobalt', 'Delta', 'Ember', 'Falcon'])} {i:05d}",
                exchange_uid=f"UID{i:07d}",
                email=f"t{i}@pages.test",
                status=LeadTrader.Status.ACTIVE,
                is_simulated=True,
                bio="Trend follower on BTC and ETH perpetuals.",
            )
            for i in range(traders)
        ]
    )
    runs = {}
    end = now.date() - timedelta(days=1)
    for window, days in WINDOW_DAYS.items():
        previous_ranks: dict[int, int] = {}
        for offset in (1, 0):  # the older run first, so the latest has previous ranks
            run = RankingRun.objects.create(
                campaign=campaign,
                window=window,
                start_date=end - timedelta(days=days + offset),
                end_date=end - timedelta(days=offset),
                status=RankingRun.Status.PUBLISHED,
                published_at=now - timedelta(hours=offset * 6 + 1),
                rule_version="test-1",
                trader_count=len(people),
            )
            runs[window] = run
            publish_standings(run=run, traders=people, rng=rng, previous_ranks=previous_ranks)
            previous_ranks = dict(Standing.objects.filter(run=run, rank__isnull=False).values_list("trader_id", "rank"))
    for trader in people[:equity_traders]:
        equity_for(trader=trader, end=end, days=120, rng=rng)
    _posts_and_payouts(campaign=campaign, traders=people[:6], now=now)
    return {"campaign": campaign, "traders": people, "runs": runs}


def publish_standings(*, run: RankingRun, traders, rng: random.Random, previous_ranks: dict | None = None) -> None:
    """Score every trader at random; every 9th is ineligible, every 13th flagged; ranks by score."""
    rows = []
    for i, trader in enumerate(traders):
        eligible = i % 9 != 8
        roi = rng.uniform(-0.3, 0.9)
        rows.append(
            Standing(
                run=run,
                trader=trader,
                eligible=eligible,
                ineligible_reasons=[] if eligible else ["Equity below the 100 USDT floor"],
                flags=["Large deposit shortly before the period end"] if i % 13 == 12 else [],
                score=rng.random(),
                equity=Decimal(rng.randint(100, 200_000)),
                pnl=Decimal(rng.randint(-5_000, 50_000)) + Decimal("0.25"),
                roi=roi,
                max_drawdown=-rng.uniform(0.01, 0.5),
                volatility=rng.uniform(0.1, 1.5),
                sharpe=rng.uniform(-1, 4),
                sortino=rng.uniform(-1, 6),
                calmar=rng.uniform(-1, 8),
                win_rate=rng.uniform(0.3, 0.8),
                profit_factor=rng.uniform(0.5, 3),
                trades=rng.randint(1, 400),
                active_days=rng.randint(1, 30),
                excess_return_vs_btc=roi - 0.05,
                beta=rng.uniform(0, 1.5),
                explanation=_explanation(roi=roi, rng=rng),
            )
        )
    ranked = sorted((s for s in rows if s.eligible), key=lambda s: -s.score)
    for rank, standing in enumerate(ranked, start=1):
        standing.rank = rank
        standing.previous_rank = (previous_ranks or {}).get(standing.trader.pk)
    Standing.objects.bulk_create(rows, batch_size=2000)


def _explanation(*, roi: float, rng: random.Random) -> dict:
    """The shape leaderboard.services.ranking stores: weights x percentiles x 100 = points."""
    weights = {"roi": 0.6, "max_drawdown": 0.4}
    percentiles = {"roi": rng.random(), "max_drawdown": rng.random()}
    return {
        "score": {"method": "percentile_blend", "metric": None, "weights": weights},
        "metrics": {"roi": roi, "max_drawdown": -0.1},
        "percentiles": percentiles,
        "contributions": {k: 100 * weights[k] * percentiles[k] for k in weights},
        "eligibility": {"floors": {"min_equity": 100.0}, "values": {"equity": 5000.0}, "reasons": []},
        "tie_break": ["score", "pnl", "enrolled_at", "trader_id"],
    }


def equity_for(*, trader: LeadTrader, end: date, days: int, rng: random.Random) -> None:
    uv, rows = 1.0, []
    for k in range(days):
        uv *= 1 + rng.gauss(0.002, 0.02)
        rows.append(
            DailyEquity(
                trader=trader,
                date=end - timedelta(days=days - 1 - k),
                equity=Decimal(f"{1000 * uv:.2f}"),
                unit_value=Decimal(f"{uv:.10f}"),
                daily_return=Decimal("0"),
                source=DailyEquity.Source.SIMULATED,
            )
        )
    DailyEquity.objects.bulk_create(rows)


def _posts_and_payouts(*, campaign: Campaign, traders, now: datetime) -> None:
    for i, trader in enumerate(traders):
        Post.objects.create(
            campaign=campaign,
            trader=trader,
            url=f"https://www.gate.com/post/{trader.exchange_uid}",
            text=f"BTC long from 91k with a stop at 88k; position sized at 2x leverage. Note {i}.",
            published_at=now - timedelta(hours=i + 1),
            status=Post.Status.QUALITY,
            is_featured=i % 2 == 0,
            is_home_page=i == 1,
            views=1000 + i,
            likes=10 * i,
        )
    pool = RewardPool.objects.get(campaign=campaign, kind=RewardPool.Kind.FIRST_POST)
    period = RewardPeriod.objects.filter(pool=pool).order_by("starts_at").first()
    batch = PayoutBatch.objects.create(period=period, calculated_at=now)
    Payout.objects.create(
        batch=batch,
        period=period,
        trader=traders[0],
        **Payout.payee_of(traders[0]),
        reason=Payout.Reason.FIRST_POST,
        amount=Decimal("30.00"),
        reward_form=RewardPool.RewardForm.TRIAL_FUND,
    )
    # Lines are frozen once a batch is approved, so approve after writing them.
    PayoutBatch.objects.filter(pk=batch.pk).update(status=PayoutBatch.Status.APPROVED, approved_at=now)


def publish_new_run(*, campaign: Campaign, window: str, traders, seed: int = 99) -> RankingRun:
    """A newer published run for one window (what the ranking service does, minus the metrics)."""
    latest = RankingRun.objects.filter(campaign=campaign, window=window, status="published").first()
    previous = dict(Standing.objects.filter(run=latest, rank__isnull=False).values_list("trader_id", "rank"))
    run = RankingRun.objects.create(
        campaign=campaign,
        window=window,
        start_date=latest.start_date + timedelta(days=1),
        end_date=latest.end_date + timedelta(days=1),
        status=RankingRun.Status.PUBLISHED,
        published_at=max(timezone.now(), latest.published_at + timedelta(seconds=1)),
        trader_count=len(traders),
    )
    publish_standings(run=run, traders=traders, rng=random.Random(seed), previous_ranks=previous)
    # As the ranking service does once its transaction commits (tests run inside one that never commits).
    from web.board_cache import board_state_refresh

    board_state_refresh(campaign=campaign, window=window)
    return run
