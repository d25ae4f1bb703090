"""Published rankings (runs and their standings) and operators' reviews of anti-gaming flags."""

import math

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.precision import AMOUNT
from leaderboard.confidence import DEFAULT_MIN_DAYS, track_record_status
from leaderboard.flags import flags_cleared, flags_open
from leaderboard.scoring import FLAG_CODES
from traders.models import LeadTrader

# Human labels of the anti-gaming flag codes (leaderboard.flags), for pages, the API and the admin.
FLAG_LABELS = {
    "tiny_capital_high_roi": _("High return on a very small account"),
    "large_deposit_before_end": _("Large deposit shortly before the period ends"),
    "no_fills_behind_equity": _("Equity moved without any trade"),
    "mirror_returns": _("Daily returns nearly identical to another account"),
}


class RankingRun(models.Model):
    """One computation of a campaign's standings for one window; visible only once published."""

    class Window(models.TextChoices):
        D7 = "7d", _("7 days")
        D30 = "30d", _("30 days")
        D90 = "90d", _("90 days")
        PERIOD = "period", _("Reward period")

    class Status(models.TextChoices):
        COMPUTING = "computing", _("Computing")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="ranking_runs")
    window = models.CharField(max_length=8, choices=Window.choices)
    period = models.ForeignKey(
        "campaigns.RewardPeriod", null=True, blank=True, on_delete=models.PROTECT, related_name="ranking_runs"
    )
    start_date = models.DateField()
    end_date = models.DateField(help_text=_("Data cutoff, inclusive"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.COMPUTING)
    rule_version = models.CharField(max_length=64, blank=True)
    rules = models.JSONField(default=dict, blank=True)
    trader_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["campaign", "window", "status", "-published_at"], name="run_latest_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="run_dates_ordered"),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False), name="run_published_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.window} {self.start_date}..{self.end_date} ({self.status})"


