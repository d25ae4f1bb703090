"""Starboard's admin site: every ModelAdmin registered on it, ours and the libraries' (auth, celery beat, ...), gets
the guard against reading secrets and crashing lists (core/admin_guard.py) and the audit of every write
(core/admin_audit.py), so no admin can be registered without them."""

from django.contrib import admin

from core.admin_audit import AdminWriteAudit
from core.admin_guard import AdminGuard


def guarded(admin_class: type[admin.ModelAdmin]) -> type[admin.ModelAdmin]:
    """`admin_class` with AdminGuard and AdminWriteAudit first in its method order (itself if it has them)."""
    if issubclass(admin_class, AdminGuard):
        return admin_class
    return type(
        admin_class.__name__,
        (AdminGuard, AdminWriteAudit, admin_class),
        {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__},
    )


class StarboardAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        super().register(model_or_iterable, guarded(admin_class or admin.ModelAdmin), **options)
