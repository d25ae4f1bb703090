"""The one way to record an audit event: every operator and system transition goes through here."""

from django.db import models

from campaigns.models import AuditEvent, Campaign


def actor_or_none(actor):
    """The user to store as who did it: None for the system (no actor) or an anonymous user."""
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


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
        actor=actor_or_none(actor),
        campaign=campaign,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        data=data or {},
    )
