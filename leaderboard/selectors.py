"""Read queries over published rankings. Only published runs are ever returned: a run being computed is invisible."""

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, Enrollment, RewardPeriod
from leaderboard.models import (
    FLAG_LABELS,
    ClosedPosition,
    ExchangeAccount,
    FlagReview,
    LeadTrader,
    RankingRun,
    Standing,
)

# Enrolments that stay off the board entirely (pending ones are listed, as not eligible yet).
HIDDEN_ENROLMENTS = [Enrollment.Status.REJECTED, Enrollment.Status.WITHDRAWN]

# Human labels of the codes a Standing carries (flags and ineligible_reasons), for pages and the API.
REASON_LABELS = {
    "no_data": _("No trading data in this window"),
    "enrolment_not_approved": _("Enrolment not approved yet"),
    "equity_below_floor": _("Equity below the minimum"),
    "too_few_trades": _("Too few closed trades"),
    "too_few_active_days": _("Too few active days"),
    "flagged": _("Held for review by an anti-gaming flag"),
    "no_score": _("No value for the score metric"),
}


def exchange_account_of(*, trader: LeadTrader) -> ExchangeAccount | None:
    """The trader's account on the exchange they registered with (the one their API key is for)."""
    return trader.accounts.filter(exchange_id=trader.exchange).order_by("id").first()


def _published() -> QuerySet[RankingRun]:
    return RankingRun.objects.filter(status=RankingRun.Status.PUBLISHED)


def ranking_run_latest(*, campaign: Campaign, window: str, period: RewardPeriod | None = None) -> RankingRun | None:
    """The latest published run of a window. For "period" without a period: the run of the latest started period."""
    qs = _published().filter(campaign=campaign, window=window)
    if period is not None:
        return qs.filter(period=period).order_by("-published_at", "-id").first()
    if window == RankingRun.Window.PERIOD:
        return qs.order_by(F("period__starts_at").desc(nulls_last=True), "-published_at", "-id").first()
    return qs.order_by("-published_at", "-id").first()


def ranking_run_for_period(*, period: RewardPeriod) -> RankingRun | None:
    """The final published run of a reward period (the snapshot a payout cites)."""
    return ranking_run_latest(campaign=period.pool.campaign, window=RankingRun.Window.PERIOD, period=period)


def ranking_run_list(*, campaign: Campaign, window: str | None = None) -> QuerySet[RankingRun]:
    """Published history, newest first."""
    qs = _published().filter(campaign=campaign)
    if window:
        qs = qs.filter(window=window)
    return qs.order_by("-published_at", "-id")


def standing_list(*, run: RankingRun, eligible_only: bool = False) -> QuerySet[Standing]:
    """A published run's standings: ranked first by rank, then the ineligible by score and id."""
    qs = Standing.objects.filter(run=run, run__status=RankingRun.Status.PUBLISHED).select_related("trader")
    if eligible_only:
        qs = qs.filter(eligible=True)
    return qs.order_by(F("rank").asc(nulls_last=True), F("score").desc(nulls_last=True), "trader_id")


def standing_explanation(*, standing: Standing) -> dict:
    """ "Why this rank": the stored explanation with labels for its flag and reason codes."""
    explanation = dict(standing.explanation or {})
    explanation["flag_labels"] = [str(FLAG_LABELS.get(f.get("code"), f.get("code"))) for f in standing.flags or []]
    explanation["reason_labels"] = [str(REASON_LABELS.get(code, code)) for code in standing.ineligible_reasons or []]
    explanation["rule_version"] = standing.run.rule_version
    return explanation


def flag_clearances_in_force(*, campaign: Campaign, at) -> dict[tuple[int, str], FlagReview]:
    """{(trader id, flag code): the clearance} in force at `at`: the latest review made by then is "cleared" and
    has not ended (FlagReview: a later "upheld" review or the end of the clearance brings the flag back)."""
    latest: dict[tuple[int, str], FlagReview] = {}
    reviews = FlagReview.objects.filter(campaign=campaign, reviewed_at__lte=at).order_by("-reviewed_at", "-id")
    for review in reviews:
        latest.setdefault((review.trader_id, review.code), review)
    return {
        key: review
        for key, review in latest.items()
        if review.decision == FlagReview.Decision.CLEARED and (review.expires_at is None or review.expires_at > at)
    }


def closed_position_counts(*, trader_ids, since, until) -> dict[int, tuple[int, int]]:
    """{trader id: (closed positions, winning ones)} recorded as rows, closed in [since, until): what a ranking
    counts when the daily snapshots carry no counts."""
    return {
        t: (n, w)
        for t, n, w in ClosedPosition.objects.filter(
            account__trader_id__in=trader_ids, closed_at__gte=since, closed_at__lt=until
        )
        .values("account__trader_id")
        .annotate(n=Count("id"), w=Count("id", filter=Q(realized_pnl__gt=0)))
        .values_list("account__trader_id", "n", "w")
    }
