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
