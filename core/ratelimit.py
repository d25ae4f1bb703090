"""Per-IP (and, for password resets, per-email) rate limits on public forms, counted in the shared cache (Redis in
production, so all web workers agree).

A fixed window per (scope, client IP): the first hit creates the counter with the window as its expiry, later
hits increment it atomically (INCR in Redis). The counters go through core.cache's required face: when the cache is
down a limit cannot count, so it refuses (CacheUnavailable, answered as a 503 "try again shortly"), never lets the
attempt through uncounted.
"""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings

from core.cache import required_cache


@dataclass(frozen=True)
class RateLimit:
    scope: str
    limit: int
    window_seconds: int


def _setting(name: str, default: tuple[int, int]) -> tuple[int, int]:
    return tuple(getattr(settings, name, default))


def signup_limit() -> RateLimit:
    """Registration attempts per IP: SIGNUP_RATE_LIMIT = (attempts, seconds) in settings, default 10 an hour."""
    limit, window = _setting("SIGNUP_RATE_LIMIT", (10, 3600))
    return RateLimit("signup", limit, window)


def enrol_limit() -> RateLimit:
    limit, window = _setting("ENROL_RATE_LIMIT", (20, 3600))
    return RateLimit("enrol", limit, window)


def login_limit() -> RateLimit:
    limit, window = _setting("LOGIN_RATE_LIMIT", (20, 900))
    return RateLimit("login", limit, window)


def password_reset_limit() -> RateLimit:
    """Password-reset requests per IP: PASSWORD_RESET_RATE_LIMIT, default 10 an hour."""
    limit, window = _setting("PASSWORD_RESET_RATE_LIMIT", (10, 3600))
    return RateLimit("password_reset", limit, window)


def password_reset_confirm_limit() -> RateLimit:
    """Password-reset links opened or submitted per IP: PASSWORD_RESET_CONFIRM_RATE_LIMIT, default 20 an hour."""
    limit, window = _setting("PASSWORD_RESET_CONFIRM_RATE_LIMIT", (20, 3600))
    return RateLimit("password_reset_confirm", limit, window)


def password_reset_email_limit() -> RateLimit:
    """Password-reset requests per email address: PASSWORD_RESET_EMAIL_RATE_LIMIT, default 3 an hour.

    Counted for every address asked about, registered or not, so hitting the limit reveals nothing about accounts.
    """
    limit, window = _setting("PASSWORD_RESET_EMAIL_RATE_LIMIT", (3, 3600))
    return RateLimit("password_reset_email", limit, window)


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or behind N trusted reverse proxies (settings.TRUSTED_PROXY_COUNT = N)
    the address the outermost trusted proxy saw, from X-Forwarded-For. Entries a client adds itself sit further
    left and are ignored, so nobody escapes the limit by sending their own header."""
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies][:64]
    return request.META.get("REMOTE_ADDR") or "unknown"


def rate_limit_exceeded(*, rule: RateLimit, ip: str, now: float | None = None) -> bool:
    """Count one attempt from this IP; True when this attempt is over the limit for the current window."""
    return _count_over_limit(rule=rule, who=ip, now=now)


def rate_limit_exceeded_for_email(*, rule: RateLimit, email: str, now: float | None = None) -> bool:
    """Count one attempt about this email address (case-insensitive; the cache key holds a hash, not the address)."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return _count_over_limit(rule=rule, who=f"email:{digest}", now=now)


def _count_over_limit(*, rule: RateLimit, who: str, now: float | None) -> bool:
    window = int((now if now is not None else time.time()) // rule.window_seconds)
    key = f"ratelimit:{rule.scope}:{who}:{window}"
    if required_cache.add(key, 1, timeout=rule.window_seconds):
        count = 1
    else:
        try:
            count = required_cache.incr(key)
        except ValueError:  # expired between add and incr: start again
            required_cache.add(key, 1, timeout=rule.window_seconds)
            count = 1
    return count > rule.limit
