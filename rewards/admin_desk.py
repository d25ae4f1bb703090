"""The payout desk of the admin (registered in rewards/admin.py).

Every change goes through rewards.services.payouts, so it is audited and the rules (four eyes, frozen batches)
hold whatever screen or command the operator uses.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from campaigns.periods import local_minute
from core.admin_actions import apply_each
from rewards.models import PayoutBatch
from rewards.services.payouts import (
    first_post_unpaid,
    payout_batch_approve,
    payout_batch_approve_refusal,
    payout_batch_calculate,
    payout_batch_export,
    payout_batch_mark_paid,
    payout_batch_pay_refusal,
    payout_reason_text,
)

# --- payout desk ------------------------------------------------------------------------------------------------


class PaidForm(forms.Form):
    reference = forms.CharField(label=_("Payment reference"), max_length=200)


class PayoutDeskAdmin(admin.ModelAdmin):
    list_display = [
        "period",
        "kind",
        "status",
        "pool_amount",
        "total",
        "unspent",
        "line_count",
        "calculated_at",
        "calculated_by",
        "approved_at",
        "approved_by",
        "paid_by",
        "preview_link",
    ]
    list_filter = ["status", "period__pool__kind", "period__pool__campaign"]
    list_select_related = ["period__pool__campaign", "calculated_by", "approved_by", "paid_by"]
    actions = ["recalculate_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_lines=Count("lines"))

    @admin.display(description=_("pool"))
    def kind(self, obj: PayoutBatch):
        return obj.period.pool.get_kind_display()

    @admin.display(description=_("lines"), ordering="_lines")
    def line_count(self, obj: PayoutBatch):
        return obj._lines

    @admin.display(description=_("preview"))
    def preview_link(self, obj: PayoutBatch):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:rewards_payoutbatch_preview", args=[obj.pk]), _("Preview")
        )

    # Batches are made by the calculation and changed only by its transitions.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:rewards_payoutbatch_preview", args=[object_id]))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", wrap(self.preview_view), name="rewards_payoutbatch_preview"),
            path("<int:pk>/approve/", wrap(require_POST(self.approve_view)), name="rewards_payoutbatch_approve"),
            path(
                "<int:pk>/recalculate/",
                wrap(require_POST(self.recalculate_view)),
                name="rewards_payoutbatch_recalculate",
            ),
            path("<int:pk>/export/", wrap(self.export_view), name="rewards_payoutbatch_export"),
            path("<int:pk>/paid/", wrap(require_POST(self.paid_view)), name="rewards_payoutbatch_paid"),
            *super().get_urls(),
        ]

    def _back(self, pk):
        return HttpResponseRedirect(reverse("admin:rewards_payoutbatch_preview", args=[pk]))

    def preview_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        batch = get_object_or_404(
            PayoutBatch.objects.select_related(
                "period__pool__campaign", "calculated_by", "approved_by", "paid_by", "ranking_run"
            ),
            pk=pk,
        )
        lines = list(batch.lines.select_related("trader").order_by("rank", "payee_uid", "id"))
        zone = batch.period.pool.campaign.zone
        for line in lines:
            line.reason_text = payout_reason_text(line, zone=zone)
        user = request.user
        draft, approved = batch.status == PayoutBatch.Status.DRAFT, batch.status == PayoutBatch.Status.APPROVED
        # The service's own four-eyes rules say which buttons this operator gets and why not.
        four_eyes_block = payout_batch_approve_refusal(batch=batch, actor=user) if draft else None
        pay_block = payout_batch_pay_refusal(batch=batch, actor=user) if approved else None
        unpaid = first_post_unpaid(batch=batch)
        for row in unpaid:  # formatted here, in the campaign's zone
            row["published"] = local_minute(row["published_at"], zone)
            row["qualified"] = local_minute(row["qualified_at"], zone)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Payout batch: %(period)s") % {"period": batch.period},
            "batch": batch,
            "lines": lines,
            "unpaid_first_posts": unpaid,
            "zone": zone,
            # Formatted here: the template would show the active zone (UTC), not the campaign's.
            "period_start": local_minute(batch.period.starts_at, zone),
            "period_end": local_minute(batch.period.ends_at, zone),
            "can_recalculate": batch.status == PayoutBatch.Status.DRAFT and self.has_change_permission(request),
            "can_approve": draft and user.has_perm("rewards.approve_payoutbatch") and not four_eyes_block,
            "four_eyes_block": four_eyes_block,
            "can_export": not draft,
            "can_pay": approved and user.has_perm("rewards.pay_payoutbatch") and not pay_block,
            "pay_block": pay_block if user.has_perm("rewards.pay_payoutbatch") else None,
            "paid_form": PaidForm(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/campaigns/payoutbatch/preview.html", context)

    def _transition(self, request, pk, call, success):
        try:
            call()
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            self.message_user(request, text, level=messages.ERROR)
        else:
            self.message_user(request, success, level=messages.SUCCESS)
        return self._back(pk)

    def approve_view(self, request, pk):
        return self._transition(
            request, pk, lambda: payout_batch_approve(batch_id=pk, actor=request.user), _("Batch approved: frozen.")
        )

    def recalculate_view(self, request, pk):
        if not self.has_change_permission(request):
            raise PermissionDenied
        batch = get_object_or_404(PayoutBatch, pk=pk)
        return self._transition(
            request,
            pk,
            lambda: payout_batch_calculate(period=batch.period, actor=request.user),
            _("Batch recalculated."),
        )

    def paid_view(self, request, pk):
        form = PaidForm(request.POST)
        reference = form.data.get("reference", "")
        return self._transition(
            request,
            pk,
            lambda: payout_batch_mark_paid(batch_id=pk, actor=request.user, reference=reference),
            _("Batch marked paid."),
        )

    def export_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        batch = get_object_or_404(PayoutBatch.objects.select_related("period__pool"), pk=pk)
        try:
            content = payout_batch_export(batch_id=pk, actor=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), level=messages.ERROR)
            return self._back(pk)
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        filename = f"payouts-{batch.period.pool.kind}-{batch.period.index}-batch{batch.pk}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @admin.action(description=_("Recalculate selected drafts"), permissions=["change"])
    def recalculate_selected(self, request, queryset):
        apply_each(
            self,
            request,
            queryset.select_related("period"),
            lambda batch: payout_batch_calculate(period=batch.period, actor=request.user),
            label=lambda batch: batch.period,
            done_message=_("%(count)d batch(es) recalculated."),
        )
