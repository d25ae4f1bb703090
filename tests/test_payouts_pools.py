"""Worked examples of the phase-2 campaign's pools, every expected amount computed by hand here.

Phase 2 starts 2026-02-12 18:00 Asia/Shanghai (10:00 UTC), so bi-weekly period 1 is
[02-12 18:00, 02-26 18:00) Shanghai time and the first calendar-month period ends at 03-01 00:00 Shanghai
(02-28 16:00 UTC).
"""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from campaigns.models import Enrollment, Post, RewardPool
from core.services.audit import SYSTEM
from leaderboard.models import RankingRun, Standing
from rewards.models import Payout
from rewards.selectors import spotlight_current
from rewards.services.payouts import NoRankingRun, payout_batch_calculate
from tests.payouts_helpers import period_of, phase2, pool_of, post, sh, trader

pytestmark = pytest.mark.django_db
D = Decimal
K = RewardPool.Kind


def amounts(batch) -> dict:
    return {line.trader.display_name: line.amount for line in batch.lines.select_related("trader")}


def test_period_edges_are_in_shanghai_time():
    campaign = phase2()
    first = period_of(campaign, K.CONTENT, 1)
    assert first.starts_at == datetime(2026, 2, 12, 10, tzinfo=UTC)
    assert first.ends_at == sh(2026, 2, 26, 18) == datetime(2026, 2, 26, 10, tzinfo=UTC)
    month = period_of(campaign, K.LEADERBOARD, 1)
    assert month.ends_at == sh(2026, 3, 1) == datetime(2026, 2, 28, 16, tzinfo=UTC)
    assert period_of(campaign, K.LEADERBOARD, 2).ends_at == sh(2026, 4, 1)


def _content_world(campaign):
    a, b, c, d = (trader(n, campaign=campaign) for n in "ABCD")
    e, f = trader("E", campaign=campaign), trader("F", campaign=campaign)
    g = trader("G", campaign=campaign, status=Enrollment.Status.PENDING)
    # Totals: A views 4000, engagement 300, volume 9000; B 3000/400/3000; C 2000/100/5000; D 1000/200/1000.
    post(campaign, a, sh(2026, 2, 13, 10), views=4000, likes=200, comments=50, shares=50, copy_volume="9000")
    post(campaign, a, sh(2026, 2, 14, 10))
    post(campaign, a, sh(2026, 2, 14, 11))
    post(campaign, b, sh(2026, 2, 13, 10), views=3000, likes=400, copy_volume="3000")
    post(campaign, b, sh(2026, 2, 20, 10))
    post(campaign, b, sh(2026, 2, 26, 17, 59))  # one minute before the period ends: counts
    post(campaign, c, sh(2026, 2, 15, 10), views=2000, comments=100, copy_volume="5000")
    post(campaign, c, sh(2026, 2, 16, 10))
    post(campaign, c, sh(2026, 2, 17, 10))
    # D: two Shanghai days (13th 23:30 and 14th 00:30) that are the same UTC day (the 13th).
    post(campaign, d, sh(2026, 2, 13, 23, 30), views=1000, shares=200, copy_volume="1000")
    post(campaign, d, sh(2026, 2, 14, 0, 30))
    post(campaign, d, sh(2026, 2, 14, 0, 45))
    # Not counted: A's post at the very start of period 2, D's rejected post, a post still awaiting review.
    post(campaign, a, sh(2026, 2, 26, 18), views=10**6, copy_volume="1000000")
    post(campaign, d, sh(2026, 2, 18, 10), status=Post.Status.REJECTED, views=10**6)
    post(campaign, c, sh(2026, 2, 18, 10), status=Post.Status.SUBMITTED, views=10**6)
    # E: three posts on one Shanghai day spread over two UTC days (14th 23:00 UTC and 15th 01:00 UTC).
    for hour in (7, 9, 10):
        post(campaign, e, sh(2026, 2, 15, hour), views=50000)
    # F: two posts only. G: enough posts but the enrolment is not approved.
    post(campaign, f, sh(2026, 2, 13, 10), views=50000)
    post(campaign, f, sh(2026, 2, 14, 10), views=50000)
    for day in (13, 14, 15):
        post(campaign, g, sh(2026, 2, day, 10), views=50000)


