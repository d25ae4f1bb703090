"""The first-post bonus for a post marked quality late: paid exactly once, in the pool's last period, or reported.

Phase 2's first-post pool is bi-weekly from 2026-02-12 18:00 Asia/Shanghai, clipped to the campaign's end at
2026-05-01 00:00 Shanghai (2026-04-30 16:00 UTC), so its periods are, in Shanghai time:
    #1 02-12 18:00 - 02-26 18:00   #2 - 03-12 18:00   #3 - 03-26 18:00   #4 - 04-09 18:00   #5 - 04-23 18:00
    #6 04-23 18:00 - 05-01 00:00 (the last)
Every amount below is 30 USDT (a trial-fund voucher) per trader, counted by hand.
"""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import ValidationError
from django.urls import reverse

from campaigns.models import Post, RewardPeriod, RewardPool
from campaigns.services.posts import posts_moderate
from core.services.audit import SYSTEM
from rewards.models import Payout
from rewards.services.payouts import first_post_unpaid, payout_batch_approve, payout_batch_calculate, payout_reason_text
from tests.payouts_helpers import period_of, phase2, pool_of, post, sh, trader

pytestmark = pytest.mark.django_db
D = Decimal
K = RewardPool.Kind


def _user(name: str, *perms: str, superuser: bool = False) -> User:
    user = User.objects.create_user(name, password="late-pw-for-tests-only", is_staff=True, is_superuser=superuser)
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return User.objects.get(pk=user.pk)


def _lines(batch) -> list[tuple[str, Decimal, bool]]:
    """(trader, amount, late review) in payout order."""
    return [
        (line.trader.display_name, line.amount, line.explanation["late_review"])
        for line in batch.lines.select_related("trader").order_by("rank")
    ]


def _reviewed_late(campaign, who, published_at):
    """A post waiting for review (reviewed_at empty)."""
    return post(campaign, who, published_at, status=Post.Status.SUBMITTED)


def test_the_last_period_is_the_one_ending_with_the_campaign_in_shanghai_time():
    campaign = phase2()
    last = period_of(campaign, K.FIRST_POST, 6)
    assert last.starts_at == sh(2026, 4, 23, 18)
    assert last.ends_at == sh(2026, 5, 1) == datetime(2026, 4, 30, 16, tzinfo=UTC) == campaign.ends_at
    assert not RewardPeriod.objects.filter(pool=pool_of(campaign, K.FIRST_POST), index=7).exists()


def test_a_post_marked_quality_after_the_last_period_counts_in_it_exactly_once():
    campaign = phase2()
    a, b, c, d, e, f = (trader(n, campaign=campaign) for n in "ABCDEF")
    moderator = _user("mod")
    late_a = _reviewed_late(campaign, a, sh(2026, 4, 30, 23, 59))  # published in the last minute
    late_b = _reviewed_late(campaign, b, sh(2026, 4, 20, 10))  # published in #5, reviewed after the end
    too_late_c = _reviewed_late(campaign, c, sh(2026, 5, 1))  # published at the (exclusive) end: outside
    # 2026-04-30 17:00 UTC is still April in UTC but 05-01 01:00 in Shanghai: after the campaign.
    utc_trap_d = _reviewed_late(campaign, d, datetime(2026, 4, 30, 17, tzinfo=UTC))
    post(campaign, e, sh(2026, 4, 24, 10), reviewed_at=sh(2026, 4, 24, 12))  # on time in #6
    post(campaign, f, sh(2026, 3, 1, 10))  # F's first quality post, in #2
    posts_moderate(post_ids=[late_a.pk], action="quality", actor=moderator, now=sh(2026, 5, 1))  # the end: late
    posts_moderate(
        post_ids=[late_b.pk, too_late_c.pk, utc_trap_d.pk], action="quality", actor=moderator, now=sh(2026, 5, 6, 10)
    )
    f_late = _reviewed_late(campaign, f, sh(2026, 4, 30, 12))  # F's second quality post: never a second bonus
    posts_moderate(post_ids=[f_late.pk], action="quality", actor=moderator, now=sh(2026, 5, 6, 11))

    batches = {
        i: payout_batch_calculate(period=period_of(campaign, K.FIRST_POST, i), actor=SYSTEM) for i in range(1, 7)
    }
    assert _lines(batches[2]) == [("F", D("30.00"), False)]
    assert _lines(batches[5]) == []  # B published in #5 but was marked quality after the campaign: not #5
    # #6, in the order marked quality: E 04-24 12:00, A 05-01 00:00, B 05-06 10:00 -> 3 x 30 = 90.
    assert _lines(batches[6]) == [("E", D("30.00"), False), ("A", D("30.00"), True), ("B", D("30.00"), True)]
    assert batches[6].total == D("90.00") and batches[6].unspent == 0
    assert all(not _lines(batches[i]) for i in (1, 3, 4))
    paid = list(Payout.objects.filter(reason=Payout.Reason.FIRST_POST).values_list("trader__display_name", flat=True))
    assert sorted(paid) == ["A", "B", "E", "F"]  # once each; C and D published after the campaign: never
    line = batches[6].lines.get(trader=a)
    assert line.explanation["qualified_at"] == "2026-04-30T16:00:00+00:00"  # 05-01 00:00 Shanghai
    assert "counted in the pool's last period" in payout_reason_text(line)
    assert "counted in the pool's last period" not in payout_reason_text(batches[6].lines.get(trader=e))


