"""The payout desk: approve (permission, four eyes), frozen batches, export, mark paid, audit, commands."""

import csv
import io
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from campaigns.models import Campaign, RewardPeriod, RewardPool
from campaigns.services.periods import reward_periods_ensure
from core.models import AuditEvent
from core.services.audit import SYSTEM
from rewards.models import Payout, PayoutBatch
from rewards.services.payouts import (
    payout_batch_approve,
    payout_batch_calculate,
    payout_batch_export,
    payout_batch_mark_paid,
)
from tests.payouts_helpers import content_batch, period_of, phase2, staff, trader

K = RewardPool.Kind
D = Decimal


@pytest.mark.django_db
def test_approve_needs_the_permission_and_a_second_person():
    calculator = staff("calc", "approve_payoutbatch", "change_payoutbatch")
    batch = content_batch(actor=calculator)
    with pytest.raises(PermissionDenied):
        payout_batch_approve(batch_id=batch.pk, actor=staff("nobody"))
    with pytest.raises(ValidationError, match="recalculated"):
        payout_batch_approve(batch_id=batch.pk, actor=calculator)
    approver = staff("boss", "approve_payoutbatch")
    approved = payout_batch_approve(batch_id=batch.pk, actor=approver)
    assert approved.status == "approved" and approved.approved_by == approver
    with pytest.raises(ValidationError, match="already"):
        payout_batch_approve(batch_id=batch.pk, actor=staff("boss2", "approve_payoutbatch"))
    actions = list(AuditEvent.objects.filter(target_id=str(batch.pk)).order_by("id").values_list("action", flat=True))
    assert actions == ["payout_batch.calculated", "payout_batch.approved"]


@pytest.mark.django_db
def test_recalculate_replaces_a_draft_and_records_who():
    batch = content_batch()
    first_lines = set(batch.lines.values_list("id", flat=True))
    calc = staff("calc", "change_payoutbatch")
    again = payout_batch_calculate(period=batch.period, actor=calc)
    assert again.pk == batch.pk and again.calculated_by == calc
    assert not first_lines & set(again.lines.values_list("id", flat=True))
    assert again.total == D("500.00")
    event = AuditEvent.objects.filter(action="payout_batch.recalculated").get()
    assert event.actor == calc and event.data["previous"]["total"] == "500.00"