def test_content_pool_worked_example():
    campaign = phase2()
    _content_world(campaign)
    batch = payout_batch_calculate(period=period_of(campaign, K.CONTENT, 1), actor=SYSTEM)
    # Percentile ranks among the 4 eligible (rank / 4):
    #   A: exposure 1.00, engagement 0.75, volume 1.00 -> 0.3*1 + 0.3*0.75 + 0.4*1    = 0.925
    #   B: exposure 0.75, engagement 1.00, volume 0.50 -> 0.225 + 0.3 + 0.2           = 0.725
    #   C: exposure 0.50, engagement 0.25, volume 0.75 -> 0.15 + 0.075 + 0.3          = 0.525
    #   D: exposure 0.25, engagement 0.50, volume 0.25 -> 0.075 + 0.15 + 0.1          = 0.325
    # Sum 2.5; 500 x score / 2.5 = 185, 145, 105, 65.
    assert amounts(batch) == {"A": D("185.00"), "B": D("145.00"), "C": D("105.00"), "D": D("65.00")}
    assert batch.total == D("500.00") and batch.unspent == 0 and batch.pool_amount == D("500")
    lines = {line.trader.display_name: line for line in batch.lines.select_related("trader")}
    assert lines["A"].rank == 1 and lines["A"].score == pytest.approx(0.925)
    assert lines["D"].explanation["days"] == 2 and lines["A"].explanation["exposure"] == 4000
    assert lines["C"].reward_form == "cash" and lines["C"].currency == "USDT"


def test_content_pool_cap_redistributes_the_excess():
    campaign = phase2()
    _content_world(campaign)
    pool = pool_of(campaign, K.CONTENT)
    pool.rules = {**pool.rules, "per_trader_cap": "150"}
    pool.save()
    batch = payout_batch_calculate(period=period_of(campaign, K.CONTENT, 1), actor=SYSTEM)
    # A would get 185 > 150: capped; 350 left over B, C, D by 0.725 : 0.525 : 0.325 (sum 1.575):
    # B = 161.11 > 150: capped; 200 left over C, D by 0.525 : 0.325 (sum 0.85):
    # C = 123.5294.., D = 76.4705..: floors 123.52 + 76.47 = 199.99, the last cent to C (remainder .94 > .06).
    assert amounts(batch) == {"A": D("150.00"), "B": D("150.00"), "C": D("123.53"), "D": D("76.47")}
    assert batch.total == D("500.00") and batch.unspent == 0


def test_content_pool_nobody_eligible_records_the_pool_unspent():
    campaign = phase2()
    f = trader("F", campaign=campaign)
    post(campaign, f, sh(2026, 2, 13, 10), views=5)
    batch = payout_batch_calculate(period=period_of(campaign, K.CONTENT, 1), actor=SYSTEM)
    assert batch.lines.count() == 0 and batch.total == 0 and batch.unspent == D("500")


def test_first_post_bonus_once_per_trader_with_budget_first_come_first_served():
    campaign = phase2()
    pool = pool_of(campaign, K.FIRST_POST)
    pool.budget_cap = D("60")
    pool.save()
    a, b, c = (trader(n, campaign=campaign) for n in "ABC")
    pending = trader("P", campaign=campaign, status=Enrollment.Status.PENDING)
    post(campaign, c, sh(2026, 2, 13, 9), reviewed_at=sh(2026, 2, 16, 12))  # published first, reviewed last
    post(campaign, a, sh(2026, 2, 13, 10), reviewed_at=sh(2026, 2, 14, 9))
    post(campaign, a, sh(2026, 2, 14, 10), reviewed_at=sh(2026, 2, 15, 9))  # A's second quality post: no bonus
    post(campaign, b, sh(2026, 2, 13, 11), reviewed_at=sh(2026, 2, 15, 10))
    post(campaign, pending, sh(2026, 2, 13, 11), reviewed_at=sh(2026, 2, 14, 10))
    batch = payout_batch_calculate(period=period_of(campaign, K.FIRST_POST, 1), actor=SYSTEM)
    # Order of being marked quality: A (14th), B (15th), C (16th); 30 each under a 60 budget -> A, B.
    assert amounts(batch) == {"A": D("30.00"), "B": D("30.00")}
    assert {line.reward_form for line in batch.lines.all()} == {"trial_fund_voucher"}
    assert batch.pool_amount == D("60") and batch.unspent == 0
    # Next period: the budget is spent, and A's and B's later quality posts never pay again.
    post(campaign, a, sh(2026, 2, 27, 10))
    post(campaign, b, sh(2026, 2, 28, 10))
    second = payout_batch_calculate(period=period_of(campaign, K.FIRST_POST, 2), actor=SYSTEM)
    assert second.lines.count() == 0 and second.pool_amount == 0


