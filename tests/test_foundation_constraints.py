"""The invariants that matter are enforced by the database, not only by forms."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns.models import Enrollment, RewardPool
from campaigns.services.periods import reward_periods_ensure
from demo.campaigns import seed_campaigns
from rewards.models import Payout, PayoutBatch
from tests.factories import LeadTraderFactory
from traders.models import DailyEquity, ExchangeAccount, Fill, LeadTrader

pytestmark = pytest.mark.django_db


def _trader(uid="U1", email=None):
    return LeadTraderFactory(exchange_uid=uid, **({"email": email} if email else {}))


def _refused(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_one_enrollment_per_trader_per_campaign():
    campaign = seed_campaigns()[0]
    trader = _trader()
    Enrollment.objects.create(campaign=campaign, trader=trader, submitted_at=timezone.now())
    _refused(lambda: Enrollment.objects.create(campaign=campaign, trader=trader, submitted_at=timezone.now()))


def test_one_fill_per_account_and_exchange_id():
    account = ExchangeAccount.objects.create(trader=_trader())
    fields = dict(
        symbol="BTC/USDT:USDT",
        side="buy",
        price=Decimal("1"),
        amount=Decimal("1"),
        cost=Decimal("1"),
        timestamp=timezone.now(),
    )
    Fill.objects.create(account=account, exchange_trade_id="T1", **fields)
    _refused(lambda: Fill.objects.create(account=account, exchange_trade_id="T1", **fields))
    # The same exchange id on another account is another fill.
    other = ExchangeAccount.objects.create(trader=_trader("U2"))
    Fill.objects.create(account=other, exchange_trade_id="T1", **fields)


def test_one_payout_per_period_trader_and_reason():
    campaign = seed_campaigns()[0]
    reward_periods_ensure(campaign=campaign)
    period = campaign.pools.get(kind=RewardPool.Kind.LEADERBOARD).periods.first()
    batch = PayoutBatch.objects.create(period=period)
    trader = _trader()
    line = dict(batch=batch, period=period, trader=trader, reason=Payout.Reason.LEADERBOARD, **Payout.payee_of(trader))
    Payout.objects.create(amount=Decimal("5000.00"), **line)
    _refused(lambda: Payout.objects.create(amount=Decimal("1.00"), **line))
    _refused(lambda: Payout.objects.create(amount=Decimal("-1.00"), **{**line, "reason": Payout.Reason.CONTENT}))


def test_unique_uid_and_email_and_non_negative_equity():
    _trader("U1", "a@example.com")
    _refused(lambda: _trader("U1", "b@example.com"))
    _refused(lambda: _trader("U3", "a@example.com"))
    trader = LeadTrader.objects.get(exchange_uid="U1")
    _refused(lambda: DailyEquity.objects.create(trader=trader, date=date(2026, 1, 1), equity=Decimal("-1")))
    DailyEquity.objects.create(trader=trader, date=date(2026, 1, 1), equity=Decimal("10"))
    _refused(lambda: DailyEquity.objects.create(trader=trader, date=date(2026, 1, 1), equity=Decimal("11")))
    _refused(
        lambda: DailyEquity.objects.create(
            trader=trader, date=date(2026, 1, 2), equity=Decimal("1"), closed_positions=1, winning_positions=2
        )
    )


def test_campaign_windows_must_be_ordered():
    campaign = seed_campaigns()[0]
    campaign.registration_closes_at = campaign.registration_opens_at - timedelta(seconds=1)
    _refused(campaign.save)


def test_money_fields_are_decimal():
    for model, field in [(RewardPool, "amount"), (Payout, "amount"), (DailyEquity, "equity"), (Fill, "price")]:
        assert model._meta.get_field(field).get_internal_type() == "DecimalField"