class Standing(models.Model):
    """One trader's row in a run: the metric values and the rule inputs that produced the score."""

    run = models.ForeignKey(RankingRun, on_delete=models.CASCADE, related_name="standings")
    trader = models.ForeignKey(LeadTrader, on_delete=models.CASCADE, related_name="standings")
    rank = models.PositiveIntegerField(null=True, blank=True, help_text=_("Empty when not eligible"))
    previous_rank = models.PositiveIntegerField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    eligible = models.BooleanField(default=False)
    ineligible_reasons = models.JSONField(default=list, blank=True)
    flags = models.JSONField(default=list, blank=True)
    equity = models.DecimalField(**AMOUNT, null=True, blank=True)
    pnl = models.DecimalField(**AMOUNT, null=True, blank=True)
    roi = models.FloatField(null=True, blank=True)
    max_drawdown = models.FloatField(null=True, blank=True)
    volatility = models.FloatField(null=True, blank=True)
    sharpe = models.FloatField(null=True, blank=True)
    sortino = models.FloatField(null=True, blank=True)
    calmar = models.FloatField(null=True, blank=True)
    win_rate = models.FloatField(null=True, blank=True)
    profit_factor = models.FloatField(null=True, blank=True)
    trades = models.PositiveIntegerField(default=0)
    active_days = models.PositiveIntegerField(default=0)
    excess_return_vs_btc = models.FloatField(null=True, blank=True)
    beta = models.FloatField(null=True, blank=True)
    # Compounded return over the window's capital-scarce / liquidity-abundant days (regime app's labels).
    return_scarce = models.FloatField(null=True, blank=True)
    return_abundant = models.FloatField(null=True, blank=True)
    # Share of the window's days the trader's returns cover (sparse samples, gaps); below the rules' minimum the
    # ratios are left empty and the board marks the record.
    coverage = models.FloatField(null=True, blank=True)
    # What copiers need to decide (issue 13; leaderboard.confidence, copier_outcome, capacity). Null: too little
    # data, or (capacity) not reported.
    psr = models.FloatField(null=True, blank=True)
    dsr = models.FloatField(null=True, blank=True)
    min_track_record_days = models.FloatField(null=True, blank=True)
    roi_ci_low = models.FloatField(null=True, blank=True)
    roi_ci_high = models.FloatField(null=True, blank=True)
    copier_roi_median = models.FloatField(null=True, blank=True)
    copier_roi_p10 = models.FloatField(null=True, blank=True)
    copier_roi_p90 = models.FloatField(null=True, blank=True)
    copier_loss_share = models.FloatField(null=True, blank=True)
    aum = models.DecimalField(**AMOUNT, null=True, blank=True)
    copiers = models.PositiveIntegerField(null=True, blank=True)
    copiers_max = models.PositiveIntegerField(null=True, blank=True)
    copier_pnl = models.DecimalField(**AMOUNT, null=True, blank=True)
    profit_share_rate = models.FloatField(null=True, blank=True)
    days_leading = models.PositiveIntegerField(null=True, blank=True)
    skin_in_game = models.FloatField(null=True, blank=True)
    explanation = models.JSONField(default=dict, blank=True, help_text=_("Metric values, percentiles, weights"))

    class Meta:
        ordering = ["run_id", "rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "trader"], name="uniq_standing_run_trader"),
            models.UniqueConstraint(fields=["run", "rank"], condition=Q(rank__isnull=False), name="uniq_standing_rank"),
            models.CheckConstraint(
                condition=Q(rank__isnull=True) | Q(eligible=True), name="standing_rank_only_eligible"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.rank} {self.trader_id} in run {self.run_id}"

    @property
    def rank_change(self) -> int | None:
        """previous_rank - rank: positive moved up; None when unranked now or not ranked in the previous run."""
        if self.rank and self.previous_rank:
            return self.previous_rank - self.rank
        return None

    @property
    def flag_codes(self) -> list:
        """The codes of the flags raised on this standing, in the order raised (a trader paired twice repeats one)."""
        return [f.get("code") for f in self.flags or [] if isinstance(f, dict)]

    @property
    def low_coverage(self) -> bool:
        """The returns cover less of the window than the rules ask for ratios (sparse samples or gaps)."""
        return bool((self.explanation or {}).get("low_coverage"))

    @property
    def track_record(self) -> dict:
        """The board's plain-words badge: {"code": significant / not_yet / too_short / no_edge / undefined,
        "more_days": days still needed or None} (leaderboard.confidence.track_record_status)."""
        explained = self.explanation or {}
        metrics = explained.get("metrics") or {}
        days = metrics.get("days")
        min_days = (explained.get("confidence") or {}).get("min_days", DEFAULT_MIN_DAYS)
        status = track_record_status(
            [math.nan if days is None else days],
            [math.nan if self.min_track_record_days is None else self.min_track_record_days],
            sharpe=[math.nan if self.sharpe is None else self.sharpe],
            min_days=min_days,
        )
        more = status["more_days"][0]
        return {"code": str(status["code"][0]), "more_days": None if math.isnan(more) else int(more)}

    @property
    def open_flags(self) -> list:
        """The flags that hold the trader for review: every flag an operator has not cleared."""
        return flags_open(self.flags)

    @property
    def cleared_flags(self) -> list:
        """The flags an operator reviewed and cleared (still shown, for transparency)."""
        return flags_cleared(self.flags)


class FlagReview(models.Model):
    """An operator's review of one anti-gaming flag of one trader in one campaign. Append-only.

    The latest review of a (trader, campaign, flag) decides. "cleared" (a false positive) stops that flag holding
    the trader out of the campaign's rankings published while it is in force: from reviewed_at until expires_at,
    or to the end of the campaign when expires_at is empty. "upheld" confirms the flag and ends an earlier
    clearance. A published run keeps what it showed: a review only changes the runs published after it, so an
    approved payout (frozen, citing its run) never changes. The flag itself stays on every standing, marked cleared.
    """

    class Decision(models.TextChoices):
        CLEARED = "cleared", _("Cleared (a false positive)")
        UPHELD = "upheld", _("Upheld (the flag stands)")

    trader = models.ForeignKey(LeadTrader, on_delete=models.CASCADE, related_name="flag_reviews")
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="flag_reviews")
    code = models.CharField(_("flag"), max_length=32, choices=list(FLAG_LABELS.items()))
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    reason = models.TextField(_("reason"), max_length=2000)
    run = models.ForeignKey(
        RankingRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="flag_reviews",
        help_text=_("The ranking whose flag the operator reviewed"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"))
    expires_at = models.DateTimeField(
        _("clearance ends at"), null=True, blank=True, help_text=_("Empty: until the campaign ends")
    )

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        verbose_name = _("flag review")
        verbose_name_plural = _("flag reviews")
        permissions = [("review_flag", "Can clear or uphold a trader's anti-gaming flag")]
        indexes = [models.Index(fields=["campaign", "reviewed_at"], name="flag_review_campaign_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(code__in=FLAG_CODES), name="flag_review_code_known"),
            models.CheckConstraint(condition=Q(decision__in=["cleared", "upheld"]), name="flag_review_decision_valid"),
            models.CheckConstraint(condition=~Q(reason=""), name="flag_review_reason_given"),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("reviewed_at")),
                name="flag_review_expires_after_review",
            ),
            models.CheckConstraint(
                condition=Q(decision="cleared") | Q(expires_at__isnull=True), name="flag_review_only_clearance_ends"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} of {self.trader_id} in {self.campaign_id}: {self.decision}"
