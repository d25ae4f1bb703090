"""Demo seeding for traders and their performance (called by seed_demo). Deterministic and idempotent.

The simulated population goes through the same write path as real data (services.equity.daily_equity_upsert).
"""

from datetime import timedelta

from django.utils import timezone

from campaigns.models import Campaign
from demo.exchange_simulation import simulate_exchange_events
from demo.simulation import simulate_population
from leaderboard.models import RankingRun
from leaderboard.services.ranking import (
    ROLLING_DAYS,
    RankingError,
    data_cutoff,
    period_days,
    ranking_run_publish,
    ranking_targets,
)
from traders.models import DailyEquity, ExchangeAccount, LeadTrader
from traders.services.equity import daily_equity_upsert
from traders.services.ingestion import closed_positions_upsert, fills_upsert, ledger_entries_upsert

DEMO_SEED = 20260212
DEMO_TRADERS = 240
DEMO_DAYS = 365


def demo_population(*, today=None):
    end = (today or timezone.now().date()) - timedelta(days=1)
    return simulate_population(count=DEMO_TRADERS, end=end, days=DEMO_DAYS, seed=DEMO_SEED)


def seed_traders(*, population) -> list[LeadTrader]:
    traders = []
    for sim in population:
        trader, _ = LeadTrader.objects.update_or_create(
            exchange_uid=sim.exchange_uid,
            defaults=dict(
                display_name=sim.display_name,
                exchange="gate",
                email=f"{sim.exchange_uid.lower()}@demo.starboard.local",
                profile_url=f"https://www.gate.com/copytrading/lead-trader/{sim.exchange_uid}",
                bio=f"Simulated {sim.style} trader for the demo.",
                status=LeadTrader.Status.ACTIVE,
                is_simulated=True,
                preferred_language="zh-hans" if sim.exchange_uid[-1] in "02468" else "en",
            ),
        )
        traders.append(trader)
    return traders


def seed_performance(*, table) -> int:
    ids = dict(
        LeadTrader.objects.filter(exchange_uid__in=table["exchange_uid"].unique()).values_list("exchange_uid", "id")
    )
    rows = table.assign(trader_id=table["exchange_uid"].map(ids)).drop(columns=["exchange_uid"])
    return daily_equity_upsert(rows=rows.to_dict("records"), source=DailyEquity.Source.SIMULATED)


def seed_rankings(*, now=None) -> str:
    """Published runs for 7d/30d/90d (plus one a day earlier, so rank changes show) and every started
    leaderboard period of every campaign, through the same service as production. Runs that already exist for the
    same window and cutoff are left alone, so a second seed adds nothing."""
    now = now or timezone.now()
    published = skipped = 0
    for campaign in Campaign.objects.filter(starts_at__lte=now).order_by("starts_at"):
        cutoff = data_cutoff(campaign=campaign)
        if cutoff is None:
            skipped += 1
            continue
        jobs = [(w, None, c, now - (cutoff - c)) for w in ROLLING_DAYS for c in (cutoff - timedelta(days=1), cutoff)]
        for window, period in ranking_targets(
            campaign=campaign, windows=["period"], include_closed_periods=True, now=now
        ):
            jobs.append((window, period, min(period_days(period=period, zone=campaign.zone)[1], cutoff), now))
        for window, period, end, at in jobs:
            runs = RankingRun.objects.filter(
                campaign=campaign, window=window, period=period, end_date=end, status=RankingRun.Status.PUBLISHED
            )
            if runs.exists():
                continue
            try:
                ranking_run_publish(campaign=campaign, window=window, period=period, cutoff=end, now=at)
                published += 1
            except RankingError:
                skipped += 1
    return f"{published} ranking runs published ({skipped} skipped)"


DEMO_EXCHANGE_EVERY = 10  # every tenth simulated trader gets a (simulated) exchange account
DEMO_EXCHANGE_DAYS = 30


def seed_exchange_data(*, table, every: int = DEMO_EXCHANGE_EVERY, days: int = DEMO_EXCHANGE_DAYS) -> str:
    """Give some simulated traders an exchange account and feed their simulated fills, closed positions and ledger
    through the ingestion's own upserts (the same functions a real ccxt page goes through). Idempotent: the ids are
    stable, so a second run inserts nothing. The accounts hold no API key, so the dispatcher never calls the exchange.
    """
    uids = sorted(table["exchange_uid"].unique())[::every]
    traders = {t.exchange_uid: t for t in LeadTrader.objects.filter(exchange_uid__in=uids)}
    recent = table[table["date"] >= table["date"].max() - timedelta(days=days - 1)]
    counts = [0, 0, 0]
    for uid in uids:
        trader = traders.get(uid)
        if trader is None:
            continue
        account, _ = ExchangeAccount.objects.get_or_create(
            trader=trader, label="Simulated (demo)", defaults={"exchange_id": "gate"}
        )
        events = simulate_exchange_events(uid=uid, days=recent[recent["exchange_uid"] == uid], seed=DEMO_SEED)
        counts[0] += fills_upsert(account=account, trades=events.trades)
        counts[1] += closed_positions_upsert(account=account, positions=events.positions)
        counts[2] += ledger_entries_upsert(account=account, entries=events.ledger)
    return (
        f"{len(uids)} simulated exchange accounts: {counts[0]} new fills, {counts[1]} closed positions, "
        f"{counts[2]} ledger entries"
    )
