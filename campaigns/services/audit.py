"""The one way to record an audit event: every operator and system transition goes through here."""

from django.db import models

from campaigns.models import AuditEvent, Campaign


class _System:
    """The scheduled work (Celery beat) as the one who did something: recorded as no user, and named "system"."""

    is_authenticated = False
    pk = None

    def __str__(self) -> str:
        return "system"


# Pass as `actor` where a service asks who acts and nobody does: beat tasks. A person's command names its operator.
SYSTEM = _System()


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
