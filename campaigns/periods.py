"""Reward-period boundaries, pure: computed in the campaign's own zone, returned as aware UTC instants.

Calendar months start at local midnight on the 1st; weekly and bi-weekly periods are anchored at the campaign
start; every period is clipped to [campaign start, campaign end).
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

STEP_DAYS = {"weekly": 7, "biweekly": 14}


def local_minute(moment: datetime, zone: ZoneInfo) -> str:
    """An aware instant as the zone's wall clock, to the minute: "2026-02-12 18:00" (how the desk shows times).

    An instant the zone's clock cannot show (within hours of year 1 or year 9999) is shown in UTC, saying so."""
    try:
        return f"{moment.astimezone(zone):%Y-%m-%d %H:%M}"
    except OverflowError:
        return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def period_bounds(*, cadence: str, starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> list[tuple]:
    """[(start_utc, end_utc), ...] covering [starts_at, ends_at) without gaps or overlaps."""
    local_start, local_end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    if cadence == "campaign":
        edges = [local_start, local_end]
    elif cadence in STEP_DAYS:
        edges, cursor = [], local_start
        while cursor < local_end:
            edges.append(cursor)
            # Step in wall-clock days, so a DST change does not shift the local boundary time.
            naive = cursor.replace(tzinfo=None) + timedelta(days=STEP_DAYS[cadence])
            cursor = naive.replace(tzinfo=zone)
        edges.append(local_end)
    elif cadence == "monthly":
        edges, cursor = [local_start], local_start
        while True:
            year, month = (cursor.year + 1, 1) if cursor.month == 12 else (cursor.year, cursor.month + 1)
            cursor = datetime(year, month, 1, tzinfo=zone)
            if cursor >= local_end:
                break
            edges.append(cursor)
        edges.append(local_end)
    else:
        raise ValueError(f"Unknown cadence: {cadence!r}")
    return [(a.astimezone(UTC), b.astimezone(UTC)) for a, b in zip(edges, edges[1:], strict=False) if b > a]