def test_first_post_bonus_lands_in_the_period_it_was_marked_quality():
    campaign = phase2()
    a, b = trader("A", campaign=campaign), trader("B", campaign=campaign)
    post(campaign, a, sh(2026, 2, 26, 17, 59))  # reviewed at publication: period 1
    post(campaign, b, sh(2026, 2, 26, 18))  # exactly at the boundary: period 2
    p1 = payout_batch_calculate(period=period_of(campaign, K.FIRST_POST, 1), actor=SYSTEM)
    p2 = payout_batch_calculate(period=period_of(campaign, K.FIRST_POST, 2), actor=SYSTEM)
    assert amounts(p1) == {"A": D("30.00")} and amounts(p2) == {"B": D("30.00")}
    assert Payout.objects.filter(reason=Payout.Reason.FIRST_POST).count() == 2


def _run(campaign, period, scores, *, published_at, status="published"):
    run = RankingRun.objects.create(
        campaign=campaign,
        window=RankingRun.Window.PERIOD,
        period=period,
        start_date=period.starts_at.date(),
        end_date=period.ends_at.date(),
        status=status,
        published_at=published_at if status == "published" else None,
    )
    for rank, (who, score) in enumerate(scores, start=1):
        Standing.objects.create(run=run, trader=who, rank=rank, score=score, eligible=True)
    return run


def test_leaderboard_pool_worked_example_with_ties_across_tiers():
    campaign = phase2()
    period = period_of(campaign, K.LEADERBOARD, 1)
    people = [trader(f"T{i:02d}", campaign=campaign) for i in range(1, 13)]
    # Positions 2-3 tied and positions 10-11 tied (equal scores).
    scores = [0.95, 0.9, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.2, 0.1]
    _run(campaign, period, [(p, 0.99) for p in people[::-1]], published_at=sh(2026, 3, 1, 1))  # older snapshot
    final = _run(campaign, period, list(zip(people, scores, strict=True)), published_at=sh(2026, 3, 1, 2))
    _run(campaign, period, [(people[-1], 1.0)], published_at=None, status="computing")  # never published
    batch = payout_batch_calculate(period=period, actor=SYSTEM)
    # T01 5000; T02+T03 share 3500 + 2500 = 3000 each; T04 2000; T05 1500; T06 1500; T07-T09 1000;
    # T10+T11 share tier 10 (1000) with the unpaid 11th place = 500 each; T12 nothing. Total 20,000.
    expected = {"T01": "5000", "T02": "3000", "T03": "3000", "T04": "2000", "T05": "1500", "T06": "1500"}
    expected |= {"T07": "1000", "T08": "1000", "T09": "1000", "T10": "500", "T11": "500"}
    assert amounts(batch) == {k: D(v) for k, v in expected.items()}
    assert batch.total == D("20000") and batch.unspent == 0
    assert batch.ranking_run == final
    assert {line.explanation["snapshot_id"] for line in batch.lines.all()} == {final.pk}
    assert set(batch.lines.values_list("ranking_run", flat=True)) == {final.pk}


def test_leaderboard_pool_with_fewer_traders_records_the_unspent_part():
    campaign = phase2()
    period = period_of(campaign, K.LEADERBOARD, 2)
    people = [trader(n, campaign=campaign) for n in ("X", "Y", "Z")]
    _run(campaign, period, list(zip(people, [0.3, 0.2, 0.1], strict=True)), published_at=sh(2026, 4, 1, 2))
    batch = payout_batch_calculate(period=period, actor=SYSTEM)
    assert amounts(batch) == {"X": D("5000"), "Y": D("3500"), "Z": D("2500")}
    assert batch.total == D("11000") and batch.unspent == D("9000") and batch.pool_amount == D("20000")


def test_leaderboard_pool_without_published_run_waits():
    campaign = phase2()
    with pytest.raises(NoRankingRun):
        payout_batch_calculate(period=period_of(campaign, K.LEADERBOARD, 1), actor=SYSTEM)


