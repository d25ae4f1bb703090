"""Every write made through an admin form, an inline, a list edit, the delete action or any other list action
(celery beat's enable/disable/toggle/run, our own bulk actions) is an audit event with what changed
(core.services.audit.audit_admin_write / audit_admin_action): traders, accounts, campaigns, pools, periods,
enrolments, users, schedules, whatever admin it is. Mixed into every registered admin by core/admin_site.py.

The events are written in the transaction of the write (the admin's change and delete views are atomic; the bulk
delete is made atomic here), so a write that fails leaves no event and an event never lacks its write.
"""

import functools

from django.db import transaction

from core.models import AuditEvent
from core.services.audit import audit_admin_action, audit_admin_write, model_values


def _stored_values(obj) -> dict | None:
    row = type(obj)._base_manager.filter(pk=obj.pk).first() if obj.pk is not None else None
    return model_values(row) if row is not None else None


def _audited_action(func, name: str):
    """`func` (an admin action) that records, per selected row, what it changed, in the action's transaction.

    Rows the action's own service recorded (our moderation, flag review and payout actions) are not recorded twice,
    and a row it left unchanged is recorded only when the action finished without recording or changing anything
    (celery beat's "run now"), not when it stopped at a confirmation page or skipped the row."""

    @functools.wraps(func)  # keeps allowed_permissions and the description Django reads
    def run(modeladmin, request, queryset):
        with transaction.atomic():
            rows = list(queryset)
            before = {obj.pk: _stored_values(obj) or {} for obj in rows}
            last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            response = func(modeladmin, request, queryset)
            recorded = set(AuditEvent.objects.filter(pk__gt=last_event).values_list("target_type", "target_id"))
            unrecorded = [obj for obj in rows if (obj._meta.label_lower, str(obj.pk)) not in recorded]
            changed = [obj for obj in unrecorded if _stored_values(obj) != before[obj.pk]]
            finished_silently = response is None and not recorded and not changed
            for obj in unrecorded if finished_silently else changed:
                audit_admin_action(actor=request.user, obj=obj, action_name=name, before=before[obj.pk])
        return response

    return run


class AdminWriteAudit:
    def get_actions(self, request):
        actions = super().get_actions(request)
        # delete_selected is audited row by row in delete_queryset (it also shows a confirmation page first).
        return {
            name: (func if name == "delete_selected" else _audited_action(func, name), name, description)
            for name, (func, _name, description) in actions.items()
        }

    def save_model(self, request, obj, form, change):
        # Read before the save: the form has already put the new values on `obj`.
        form.audit_before = _stored_values(obj) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # many-to-many and inlines: part of the change
        kind = "changed" if change else "added"
        audit_admin_write(actor=request.user, obj=form.instance, kind=kind, before=getattr(form, "audit_before", None))

    def save_formset(self, request, form, formset, change):
        kept = [
            f.instance for f in formset.initial_forms if f.instance.pk is not None and f not in formset.deleted_forms
        ]
        before = {obj.pk: _stored_values(obj) for obj in kept}
        for deleted in formset.deleted_forms:
            if deleted.instance.pk is not None:
                audit_admin_write(actor=request.user, obj=deleted.instance, kind="deleted")
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            audit_admin_write(actor=request.user, obj=obj, kind="added")
        for obj, _fields in formset.changed_objects:
            audit_admin_write(actor=request.user, obj=obj, kind="changed", before=before.get(obj.pk))

    def delete_model(self, request, obj):
        audit_admin_write(actor=request.user, obj=obj, kind="deleted")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                audit_admin_write(actor=request.user, obj=obj, kind="deleted")
            super().delete_queryset(request, queryset)
