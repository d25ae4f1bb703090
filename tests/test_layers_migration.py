"""Issue 16 moved models between apps (tools/module_moves.py MODEL_MOVES) with state-only migrations: from main's
migration state, with rows in every moved table, migrating forward keeps every row and every operator's grant.

rewrite_imports: keep (this file names the old app labels on purpose).
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from core.models import AuditEvent, OutboundEmail
from leaderboard.models import RankingRun, Standing
from rewards.models import Payout, PayoutBatch
from traders.models import ClosedPosition, DailyEquity, ExchangeAccount, Fill, IngestionCursor, LeadTrader, LedgerEntry

# main's latest migrations before the move, and the apps that did not exist then.
BEFORE = [
    ("campaigns", "0010_input_bounds"),
    ("leaderboard", "0005_input_bounds"),
    ("regime", "0002_input_bounds"),
    ("core", None),
    ("traders", None),
    ("rewards", None),
]
MOVED = {
    "leadtrader": ("leaderboard", "traders"),
    "exchangeaccount": ("leaderboard", "traders"),
    "ingestioncursor": ("leaderboard", "traders"),
    "fill": ("leaderboard", "traders"),
    "closedposition": ("leaderboard", "traders"),
    "ledgerentry": ("leaderboard", "traders"),
    "dailyequity": ("leaderboard", "traders"),
    "payoutbatch": ("campaigns", "rewards"),
    "payout": ("campaigns", "rewards"),
    "auditevent": ("campaigns", "core"),
    "outboundemail": ("campaigns", "core"),
}


def _old_rows(apps) -> dict:
    """One row in each moved table, written through main's historical models, and the rows they point at."""
    model = apps.get_model
    now = timezone.now().replace(microsecond=0)
    operator = User.objects.create(username="ops", is_staff=True)  # auth, contenttypes: unchanged by the move
    trader = model("leaderboard", "LeadTrader").objects.create(
        display_name="Moved", exchange_uid="12345678", email="moved@example.com", status="active"
    )
    account = model("leaderboard", "ExchangeAccount").objects.create(trader=trader, exchange_id="gate", label="main")
    model("leaderboard", "IngestionCursor").objects.create(account=account, stream="trades", since_ms=42)
    model("leaderboard", "Fill").objects.create(
        account=account, exchange_trade_id="t1", symbol="BTC/USDT:USDT", side="buy", price=Decimal("65000.5"),
        amount=Decimal("0.01"), cost=Decimal("650.005"), timestamp=now,
    )  # fmt: skip
    model("leaderboard", "ClosedPosition").objects.create(
        account=account, exchange_position_id="p1", symbol="BTC/USDT:USDT", side="long", realized_pnl=Decimal("12.5"),
        closed_at=now,
    )  # fmt: skip
    model("leaderboard", "LedgerEntry").objects.create(
        account=account, exchange_entry_id="l1", kind="deposit", amount=Decimal("1000"), timestamp=now
    )
    model("leaderboard", "DailyEquity").objects.create(
        trader=trader, date=date(2026, 1, 2), equity=Decimal("1012.5"), net_flow=Decimal("1000")
    )
    campaign = model("campaigns", "Campaign").objects.create(
        name="Move", slug="move", time_zone="UTC", registration_opens_at=now - timedelta(days=30),
        registration_closes_at=now + timedelta(days=30), starts_at=now - timedelta(days=20),
        ends_at=now + timedelta(days=20),
    )  # fmt: skip
    pool = model("campaigns", "RewardPool").objects.create(
        campaign=campaign, name="Top", kind="leaderboard", amount=Decimal("100"), cadence="weekly", split_rule="fixed"
    )
    period = model("campaigns", "RewardPeriod").objects.create(
        pool=pool, index=1, starts_at=now - timedelta(days=14), ends_at=now - timedelta(days=7), status="closed"
    )
    run = model("leaderboard", "RankingRun").objects.create(
        campaign=campaign,
        window="period",
        period=period,
        status="published",
        published_at=now,
        start_date=date(2026, 1, 1),
        end_date=date(2026, 1, 7),
    )
    model("leaderboard", "Standing").objects.create(run=run, trader=trader, rank=1, eligible=True)
    batch = model("campaigns", "PayoutBatch").objects.create(
        period=period, ranking_run=run, pool_amount=Decimal("100"), total=Decimal("100")
    )
    model("campaigns", "Payout").objects.create(
        batch=batch, period=period, trader=trader, ranking_run=run, reason="leaderboard", amount=Decimal("100.00"),
        rank=1, payee_exchange="gate", payee_uid="12345678", payee_name="Moved",
    )  # fmt: skip
    model("campaigns", "AuditEvent").objects.create(
        action="moved.test", campaign=campaign, actor_id=operator.pk, target_type="x", target_id="1"
    )
    model("campaigns", "OutboundEmail").objects.create(
        kind="enrolment", to_email="moved@example.com", subject="Hi", body="Body", language="en"
    )
    # The content types and permissions main had, and an operator granted some of them.
    for name, (old, _new) in MOVED.items():
        kind = ContentType.objects.get_or_create(app_label=old, model=name)[0]
        for action in ("view", "change"):
            granted = Permission.objects.get_or_create(
                content_type=kind, codename=f"{action}_{name}", defaults={"name": f"Can {action} {name}"}
            )[0]
            operator.user_permissions.add(granted)
    return {"trader": trader.pk, "campaign": campaign.pk, "batch": batch.pk, "operator": operator.pk}


