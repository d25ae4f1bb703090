"""Per-IP rate limits on public forms, counted in the shared cache (Redis in production, so all web workers agree).

A fixed window per (scope, client IP): the first hit creates the counter with the window as its expiry, later
hits increment it atomically (INCR in Redis).
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


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
    """Count one attempt; True when this attempt is over the limit for the current window."""
    window = int((now if now is not None else time.time()) // rule.window_seconds)
    key = f"ratelimit:{rule.scope}:{ip}:{window}"
    if cache.add(key, 1, timeout=rule.window_seconds):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: start again
            cache.add(key, 1, timeout=rule.window_seconds)
            count = 1
    return count > rule.limit
