"""Creating the reward periods of a campaign's pools (idempotent)."""

from django.db import transaction

from campaigns.models import Campaign, RewardPeriod
from campaigns.periods import period_bounds


@transaction.atomic
def reward_periods_ensure(*, campaign: Campaign) -> list[RewardPeriod]:
    """Make sure every pool of the campaign has its periods; existing ones are left as they are."""
    periods = []
    for pool in campaign.pools.all():
        bounds = period_bounds(
            cadence=pool.cadence, starts_at=campaign.starts_at, ends_at=campaign.ends_at, zone=campaign.zone
        )
        for index, (start, end) in enumerate(bounds, start=1):
            period, _ = RewardPeriod.objects.get_or_create(
                pool=pool, index=index, defaults={"starts_at": start, "ends_at": end}
            )
            periods.append(period)
    return periods
