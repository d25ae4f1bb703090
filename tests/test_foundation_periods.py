"""Reward periods are computed in the campaign's own zone (Asia/Shanghai for phase 2)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from campaigns.models import RewardPool
from campaigns.periods import period_bounds
from campaigns.services.periods import reward_periods_ensure
from demo.campaigns import seed_campaigns

SH = ZoneInfo("Asia/Shanghai")


def test_monthly_periods_start_at_local_midnight_on_the_first():
    bounds = period_bounds(
        cadence="monthly",
        starts_at=datetime(2026, 2, 12, 18, tzinfo=SH),
        ends_at=datetime(2026, 5, 1, tzinfo=SH),
        zone=SH,
    )
    assert bounds == [
        (datetime(2026, 2, 12, 10, tzinfo=UTC), datetime(2026, 2, 28, 16, tzinfo=UTC)),
        (datetime(2026, 2, 28, 16, tzinfo=UTC), datetime(2026, 3, 31, 16, tzinfo=UTC)),
        (datetime(2026, 3, 31, 16, tzinfo=UTC), datetime(2026, 4, 30, 16, tzinfo=UTC)),
    ]


def test_biweekly_periods_are_anchored_at_the_campaign_start_and_clipped():
    bounds = period_bounds(
        cadence="biweekly",
        starts_at=datetime(2026, 2, 12, 18, tzinfo=SH),
        ends_at=datetime(2026, 3, 20, tzinfo=SH),
        zone=SH,
    )
    assert [b[0].astimezone(SH) for b in bounds] == [
        datetime(2026, 2, 12, 18, tzinfo=SH),
        datetime(2026, 2, 26, 18, tzinfo=SH),
        datetime(2026, 3, 12, 18, tzinfo=SH),
    ]
    assert bounds[-1][1] == datetime(2026, 3, 20, tzinfo=SH)
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))


def test_weekly_periods_keep_local_wall_time_across_a_dst_change():
    ny = ZoneInfo("America/New_York")
    bounds = period_bounds(
        cadence="weekly",
        starts_at=datetime(2026, 3, 2, 9, tzinfo=ny),
        ends_at=datetime(2026, 3, 20, tzinfo=ny),
        zone=ny,
    )
    assert [b[0].astimezone(ny).hour for b in bounds] == [9, 9, 9]


def test_unknown_cadence_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown cadence"):
        period_bounds(
            cadence="yearly",
            starts_at=datetime(2026, 1, 1, tzinfo=SH),
            ends_at=datetime(2026, 2, 1, tzinfo=SH),
            zone=SH,
        )


@pytest.mark.django_db
def test_ensure_periods_is_idempotent():
    phase2 = seed_campaigns()[0]
    first = reward_periods_ensure(campaign=phase2)
    again = reward_periods_ensure(campaign=phase2)
    assert [p.pk for p in first] == [p.pk for p in again]
    monthly = phase2.pools.get(kind=RewardPool.Kind.LEADERBOARD).periods.order_by("index")
    assert monthly.count() == 3
