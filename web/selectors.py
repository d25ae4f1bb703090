"""Read queries behind the public pages and the API: each a fixed number of queries, whatever the number of traders."""

import logging
import time
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from campaigns.models import Campaign, Enrollment, Post, RewardPeriod, RewardPool
from campaigns.selectors import campaign_featured
from core.cache import best_effort_cache
from leaderboard.metric_registry import COLUMN_SETS, DEFAULT_SET, SORTS
from leaderboard.models import RankingRun, Standing
from leaderboard.selectors import HIDDEN_ENROLMENTS, ranking_run_latest, trader_regime_framing
from rewards.allocation import split_tiers
from rewards.models import Payout
from rewards.selectors import payout_list_for_trader, spotlight_current
from traders.models import DailyEquity, LeadTrader
from web import board_state_mirror

logger = logging.getLogger(__name__)

WINDOWS = [choice.value for choice in RankingRun.Window]
DEFAULT_WINDOW = RankingRun.Window.D30.value
PAGE_SIZE = 50


def window_clean(value: str | None) -> str:
    return value if value in WINDOWS else DEFAULT_WINDOW


def column_set_clean(value: str | None) -> str:
    """The board's ?cols= column set; anything unknown shows the overview."""
    return value if value in COLUMN_SETS else DEFAULT_SET


def sort_clean(value: str | None) -> tuple[str, bool]:
    """(key, descending) from '?sort=roi' (ascending) or '?sort=-roi' (descending); unknown keys sort by rank."""
    value = (value or "rank").strip()
    key = value.lstrip("-")
    if key not in SORTS:
        return "rank", False
    return key, value.startswith("-")


def campaign_for_page(*, slug: str | None = None) -> Campaign | None:
    """The campaign named by slug, else the one the site leads with."""
    if slug:
        return Campaign.objects.filter(slug=slug, is_active=True).first()
    return campaign_featured()


def campaign_for_trader(*, trader: LeadTrader) -> Campaign | None:
    """The campaign a profile speaks of by default: the featured one if the trader is on its board, else the most
    recent campaign the trader is (still) enrolled in, else the featured one."""
    featured = campaign_featured()
    visible = Enrollment.objects.filter(trader=trader, campaign__is_active=True).exclude(status__in=HIDDEN_ENROLMENTS)
    if featured is not None and visible.filter(campaign=featured).exists():
        return featured
    latest = visible.select_related("campaign").order_by("-campaign__starts_at").first()
    return latest.campaign if latest else featured


def run_latest(*, campaign: Campaign, window: str) -> RankingRun | None:
    return ranking_run_latest(campaign=campaign, window=window)


_BOARD_STATE_SQL = """
SELECT r.campaign_id, r.id, r.published_at
FROM {run} r LEFT JOIN {period} p ON p.id = r.period_id
WHERE r."window" = %s AND r.status = %s AND r.campaign_id = (
    SELECT c.id FROM {campaign} c
    WHERE c.is_active AND (%s::text IS NULL OR c.slug = %s)
    ORDER BY CASE WHEN c.starts_at <= %s AND c.ends_at > %s THEN 1 ELSE 0 END DESC, c.starts_at DESC, c.id
    LIMIT 1
)
ORDER BY p.starts_at DESC NULLS LAST, r.published_at DESC, r.id DESC
LIMIT 1
"""