def test_open_period_cannot_be_calculated():
    campaign = phase2()
    with pytest.raises(ValidationError, match="not ended"):
        payout_batch_calculate(period=period_of(campaign, K.CONTENT, 1), now=sh(2026, 2, 20), actor=SYSTEM)


def test_weekly_spotlight_composite_and_the_home_page_selector():
    campaign = phase2()
    week = period_of(campaign, K.SPOTLIGHT, 1)  # [02-12 18:00, 02-19 18:00) Shanghai
    a, b, c = (trader(n, campaign=campaign) for n in "ABC")
    run = RankingRun.objects.create(
        campaign=campaign,
        window=RankingRun.Window.D7,
        start_date=week.starts_at.date(),
        end_date=week.ends_at.date(),
        status="published",
        published_at=sh(2026, 2, 18, 12),
    )
    Standing.objects.create(run=run, trader=a, rank=1, score=0.9, eligible=True)
    Standing.objects.create(run=run, trader=b, rank=2, score=0.5, eligible=True)
    post(campaign, b, sh(2026, 2, 14, 10), views=5000)
    post(campaign, c, sh(2026, 2, 15, 10), views=3000)
    post(campaign, c, sh(2026, 2, 19, 18), views=10**6)  # next week
    batch = payout_batch_calculate(period=week, actor=SYSTEM)
    # Trading percentiles (A, B): 1.0, 0.5; content percentiles (B, C): 1.0, 0.5; missing counts 0.
    # Composite 0.5 x trading + 0.5 x content: A 0.5, B 0.75, C 0.25 -> B, no cash.
    line = batch.lines.get()
    assert line.trader == b and line.score == pytest.approx(0.75) and line.amount == 0
    assert line.reward_form == "exposure" and line.explanation["snapshot_id"] == run.pk
    assert spotlight_current(campaign=campaign) == line
    assert spotlight_current(campaign=campaign, now=sh(2026, 2, 19, 17)) is None  # the week has not ended


@pytest.mark.parametrize(
    ("metric", "expected"),
    [("copy_volume", {"A": D("283.33"), "B": D("216.67")}), ("followers_gained", {"A": D("216.67"), "B": D("283.33")})],
)
def test_content_pool_copy_metric_is_campaign_data(metric, expected):
    campaign = phase2()
    pool = pool_of(campaign, K.CONTENT)
    pool.rules = {**pool.rules, "copy_metric": metric}
    pool.save()
    a, b = trader("A", campaign=campaign), trader("B", campaign=campaign)
    for who, volume, followers in ((a, "1000", 1), (b, "10", 50)):
        first = post(campaign, who, sh(2026, 2, 13, 10), views=100, likes=10, copy_volume=volume)
        first.followers_gained = followers
        first.save()
        post(campaign, who, sh(2026, 2, 14, 10))
        post(campaign, who, sh(2026, 2, 15, 10))
    batch = payout_batch_calculate(period=period_of(campaign, K.CONTENT, 1), actor=SYSTEM)
    # Exposure and engagement tie: both 0.75 (average rank 1.5 of 2). The copy metric decides: 1.0 vs 0.5.
    # Leader 0.225 + 0.225 + 0.4 = 0.85, other 0.225 + 0.225 + 0.2 = 0.65; 500 x 0.85 / 1.5 = 283.333.. and
    # 500 x 0.65 / 1.5 = 216.666..: the spare cent goes to the larger remainder (0.67 cent).
    assert amounts(batch) == expected


def test_a_flagged_trader_is_never_the_weekly_star():
    campaign = phase2()
    week = period_of(campaign, K.SPOTLIGHT, 1)
    a, b = (trader(n, campaign=campaign) for n in "AB")
    run = RankingRun.objects.create(
        campaign=campaign,
        window=RankingRun.Window.D7,
        start_date=week.starts_at.date(),
        end_date=week.ends_at.date(),
        status="published",
        published_at=sh(2026, 2, 18, 12),
    )
    Standing.objects.create(run=run, trader=a, rank=1, score=0.9, eligible=True, flags=["mirrored_returns"])
    Standing.objects.create(run=run, trader=b, rank=2, score=0.5, eligible=True)
    post(campaign, a, sh(2026, 2, 14, 10), views=9000)
    batch = payout_batch_calculate(period=week, actor=SYSTEM)
    assert batch.lines.get().trader == b
