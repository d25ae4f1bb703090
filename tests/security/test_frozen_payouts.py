"""Issue 12, hole 4: what an approved batch pays, and to whom, no longer changes after approval.

The attack as reported: after a batch was approved, an operator edited the trader in the admin (UID, name), and the
export, which read the trader as it is now, paid someone else; nothing recorded the edit. Lines now carry their
payee (exchange, UID, name) from the calculation; the export and the desk read only that; and every admin write of
a trader, account, campaign, pool, period or enrolment is an audit event with the old and new values.
"""

import csv
import io
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, RewardPeriod, RewardPool
from core.models import AuditEvent, OutboundEmail
from core.services.audit import SYSTEM
from core.services.password_reset import TOKEN_PLACEHOLDER
from rewards.models import Payout
from rewards.services.payouts import payout_batch_approve, payout_batch_calculate
from tests.payouts_helpers import content_batch, phase2, staff, trader
from tests.security.admin_support import admin_form, admin_url
from traders.models import ExchangeAccount, LeadTrader

BEFORE_PAYEE = "0007_four_eyes"
# Traders as they were then too: rows written through that state must fit the table (no UID verification yet).
BEFORE = [("campaigns", BEFORE_PAYEE), ("leaderboard", "0003_flag_review")]
LIVE_LINK = "https://testserver/accounts/reset/MQ/cz5b0k-0123456789abcdef0123/"


def export_rows(client, batch) -> list[dict]:
    response = client.get(reverse("admin:rewards_payoutbatch_export", args=[batch.pk]))
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def submit_change(client, obj, **changes):
    """Open the object's admin change page and save it as a browser would, with `changes` typed in."""
    url = admin_url(type(obj), "change", obj.pk)
    data = admin_form(client.get(url).content.decode(), type(obj))
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:4000]
    return response


def event(action: str, obj) -> AuditEvent:
    return AuditEvent.objects.get(action=action, target_id=str(obj.pk), target_type=obj._meta.label_lower)


@pytest.mark.django_db
def test_an_admin_edit_of_the_trader_does_not_change_an_approved_export(client):
    calculator = staff("calc", superuser=True)
    batch = content_batch(("Alice", "Bo"), actor=calculator)
    approver = staff("boss", "view_payoutbatch", "approve_payoutbatch")
    payout_batch_approve(batch_id=batch.pk, actor=approver)
    client.force_login(approver)
    approved = export_rows(client, batch)
    assert [(r["exchange"], r["uid"], r["display_name"]) for r in approved] == [
        ("gate", "UID-Alice", "Alice"),
        ("gate", "UID-Bo", "Bo"),
    ]

    # The attack: edit the paid trader in the admin after approval.
    client.force_login(calculator)
    alice = LeadTrader.objects.get(exchange_uid="UID-Alice")
    submit_change(client, alice, exchange_uid="UID-Mallory", display_name="Mallory", exchange="binance")

    client.force_login(approver)
    assert export_rows(client, batch) == approved  # the export pays whom it paid when approved
    desk = client.get(reverse("admin:rewards_payoutbatch_preview", args=[batch.pk])).content.decode()
    assert "UID-Alice" in desk and "Alice" in desk
    assert "changed since this line was calculated (now binance UID-Mallory, Mallory)" in desk
    # And the edit is on record: who, when, each field's old and new value.
    edited = event("leadtrader.admin_changed", alice)
    assert edited.actor == calculator
    changes = edited.data["changes"]
    assert {key: changes[key] for key in ("exchange", "exchange_uid", "display_name")} == {
        "exchange": ["gate", "binance"],
        "exchange_uid": ["UID-Alice", "UID-Mallory"],
        "display_name": ["Alice", "Mallory"],
    }
    # A new UID is unverified until checked again through the key: the same event records that too.
    assert changes["uid_check_message"] == ["", "The UID changed; it is checked again."]


@pytest.mark.django_db
def test_a_draft_pays_the_trader_as_at_its_last_calculation():
    batch = content_batch(("Alice", "Bo"))
    LeadTrader.objects.filter(exchange_uid="UID-Alice").update(exchange_uid="UID-Alice-2", display_name="Alice B")
    line = batch.lines.get(payee_uid="UID-Alice")
    assert line.payee_now_differs and line.payee_name == "Alice"
    payout_batch_calculate(
        period=batch.period, actor=SYSTEM
    )  # recalculating the draft takes the trader as they are now
    assert sorted(batch.lines.values_list("payee_uid", "payee_name")) == [("UID-Alice-2", "Alice B"), ("UID-Bo", "Bo")]
    assert not any(line.payee_now_differs for line in batch.lines.select_related("trader"))