def test_recalculating_the_last_draft_picks_up_a_late_review():
    campaign = phase2()
    a, e = trader("A", campaign=campaign), trader("E", campaign=campaign)
    post(campaign, e, sh(2026, 4, 24, 10))
    late = _reviewed_late(campaign, a, sh(2026, 4, 28, 9))
    last = period_of(campaign, K.FIRST_POST, 6)
    draft = payout_batch_calculate(period=last, actor=SYSTEM)
    assert _lines(draft) == [("E", D("30.00"), False)] and draft.total == D("30.00")
    posts_moderate(post_ids=[late.pk], action="quality", actor=_user("mod"), now=sh(2026, 5, 2, 15))
    draft = payout_batch_calculate(period=last, actor=SYSTEM)
    assert _lines(draft) == [("E", D("30.00"), False), ("A", D("30.00"), True)] and draft.total == D("60.00")
    assert first_post_unpaid(batch=draft) == []  # a draft: the recalculation pays it, nothing to report


def test_a_late_review_after_the_last_batch_was_approved_is_reported_not_paid_and_not_lost_silently(client):
    campaign = phase2()
    a, e = trader("A", campaign=campaign), trader("E", campaign=campaign)
    post(campaign, e, sh(2026, 4, 24, 10))
    late = _reviewed_late(campaign, a, sh(2026, 4, 30, 23, 59))
    calculator, approver = _user("calc", "change_payoutbatch"), _user("boss", "approve_payoutbatch")
    last = period_of(campaign, K.FIRST_POST, 6)
    batch = payout_batch_calculate(period=last, actor=calculator)
    payout_batch_approve(batch_id=batch.pk, actor=approver)
    posts_moderate(post_ids=[late.pk], action="quality", actor=_user("mod"), now=sh(2026, 5, 3, 9))

    with pytest.raises(ValidationError, match="frozen"):
        payout_batch_calculate(period=last, actor=SYSTEM)
    batch.refresh_from_db()
    assert _lines(batch) == [("E", D("30.00"), False)] and batch.total == D("30.00")  # the approved batch stands
    for index in range(1, 6):  # and no other period pays it instead
        payout_batch_calculate(period=period_of(campaign, K.FIRST_POST, index), actor=SYSTEM)
    assert not Payout.objects.filter(trader=a).exists()

    unpaid = first_post_unpaid(batch=batch)
    assert [(row["exchange_uid"], row["post_id"]) for row in unpaid] == [("UID-A", late.pk)]
    assert unpaid[0]["qualified_at"] == sh(2026, 5, 3, 9) and unpaid[0]["published_at"] == sh(2026, 4, 30, 23, 59)

    client.force_login(_user("desk", superuser=True))
    page = client.get(reverse("admin:rewards_payoutbatch_preview", args=[batch.pk])).content.decode()
    section = page[page.index('id="batch-unpaid"') :]
    assert "Late quality post, not paid: batch already approved" in section and "UID-A" in section
    assert "2026-04-30 23:59 (Asia/Shanghai)" in section  # published, in the campaign's zone
    assert "2026-05-03 09:00 (Asia/Shanghai)" in section  # marked quality