def board_state(*, slug: str | None, window: str, now=None) -> tuple[int, int, object] | None:
    """(campaign id, latest published run id, its published_at) in one query, or None without a published run.

    The campaign is the one named by slug, else the one campaigns.selectors.campaign_featured picks (running now,
    latest start first; else the latest to start); the run is the one leaderboard.selectors.ranking_run_latest
    picks (for "period": the latest started period's run). This is every cached page view's only query, so it is plain
    SQL on the run_latest_idx index: building it through the ORM cost more than running it.
    """
    now = now or timezone.now()
    sql = _BOARD_STATE_SQL.format(
        run=RankingRun._meta.db_table, campaign=Campaign._meta.db_table, period=RewardPeriod._meta.db_table
    )
    if connection.vendor != "postgresql":
        sql = sql.replace("%s::text IS NULL", "%s IS NULL")
    with connection.cursor() as cursor:
        cursor.execute(sql, [window, RankingRun.Status.PUBLISHED, slug, slug, now, now])
        row = cursor.fetchone()
    if row is None:
        return None
    campaign_id, run_id, published_at = row
    if isinstance(published_at, str):  # SQLite returns text for raw queries
        published_at = RankingRun._meta.get_field("published_at").to_python(published_at)
    return campaign_id, run_id, published_at


# The board state (campaign id, latest published run id, its publish time) per (slug or the featured campaign,
# window), kept in the cache so a cached page view needs no database at all, and copied into each process's memory
# (web.board_state_mirror, dropped through Redis pub/sub on every write) so it needs no Redis either.
# web.board_cache rewrites it when a run is published (on commit) or a campaign is saved; a reader
# that finds no entry (evicted, cache down) reads the database and primes it. The timeout is only a safety net for
# writes that bypass both (QuerySet.update on a campaign, raw SQL): a published run replaces the entry at once.
BOARD_STATE_SECONDS = 300
_FEATURED = "*"


def board_state_key(*, slug: str | None, window: str) -> str:
    return f"pages:board-state:{slug or _FEATURED}:{window}"


def board_state_entry(*, slug: str | None, window: str, now=None) -> tuple[tuple | None, int]:
    """(state, seconds it may be cached) from the database: what the cache holds for this slug and window.

    The featured campaign depends on the time, so that entry lasts only until the next start or end of an active
    campaign, the next moment the choice can change.
    """
    now = now or timezone.now()
    state = board_state(slug=slug, window=window, now=now)
    seconds = BOARD_STATE_SECONDS
    if not slug:
        from django.db.models import Min

        bounds = Campaign.objects.filter(is_active=True).aggregate(
            start=Min("starts_at", filter=Q(starts_at__gt=now)), end=Min("ends_at", filter=Q(ends_at__gt=now))
        )
        upcoming = [b for b in bounds.values() if b is not None]
        if upcoming:
            seconds = max(0, min(seconds, int((min(upcoming) - now).total_seconds())))
    return state, seconds


def board_state_cache_value(state: tuple, seconds: int) -> tuple:
    """What the cache holds: the state and when it expires, so a process's copy expires with the shared entry."""
    return (state, time.time() + seconds)


def board_state_cached(*, slug: str | None, window: str, now=None) -> tuple[int, int, object] | None:
    """board_state from this process's copy (board_state_mirror), else the cache, else the database (priming both).

    Redis down: the database answers and nothing is primed.
    """
    key = board_state_key(slug=slug, window=window)
    entry = board_state_mirror.get(key)
    if entry is not None:
        return entry[0]
    taken = board_state_mirror.token()
    entry = best_effort_cache.get(key)  # only when this process has no copy: not on the hot path
    if entry is not None:
        board_state_mirror.put(key, entry, expires_at=entry[1], taken=taken)
        return entry[0]
    state, seconds = board_state_entry(slug=slug, window=window, now=now)
    # add, not set: a publish that commits while this reader was in the database has written a newer entry, which
    # an older read must not overwrite (nor copy). Only a campaign with a published run is stored, so a visitor's
    # made-up ?campaign= never adds a key. Redis down: add is False and nothing is copied.
    if state is not None and seconds > 0:
        value = board_state_cache_value(state, seconds)
        if best_effort_cache.add(key, value, seconds):
            board_state_mirror.put(key, value, expires_at=value[1], taken=taken)
    return state


def board_objects(*, campaign_id: int, run_id: int) -> tuple[Campaign, RankingRun]:
    run = RankingRun.objects.select_related("campaign").get(pk=run_id, campaign_id=campaign_id)
    return run.campaign, run


