"""Payout batches and their lines: what a closed reward period pays, frozen once approved. The tables keep their
campaigns_* names (they moved here from campaigns in issue 16)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from campaigns.models import RewardPeriod
from core.precision import CASH
from leaderboard.models import RankingRun


class PayoutBatch(models.Model):
    """All payout lines of one period. Drafts can be recalculated; approved batches are frozen."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        PAID = "paid", _("Paid")

    period = models.OneToOneField(RewardPeriod, on_delete=models.PROTECT, related_name="batch")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    ranking_run = models.ForeignKey(
        RankingRun, null=True, blank=True, on_delete=models.PROTECT, related_name="payout_batches"
    )
    pool_amount = models.DecimalField(**CASH, default=0)
    total = models.DecimalField(**CASH, default=0)
    unspent = models.DecimalField(**CASH, default=0)
    calculated_at = models.DateTimeField(null=True, blank=True)
    calculated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Calculated by the scheduled close of periods (beat), not by a person: then any one approver may approve it.
    calculated_by_system = models.BooleanField(default=False)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_reference = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "campaigns_payoutbatch"
        ordering = ["-period__starts_at", "id"]
        verbose_name = _("payout batch")
        verbose_name_plural = _("payout batches")
        permissions = [("approve_payoutbatch", "Can approve payout batches"), ("pay_payoutbatch", "Can mark paid")]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0) & Q(unspent__gte=0), name="batch_amounts_non_negative"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(approved_at__isnull=False), name="batch_approved_has_time"
            ),
            # Four eyes, also for any code path that bypasses rewards.services.payouts: whoever last calculated
            # a batch never approves it, and whoever approved it never marks it paid.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | Q(calculated_by__isnull=True)
                | ~Q(approved_by=models.F("calculated_by")),
                name="batch_approver_not_calculator",
            ),
            models.CheckConstraint(
                condition=Q(paid_by__isnull=True) | Q(approved_by__isnull=True) | ~Q(paid_by=models.F("approved_by")),
                name="batch_payer_not_approver",
            ),
            models.CheckConstraint(
                condition=Q(calculated_by__isnull=True) | Q(calculated_by_system=False),
                name="batch_calculator_person_or_system",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} ({self.status})"


class Payout(models.Model):
    class Reason(models.TextChoices):
        FIRST_POST = "first_post", _("First quality post")
        CONTENT = "content", _("Content incentive share")
        LEADERBOARD = "leaderboard", _("Leaderboard rank")
        SPOTLIGHT = "spotlight", _("Star-trader spotlight")

    batch = models.ForeignKey(PayoutBatch, on_delete=models.CASCADE, related_name="lines")
    period = models.ForeignKey(RewardPeriod, on_delete=models.PROTECT, related_name="payouts")
    trader = models.ForeignKey("traders.LeadTrader", on_delete=models.PROTECT, related_name="payouts")
    # Who is paid, copied from the trader when the line is calculated: an approved batch is frozen with it, so a
    # later edit of the trader cannot change whom its export pays (the desk shows when the trader differs now).
    payee_exchange = models.CharField(_("exchange"), max_length=32)
    payee_uid = models.CharField(_("exchange UID"), max_length=64)
    payee_name = models.CharField(_("display name"), max_length=64)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    amount = models.DecimalField(_("amount"), **CASH)
    currency = models.CharField(max_length=16, default="USDT")
    reward_form = models.CharField(max_length=24, default="cash")
    rank = models.PositiveIntegerField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    ranking_run = models.ForeignKey(RankingRun, null=True, blank=True, on_delete=models.PROTECT, related_name="payouts")
    explanation = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "campaigns_payout"
        ordering = ["batch_id", "rank", "id"]
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        constraints = [
            models.UniqueConstraint(fields=["period", "trader", "reason"], name="uniq_payout_period_trader_reason"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="payout_amount_non_negative"),
            models.CheckConstraint(
                condition=~Q(payee_exchange="") & ~Q(payee_uid=""), name="payout_payee_identity_frozen"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payee_uid} {self.amount} {self.currency} ({self.reason})"

    @staticmethod
    def payee_of(trader) -> dict:
        """The payee fields of a line paying `trader`, as the trader is now."""
        return {"payee_exchange": trader.exchange, "payee_uid": trader.exchange_uid, "payee_name": trader.display_name}

    @property
    def payee_now_differs(self) -> bool:
        """The trader's exchange, UID or name has changed since this line was calculated."""
        return self.payee_of(self.trader) != {
            "payee_exchange": self.payee_exchange,
            "payee_uid": self.payee_uid,
            "payee_name": self.payee_name,
        }


@receiver(pre_delete, sender=Payout, dispatch_uid="payout_frozen_on_delete")
def payout_frozen_on_delete(sender, instance: Payout, **kwargs) -> None:
    """No ORM path deletes a line of an approved batch (PostgreSQL also refuses it in a trigger)."""
    if PayoutBatch.objects.filter(pk=instance.batch_id).exclude(status=PayoutBatch.Status.DRAFT).exists():
        raise ValidationError(_("This payout batch is approved: its lines are frozen."))
