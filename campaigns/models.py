"""Campaigns, enrolment, posts, reward pools and their periods."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.constraints import time_in_range
from core.precision import CASH


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("%(zone)s is not a known time zone."), params={"zone": value}) from exc


class Campaign(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    exchange = models.CharField(_("exchange"), max_length=32, default="gate")
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    registration_opens_at = models.DateTimeField(_("registration opens at"))
    registration_closes_at = models.DateTimeField(_("registration closes at"), help_text=_("Exclusive"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), help_text=_("Exclusive"))
    currency = models.CharField(_("currency"), max_length=16, default="USDT")
    questionnaire = models.JSONField(_("questionnaire"), default=list, blank=True)
    content_rules = models.JSONField(_("content rules"), default=dict, blank=True)
    terms = models.TextField(_("terms"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(registration_closes_at__gt=models.F("registration_opens_at")),
                name="campaign_registration_window_ordered",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="campaign_dates_ordered"),
            # With the two orderings above, these bound all four times.
            time_in_range("registration_opens_at", name="campaign_registration_opens_in_range"),
            time_in_range("registration_closes_at", name="campaign_registration_closes_in_range"),
            time_in_range("starts_at", name="campaign_starts_in_range"),
            time_in_range("ends_at", name="campaign_ends_in_range"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Enrollment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="enrollments")
    trader = models.ForeignKey("traders.LeadTrader", on_delete=models.CASCADE, related_name="enrollments")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    answers = models.JSONField(_("questionnaire answers"), default=dict, blank=True)
    reason = models.TextField(_("operator's reason"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "trader"], name="uniq_enrollment_campaign_trader"),
            time_in_range("submitted_at", name="enrollment_submitted_in_range"),
            time_in_range("decided_at", name="enrollment_decided_in_range", null=True),
        ]

    def __str__(self) -> str:
        return f"{self.trader} in {self.campaign} ({self.status})"


class Post(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting review")
        QUALITY = "quality", _("Quality")
        REJECTED = "rejected", _("Rejected")

    class Source(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted by trader")
        IMPORTED = "imported", _("Imported by operator")
        SIMULATED = "simulated", _("Simulated")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="posts")
    trader = models.ForeignKey("traders.LeadTrader", on_delete=models.CASCADE, related_name="posts")
    url = models.URLField(_("link"), max_length=500)
    text = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published at"))
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.SUBMITTED)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    is_featured = models.BooleanField(_("featured"), default=False)
    is_home_page = models.BooleanField(_("home page"), default=False)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies")
    similarity = models.FloatField(_("similarity to earlier post"), null=True, blank=True)
    length = models.PositiveIntegerField(_("length (words or CJK characters)"), default=0)
    is_trading_related = models.BooleanField(_("trading related"), default=False)
    checks = models.JSONField(_("originality checks"), default=dict, blank=True)
    views = models.PositiveIntegerField(default=0)
    likes = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)
    shares = models.PositiveIntegerField(default=0)
    copy_volume = models.DecimalField(_("copy-trading volume (USDT)"), **CASH, default=0)
    followers_gained = models.PositiveIntegerField(default=0)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-published_at", "id"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "url"], name="uniq_post_campaign_url"),
            models.CheckConstraint(condition=Q(copy_volume__gte=0), name="post_copy_volume_non_negative"),
            time_in_range("published_at", name="post_published_at_in_range"),
        ]
        indexes = [models.Index(fields=["published_at"], name="post_published_at")]  # the originality check counts

    def __str__(self) -> str:
        return self.url


class PostSignature(models.Model):
    """A post's MinHash signature under one originality scheme (campaigns.originality.scheme: shingle size,
    threshold bands, hashing version), so one submission is checked against its candidates only instead of
    re-hashing every earlier post. Empty for a post without shingles. Written by campaigns.services.post_signatures.
    """

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="signatures")
    scheme = models.CharField(max_length=64)
    hashvalues = models.BinaryField()
    # The post's (never changed) publish time, so "are all earlier posts signed?" is counted from one index.
    published_at = models.DateTimeField()

    class Meta:
        verbose_name = _("post signature")
        verbose_name_plural = _("post signatures")
        constraints = [
            models.UniqueConstraint(fields=["post", "scheme"], name="uniq_post_signature_scheme"),
            time_in_range("published_at", name="post_signature_published_at_in_range"),
        ]
        indexes = [models.Index(fields=["scheme", "published_at"], name="post_signature_earlier")]

    def __str__(self) -> str:
        return f"{self.post_id} {self.scheme}"


class PostBand(models.Model):
    """One LSH band key of a post's signature (campaigns.originality.band_keys): posts sharing a key under the
    same scheme are candidate near duplicates."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="bands")
    scheme = models.CharField(max_length=64)
    key = models.BinaryField()

    class Meta:
        verbose_name = _("post band key")
        verbose_name_plural = _("post band keys")
        indexes = [models.Index(fields=["scheme", "key"], name="post_band_lookup")]

    def __str__(self) -> str:
        return f"{self.post_id} {self.scheme}"


