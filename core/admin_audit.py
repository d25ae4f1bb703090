"""Every write made through an admin form, an inline, a list edit or the delete action is an audit event with
what changed (core.services.audit.audit_admin_write): traders, accounts, campaigns, pools, periods, enrolments,
users, schedules, whatever admin it is. Mixed into every registered admin by core/admin_site.py.

The events are written in the transaction of the write (the admin's change and delete views are atomic; the bulk
delete is made atomic here), so a write that fails leaves no event and an event never lacks its write.
"""

from django.db import transaction

from core.services.audit import audit_admin_write, model_values


def _stored_values(obj) -> dict | None:
    row = type(obj)._base_manager.filter(pk=obj.pk).first() if obj.pk is not None else None
    return model_values(row) if row is not None else None


class AdminWriteAudit:
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