@pytest.mark.django_db
def test_an_approved_batch_is_frozen_in_the_service_and_the_database():
    batch = content_batch()
    payout_batch_approve(batch_id=batch.pk, actor=staff("boss", "approve_payoutbatch"))
    with pytest.raises(ValidationError, match="frozen"):
        payout_batch_calculate(period=batch.period, actor=SYSTEM)
    line = batch.lines.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Payout.objects.filter(pk=line.pk).update(amount=D("499"))
    with pytest.raises(IntegrityError), transaction.atomic():
        line.amount = D("1")
        line.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Payout.objects.create(batch=batch, period=batch.period, trader=trader("Late"), reason="content", amount=D("1"))
    with pytest.raises((IntegrityError, ValidationError)), transaction.atomic():
        Payout.objects.filter(pk=line.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutBatch.objects.filter(pk=batch.pk).update(total=D("1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutBatch.objects.filter(pk=batch.pk).update(status="draft")
    assert sorted(batch.lines.values_list("amount", flat=True)) == sorted(
        Payout.objects.filter(batch=batch).values_list("amount", flat=True)
    )
    assert Payout.objects.filter(batch=batch).count() == 2
    assert sum(Payout.objects.filter(batch=batch).values_list("amount", flat=True)) == D("500.00")


@pytest.mark.django_db
def test_export_and_mark_paid():
    batch = content_batch()
    with pytest.raises(ValidationError, match="Approve"):
        payout_batch_export(batch_id=batch.pk)
    payout_batch_approve(batch_id=batch.pk, actor=staff("boss", "approve_payoutbatch"))
    rows = list(csv.DictReader(io.StringIO(payout_batch_export(batch_id=batch.pk))))
    # A leads every input: percentiles 1.0 vs 0.5 -> scores 1.0 and 0.5.
    # A = 500 x 1.0 / 1.5 = 333.333.. (remainder 0.33 cent), B = 166.666.. (0.67 cent): the cent goes to B.
    assert [(r["uid"], r["amount"], r["currency"], r["reward_form"], r["reason"]) for r in rows] == [
        ("UID-A", "333.33", "USDT", "cash", "content"),
        ("UID-B", "166.67", "USDT", "cash", "content"),
    ]
    assert "score 1.0" in rows[0]["detail"] and "3 quality posts on 3 days" in rows[0]["detail"]
    with pytest.raises(PermissionDenied):
        payout_batch_mark_paid(batch_id=batch.pk, actor=staff("clerk"), reference="TX-1")
    payer = staff("payer", "pay_payoutbatch")
    with pytest.raises(ValidationError, match="reference"):
        payout_batch_mark_paid(batch_id=batch.pk, actor=payer, reference="  ")
    paid = payout_batch_mark_paid(batch_id=batch.pk, actor=payer, reference="GATE-TX-20260227-1")
    assert paid.status == "paid" and paid.paid_reference == "GATE-TX-20260227-1"
    assert AuditEvent.objects.filter(action="payout_batch.paid", actor=payer).exists()
    assert AuditEvent.objects.filter(action="payout_batch.exported").count() == 1


@pytest.mark.django_db
def test_commands_close_periods_and_calculate_payouts():
    campaign = phase2()
    out = io.StringIO()
    staff("desk", "change_payoutbatch")
    call_command("close_periods", "--operator", "desk", "--now", "2026-03-01T00:00:00+08:00", stdout=out)
    closed = RewardPeriod.objects.filter(pool__campaign=campaign, status="closed")
    # By March 1st 00:00 Shanghai: 1 first-post and 1 content period (bi-weekly), 2 spotlight weeks, February.
    assert sorted(closed.values_list("pool__kind", flat=True)) == sorted(
        ["first_post", "content", "spotlight", "spotlight", "leaderboard"]
    )
    assert "waits" in out.getvalue() and "1 waiting" in out.getvalue()
    assert not PayoutBatch.objects.filter(period__pool__kind="leaderboard").exists()
    assert PayoutBatch.objects.filter(period__in=closed).count() == 4
    content = period_of(campaign, K.CONTENT, 1)
    out = io.StringIO()
    call_command("calculate_payouts", "--period", str(content.pk), "--operator", "desk", stdout=out)
    assert "draft batch" in out.getvalue()
    with pytest.raises(CommandError, match="No reward period"):
        call_command("calculate_payouts", "--period", "999999", "--operator", "desk")
    phase3 = Campaign.objects.get(slug="star-lead-traders-phase-3")
    reward_periods_ensure(campaign=phase3)
    running = RewardPeriod.objects.filter(pool__campaign=phase3, pool__kind=K.CONTENT).order_by("-index").first()
    with pytest.raises(CommandError, match="not ended"):
        call_command("calculate_payouts", "--period", str(running.pk), "--operator", "desk")


@pytest.mark.django_db
def test_close_periods_task_drafts_the_ended_periods():
    from rewards.tasks import close_periods

    campaign = phase2()
    result = close_periods.delay().get()  # eager outside a worker: the same code path beat runs
    ended = RewardPeriod.objects.filter(pool__campaign=campaign)
    assert ended.filter(status="open").count() == 0  # phase 2 is over
    assert len(result["calculated"]) == ended.exclude(pool__kind="leaderboard").count()
    assert set(result["waiting"]) == set(ended.filter(pool__kind="leaderboard").values_list("pk", flat=True))
    assert AuditEvent.objects.filter(action="reward_period.closed").count() >= ended.count()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_give_one_approved_batch():
    batch = content_batch()
    approvers = [staff(f"boss{i}", "approve_payoutbatch") for i in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list = []

    def approve(user):
        try:
            barrier.wait(timeout=60)
            payout_batch_approve(batch_id=batch.pk, actor=user)
            outcomes.append("approved")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=approve, args=(user,)) for user in approvers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(outcomes) == ["This payout batch is already Approved.", "approved"]
    assert AuditEvent.objects.filter(action="payout_batch.approved").count() == 1
    assert PayoutBatch.objects.get(pk=batch.pk).status == "approved"
