from datetime import timedelta

from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from campaigns.admin_desk import PostModerationAdmin
from campaigns.forms import CampaignAdminForm, answers_shown
from campaigns.models import Campaign, Enrollment, Post, PostBand, PostSignature, RewardPeriod, RewardPool
from campaigns.services.enrolment import enrollment_approve, enrollment_reject
from core.admin_actions import apply_each
from core.admin_readonly import ReadOnlyModelAdmin
from core.console import queue_filtered


class RewardPoolInline(admin.TabularInline):
    model = RewardPool
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    form = CampaignAdminForm  # refuses a malformed questionnaire
    list_display = ["name", "slug", "time_zone", "registration_opens_at", "registration_closes_at", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [RewardPoolInline]


class EnrollmentDecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "cols": 60})
    )


def _decide_action(modeladmin, request, queryset, *, service, title, submit_label, action, reason_required):
    """Ask for the operator's reason on an intermediate page, then decide each selected enrolment."""
    form = EnrollmentDecisionForm(request.POST if request.POST.get("apply") else None)
    if form.is_bound and form.is_valid():
        reason = form.cleaned_data["reason"].strip()
        if reason_required and not reason:
            form.add_error("reason", _("Give the trader a reason for the rejection."))
        else:
            apply_each(
                modeladmin,
                request,
                queryset.select_related("trader", "campaign"),
                lambda enrollment: service(enrollment=enrollment, actor=request.user, reason=reason),
                label=lambda enrollment: enrollment.trader.display_name,
                done_message=_("%(count)d enrolment(s) updated."),
            )
            return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "enrollments": list(queryset.select_related("trader", "campaign")),
        "form": form,
        "action": action,
        "submit_label": submit_label,
        "opts": modeladmin.model._meta,
    }
    return TemplateResponse(request, "admin/campaigns/enrollment/decide.html", context)


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["trader", "campaign", "status", "submitted_at", "decided_at", "decided_by"]
    list_filter = ["status", "campaign"]
    search_fields = ["trader__display_name", "trader__exchange_uid", "trader__email"]
    raw_id_fields = ["trader"]
    # Decisions go through the actions (audit event + email), never by editing the status by hand.
    readonly_fields = ["status", "reason", "decided_at", "decided_by"]
    actions = ["approve_selected", "reject_selected"]

    def get_readonly_fields(self, request, obj=None):
        # A submitted enrolment is the trader's: who, which campaign, when and what they answered are shown only.
        if obj is not None:
            return ["campaign", "trader", "submitted_at", "questionnaire_answers", *self.readonly_fields]
        return super().get_readonly_fields(request, obj)

    def get_fields(self, request, obj=None):
        if obj is not None:
            return self.get_readonly_fields(request, obj)
        return super().get_fields(request, obj)

    @admin.display(description=_("questionnaire answers"))
    def questionnaire_answers(self, obj: Enrollment):
        rows = answers_shown(obj.campaign.questionnaire, obj.answers)
        return format_html(
            '<dl class="answers">{}</dl>',
            format_html_join("", "<dt><strong>{}</strong></dt><dd>{}</dd>", rows),
        )

    @admin.action(description=_("Approve selected enrolments (with a reason)"), permissions=["change"])
    def approve_selected(self, request, queryset):
        return _decide_action(
            self,
            request,
            queryset,
            service=enrollment_approve,
            title=_("Approve enrolments"),
            submit_label=_("Approve"),
            action="approve_selected",
            reason_required=False,
        )

    @admin.action(description=_("Reject selected enrolments (with a reason)"), permissions=["change"])
    def reject_selected(self, request, queryset):
        return _decide_action(
            self,
            request,
            queryset,
            service=enrollment_reject,
            title=_("Reject enrolments"),
            submit_label=_("Reject"),
            action="reject_selected",
            reason_required=True,
        )


@admin.register(Post)
class PostAdmin(PostModerationAdmin):
    """The moderation queue (campaigns/admin_desk.py): quality / reject with reason / featured / home page."""


@admin.register(PostSignature, PostBand)
class PostSignatureAdmin(ReadOnlyModelAdmin):
    """Originality-check data derived from the posts' texts (campaigns.services.post_signatures): shown only."""

    list_display = ["post", "scheme"]
    list_filter = ["scheme"]
    raw_id_fields = ["post"]


@admin.register(RewardPool)
class RewardPoolAdmin(admin.ModelAdmin):
    list_display = ["name", "campaign", "kind", "amount", "currency", "reward_form", "cadence", "split_rule"]
    list_filter = ["kind", "campaign"]


CLOSING_SOON = timedelta(days=3)  # how far ahead the console warns of a reward period's end


queue_filtered(Enrollment, _("Enrolments to review"), lambda: {"status": Enrollment.Status.PENDING})
queue_filtered(Post, _("Posts awaiting moderation"), lambda: {"status": Post.Status.SUBMITTED})
queue_filtered(
    RewardPeriod,
    _("Open reward periods ending within three days (or already ended)"),
    lambda: {"status": RewardPeriod.Status.OPEN, "ends_at__lt": timezone.now() + CLOSING_SOON},
)
