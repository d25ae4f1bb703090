"""Read queries over published rankings. Only published runs are ever returned: a run being computed is invisible."""

from datetime import date

import pandas as pd
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, Enrollment, RewardPeriod
from leaderboard.framing import trader_framing
from leaderboard.models import FlagReview, RankingRun, Standing
from regime.selectors import btc_returns, regime_labels

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


def standings_awaiting_review() -> QuerySet[Standing]:
    """Standings of each campaign's and window's newest published run that carry a flag no operator has cleared:
    the console's "flags to review"."""
    same = _published().filter(campaign=OuterRef("campaign"), window=OuterRef("window"))
    newest = same.order_by("-published_at", "-id")
    runs = _published().annotate(newest=Subquery(newest.values("id")[:1])).filter(id=F("newest"))
    flagged = Standing.objects.filter(run__in=runs).exclude(flags=[])
    return Standing.objects.filter(pk__in=[s.pk for s in flagged.only("id", "flags") if s.open_flags])


def ranking_run_for_period(*, period: RewardPeriod) -> RankingRun | None:
    """The final published run of a reward period (the snapshot a payout cites)."""
    return ranking_run_latest(campaign=period.pool.campaign, window=RankingRun.Window.PERIOD, period=period)


def standing_list(*, run: RankingRun, eligible_only: bool = False) -> QuerySet[Standing]:
    """A published run's standings: ranked first by rank, then the ineligible by score and id."""
    qs = Standing.objects.filter(run=run, run__status=RankingRun.Status.PUBLISHED).select_related("trader")
    if eligible_only:
        qs = qs.filter(eligible=True)
    return qs.order_by(F("rank").asc(nulls_last=True), F("score").desc(nulls_last=True), "trader_id")


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


def trader_regime_framing(*, returns: pd.Series, start: date | None = None, end: date | None = None):
    """A trader's daily returns framed against BTC and the regime over the same window (see leaderboard.framing)."""
    if len(returns) and start is None:
        start = pd.Timestamp(returns.index.min()).date()
    if len(returns) and end is None:
        end = pd.Timestamp(returns.index.max()).date()
    return trader_framing(
        returns=returns, btc_returns=btc_returns(start=start, end=end), labels=regime_labels(start=start, end=end)
    )
