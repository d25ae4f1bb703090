"""Lead traders, their exchange data, and the published rankings built from it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.constraints import day_in_range, time_in_range
from leaderboard.flags import flags_cleared, flags_open
from leaderboard.scoring import FLAG_CODES

MONEY = {"max_digits": 28, "decimal_places": 8}
PRICE = {"max_digits": 32, "decimal_places": 12}

# Human labels of the anti-gaming flag codes (leaderboard.flags), for pages, the API and the admin.
FLAG_LABELS = {
    "tiny_capital_high_roi": _("High return on a very small account"),
    "large_deposit_before_end": _("Large deposit shortly before the period ends"),
    "no_fills_behind_equity": _("Equity moved without any trade"),
    "mirror_returns": _("Daily returns nearly identical to another account"),
}


class LeadTrader(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    class UidStatus(models.TextChoices):
        """Whether the exchange confirmed, through the trader's API key, that the key's account is this UID."""

        VERIFIED = "verified", _("Verified")
        MISMATCH = "mismatch", _("Does not match the API key")
        UNVERIFIED = "unverified", _("Not verified")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="lead_trader"
    )
    display_name = models.CharField(_("display name"), max_length=64)
    exchange = models.CharField(_("exchange"), max_length=32, default="gate", help_text=_("ccxt exchange id"))
    # Unique ignoring letter case (constraint below): "AbC" and "abc" are one account, and one trader's.
    exchange_uid = models.CharField(_("exchange UID"), max_length=64, db_index=True)
    profile_url = models.URLField(_("lead-trader profile link"), max_length=500, blank=True)
    email = models.EmailField(_("email"), unique=True)
    telegram = models.CharField(_("Telegram"), max_length=64, blank=True)
    preferred_language = models.CharField(_("preferred language"), max_length=10, default="en")
    bio = models.TextField(_("short bio"), max_length=1000, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    is_simulated = models.BooleanField(_("simulated"), default=False, help_text=_("Demo data, not a real trader"))
    terms_accepted_at = models.DateTimeField(_("terms accepted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Written by leaderboard.services.uid_verification only.
    uid_status = models.CharField(
        _("UID verification"), max_length=12, choices=UidStatus.choices, default=UidStatus.UNVERIFIED
    )
    uid_checked_at = models.DateTimeField(_("UID last checked at"), null=True, blank=True)
    uid_check_message = models.CharField(_("UID check"), max_length=500, blank=True)
    exchange_lead_trader = models.BooleanField(
        _("lead trader according to the exchange"),
        null=True,
        blank=True,
        help_text=_("Empty: the exchange does not say"),
    )

    class Meta:
        ordering = ["display_name", "id"]
        verbose_name = _("lead trader")
        verbose_name_plural = _("lead traders")
        constraints = [
            models.UniqueConstraint(
                Lower("exchange_uid"),
                name="uniq_trader_exchange_uid_ci",
                violation_error_message=_("This exchange UID is already registered (in another letter case)."),
            ),
            models.CheckConstraint(
                condition=Q(uid_status__in=["verified", "mismatch", "unverified"]), name="trader_uid_status_known"
            ),
            time_in_range("terms_accepted_at", name="trader_terms_accepted_in_range", null=True),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.exchange}:{self.exchange_uid})"


class ExchangeAccount(models.Model):
    """A trader's read-only API access to one exchange. Secrets are Fernet ciphertext, never plaintext."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        NEEDS_ATTENTION = "needs_attention", _("Needs attention")
        DISABLED = "disabled", _("Disabled")

    trader = models.ForeignKey(LeadTrader, on_delete=models.CASCADE, related_name="accounts")
    exchange_id = models.CharField(_("exchange"), max_length=32, default="gate")
    label = models.CharField(_("label"), max_length=64, blank=True)
    api_key_encrypted = models.TextField(blank=True, editable=False)
    api_secret_encrypted = models.TextField(blank=True, editable=False)
    api_password_encrypted = models.TextField(blank=True, editable=False)
    credentials_updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_message = models.TextField(_("status message"), blank=True)
    last_ingested_at = models.DateTimeField(_("last ingested at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("exchange account")
        verbose_name_plural = _("exchange accounts")

    def __str__(self) -> str:
        return f"{self.trader.display_name} @ {self.exchange_id}"

    @property
    def has_credentials(self) -> bool:
        return bool(self.api_key_encrypted and self.api_secret_encrypted)


class IngestionCursor(models.Model):
    """Where the next pull of one stream of one account starts (exchange milliseconds)."""

    class Stream(models.TextChoices):
        TRADES = "trades", _("Fills")
        POSITIONS = "positions", _("Closed positions")
        LEDGER = "ledger", _("Ledger")
        BALANCE = "balance", _("Balance")

    account = models.ForeignKey(ExchangeAccount, on_delete=models.CASCADE, related_name="cursors")
    stream = models.CharField(max_length=16, choices=Stream.choices)
    since_ms = models.BigIntegerField(null=True, blank=True)
    last_id = models.CharField(max_length=128, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "stream"], name="uniq_cursor_account_stream")]

    def __str__(self) -> str:
        return f"{self.account_id}/{self.stream}@{self.since_ms}"


