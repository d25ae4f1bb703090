"""The post moderation queue and the payout desk of the admin (registered in campaigns/admin.py).

Every change goes through campaigns.services.posts / campaigns.services.payouts, so it is audited and the
rules (reason required, four eyes, frozen batches) hold whatever screen or command the operator uses.
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
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from campaigns.models import PayoutBatch, Post
from campaigns.periods import local_minute
from campaigns.services.payouts import (
    first_post_unpaid,
    payout_batch_approve,
    payout_batch_approve_refusal,
    payout_batch_calculate,
    payout_batch_export,
    payout_batch_mark_paid,
    payout_batch_pay_refusal,
    payout_reason_text,
)
from campaigns.services.posts import posts_moderate
from campaigns.templatetags.post_text import post_html, web_link


def apply_each(modeladmin, request, items, call, *, label, done_message) -> None:
    """An admin action's loop: `call(item)` for each item, then one message with how many were done and one warning
    per item the service refused (its label and the service's reason)."""
    done, refused = 0, []
    for item in items:
        try:
            call(item)
        except ValidationError as exc:
            refused.append(f"{label(item)}: {' '.join(exc.messages)}")
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message % {"count": done})
    for text in refused:
        modeladmin.message_user(request, text, level=messages.WARNING)


# --- posts -----------------------------------------------------------------------------------------------------


class RejectionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class DuplicateFilter(admin.SimpleListFilter):
    title = _("originality")
    parameter_name = "originality"

    def lookups(self, request, model_admin):
        return [
            ("copied", _("Near-duplicate of an earlier post")),
            ("short", _("Too short")),
            ("off_topic", _("Not trading related")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "copied":
            return queryset.filter(duplicate_of__isnull=False)
        if self.value() == "short":
            return queryset.filter(checks__long_enough=False)
        if self.value() == "off_topic":
            return queryset.filter(is_trading_related=False)
        return queryset


class PostModerationAdmin(admin.ModelAdmin):
    list_display = [
        "excerpt",
        "trader",
        "status",
        "originality",
        "is_featured",
        "is_home_page",
        "views",
        "likes",
        "copy_volume",
        "published_at",
    ]
    list_filter = ["status", DuplicateFilter, "is_featured", "is_home_page", "campaign", "source"]
    search_fields = ["url", "text", "trader__display_name", "trader__exchange_uid"]
    list_select_related = ["trader", "duplicate_of"]
    raw_id_fields = ["trader", "duplicate_of"]
    date_hierarchy = "published_at"
    # Moderation changes go through the actions (audited), never through the edit form.
    readonly_fields = [
        "text_preview",
        "status",
        "rejection_reason",
        "is_featured",
        "is_home_page",
        "duplicate_of",
        "similarity",
        "length",
        "is_trading_related",
        "checks",
        "reviewed_at",
        "reviewed_by",
        "source",
    ]
    exclude = ["text"]
    actions = ["mark_quality", "reject_selected", "feature", "unfeature", "put_on_home_page", "take_off_home_page"]

    @admin.display(description=_("post"))
    def excerpt(self, obj: Post):
        return web_link(obj.url, Truncator(obj.text).chars(80))

    @admin.display(description=_("text"))
    def text_preview(self, obj: Post):
        return post_html(obj.text)

    @admin.display(description=_("checks"))
    def originality(self, obj: Post):
        flags = []
        if obj.duplicate_of_id:
            percent = f"{(obj.similarity or 0) * 100:.0f}"  # formatted, not round(): a stored inf must not crash
            flags.append(_("copies #%(id)s (%(sim)s%%)") % {"id": obj.duplicate_of_id, "sim": percent})
        if obj.checks and not obj.checks.get("long_enough", True):
            flags.append(_("short (%(n)s)") % {"n": obj.length})
        if not obj.is_trading_related:
            flags.append(_("not trading related"))
        return "; ".join(str(f) for f in flags) or "✓"

    def _moderate(self, request, queryset, action: str, reason: str = ""):
        try:
            result = posts_moderate(
                post_ids=list(queryset.values_list("pk", flat=True)), action=action, actor=request.user, reason=reason
            )
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), level=messages.ERROR)
            return
        self.message_user(
            request, _("%(changed)d post(s) updated, %(skipped)d unchanged.") % result.__dict__, level=messages.SUCCESS
        )

    @admin.action(description=_("Mark selected posts quality"), permissions=["change"])
    def mark_quality(self, request, queryset):
        self._moderate(request, queryset, "quality")

    @admin.action(description=_("Reject selected posts (with a reason)"), permissions=["change"])
    def reject_selected(self, request, queryset):
        form = RejectionForm(request.POST if request.POST.get("apply") else None)
        if form.is_bound and form.is_valid():
            self._moderate(request, queryset, "reject", form.cleaned_data["reason"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reject posts"),
            "posts": list(queryset.select_related("trader")),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/campaigns/post/reject.html", context)

    @admin.action(description=_("Feature selected posts"), permissions=["change"])
    def feature(self, request, queryset):
        self._moderate(request, queryset, "feature")

    @admin.action(description=_("Remove selected posts from featured"), permissions=["change"])
    def unfeature(self, request, queryset):
        self._moderate(request, queryset, "unfeature")

    @admin.action(description=_("Recommend selected posts on the home page"), permissions=["change"])
    def put_on_home_page(self, request, queryset):
        self._moderate(request, queryset, "home_page")

    @admin.action(description=_("Take selected posts off the home page"), permissions=["change"])
    def take_off_home_page(self, request, queryset):
        self._moderate(request, queryset, "unhome_page")


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
            '<a href="{}">{}</a>', reverse("admin:campaigns_payoutbatch_preview", args=[obj.pk]), _("Preview")
        )

    # Batches are made by the calculation and changed only by its transitions.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:campaigns_payoutbatch_preview", args=[object_id]))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", wrap(self.preview_view), name="campaigns_payoutbatch_preview"),
            path("<int:pk>/approve/", wrap(require_POST(self.approve_view)), name="campaigns_payoutbatch_approve"),
            path(
                "<int:pk>/recalculate/",
                wrap(require_POST(self.recalculate_view)),
                name="campaigns_payoutbatch_recalculate",
            ),
            path("<int:pk>/export/", wrap(self.export_view), name="campaigns_payoutbatch_export"),
            path("<int:pk>/paid/", wrap(require_POST(self.paid_view)), name="campaigns_payoutbatch_paid"),
            *super().get_urls(),
        ]

    def _back(self, pk):
        return HttpResponseRedirect(reverse("admin:campaigns_payoutbatch_preview", args=[pk]))

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
            "can_approve": draft and user.has_perm("campaigns.approve_payoutbatch") and not four_eyes_block,
            "four_eyes_block": four_eyes_block,
            "can_export": not draft,
            "can_pay": approved and user.has_perm("campaigns.pay_payoutbatch") and not pay_block,
            "pay_block": pay_block if user.has_perm("campaigns.pay_payoutbatch") else None,
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
