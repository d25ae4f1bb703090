"""The admin's "change password" form, with a wrong current password counted as a failed sign-in (django-axes).

Without it, anyone holding a staff session (a borrowed laptop, a stolen cookie) could guess the account's password
on /admin/password_change/ without limit and then keep the account. Each wrong guess now counts towards the same
lockout as the sign-in page (AXES_FAILURE_LIMIT per account or address); a locked account or address gets no
password check at all, and the session that hit the limit is signed out (core/admin_site's view)."""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CountedPasswordChangeForm(AdminPasswordChangeForm):
    def __init__(self, user, *args, request=None, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def _credentials(self) -> dict:
        return {"username": self.user.get_username()}

    def clean_old_password(self):
        if self.request is not None and AxesProxyHandler.is_locked(self.request, self._credentials()):
            raise ValidationError(_("Too many wrong passwords: this account is locked for now."), code="locked")
        try:
            return super().clean_old_password()
        except ValidationError:
            user_login_failed.send(sender=type(self), credentials=self._credentials(), request=self.request)
            raise
