"""The audit log and the email outbox: records every app writes. The tables keep their campaigns_* names (they
moved here from campaigns in issue 16)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Append-only record of every operator and system transition."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=64, db_index=True)
    campaign = models.ForeignKey("campaigns.Campaign", null=True, blank=True, on_delete=models.SET_NULL)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "campaigns_auditevent"
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"


class OutboundEmail(models.Model):
    """One email in the transactional outbox: written in the transaction of the change it reports, already rendered
    in the recipient's language, then sent by campaigns.tasks.send_email (core/services/outbox.py).

    A row is the record operators read: what was sent to whom and when, and what failed and why.
    """

    class Kind(models.TextChoices):
        ENROLMENT = "enrolment", _("Enrolment")
        PASSWORD_RESET = "password_reset", _("Password reset")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    to_email = models.EmailField(_("recipient"))
    from_email = models.CharField(max_length=254, blank=True)  # blank: settings.DEFAULT_FROM_EMAIL
    subject = models.CharField(_("subject"), max_length=998)  # one header line (RFC 5322 limit)
    body = models.TextField(_("body"))
    body_redacted = models.BooleanField(default=False)  # a sent password-reset body is dropped (its one-time link)
    language = models.CharField(_("language"), max_length=16)
    # What the email is about, as in AuditEvent (e.g. campaigns.enrollment:12, auth.user:3).
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    # While queued: when the sweeper hands it to the broker again if it is still not sent by then.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        db_table = "campaigns_outboundemail"
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")
        permissions = [("retry_outboundemail", "Can retry failed outbound emails")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbound_email_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "sent", "failed"]), name="outbound_email_status_known"
            ),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | (~Q(status="sent") & Q(sent_at__isnull=True)),
                name="outbound_email_sent_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(last_error=""), name="outbound_email_failed_has_error"
            ),
            models.CheckConstraint(
                condition=Q(body_redacted=False) | Q(status="sent"), name="outbound_email_redacted_once_sent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_email} ({self.status})"
