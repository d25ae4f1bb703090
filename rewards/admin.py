"""Admin of payouts: the payout desk for batches, read-only lines."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from campaigns.models import RewardPeriod
from core.admin_readonly import ReadOnlyModelAdmin
from core.console import queue_filtered
from rewards.admin_desk import PayoutDeskAdmin
from rewards.models import Payout, PayoutBatch


@admin.register(PayoutBatch)
class PayoutBatchAdmin(PayoutDeskAdmin):
    """The payout desk (campaigns/admin_desk.py): preview with reasons, recalculate, approve, export, mark paid."""


@admin.register(Payout)
class PayoutAdmin(ReadOnlyModelAdmin):
    """Lines are read-only here: they are written only by the payout calculation, on draft batches. Each shows whom
    it pays as copied at calculation (payee_*), which is what its batch's export pays."""

    list_display = ["payee_uid", "payee_name", "period", "reason", "amount", "currency", "reward_form", "rank"]
    list_filter = ["reason"]
    search_fields = ["payee_uid", "payee_name"]
    list_select_related = ["period__pool"]


@admin.register(RewardPeriod)
class RewardPeriodAdmin(admin.ModelAdmin):
    """Registered here, beside the batches: a period is frozen with its approved batch."""

    list_display = ["pool", "index", "starts_at", "ends_at", "status"]
    list_filter = ["status", "pool__kind", "pool__campaign"]

    def get_readonly_fields(self, request, obj=None):
        # A period whose batch is approved is frozen with it: the desk and the export show its bounds.
        if obj is not None and PayoutBatch.objects.filter(period=obj).exclude(status=PayoutBatch.Status.DRAFT).exists():
            return [field.name for field in obj._meta.concrete_fields]
        return super().get_readonly_fields(request, obj)


queue_filtered(
    PayoutBatch, _("Draft payout batches to recalculate or approve"), lambda: {"status": PayoutBatch.Status.DRAFT}
)
queue_filtered(PayoutBatch, _("Approved payout batches to pay"), lambda: {"status": PayoutBatch.Status.APPROVED})
