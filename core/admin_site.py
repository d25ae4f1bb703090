"""Starboard's admin site: every ModelAdmin registered on it, ours and the libraries' (auth, celery beat, ...), gets
the guard against reading secrets and crashing lists (core/admin_guard.py) and the audit of every write
(core/admin_audit.py), so no admin can be registered without them."""

from django.contrib import admin
from django.contrib.auth import logout
from django.contrib.auth.views import PasswordChangeView
from django.urls import reverse

from core.admin_audit import AdminWriteAudit
from core.admin_guard import AdminGuard
from core.console import waiting_for
from core.forms_password_change import CountedPasswordChangeForm
from core.lockout import lockout_response


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
    def index(self, request, extra_context=None):
        # The console home: what waits for this operator, above the list of models.
        return super().index(request, {"waiting": waiting_for(request.user), **(extra_context or {})})

    def password_change(self, request, extra_context=None):
        request.current_app = self.name
        return CountedPasswordChangeView.as_view(
            success_url=reverse("admin:password_change_done", current_app=self.name),
            extra_context={**self.each_context(request), **(extra_context or {})},
            **({"template_name": self.password_change_template} if self.password_change_template else {}),
        )(request)

    def register(self, model_or_iterable, admin_class=None, **options):
        super().register(model_or_iterable, guarded(admin_class or admin.ModelAdmin), **options)


class CountedPasswordChangeView(PasswordChangeView):
    """Django's view with the counted form; the session that reaches the lockout is signed out and told why."""

    form_class = CountedPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form):
        if getattr(self.request, "axes_locked_out", False) or form.has_error("old_password", code="locked"):
            logout(self.request)
            return lockout_response(self.request)
        return super().form_invalid(form)
