"""Celery tasks of the campaigns app: thin wrappers that load ids and call one service."""

from celery import shared_task

from campaigns.models import Campaign
from campaigns.services.periods import reward_periods_ensure


@shared_task(name="campaigns.tasks.ensure_periods")
def ensure_periods(campaign_id: int) -> int:
    """Create any missing reward periods of a campaign's pools (after an operator adds or edits a pool)."""
    campaign = Campaign.objects.get(pk=campaign_id)
    return len(reward_periods_ensure(campaign=campaign))
