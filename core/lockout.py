"""django-axes' hooks (settings AXES_*): whom a sign-in attempt is about, where it comes from, and what a locked-out
person sees. Unlocking is core.services.lockouts."""

import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.shortcuts import render
from django.urls import reverse

from core.ratelimit import client_ip

USERNAME_MAX = 255  # axes' AccessAttempt.username


def lockout_client_ip(request) -> str | None:
    """The client address every rate limit uses (core.ratelimit.client_ip, behind TRUSTED_PROXY_COUNT proxies).
    None when it is not an IP address (no REMOTE_ADDR): such requests share one count."""
    try:
        return str(ipaddress.ip_address(client_ip(request)))
    except ValueError:
        return None


def lockout_username(request, credentials) -> str | None:
    """The account an attempt is about: trimmed and in lower case, so "Ops" and "ops " count as one account."""
    raw = (credentials or getattr(request, "data", request.POST)).get("username")
    name = str(raw or "").replace("\x00", "").strip().lower()[:USERNAME_MAX]
    return name or None


def lockout_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_response(request, original_response=None, credentials=None):
    """A locked-out sign-in: 429 with the reason in the visitor's language, the admin's look on the admin."""
    on_admin = request.path.startswith(reverse("admin:index"))
    response = render(
        request,
        "admin/locked_out.html" if on_admin else "registration/locked_out.html",
        {"minutes": max(1, lockout_seconds() // 60)},
        status=429,
    )
    response["Retry-After"] = str(lockout_seconds())
    return response


class LockoutDatabaseHandler(AxesDatabaseHandler):
    """django-axes' database handler, with the request headers it stores made fit for PostgreSQL text first: a NUL
    byte in a User-Agent or Accept header would otherwise turn a failed sign-in into a server error."""

    @staticmethod
    def _storable(request) -> None:
        for name in ("axes_user_agent", "axes_path_info", "axes_http_accept"):
            value = getattr(request, name, None)
            if isinstance(value, str) and "\x00" in value:
                setattr(request, name, value.replace("\x00", "\ufffd"))

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is not None:
            self._storable(request)
        return super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender, request, user, **kwargs):
        self._storable(request)
        return super().user_logged_in(sender, request, user, **kwargs)

    def user_logged_out(self, sender, request, user, **kwargs):
        self._storable(request)
        return super().user_logged_out(sender, request, user, **kwargs)
