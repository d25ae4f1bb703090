"""Read queries about rewards: the star-trader spotlight for the home page, and payout lines."""

from django.db.models import QuerySet
from django.utils import timezone

from campaigns.models import Campaign
from rewards.models import Payout, PayoutBatch


def spotlight_current(*, campaign: Campaign | None = None, now=None) -> Payout | None:
    """The star trader of the most recent finished week (of `campaign`, else of any campaign), or None.

    No cash changes hands, so the spotlight shows as soon as the week's batch is calculated, approved or not.
    The line carries the trader, the week (line.period) and the composite score with its inputs (explanation).
    """
    now = now or timezone.now()
    lines = Payout.objects.filter(reason=Payout.Reason.SPOTLIGHT, period__ends_at__lte=now)
    if campaign is not None:
        lines = lines.filter(period__pool__campaign=campaign)
    return lines.select_related("trader", "period__pool__campaign").order_by("-period__ends_at", "id").first()


def payout_list_for_trader(*, trader) -> QuerySet:
    """The trader's reward lines from approved or paid batches (drafts may still change, so they stay private)."""
    return (
        Payout.objects.filter(trader=trader, batch__status__in=[PayoutBatch.Status.APPROVED, PayoutBatch.Status.PAID])
        .select_related("period__pool__campaign", "batch")
        .order_by("-period__starts_at", "id")
    )
