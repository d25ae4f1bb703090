"""Read queries about campaigns, for views, the API and commands."""

from django.db.models import QuerySet
from django.utils import timezone

from campaigns.models import Campaign, Enrollment, Payout, PayoutBatch, Post
from campaigns.reward_selectors import spotlight_current
from leaderboard.models import LeadTrader

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


def reward_period_current(*, pool, now=None):
    """The pool's period containing `now`, else None."""
    now = now or timezone.now()
    return pool.periods.filter(starts_at__lte=now, ends_at__gt=now).first()


def enrollment_list_for_trader(*, trader) -> QuerySet:
    """The trader's enrolments, newest campaign first ("My campaign")."""
    return Enrollment.objects.filter(trader=trader).select_related("campaign").order_by("-campaign__starts_at", "id")


def campaign_open_for_registration(*, now=None) -> QuerySet[Campaign]:
    """Active campaigns whose registration window contains `now`."""
    now = now or timezone.now()
    return campaign_list().filter(registration_opens_at__lte=now, registration_closes_at__gt=now)


def trader_of_user(user) -> LeadTrader | None:
    """The signed-in user's lead-trader profile, or None (anonymous, or no profile)."""
    if not user.is_authenticated:
        return None
    return LeadTrader.objects.filter(user=user).first()


def campaign_list_for_posting(*, trader) -> QuerySet[Campaign]:
    """The campaigns the trader may submit posts to: those with a pending or approved enrolment."""
    return Campaign.objects.filter(enrollments__trader=trader, enrollments__status__in=POSTING_STATUSES).distinct()


def post_list_for_trader(*, trader) -> QuerySet:
    return Post.objects.filter(trader=trader).select_related("campaign").order_by("-published_at", "id")


def payout_list_for_trader(*, trader) -> QuerySet:
    """The trader's reward lines from approved or paid batches (drafts may still change, so they stay private)."""
    return (
        Payout.objects.filter(trader=trader, batch__status__in=[PayoutBatch.Status.APPROVED, PayoutBatch.Status.PAID])
        .select_related("period__pool__campaign", "batch")
        .order_by("-period__starts_at", "id")
    )


def spotlight_trader(*, campaign: Campaign, now=None):
    """The home page's star trader: the spotlight winner of the campaign's latest finished week, or None."""
    line = spotlight_current(campaign=campaign, now=now)
    return line.trader if line is not None else None