def test_late_reviews_queue_behind_on_time_ones_under_the_budget_cap():
    campaign = phase2()
    pool = pool_of(campaign, K.FIRST_POST)
    pool.budget_cap = D("60")
    pool.save()
    a, b, e = (trader(n, campaign=campaign) for n in "ABE")
    post(campaign, a, sh(2026, 2, 13, 10))  # #1: 30 of the 60 spent
    late = _reviewed_late(campaign, b, sh(2026, 4, 29, 10))
    post(campaign, e, sh(2026, 4, 30, 10))  # on time in #6
    posts_moderate(post_ids=[late.pk], action="quality", actor=_user("mod"), now=sh(2026, 5, 1, 8))
    assert _lines(payout_batch_calculate(period=period_of(campaign, K.FIRST_POST, 1), actor=SYSTEM)) == [
        ("A", D("30.00"), False)
    ]
    last = payout_batch_calculate(
        period=period_of(campaign, K.FIRST_POST, 6), actor=_user("calc", "change_payoutbatch")
    )
    # 60 - 30 = 30 left: E (marked quality 04-30 10:00) before B (05-01 08:00) -> E 30, B over budget.
    assert _lines(last) == [("E", D("30.00"), False)] and last.pool_amount == D("30")
    payout_batch_approve(batch_id=last.pk, actor=_user("boss", "approve_payoutbatch"))
    assert first_post_unpaid(batch=last) == []  # B lost to the budget, not to lateness: nothing to report


def test_a_review_late_for_its_period_but_not_the_campaign_still_lands_where_it_was_marked():
    campaign = phase2()
    a = trader("A", campaign=campaign)
    waiting = _reviewed_late(campaign, a, sh(2026, 2, 20, 10))  # published in #1
    posts_moderate(post_ids=[waiting.pk], action="quality", actor=_user("mod"), now=sh(2026, 2, 26, 18))  # #2 opens
    assert _lines(payout_batch_calculate(period=period_of(campaign, K.FIRST_POST, 1), actor=SYSTEM)) == []
    assert _lines(payout_batch_calculate(period=period_of(campaign, K.FIRST_POST, 2), actor=SYSTEM)) == [
        ("A", D("30.00"), False)
    ]


def test_a_trader_approved_after_the_post_qualified_is_paid_in_the_period_of_the_approval():
    """The bonus needs both a quality post and an approved enrolment; the later of the two says which period pays,
    so an approval after an earlier period's batch was approved is not lost."""
    from campaigns.models import Enrollment

    campaign = phase2()
    g, h = trader("G", campaign=campaign), trader("H", campaign=campaign)
    post(campaign, g, sh(2026, 2, 20, 10), reviewed_at=sh(2026, 2, 20, 12))  # quality in #1
    post(campaign, h, sh(2026, 2, 21, 10), reviewed_at=sh(2026, 2, 21, 12))  # quality in #1, approved in #3
    Enrollment.objects.filter(trader=g).update(decided_at=sh(2026, 2, 13))
    Enrollment.objects.filter(trader=h).update(decided_at=sh(2026, 3, 20, 9))

    first = payout_batch_calculate(period=period_of(campaign, K.FIRST_POST, 1), actor=SYSTEM)
    assert _lines(first) == [("G", D("30.00"), False)]
    assert payout_batch_calculate(period=period_of(campaign, K.FIRST_POST, 2), actor=SYSTEM).lines.count() == 0
    third = payout_batch_calculate(period=period_of(campaign, K.FIRST_POST, 3), actor=SYSTEM)
    assert _lines(third) == [("H", D("30.00"), False)]
    (line,) = third.lines.all()
    assert line.explanation["approved_after_the_post"] is True
    assert datetime.fromisoformat(line.explanation["qualified_at"]) == sh(2026, 3, 20, 9)
    assert datetime.fromisoformat(line.explanation["marked_quality_at"]) == sh(2026, 2, 21, 12)
    text = payout_reason_text(line, zone=campaign.zone)
    assert "counted from the enrolment's approval 2026-03-20 09:00 (Asia/Shanghai)" in text
    assert "marked quality 2026-02-21 12:00 (Asia/Shanghai)" in text
