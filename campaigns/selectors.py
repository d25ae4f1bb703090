"""Read queries about campaigns, for views, the API and commands."""

from django.db.models import QuerySet
from django.utils import timezone

from .models import Campaign


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
    from .models import Enrollment

    return Enrollment.objects.filter(trader=trader).select_related("campaign").order_by("-campaign__starts_at", "id")


def campaign_open_for_registration(*, now=None) -> QuerySet[Campaign]:
    """Active campaigns whose registration window contains `now`."""
    now = now or timezone.now()
    return campaign_list().filter(registration_opens_at__lte=now, registration_closes_at__gt=now)


def post_list_for_trader(*, trader) -> QuerySet:
    from .models import Post

    return Post.objects.filter(trader=trader).select_related("campaign").order_by("-published_at", "id")


def payout_list_for_trader(*, trader) -> QuerySet:
    """The trader's reward lines from approved or paid batches (drafts may still change, so they stay private)."""
    from .models import Payout, PayoutBatch

    return (
        Payout.objects.filter(trader=trader, batch__status__in=[PayoutBatch.Status.APPROVED, PayoutBatch.Status.PAID])
        .select_related("period__pool__campaign", "batch")
        .order_by("-period__starts_at", "id")
    )


def spotlight_trader(*, campaign: Campaign, now=None):
    """The home page's star trader: the spotlight winner of the campaign's latest finished week, or None."""
    from .reward_selectors import spotlight_current

    line = spotlight_current(campaign=campaign, now=now)
    return line.trader if line is not None else None