# --- every admin write of the listed models is an audit event -------------------------------------------------------


@pytest.fixture
def operator(client):
    user = staff("operator", superuser=True)
    client.force_login(user)
    return user


@pytest.mark.django_db
def test_changes_of_traders_accounts_campaigns_pools_periods_and_enrolments_are_audited(client, operator):
    campaign = phase2()
    alice = trader("Alice", campaign=campaign)
    account = ExchangeAccount.objects.create(trader=alice, label="main")
    pool = RewardPool.objects.get(campaign=campaign, kind=RewardPool.Kind.CONTENT)
    period = pool.periods.order_by("index").first()
    # A submitted enrolment is read-only in the console (issue 15): its decisions are audited by the review service.
    new_end = (period.ends_at + timedelta(hours=1)).astimezone(timezone.get_current_timezone())
    cases = [
        (alice, {"telegram": "@alice_new"}, "telegram", ["", "@alice_new"], None),
        (account, {"label": "second"}, "label", ["main", "second"], None),
        (campaign, {"currency": "USDC"}, "currency", ["USDT", "USDC"], campaign),
        (pool, {"amount": "600.00"}, "amount", ["500.00", "600.00"], campaign),
        (
            period,
            {"ends_at_0": new_end.strftime("%Y-%m-%d"), "ends_at_1": new_end.strftime("%H:%M:%S")},
            "ends_at",
            [period.ends_at.isoformat(), (period.ends_at + timedelta(hours=1)).isoformat()],
            campaign,
        ),
    ]
    for obj, typed, field, old_new, in_campaign in cases:
        submit_change(client, obj, **typed)
        recorded = event(f"{obj._meta.model_name}.admin_changed", obj)
        assert recorded.data["changes"][field] == old_new, (obj, recorded.data)
        assert recorded.actor == operator and recorded.campaign == in_campaign


@pytest.mark.django_db
def test_adds_inline_edits_and_deletes_are_audited_with_what_they_take_along(client, operator):
    campaign = phase2()
    # Add: a trader typed into the add form.
    add_url = admin_url(LeadTrader, "add")
    data = admin_form(client.get(add_url).content.decode(), LeadTrader)
    data.update(display_name="Added", exchange_uid="UID-Added", email="added@example.com")
    assert client.post(add_url, data).status_code == 302
    added = LeadTrader.objects.get(exchange_uid="UID-Added")
    values = event("leadtrader.admin_added", added).data["values"]
    assert (values["display_name"], values["exchange_uid"], values["email"]) == (
        "Added",
        "UID-Added",
        "added@example.com",
    )

    # Inline: a pool renamed and another deleted from the campaign's page; the deleted pool's periods go with it.
    pools = list(campaign.pools.order_by("id"))
    index = {pool.pk: n for n, pool in enumerate(pools)}
    renamed, dropped = pools[0], next(p for p in pools if p.kind == RewardPool.Kind.SPOTLIGHT)
    periods_of_dropped = dropped.periods.count()
    submit_change(
        client,
        campaign,
        **{f"pools-{index[renamed.pk]}-name": "Renamed pool", f"pools-{index[dropped.pk]}-DELETE": "on"},
    )
    assert event("rewardpool.admin_changed", renamed).data["changes"]["name"] == [renamed.name, "Renamed pool"]
    deleted = event("rewardpool.admin_deleted", dropped)
    assert deleted.data["values"]["name"] == dropped.name
    assert deleted.data["deleted_with"] == {"campaigns.rewardperiod": periods_of_dropped}
    assert not RewardPool.objects.filter(pk=dropped.pk).exists()

    # Delete: a trader with its account and enrolment, from the delete page.
    bo = trader("Bo", campaign=campaign)
    ExchangeAccount.objects.create(trader=bo)
    assert client.post(admin_url(LeadTrader, "delete", bo.pk), {"post": "yes"}).status_code == 302
    gone = event("leadtrader.admin_deleted", bo)
    assert gone.actor == operator and gone.data["values"]["exchange_uid"] == "UID-Bo"
    assert gone.data["deleted_with"] == {"campaigns.enrollment": 1, "traders.exchangeaccount": 1}

    # The bulk delete action too, one event per row.
    periods = list(RewardPeriod.objects.filter(pool=renamed).order_by("id")[:2])
    action = {"action": "delete_selected", "_selected_action": [p.pk for p in periods], "post": "yes"}
    assert client.post(admin_url(RewardPeriod, "changelist"), action).status_code == 302
    assert all(event("rewardperiod.admin_deleted", p).campaign == campaign for p in periods)


