"""Login lockouts in the admin: django-axes' failed sign-ins, read-only, with audited unlock actions
(core.services.lockouts). Stored request data is never shown."""

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.db.models import IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin_actions import apply_each
from core.admin_readonly import ReadOnlyModelAdmin
from core.services.lockouts import login_lockout_may_release, login_lockout_release


def _recent_failures(field: str) -> Subquery:
    """Failures of the row's account (or address) within the cool-off: what decides whether it is locked."""
    recent = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)
    total = recent.filter(**{field: OuterRef(field)}).values(field).annotate(n=Sum("failures_since_start")).values("n")
    return Coalesce(Subquery(total[:1], output_field=IntegerField()), 0)


@admin.register(AccessAttempt)
class LoginLockoutAdmin(ReadOnlyModelAdmin):
    list_display = [
        "username",
        "ip_address",
        "failures_since_start",
        "attempt_time",
        "path_info",
        "account_locked",
        "address_locked",
    ]
    search_fields = ["username", "ip_address"]
    fields = ["username", "ip_address", "user_agent", "path_info", "failures_since_start", "attempt_time"]
    actions = ["unlock_accounts", "unlock_addresses"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(account_failures=_recent_failures("username"), address_failures=_recent_failures("ip_address"))
        )

    def has_unlock_permission(self, request) -> bool:
        return login_lockout_may_release(request.user)

    @admin.display(boolean=True, description=_("account locked"))
    def account_locked(self, obj) -> bool:
        return obj.account_failures >= settings.AXES_FAILURE_LIMIT

    @admin.display(boolean=True, description=_("address locked"))
    def address_locked(self, obj) -> bool:
        return obj.address_failures >= settings.AXES_FAILURE_LIMIT

    def _unlock(self, request, values, field: str):
        apply_each(
            self,
            request,
            sorted({v for v in values if v}),
            lambda value: login_lockout_release(actor=request.user, **{field: value}),
            label=str,
            done_message=_("%(count)d unlocked."),
        )

    @admin.action(description=_("Unlock the accounts of the selected rows"), permissions=["unlock"])
    def unlock_accounts(self, request, queryset):
        self._unlock(request, queryset.values_list("username", flat=True), "username")

    @admin.action(description=_("Unlock the addresses of the selected rows"), permissions=["unlock"])
    def unlock_addresses(self, request, queryset):
        self._unlock(request, queryset.values_list("ip_address", flat=True), "ip_address")