class Fill(models.Model):
    account = models.ForeignKey(ExchangeAccount, on_delete=models.CASCADE, related_name="fills")
    exchange_trade_id = models.CharField(max_length=128)
    order_id = models.CharField(max_length=128, blank=True)
    symbol = models.CharField(max_length=64)
    side = models.CharField(max_length=8)
    price = models.DecimalField(**PRICE)
    amount = models.DecimalField(**PRICE)
    cost = models.DecimalField(**PRICE)
    fee = models.DecimalField(**PRICE, default=0)
    fee_currency = models.CharField(max_length=16, blank=True)
    timestamp = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["timestamp", "id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "exchange_trade_id"], name="uniq_fill_account_trade"),
            models.CheckConstraint(condition=Q(side__in=["buy", "sell"]), name="fill_side_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.symbol} {self.side} {self.amount}@{self.price}"


class ClosedPosition(models.Model):
    account = models.ForeignKey(ExchangeAccount, on_delete=models.CASCADE, related_name="closed_positions")
    exchange_position_id = models.CharField(max_length=128)
    symbol = models.CharField(max_length=64)
    side = models.CharField(max_length=8)
    amount = models.DecimalField(**PRICE, default=0)
    entry_price = models.DecimalField(**PRICE, null=True, blank=True)
    exit_price = models.DecimalField(**PRICE, null=True, blank=True)
    realized_pnl = models.DecimalField(**MONEY)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["closed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "exchange_position_id"], name="uniq_position_account_id")
        ]

    def __str__(self) -> str:
        return f"{self.symbol} {self.side} pnl {self.realized_pnl}"


class LedgerEntry(models.Model):
    class Kind(models.TextChoices):
        DEPOSIT = "deposit", _("Deposit")
        WITHDRAWAL = "withdrawal", _("Withdrawal")
        TRANSFER = "transfer", _("Transfer")
        FUNDING = "funding", _("Funding")
        FEE = "fee", _("Fee")
        TRADE = "trade", _("Realised trade")
        REBATE = "rebate", _("Rebate")
        OTHER = "other", _("Other")

    account = models.ForeignKey(ExchangeAccount, on_delete=models.CASCADE, related_name="ledger_entries")
    exchange_entry_id = models.CharField(max_length=128)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    currency = models.CharField(max_length=16, default="USDT")
    amount = models.DecimalField(**MONEY, help_text=_("Signed: money in is positive"))
    timestamp = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["timestamp", "id"]
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.UniqueConstraint(fields=["account", "exchange_entry_id"], name="uniq_ledger_account_entry")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency}"


class DailyEquity(models.Model):
    """One trader's end-of-day equity (USDT) and the net external flow since the trader's previous row.

    unit_value is a NAV per unit rebased at every flow, so deposits and withdrawals are never profit; daily_return
    is the return of the step since the previous row (step_days long), Modified Dietz with a large-flow guard
    (leaderboard.unit_value).
    """

    class Source(models.TextChoices):
        EXCHANGE = "exchange", _("Exchange API")
        IMPORT = "import", _("Operator import")
        SIMULATED = "simulated", _("Simulated")

    trader = models.ForeignKey(LeadTrader, on_delete=models.CASCADE, related_name="daily_equity")
    date = models.DateField()
    equity = models.DecimalField(**MONEY)
    net_flow = models.DecimalField(**MONEY, default=0)
    pnl = models.DecimalField(**MONEY, null=True, blank=True)
    daily_return = models.DecimalField(max_digits=30, decimal_places=16, null=True, blank=True)
    step_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Calendar days since the previous row: the span of daily_return")
    )
    weighted_flow = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        help_text=_("Each flow times the share of the step left after it, when the flows' times are known"),
    )
    unit_value = models.DecimalField(max_digits=30, decimal_places=16, null=True, blank=True)
    closed_positions = models.PositiveIntegerField(null=True, blank=True)
    winning_positions = models.PositiveIntegerField(null=True, blank=True)
    followers = models.PositiveIntegerField(null=True, blank=True)
    aum = models.DecimalField(**MONEY, null=True, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.EXCHANGE)

    class Meta:
        ordering = ["trader_id", "date"]
        verbose_name_plural = _("daily equity")
        constraints = [
            models.UniqueConstraint(fields=["trader", "date"], name="uniq_equity_trader_date"),
            models.CheckConstraint(condition=Q(equity__gte=0), name="equity_non_negative"),
            day_in_range("date", name="equity_date_in_range"),
            models.CheckConstraint(
                condition=Q(winning_positions__isnull=True)
                | Q(closed_positions__isnull=True)
                | Q(winning_positions__lte=models.F("closed_positions")),
                name="equity_wins_le_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trader_id} {self.date} {self.equity}"


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
    equity = models.DecimalField(**MONEY, null=True, blank=True)
    pnl = models.DecimalField(**MONEY, null=True, blank=True)
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