def standing_page_queryset(*, run: RankingRun, sort: str = "rank", descending: bool = False, query: str = ""):
    """The run's standings, filtered by a name/UID search and ordered by one metric (empty values last)."""
    qs = Standing.objects.filter(run=run).select_related("trader")
    query = query.strip()
    if query:
        qs = qs.filter(Q(trader__display_name__icontains=query) | Q(trader__exchange_uid__icontains=query))
    field = SORTS[sort][0]
    primary = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    # Deterministic tie order (as leaderboard.selectors.standing_list): rank, score, trader id.
    return qs.order_by(primary, F("rank").asc(nulls_last=True), F("score").desc(nulls_last=True), "trader_id")


def pools_of(*, campaign: Campaign) -> list[RewardPool]:
    return list(campaign.pools.filter(is_active=True).order_by("id"))


def projected_rewards(*, pool: RewardPool | None, run: RankingRun | None) -> dict[int, Decimal]:
    """trader id -> what the pool would pay if the period ended with this run (rewards.allocation's tier split).

    Ties across a tier boundary share those tiers exactly as the payout will, so the page never promises more.
    """
    tiers = [Decimal(str(t)) for t in ((pool.rules or {}).get("tiers", []) if pool else [])]
    if run is None or not tiers:
        return {}
    # A few rows past the table so a tie at the last tier is seen whole.
    top = list(
        Standing.objects.filter(run=run, rank__isnull=False)
        .order_by("rank")
        .values_list("trader_id", "score")[: len(tiers) + 10]
    )
    if not top:
        return {}
    keys, scores = zip(*top, strict=True)
    split = split_tiers(total=pool.amount, keys=list(keys), scores=list(scores), tiers=tiers)
    return {key: amount for key, amount in split.amounts.items() if amount > 0}


def top_standings(*, run: RankingRun | None, limit: int = 10) -> list[Standing]:
    if run is None:
        return []
    return list(Standing.objects.filter(run=run, rank__isnull=False).select_related("trader").order_by("rank")[:limit])


def posts_showcase(*, campaign: Campaign, limit: int = 6) -> list[Post]:
    """Quality posts the moderators put forward: featured or home-page, newest first."""
    return list(
        Post.objects.filter(campaign=campaign, status=Post.Status.QUALITY)
        .filter(Q(is_featured=True) | Q(is_home_page=True))
        .select_related("trader")
        .order_by("-is_home_page", "-published_at", "id")[:limit]
    )


def public_posts(*, campaign: Campaign | None = None) -> QuerySet[Post]:
    qs = Post.objects.filter(status=Post.Status.QUALITY).select_related("trader", "campaign")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs.order_by("-published_at", "id")


def trader_public(*, exchange_uid: str) -> LeadTrader | None:
    return LeadTrader.objects.filter(exchange_uid=exchange_uid).exclude(status=LeadTrader.Status.PENDING).first()


def trader_standings(*, trader: LeadTrader, campaign: Campaign | None, limit: int = 400) -> list[Standing]:
    """The trader's rows in published runs of the campaign, newest first (rank history and latest per window)."""
    if campaign is None:
        return []
    return list(
        Standing.objects.filter(trader=trader, run__campaign=campaign, run__status=RankingRun.Status.PUBLISHED)
        .select_related("run", "trader")
        .order_by("-run__published_at", "-run_id")[:limit]
    )


def latest_per_window(standings: list[Standing]) -> dict[str, Standing]:
    latest: dict[str, Standing] = {}
    for standing in standings:  # newest first
        latest.setdefault(standing.run.window, standing)
    return latest


def primary_standing(latest: dict[str, Standing]) -> Standing | None:
    """The standing a profile leads with (and explains): 30 days, else the reward period, else any window."""
    return (
        latest.get(RankingRun.Window.D30) or latest.get(RankingRun.Window.PERIOD) or next(iter(latest.values()), None)
    )


