"""seed_exchange_data: simulated exchange events go through the ingestion's upserts and agree with daily equity."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import Count, Q, Sum

from demo.simulation import simulate_population
from demo.traders import seed_exchange_data, seed_performance, seed_traders
from traders.models import ClosedPosition, DailyEquity, ExchangeAccount, Fill, LedgerEntry


@pytest.fixture
def population(db):
    population, table = simulate_population(count=12, end=date(2026, 2, 20), days=40, seed=7)
    seed_traders(population=population)
    seed_performance(table=table)
    return table


def test_simulated_exchange_data_is_fed_through_the_upserts_and_is_idempotent(population):
    summary = seed_exchange_data(table=population, every=4, days=20)
    assert summary.startswith("3 simulated exchange accounts")
    accounts = ExchangeAccount.objects.filter(label="Simulated (demo)")
    assert accounts.count() == 3 and not any(a.has_credentials for a in accounts)  # never dispatched
    counts = (Fill.objects.count(), ClosedPosition.objects.count(), LedgerEntry.objects.count())
    assert counts[0] == 2 * counts[1] > 0  # each position opened and closed by a fill

    assert "0 new fills, 0 closed positions, 0 ledger entries" in seed_exchange_data(table=population, every=4, days=20)
    assert (Fill.objects.count(), ClosedPosition.objects.count(), LedgerEntry.objects.count()) == counts


def test_simulated_positions_and_flows_match_the_daily_table(population):
    seed_exchange_data(table=population, every=4, days=20)
    for account in ExchangeAccount.objects.filter(label="Simulated (demo)"):
        start = DailyEquity.objects.filter(trader=account.trader).latest("date").date - timedelta(days=19)
        days = DailyEquity.objects.filter(trader=account.trader, date__gte=start)
        per_day = {
            row["closed_at__date"]: (row["n"], row["w"])
            for row in ClosedPosition.objects.filter(account=account)
            .values("closed_at__date")
            .annotate(n=Count("id"), w=Count("id", filter=Q(realized_pnl__gt=0)))
        }
        for day in days:
            closed, wins = per_day.get(day.date, (0, 0))
            assert closed == day.closed_positions
            assert wins <= day.winning_positions  # a simulated "win" can round to zero pnl
        flows = LedgerEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] or Decimal(0)
        assert flows == sum((d.net_flow for d in days), Decimal(0))