class RewardPool(models.Model):
    class Kind(models.TextChoices):
        FIRST_POST = "first_post", _("First-post bonus")
        CONTENT = "content", _("Content incentive")
        LEADERBOARD = "leaderboard", _("Leaderboard reward")
        SPOTLIGHT = "spotlight", _("Star-trader spotlight")

    class RewardForm(models.TextChoices):
        CASH = "cash", _("Cash")
        TRIAL_FUND = "trial_fund_voucher", _("Copy-trading trial-fund voucher")
        EXPOSURE = "exposure", _("Traffic support (no cash)")

    class Cadence(models.TextChoices):
        CAMPAIGN = "campaign", _("Once per campaign")
        WEEKLY = "weekly", _("Weekly")
        BIWEEKLY = "biweekly", _("Every two weeks")
        MONTHLY = "monthly", _("Calendar month")

    class SplitRule(models.TextChoices):
        FIXED = "fixed", _("Fixed amount per winner")
        PROPORTIONAL = "proportional", _("In proportion to score")
        TIERS = "tiers", _("Tier table by rank")
        NONE = "none", _("No money")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="pools")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    amount = models.DecimalField(_("amount"), **CASH, help_text=_("Per winner for fixed pools, else per period"))
    currency = models.CharField(_("currency"), max_length=16, default="USDT")
    reward_form = models.CharField(_("reward form"), max_length=24, choices=RewardForm.choices, default=RewardForm.CASH)
    cadence = models.CharField(_("cadence"), max_length=12, choices=Cadence.choices)
    winners = models.PositiveIntegerField(_("winners"), null=True, blank=True, help_text=_("Empty: no limit"))
    split_rule = models.CharField(_("split rule"), max_length=16, choices=SplitRule.choices)
    budget_cap = models.DecimalField(_("budget cap"), **CASH, null=True, blank=True)
    rules = models.JSONField(_("rules"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["campaign_id", "id"]
        verbose_name = _("reward pool")
        verbose_name_plural = _("reward pools")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="pool_amount_non_negative"),
            models.CheckConstraint(condition=Q(budget_cap__isnull=True) | Q(budget_cap__gte=0), name="pool_cap_ok"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign.slug}: {self.name}"


class RewardPeriod(models.Model):
    """One payout period of a pool; bounds are instants (UTC) computed in the campaign's zone."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    pool = models.ForeignKey(RewardPool, on_delete=models.CASCADE, related_name="periods")
    index = models.PositiveIntegerField(_("number"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), help_text=_("Exclusive"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pool_id", "starts_at"]
        verbose_name = _("reward period")
        verbose_name_plural = _("reward periods")
        constraints = [
            models.UniqueConstraint(fields=["pool", "index"], name="uniq_period_pool_index"),
            models.UniqueConstraint(fields=["pool", "starts_at"], name="uniq_period_pool_start"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="period_dates_ordered"),
            time_in_range("starts_at", name="period_starts_in_range"),
            time_in_range("ends_at", name="period_ends_in_range"),
            time_in_range("closed_at", name="period_closed_in_range", null=True),
        ]

    def __str__(self) -> str:
        return f"{self.pool} #{self.index}"