RANK_HISTORY_POINTS = 60


def rank_history(standings: list[Standing]) -> tuple[str, list[Standing]]:
    """(window, its latest RANK_HISTORY_POINTS standings oldest first): the reward period if the trader has a
    standing in one, else 30 days. `standings` newest first, as trader_standings returns them."""
    has_period = any(s.run.window == RankingRun.Window.PERIOD for s in standings)
    window = RankingRun.Window.PERIOD if has_period else RankingRun.Window.D30
    history = [s for s in standings if s.run.window == window][:RANK_HISTORY_POINTS]
    history.reverse()
    return window, history


def trader_framing(*, uv_points: list[tuple], standing: Standing | None):
    """The trader's return against BTC and the liquidity regime over the standing's window (regime.selectors), from
    the profile's [(date, unit value)] points; None with too few days, none in the window, or a framing error."""
    if standing is None or len(uv_points) < 3:
        return None
    import pandas as pd

    start, end = standing.run.start_date, standing.run.end_date
    dates = [d for d, _ in uv_points]
    values = pd.Series([v for _, v in uv_points], index=pd.Index(dates, name="date"), dtype=float)
    returns = values.pct_change().dropna()
    returns = returns[(returns.index >= start) & (returns.index <= end)]
    if returns.empty:
        return None
    try:
        framing = trader_regime_framing(returns=returns, start=start, end=end)
    except Exception:  # a framing bug must not take the profile down
        logger.warning("regime framing failed", exc_info=True)
        return None
    return framing if framing.days else None


def equity_series(*, trader: LeadTrader, days: int = 365) -> list[tuple]:
    """[(date, unit_value, equity)] oldest first, over the trader's last `days` days of data."""
    rows = list(
        DailyEquity.objects.filter(trader=trader, unit_value__isnull=False)
        .order_by("-date")
        .values_list("date", "unit_value", "equity")[:days]
    )
    rows.reverse()
    return rows


@dataclass(frozen=True)
class RewardsEarned:
    lines: list[Payout]
    totals: dict[tuple[str, str], Decimal]  # (currency, reward form) -> sum


def trader_rewards(*, trader: LeadTrader, limit: int = 50) -> RewardsEarned:
    """Payouts from approved or paid batches only: a draft can still change."""
    lines = list(payout_list_for_trader(trader=trader)[:limit])
    totals: dict[tuple[str, str], Decimal] = {}
    for line in lines:
        key = (line.currency, line.reward_form)
        totals[key] = totals.get(key, Decimal("0")) + line.amount
    return RewardsEarned(lines=lines, totals=totals)


def trader_posts(*, trader: LeadTrader, limit: int = 10) -> list[Post]:
    return list(
        Post.objects.filter(trader=trader, status=Post.Status.QUALITY)
        .select_related("campaign")
        .order_by("-published_at", "id")[:limit]
    )


SPOTLIGHT_STAND_IN_SCAN = 50  # ranks read (one query) to find the stand-in with no flag standing


def spotlight(*, campaign: Campaign, run_7d: RankingRun | None) -> dict | None:
    """This week's star trader: the spotlight winner (rewards.selectors) with their 7-day standing.

    Before the first weekly spotlight is calculated, the best-ranked trader of the latest 7-day ranking with no flag
    standing against them stands in (a flag an operator cleared does not count, as in the weekly calculation).
    """
    line = spotlight_current(campaign=campaign)
    if line is not None:
        standing = None
        if run_7d is not None:
            standing = Standing.objects.filter(run=run_7d, trader=line.trader).first()
        return {"trader": line.trader, "standing": standing, "week": line.period}
    for standing in top_standings(run=run_7d, limit=SPOTLIGHT_STAND_IN_SCAN):
        if not standing.open_flags:
            return {"trader": standing.trader, "standing": standing, "week": None}
    return None
