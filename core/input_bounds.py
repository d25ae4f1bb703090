"""The one definition of what dates, amounts and counts a person or a file may give us (pure: no Django).

Forms, imports, API filters, command arguments and the database's CHECK constraints all read these numbers, so a
value one door refuses no other door lets in.

Why bounds at all: PostgreSQL stores times Python cannot read back (0001-01-01 in Asia/Shanghai's local mean time is
a BC instant), and a number past a column's digits is a database error, not a message. Inside these bounds every
value is readable, storable, and plausible for a trading campaign.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

# Trading records: nothing a copy trader did predates bitcoin's genesis block.
EARLIEST_DAY = date(2009, 1, 3)
EARLIEST = datetime(2009, 1, 3, tzinfo=UTC)
# Market series (FRED's macro history, e.g. Moody's BAA from 1919) legitimately reach further back.
EARLIEST_MARKET_DAY = date(1900, 1, 1)
# What the database's CHECK constraints allow at most: far beyond any real value, far below Python's year 9999.
STORED_BEFORE_DAY = date(2100, 1, 1)
STORED_BEFORE = datetime(2100, 1, 1, tzinfo=UTC)
# A person's or an exchange's clock may run a little ahead of ours.
FUTURE_SKEW = timedelta(minutes=5)
# A calendar date has begun somewhere on Earth up to 14 hours before it begins in UTC (Pacific/Kiritimati).
_EARLIEST_ZONE_LEAD = timedelta(hours=14)

# Money and market values, in any currency or unit we store: a quadrillion is more than any account, flow, pool or
# market series we read, and leaves room in every Decimal column (at least 18 integer digits).
MAX_AMOUNT = Decimal(10) ** 15
# Counts (views, likes, followers, positions): PostgreSQL's integer column, which PositiveIntegerField uses.
MAX_COUNT = 2_147_483_647


def latest_instant(now: datetime) -> datetime:
    """The latest time a person or file may give: now, plus the clock skew we tolerate."""
    return now + FUTURE_SKEW


def latest_day(now: datetime) -> date:
    """The latest calendar date that has begun anywhere on Earth (plus the skew) at `now`."""
    return (now.astimezone(UTC) + _EARLIEST_ZONE_LEAD + FUTURE_SKEW).date()


def instant_in_range(value: datetime, *, now: datetime, earliest: datetime = EARLIEST) -> bool:
    """An aware time between `earliest` and now (plus the skew)."""
    try:
        return earliest <= value <= latest_instant(now)
    except OverflowError:  # an offset pushes it past what Python can represent
        return False


def day_in_range(value: date, *, now: datetime, earliest: date = EARLIEST_DAY) -> bool:
    """A calendar date between `earliest` and the latest date begun anywhere."""
    return earliest <= value <= latest_day(now)


def instant_clamped(value: datetime, *, now: datetime) -> datetime:
    """A filter's time brought into the range (the answer is the same: nothing stored lies outside it)."""
    if not instant_in_range(value, now=now):
        try:
            return EARLIEST if value < EARLIEST else latest_instant(now)
        except OverflowError:
            return EARLIEST
    return value


def day_clamped(value: date, *, now: datetime, earliest: date = EARLIEST_DAY) -> date:
    """A filter's day brought into the range."""
    return min(max(value, earliest), latest_day(now))


def amount_in_range(value: Decimal, *, allow_negative: bool = False) -> bool:
    """A finite amount of at most MAX_AMOUNT in size (and not negative unless allowed)."""
    if not value.is_finite():
        return False
    if value < 0 and not allow_negative:
        return False
    return abs(value) <= MAX_AMOUNT


def count_in_range(value: int) -> bool:
    return 0 <= value <= MAX_COUNT
