"""Builders shared by the posts and payouts tests: the phase-2 campaign from demo.campaigns, traders, posts."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Permission, User

from campaigns.models import Campaign, Enrollment, Post, RewardPeriod, RewardPool
from campaigns.services.periods import reward_periods_ensure
from core.services.audit import SYSTEM
from demo.campaigns import seed_campaigns
from rewards.models import PayoutBatch
from rewards.services.payouts import payout_batch_calculate
from tests.factories import EnrollmentFactory, LeadTraderFactory
from traders.models import LeadTrader

SH = ZoneInfo("Asia/Shanghai")
STAFF_PASSWORD = "desk-pw-for-tests-only"


def sh(*args) -> datetime:
    """A wall-clock time in Asia/Shanghai (the campaign's zone)."""
    return datetime(*args, tzinfo=SH)


def phase2() -> Campaign:
    campaign = next(c for c in seed_campaigns() if c.slug.endswith("phase-2"))
    reward_periods_ensure(campaign=campaign)
    return campaign


def period_of(campaign: Campaign, kind: str, index: int) -> RewardPeriod:
    return RewardPeriod.objects.get(pool__campaign=campaign, pool__kind=kind, index=index)


def pool_of(campaign: Campaign, kind: str) -> RewardPool:
    return RewardPool.objects.get(campaign=campaign, kind=kind)


def trader(name: str, *, campaign: Campaign | None = None, status: str = Enrollment.Status.APPROVED) -> LeadTrader:
    t = LeadTraderFactory(
        display_name=name, exchange_uid=f"UID-{name}", email=f"{name.lower()}@example.com", active=True
    )
    if campaign is not None:
        EnrollmentFactory(campaign=campaign, trader=t, status=status)
    return t


def post(
    campaign: Campaign,
    who: LeadTrader,
    at: datetime,
    *,
    status: str = Post.Status.QUALITY,
    reviewed_at: datetime | None = None,
    views: int = 0,
    likes: int = 0,
    comments: int = 0,
    shares: int = 0,
    copy_volume: str = "0",
) -> Post:
    n = Post.objects.count() + 1
    return Post.objects.create(
        campaign=campaign,
        trader=who,
        url=f"https://www.gate.com/post/{n}",
        text=f"post {n}",
        published_at=at,
        status=status,
        reviewed_at=reviewed_at if reviewed_at is not None else (at if status != Post.Status.SUBMITTED else None),
        views=views,
        likes=likes,
        comments=comments,
        shares=shares,
        copy_volume=Decimal(copy_volume),
    )


def staff(name: str, *perms: str, superuser: bool = False) -> User:
    """A staff user with the given permission codenames, fresh from the database (an empty permission cache)."""
    user = User.objects.create_user(name, password=STAFF_PASSWORD, is_staff=True, is_superuser=superuser)
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return User.objects.get(pk=user.pk)


def content_batch(names: tuple[str, str] = ("A", "B"), *, actor=None) -> PayoutBatch:
    """Phase 2's first content batch, calculated by `actor` (default: the system, as beat does): two traders with
    three quality posts each (300 and 100 views)."""
    campaign = phase2()
    for name, views in zip(names, (300, 100), strict=True):
        who = trader(name, campaign=campaign)
        for day in (13, 14, 15):
            post(campaign, who, sh(2026, 2, day, 10), views=views, likes=views // 10, copy_volume=str(views))
    return payout_batch_calculate(period=period_of(campaign, RewardPool.Kind.CONTENT, 1), actor=actor or SYSTEM)
