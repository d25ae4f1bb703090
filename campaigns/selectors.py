"""Read queries about campaigns, for views, the API and commands."""

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

from campaigns.models import Campaign, Enrollment, Post, RewardPool

# An enrolment that lets the trader submit posts (a withdrawn or rejected one does not).
POSTING_STATUSES = (Enrollment.Status.PENDING, Enrollment.Status.APPROVED)


def campaign_list(*, active_only: bool = True) -> QuerySet[Campaign]:
    qs = Campaign.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def campaign_featured(*, now=None) -> Campaign | None:
    """The campaign the site leads with: the one running now, else the most recent to start."""
    now = now or timezone.now()
    active = campaign_list()
    running = active.filter(starts_at__lte=now, ends_at__gt=now).order_by("-starts_at").first()
    return running or active.order_by("-starts_at").first()


def enrollment_list_for_trader(*, trader) -> QuerySet:
    """The trader's enrolments, newest campaign first ("My campaign")."""
    return Enrollment.objects.filter(trader=trader).select_related("campaign").order_by("-campaign__starts_at", "id")


def campaign_open_for_registration(*, now=None) -> QuerySet[Campaign]:
    """Active campaigns whose registration window contains `now`."""
    now = now or timezone.now()
    return campaign_list().filter(registration_opens_at__lte=now, registration_closes_at__gt=now)


def campaign_list_for_posting(*, trader) -> QuerySet[Campaign]:
    """The campaigns the trader may submit posts to: those with a pending or approved enrolment."""
    return Campaign.objects.filter(enrollments__trader=trader, enrollments__status__in=POSTING_STATUSES).distinct()


def post_list_for_trader(*, trader) -> QuerySet:
    return Post.objects.filter(trader=trader).select_related("campaign").order_by("-published_at", "id")


def leaderboard_pool(*, campaign: Campaign | None = None, pools: Iterable[RewardPool] | None = None):
    """The campaign's active leaderboard pool (the first by id), or None. A page that already holds the campaign's
    active pools (by id) passes them and costs no query."""
    if pools is None:
        if campaign is None:
            raise TypeError("leaderboard_pool needs the campaign or its active pools")
        pools = campaign.pools.filter(is_active=True).order_by("id")
    return next((pool for pool in pools if pool.kind == pool.Kind.LEADERBOARD), None)