@pytest.mark.django_db(transaction=True)
def test_moving_models_between_apps_keeps_their_rows_and_grants():
    executor = MigrationExecutor(connection)
    after = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    try:
        executor.loader.build_graph()
        ids = _old_rows(executor.loader.project_state(BEFORE[:3]).apps)
        MigrationExecutor(connection).migrate(after)
    finally:
        MigrationExecutor(connection).migrate(after)

    trader = LeadTrader.objects.get(pk=ids["trader"])
    assert (trader.exchange_uid, trader.display_name) == ("12345678", "Moved")
    account = ExchangeAccount.objects.get(trader=trader)
    assert IngestionCursor.objects.get(account=account).since_ms == 42
    assert Fill.objects.get(account=account).price == Decimal("65000.5")
    assert ClosedPosition.objects.get(account=account).realized_pnl == Decimal("12.5")
    assert LedgerEntry.objects.get(account=account).amount == Decimal("1000")
    assert DailyEquity.objects.get(trader=trader).equity == Decimal("1012.5")
    standing = Standing.objects.get(trader=trader)
    assert standing.run == RankingRun.objects.get(campaign_id=ids["campaign"])
    line = Payout.objects.get(trader=trader)
    assert (line.batch_id, line.amount, line.ranking_run_id) == (
        ids["batch"],
        Decimal("100.00"),
        standing.run_id,
    )
    assert PayoutBatch.objects.get(pk=ids["batch"]).total == Decimal("100")
    assert AuditEvent.objects.get(action="moved.test").campaign_id == ids["campaign"]
    assert OutboundEmail.objects.get().to_email == "moved@example.com"

    # Content types followed their models: no stale row under the old label, permissions kept their ids.
    for name, (old, new) in MOVED.items():
        assert ContentType.objects.filter(app_label=new, model=name).count() == 1
        assert not ContentType.objects.filter(app_label=old, model=name).exists()
    operator = User.objects.get(pk=ids["operator"])
    assert operator.has_perm("traders.view_leadtrader") and operator.has_perm("rewards.change_payoutbatch")
    assert operator.has_perm("core.view_auditevent") and not operator.has_perm("leaderboard.view_leadtrader")
    assert Permission.objects.filter(user=operator).count() == 2 * len(MOVED)
