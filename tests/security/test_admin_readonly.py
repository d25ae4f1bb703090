"""Issue 12, hole 7: published rankings, and the data they are computed from, cannot be edited in the admin.

The attack as reported: a superuser opened a Standing, changed its score and rank, saved, and payouts read the
row. Ranking inputs and outputs are now read-only for everyone, superusers included: no add, no change, no delete,
not even by the cascade of deleting a trader or an account. The flag review (a separate audited service) still works.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib import admin
from django.utils import timezone

from core.models import AuditEvent
from leaderboard.models import RankingRun, Standing
from tests.factories import EnrollmentFactory, ExchangeAccountFactory
from tests.payouts_helpers import phase2, staff
from tests.security.admin_support import admin_form, admin_url
from traders.models import ClosedPosition, DailyEquity, ExchangeAccount, Fill, IngestionCursor, LeadTrader, LedgerEntry

pytestmark = pytest.mark.django_db

READ_ONLY = [RankingRun, Standing, DailyEquity, Fill, ClosedPosition, LedgerEntry, IngestionCursor]


@pytest.fixture
def ranked():
    """One published run with one flagged standing, and the exchange data behind it."""
    campaign = phase2()
    trader = EnrollmentFactory(campaign=campaign, trader__display_name="Ranked").trader
    account = ExchangeAccountFactory(trader=trader)
    now = timezone.now()
    run = RankingRun.objects.create(
        campaign=campaign, window="30d", start_date=date(2026, 1, 1), end_date=date(2026, 1, 30)
    )
    standing = Standing.objects.create(
        run=run, trader=trader, rank=1, eligible=True, score=0.5, flags=[{"code": "tiny_capital_high_roi"}]
    )
    RankingRun.objects.filter(pk=run.pk).update(status="published", published_at=now)
    rows = {
        RankingRun: run,
        Standing: standing,
        DailyEquity: DailyEquity.objects.create(trader=trader, date=date(2026, 1, 2), equity=Decimal("1000")),
        Fill: Fill.objects.create(
            account=account,
            exchange_trade_id="F1",
            symbol="BTC/USDT",
            side="buy",
            price=1,
            amount=1,
            cost=1,
            timestamp=now,
        ),
        ClosedPosition: ClosedPosition.objects.create(
            account=account, exchange_position_id="P1", symbol="BTC/USDT", side="long", realized_pnl=5, closed_at=now
        ),
        LedgerEntry: LedgerEntry.objects.create(
            account=account, exchange_entry_id="L1", kind="deposit", amount=100, timestamp=now
        ),
        IngestionCursor: IngestionCursor.objects.create(account=account, stream="trades", since_ms=1),
    }
    return trader, account, rows


def _snapshot(obj):
    return {f.name: f.value_from_object(obj) for f in obj._meta.concrete_fields}


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda m: m.__name__)
def test_no_one_can_add_change_or_delete_ranking_data_in_the_admin(client, ranked, model):
    _, _, rows = ranked
    obj = rows[model]
    before = _snapshot(type(obj).objects.get(pk=obj.pk))
    client.force_login(staff("root", superuser=True))
    model_admin = admin.site._registry[model]
    request = type("R", (), {"user": staff("root2", superuser=True)})()
    assert not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request, obj))
    assert not model_admin.has_delete_permission(request, obj)

    assert client.get(admin_url(model, "add")).status_code == 403
    page = client.get(admin_url(model, "change", obj.pk))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()  # shown, with nothing to save
    # A hand-made POST of the change form, with the score, rank or values changed: refused.
    tampered = {name: "999" for name in admin_form(page.content.decode(), model)} | {"score": "99", "rank": "1"}
    assert client.post(admin_url(model, "change", obj.pk), tampered).status_code == 403
    assert client.get(admin_url(model, "delete", obj.pk)).status_code == 403
    assert client.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    listing = client.get(admin_url(model, "changelist")).content.decode()
    assert 'value="delete_selected"' not in listing
    client.post(
        admin_url(model, "changelist"), {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    )
    assert _snapshot(type(obj).objects.get(pk=obj.pk)) == before
    assert not AuditEvent.objects.filter(target_type=obj._meta.label_lower).exists()


def test_deleting_a_trader_or_account_with_ranking_data_is_refused_too(client, ranked):
    trader, account, rows = ranked
    client.force_login(staff("root", superuser=True))
    for obj in (trader, account):
        page = client.get(admin_url(type(obj), "delete", obj.pk))
        # Django's own refusal: the delete would take rows this user may not delete (no one may).
        assert page.status_code == 200 and "would require deleting the following protected" not in page.content.decode()
        assert "your account doesn't have permission to delete the following types of objects" in page.content.decode()
        assert client.post(admin_url(type(obj), "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert all(type(row).objects.filter(pk=row.pk).exists() for row in rows.values())
    assert LeadTrader.objects.filter(pk=trader.pk).exists() and ExchangeAccount.objects.filter(pk=account.pk).exists()


def test_the_flag_review_still_works_on_read_only_standings(client, ranked):
    """Reviewing a flag is its own audited service, offered as an action on the (read-only) standings list."""
    _, _, rows = ranked
    standing = rows[Standing]
    client.force_login(staff("ops", "view_standing", "review_flag"))
    url = admin_url(Standing, "changelist")
    data = {
        "action": "review_flag",
        "_selected_action": [standing.pk],
        "apply": "1",
        "code": "tiny_capital_high_roi",
        "decision": "cleared",
        "reason": "Deposits checked.",
    }
    done = client.post(url, data, follow=True).content.decode()
    assert "1 flag review(s) recorded" in done
    assert AuditEvent.objects.filter(action="flag_review.cleared").count() == 1
