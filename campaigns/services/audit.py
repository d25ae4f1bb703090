"""The one way to record an audit event: every operator and system transition goes through here."""

from django.db import models

from campaigns.models import AuditEvent, Campaign


def audit_record(
    *,
    action: str,
    target: models.Model,
    actor=None,
    campaign: Campaign | None = None,
    data: dict | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        action=action,
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        campaign=campaign,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        data=data or {},
    )
