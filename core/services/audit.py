"""The one way to record an audit event: every operator and system transition goes through here."""

import json
import math
from collections import Counter
from datetime import date, datetime, time

from django.db import models, router
from django.db.models.deletion import Collector, ProtectedError

from core.models import AuditEvent
from core.secret_fields import SECRET_MARK, secret_field_names

VALUE_LIMIT = 1000  # characters of one value an admin-write event keeps (a long text: its start and its length)


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
    campaign: models.Model | None = None,
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


# --- writes made in the admin ---------------------------------------------------------------------------------------


def _loggable(value):
    """A field value as JSON the audit log can keep: exact numbers and times as text, long values cut."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, (bytes, memoryview)):
        return f"<{len(value)} bytes>"
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False, default=str)
        return value if len(text) <= VALUE_LIMIT else _cut(text)
    return _cut(str(value))  # Decimal (exact), str, UUID, ...


def _cut(text: str) -> str:
    return text if len(text) <= VALUE_LIMIT else f"{text[:VALUE_LIMIT]}… ({len(text)} characters)"


def model_values(obj: models.Model) -> dict:
    """What an admin-write event records of a row: every field (many-to-many as the related rows' names), never a
    secret's value (core/secret_fields.py) and not the times Django stamps itself (auto_now)."""
    secrets = secret_field_names(type(obj))
    values = {}
    for field in obj._meta.concrete_fields:
        if getattr(field, "auto_now", False):
            continue
        value = field.value_from_object(obj)
        values[field.name] = (SECRET_MARK if value else "") if field.name in secrets else _loggable(value)
    for field in obj._meta.many_to_many:
        values[field.name] = sorted(_cut(str(related)) for related in getattr(obj, field.name).all())
    return values


def _campaign_of(obj: models.Model) -> models.Model | None:
    """The campaign a row belongs to (a campaign, its enrolments, pools and their periods), for the event's filter."""
    for path in ((), ("campaign",), ("pool", "campaign"), ("period", "pool", "campaign")):
        target = obj
        for name in path:
            target = getattr(target, name, None)
        if isinstance(target, AuditEvent._meta.get_field("campaign").related_model):  # core names no app above it
            return target
    return None


def _deleted_with(obj: models.Model) -> dict[str, int]:
    """How many rows of each other model deleting `obj` deletes with it (its cascade)."""
    collector = Collector(using=router.db_for_write(type(obj)), origin=obj)
    try:
        collector.collect([obj])
    except ProtectedError:
        return {}  # the delete itself is refused
    counts = Counter()
    for model, instances in collector.data.items():
        counts[model._meta.label_lower] += len(instances)
    for queryset in collector.fast_deletes:
        counts[queryset.model._meta.label_lower] += queryset.count()
    counts[obj._meta.label_lower] -= 1
    return {label: n for label, n in sorted(counts.items()) if n}


def audit_admin_write(*, actor, obj: models.Model, kind: str, before: dict | None = None) -> AuditEvent | None:
    """Record one add, change or delete made in the admin: `<model>.admin_added` with the new row's values,
    `.admin_changed` with each changed field's [old, new] (None when nothing changed), `.admin_deleted` with the
    row's values and what its deletion takes with it. Call it after the write for added and changed (`before`: the
    row's model_values before the change), before the delete for deleted."""
    if kind == "deleted":
        data = {"values": model_values(obj), "deleted_with": _deleted_with(obj)}
    else:
        after = model_values(type(obj)._base_manager.get(pk=obj.pk))  # as stored, as `before` was read
        if kind == "added":
            data = {"values": after}
        else:
            before = before or {}
            changes = {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}
            if not changes:
                return None
            data = {"changes": changes}
    return audit_record(
        action=f"{obj._meta.model_name}.admin_{kind}", target=obj, actor=actor, campaign=_campaign_of(obj), data=data
    )


def audit_admin_action(*, actor, obj: models.Model, action_name: str, before: dict) -> AuditEvent:
    """Record that an admin list action (enable/disable/run schedules, any bulk `queryset.update`) ran on `obj`:
    `<model>.admin_action` with the action's name and each field it changed ([old, new]; empty when it changed none,
    e.g. "run now"). `before` is the row's model_values read before the action; a row the action removed has none."""
    stored = type(obj)._base_manager.filter(pk=obj.pk).first()
    after = model_values(stored) if stored is not None else {}
    changes = {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}
    data = {"action": action_name, "changes": changes, "removed": stored is None}
    return audit_record(
        action=f"{obj._meta.model_name}.admin_action", target=obj, actor=actor, campaign=_campaign_of(obj), data=data
    )
