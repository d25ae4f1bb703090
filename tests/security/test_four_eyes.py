"""Hole 13 (four eyes): one operator could draft a batch from the shell and approve it alone, and the approver could
mark it paid. Nobody takes a batch from draft to paid alone, whichever way they try: the commands, the admin, the
services, or a plain UPDATE of the row."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from campaigns.models import RewardPool
from core.models import AuditEvent
from core.services.audit import SYSTEM
from rewards.models import PayoutBatch
from rewards.services.payouts import payout_batch_approve, payout_batch_calculate, payout_batch_mark_paid
from tests.payouts_helpers import content_batch, period_of, phase2, post, sh, staff, trader

ALL_DESK = ("view_payoutbatch", "change_payoutbatch", "approve_payoutbatch", "pay_payoutbatch")


def _content_period():
    """Phase 2's first content period, with two traders who earned a share of it."""
    campaign = phase2()
    for name, views in (("A", 300), ("B", 100)):
        who = trader(name, campaign=campaign)
        for day in (13, 14, 15):
            post(campaign, who, sh(2026, 2, day, 10), views=views)
    return period_of(campaign, RewardPool.Kind.CONTENT, 1)


@pytest.mark.django_db
def test_the_operator_a_command_names_cannot_approve_what_it_drafted():
    period = _content_period()
    alice = staff("alice", *ALL_DESK)
    with pytest.raises(CommandError, match="--operator"):
        call_command("calculate_payouts", "--period", str(period.pk))  # who runs it must be named
    call_command("calculate_payouts", "--period", str(period.pk), "--operator", "alice")
    batch = PayoutBatch.objects.get(period=period)
    assert batch.calculated_by == alice and not batch.calculated_by_system
    with pytest.raises(ValidationError, match="last recalculated a batch cannot approve it"):
        payout_batch_approve(batch_id=batch.pk, actor=alice)
    assert PayoutBatch.objects.get(pk=batch.pk).status == PayoutBatch.Status.DRAFT
    event = AuditEvent.objects.get(action="payout_batch.calculated", target_id=str(batch.pk))
    assert event.actor == alice and event.data["calculator"] == "alice"


@pytest.mark.django_db
def test_close_periods_names_its_operator_who_then_cannot_approve():
    phase2()
    alice = staff("alice", *ALL_DESK)
    with pytest.raises(CommandError, match="--operator"):
        call_command("close_periods", "--now", "2026-03-01T00:00:00+08:00")
    call_command("close_periods", "--operator", "alice", "--now", "2026-03-01T00:00:00+08:00")
    batches = list(PayoutBatch.objects.all())
    assert batches and {b.calculated_by_id for b in batches} == {alice.pk}
    for batch in batches:
        with pytest.raises(ValidationError):
            payout_batch_approve(batch_id=batch.pk, actor=alice)
    assert AuditEvent.objects.filter(action="reward_period.closed", actor=alice).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who, perms, active, is_staff",
    [
        ("nobody", (), True, True),  # staff without the permission to change batches
        ("gone", ALL_DESK, False, True),  # deactivated
        ("outsider", ALL_DESK, True, False),  # not staff
    ],
)
def test_a_command_run_as_someone_who_may_not_calculate_writes_nothing(who, perms, active, is_staff):
    period = _content_period()
    user = staff(who, *perms)
    user.is_active, user.is_staff = active, is_staff
    user.save()
    with pytest.raises(CommandError, match="may calculate"):
        call_command("calculate_payouts", "--period", str(period.pk), "--operator", who)
    with pytest.raises(CommandError, match="may calculate"):
        call_command("close_periods", "--operator", who, "--now", "2026-03-01T00:00:00+08:00")
    with pytest.raises(CommandError, match="No user"):
        call_command("calculate_payouts", "--period", str(period.pk), "--operator", "no-such-user")
    assert not PayoutBatch.objects.exists()
    assert not AuditEvent.objects.filter(action="reward_period.closed").exists()


@pytest.mark.django_db
def test_the_approver_cannot_mark_paid_and_the_payer_is_recorded():
    batch = content_batch()  # drafted by the system, as beat does
    assert batch.calculated_by_system and batch.calculated_by is None
    bob = staff("bob", *ALL_DESK)
    payout_batch_approve(batch_id=batch.pk, actor=bob)  # a system draft: any one approver
    with pytest.raises(ValidationError, match="approved a batch cannot mark it paid"):
        payout_batch_mark_paid(batch_id=batch.pk, actor=bob, reference="TX-1")
    assert PayoutBatch.objects.get(pk=batch.pk).status == PayoutBatch.Status.APPROVED
    carol = staff("carol", "pay_payoutbatch")
    paid = payout_batch_mark_paid(batch_id=batch.pk, actor=carol, reference="TX-1")
    assert paid.status == PayoutBatch.Status.PAID and paid.paid_by == carol and paid.approved_by == bob
    assert AuditEvent.objects.get(action="payout_batch.paid").actor == carol


