"""The email outbox for operators: read-only (what was sent to whom, what failed and why), plus one action that
puts failed emails back in the queue (permission core.retry_outboundemail, audited by the service)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.admin_readonly import ReadOnlyModelAdmin
from core.models import OutboundEmail
from core.services.outbox import RETRY_PERMISSION, outbound_emails_retry


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyModelAdmin):
    list_display = ["created_at", "kind", "to_email", "subject", "language", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind", "language"]
    search_fields = ["to_email", "subject", "target_id"]
    date_hierarchy = "created_at"
    # The body is shown through body_shown, which never displays a password-reset link.
    fields = [
        "kind",
        "to_email",
        "from_email",
        "subject",
        "language",
        "body_shown",
        "target_type",
        "target_id",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
    ]
    readonly_fields = fields
    actions = ["retry_failed"]

    @admin.display(description=_("body"))
    def body_shown(self, obj: OutboundEmail) -> str:
        if obj.kind == OutboundEmail.Kind.PASSWORD_RESET:
            return _("(Not shown: a password-reset email contains a one-time sign-in link.)")
        return obj.body

    def has_retry_permission(self, request):
        return request.user.has_perm(RETRY_PERMISSION)

    @admin.action(description=_("Retry selected failed emails"), permissions=["retry"])
    def retry_failed(self, request, queryset):
        selected = list(queryset.values_list("pk", flat=True))
        retried = outbound_emails_retry(email_ids=selected, actor=request.user)
        if retried:
            self.message_user(request, _("%(count)d email(s) queued again.") % {"count": retried})
        if retried < len(selected):
            self.message_user(
                request,
                _("%(count)d selected email(s) were not failed and were left as they are.")
                % {"count": len(selected) - retried},
                level=messages.WARNING,
            )
