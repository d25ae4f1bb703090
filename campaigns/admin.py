from django.contrib import admin

from .models import AuditEvent, Campaign, Enrollment, Payout, PayoutBatch, Post, RewardPeriod, RewardPool


class RewardPoolInline(admin.TabularInline):
    model = RewardPool
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "registration_opens_at", "registration_closes_at", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [RewardPoolInline]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["trader", "campaign", "status", "submitted_at", "decided_at"]
    list_filter = ["status", "campaign"]
    search_fields = ["trader__display_name", "trader__exchange_uid", "trader__email"]
    raw_id_fields = ["trader"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["url", "trader", "campaign", "status", "is_featured", "is_home_page", "published_at"]
    list_filter = ["status", "is_featured", "is_home_page", "campaign"]
    search_fields = ["url", "trader__display_name", "trader__exchange_uid"]
    raw_id_fields = ["trader", "duplicate_of"]


@admin.register(RewardPool)
class RewardPoolAdmin(admin.ModelAdmin):
    list_display = ["name", "campaign", "kind", "amount", "currency", "reward_form", "cadence", "split_rule"]
    list_filter = ["kind", "campaign"]


@admin.register(RewardPeriod)
class RewardPeriodAdmin(admin.ModelAdmin):
    list_display = ["pool", "index", "starts_at", "ends_at", "status"]
    list_filter = ["status", "pool__kind", "pool__campaign"]


class PayoutInline(admin.TabularInline):
    model = Payout
    extra = 0
    raw_id_fields = ["trader", "ranking_run"]


@admin.register(PayoutBatch)
class PayoutBatchAdmin(admin.ModelAdmin):
    list_display = ["period", "status", "pool_amount", "total", "unspent", "calculated_at", "approved_at"]
    list_filter = ["status"]
    inlines = [PayoutInline]


@admin.register(Payout)
class PayoutAdmin(admin.ModelAdmin):
    list_display = ["trader", "period", "reason", "amount", "currency", "reward_form", "rank"]
    list_filter = ["reason"]
    raw_id_fields = ["trader", "batch", "period", "ranking_run"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "actor", "target_type", "target_id", "campaign"]
    list_filter = ["action"]
    search_fields = ["target_id", "action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