@pytest.mark.django_db
def test_calculator_approver_payer_walk_through_the_admin(client):
    period = _content_period()
    alice, bob = staff("alice", *ALL_DESK), staff("bob", *ALL_DESK)
    client.force_login(alice)
    batch = payout_batch_calculate(period=period, actor=alice)
    preview = reverse("admin:rewards_payoutbatch_preview", args=[batch.pk])
    page = client.get(preview).content.decode()
    assert 'id="approve"' not in page and "cannot approve it" in page
    # Posting anyway (a crafted request) is refused by the service with the same words, not a 500.
    response = client.post(reverse("admin:rewards_payoutbatch_approve", args=[batch.pk]), follow=True)
    assert response.status_code == 200 and "cannot approve it" in response.content.decode()
    assert PayoutBatch.objects.get(pk=batch.pk).status == PayoutBatch.Status.DRAFT

    client.force_login(bob)
    client.post(reverse("admin:rewards_payoutbatch_approve", args=[batch.pk]))
    assert PayoutBatch.objects.get(pk=batch.pk).status == PayoutBatch.Status.APPROVED
    page = client.get(preview).content.decode()
    assert 'value="Mark paid"' not in page and "cannot mark it paid" in page
    response = client.post(reverse("admin:rewards_payoutbatch_paid", args=[batch.pk]), {"reference": "X"}, follow=True)
    assert response.status_code == 200 and "cannot mark it paid" in response.content.decode()
    assert PayoutBatch.objects.get(pk=batch.pk).status == PayoutBatch.Status.APPROVED

    client.force_login(alice)  # two people have had their eyes on it: the calculator may pay what bob approved
    client.post(reverse("admin:rewards_payoutbatch_paid", args=[batch.pk]), {"reference": "TX-7"})
    batch.refresh_from_db()
    assert (batch.status, batch.calculated_by, batch.approved_by, batch.paid_by) == ("paid", alice, bob, alice)


@pytest.mark.django_db
def test_refusals_are_in_the_operators_language(client):
    batch = content_batch()
    bob = staff("bob", *ALL_DESK)
    payout_batch_approve(batch_id=batch.pk, actor=bob)
    client.force_login(bob)
    with translation.override("en"):  # the request switches this thread's language; put it back afterwards
        response = client.post(
            reverse("admin:rewards_payoutbatch_paid", args=[batch.pk]),
            {"reference": "TX"},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert response.status_code == 200
    assert "批准" in response.content.decode() and "cannot mark it paid" not in response.content.decode()


@pytest.mark.django_db
def test_a_draft_without_a_recorded_calculator_is_not_approved():
    batch = content_batch()
    PayoutBatch.objects.filter(pk=batch.pk).update(calculated_by_system=False)  # as drafts made before four eyes
    with pytest.raises(ValidationError, match="Nobody is recorded"):
        payout_batch_approve(batch_id=batch.pk, actor=staff("bob", *ALL_DESK))


@pytest.mark.django_db
def test_the_services_refuse_anonymous_and_unnamed_actors():
    period = _content_period()
    with pytest.raises(TypeError):
        payout_batch_calculate(period=period)  # who calculates is never left out
    with pytest.raises(PermissionDenied):
        payout_batch_calculate(period=period, actor=None)
    batch = payout_batch_calculate(period=period, actor=SYSTEM)
    with pytest.raises(PermissionDenied):
        payout_batch_approve(batch_id=batch.pk, actor=SYSTEM)  # the system drafts; people approve


@pytest.mark.django_db
def test_the_database_refuses_one_person_in_two_roles():
    alice, bob = staff("alice", *ALL_DESK), staff("bob", *ALL_DESK)
    batch = content_batch(actor=alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutBatch.objects.filter(pk=batch.pk).update(
            status="approved", approved_at=batch.calculated_at, approved_by=alice
        )
    payout_batch_approve(batch_id=batch.pk, actor=bob)
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutBatch.objects.filter(pk=batch.pk).update(paid_by=bob)
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutBatch.objects.filter(pk=batch.pk).update(calculated_by_system=True)  # a person and the system at once
