"""Admin of core's records: the audit log (read-only); the outbox and login lockouts register in their modules."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_lockouts import LoginLockoutAdmin  # noqa: F401 - registers the login lockouts admin
from core.admin_outbox import OutboundEmailAdmin  # noqa: F401 - registers the outbox admin
from core.admin_readonly import ReadOnlyModelAdmin
from core.console import queue_filtered
from core.models import AuditEvent, OutboundEmail


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    list_display = ["created_at", "action", "actor", "target_type", "target_id", "campaign"]
    list_filter = ["action"]
    search_fields = ["target_id", "action"]


queue_filtered(OutboundEmail, _("Failed emails to retry"), lambda: {"status": OutboundEmail.Status.FAILED})
