"""Lead traders, their exchange accounts and what ingestion stores from them: fills, closed positions, ledger
entries and daily equity. The tables keep their leaderboard_* names (they moved here from leaderboard in issue 16)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.constraints import day_in_range, time_in_range
from core.precision import AMOUNT, PRICE


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
    # Written by traders.services.uid_verification only.
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
        db_table = "leaderboard_leadtrader"
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
        db_table = "leaderboard_exchangeaccount"
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
        db_table = "leaderboard_ingestioncursor"
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
        db_table = "leaderboard_fill"
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
    realized_pnl = models.DecimalField(**AMOUNT)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "leaderboard_closedposition"
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
    amount = models.DecimalField(**AMOUNT, help_text=_("Signed: money in is positive"))
    timestamp = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "leaderboard_ledgerentry"
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
    (traders.unit_value).
    """

    class Source(models.TextChoices):
        EXCHANGE = "exchange", _("Exchange API")
        IMPORT = "import", _("Operator import")
        SIMULATED = "simulated", _("Simulated")

    trader = models.ForeignKey(LeadTrader, on_delete=models.CASCADE, related_name="daily_equity")
    date = models.DateField()
    equity = models.DecimalField(**AMOUNT)
    net_flow = models.DecimalField(**AMOUNT, default=0)
    pnl = models.DecimalField(**AMOUNT, null=True, blank=True)
    daily_return = models.DecimalField(max_digits=30, decimal_places=16, null=True, blank=True)
    step_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Calendar days since the previous row: the span of daily_return")
    )
    weighted_flow = models.DecimalField(
        **AMOUNT,
        null=True,
        blank=True,
        help_text=_("Each flow times the share of the step left after it, when the flows' times are known"),
    )
    unit_value = models.DecimalField(max_digits=30, decimal_places=16, null=True, blank=True)
    closed_positions = models.PositiveIntegerField(null=True, blank=True)
    winning_positions = models.PositiveIntegerField(null=True, blank=True)
    followers = models.PositiveIntegerField(null=True, blank=True)
    aum = models.DecimalField(**AMOUNT, null=True, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.EXCHANGE)

    class Meta:
        db_table = "leaderboard_dailyequity"
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