@pytest.mark.django_db
def test_an_approved_period_cannot_be_edited_in_the_admin(client, operator):
    batch = content_batch(("Alice", "Bo"))
    payout_batch_approve(batch_id=batch.pk, actor=staff("boss", "approve_payoutbatch"))
    page = client.get(admin_url(RewardPeriod, "change", batch.period.pk)).content.decode()
    assert 'name="ends_at_0"' not in page and 'name="status"' not in page  # shown, not editable


# --- lines approved before the payee was copied --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migrations_freeze_existing_lines_and_drop_stored_reset_links():
    """Lines calculated before the payee was copied get it (approved and paid ones too); reset emails queued or
    failed before links were made at sending lose their stored link (sent ones were redacted when sent)."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        OldCampaign, OldPool = old.get_model("campaigns", "Campaign"), old.get_model("campaigns", "RewardPool")
        OldPeriod, OldBatch = old.get_model("campaigns", "RewardPeriod"), old.get_model("campaigns", "PayoutBatch")
        OldPayout, OldTrader = old.get_model("campaigns", "Payout"), old.get_model("leaderboard", "LeadTrader")
        now = timezone.now()
        campaign = OldCampaign.objects.create(
            slug="old",
            name="Old",
            registration_opens_at=now - timedelta(days=60),
            registration_closes_at=now - timedelta(days=50),
            starts_at=now - timedelta(days=60),
            ends_at=now - timedelta(days=1),
        )
        pool = OldPool.objects.create(
            campaign=campaign, kind="content", name="Content", amount=500, cadence="campaign", split_rule="proportional"
        )
        batches = []
        for index, status in enumerate(("draft", "approved", "paid"), start=1):
            period = OldPeriod.objects.create(
                pool=pool, index=index, starts_at=now - timedelta(days=60 - index), ends_at=now - timedelta(days=2)
            )
            batch = OldBatch.objects.create(period=period, calculated_at=now, total=10)
            who = OldTrader.objects.create(display_name=f"T{index}", exchange_uid=f"U{index}", email=f"{index}@x.io")
            OldPayout.objects.create(batch=batch, period=period, trader=who, reason="content", amount=10)
            if status != "draft":
                OldBatch.objects.filter(pk=batch.pk).update(status="approved", approved_at=now)
            if status == "paid":
                OldBatch.objects.filter(pk=batch.pk).update(status="paid", paid_at=now)
            batches.append(batch.pk)
        OldEmail = old.get_model("campaigns", "OutboundEmail")
        for status in ("queued", "failed"):
            OldEmail.objects.create(
                kind="password_reset",
                to_email="a@x.io",
                subject="Reset",
                body=f"Open {LIVE_LINK} soon",
                language="en",
                status=status,
                last_error="SMTP down" if status == "failed" else "",
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    lines = Payout.objects.filter(batch_id__in=batches).order_by("batch_id")
    assert list(lines.values_list("payee_exchange", "payee_uid", "payee_name")) == [
        ("gate", "U1", "T1"),
        ("gate", "U2", "T2"),
        ("gate", "U3", "T3"),
    ]
    # Still frozen afterwards: the trigger set aside for the fill is back.
    with pytest.raises(IntegrityError), transaction.atomic():
        Payout.objects.filter(batch_id=batches[1]).update(payee_uid="someone-else")
    assert Campaign.objects.filter(slug="old").exists()
    bodies = set(OutboundEmail.objects.values_list("body", flat=True))
    assert bodies == {f"Open https://testserver/accounts/reset/MQ/{TOKEN_PLACEHOLDER}/ soon"}
