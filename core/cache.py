"""The one way project code reaches the shared cache (Redis in deployment), so a cache outage degrades the same way
everywhere instead of as a 500 wherever a caller forgot a try/except.

Two faces over the same Django cache alias, chosen by what the caller stores:

- ``best_effort_cache`` for copies of what the database holds (rendered pages, the board version, the regime
  sparklines): a failed read is a miss and a failed write is skipped, so the caller reads the database instead.
- ``required_cache`` for what guards something (rate limits, the API throttle, ingest locks, the exchange request
  budget): a failed call raises ``CacheUnavailable``. A limit that cannot count refuses (fails closed); the site
  answers it with a 503 "try again shortly" in the visitor's language (core.middleware for pages, core.api for the
  API), never a traceback.

An outage is logged once per CACHE_OUTAGE_LOG_SECONDS (core.failure_log), and after a failure this process leaves
the cache alone for CACHE_RETRY_SECONDS: a server that hangs instead of refusing costs one socket timeout per
interval, not one per request.
"""

import logging
import threading
import time

import redis
from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed

from core.failure_log import RecurringFailureLog

logger = logging.getLogger(__name__)

# What a cache server that is down, hung, full (maxmemory + noeviction) or still loading raises. Anything else (a
# ValueError from incr on a missing key, a pickling error) is the caller's business and passes through.
CACHE_ERRORS = (redis.exceptions.RedisError, OSError)

_outage_log = RecurringFailureLog(logger, "Cache", interval_setting="CACHE_OUTAGE_LOG_SECONDS", default_interval=60.0)
_CONSEQUENCE = "pages are read from the database and rate-limited actions answer 503 until it is back"


class CacheUnavailable(Exception):
    """The cache did not answer, so whatever needed it is refused for now (503, try again shortly)."""


class _Breaker:
    """Per process and cache alias: after a failure, skip the cache until the retry time."""

    def __init__(self):
        self._lock = threading.Lock()
        self._retry_at: dict[str, float] = {}

    def is_open(self, alias: str) -> bool:
        retry_at = self._retry_at.get(alias)
        return retry_at is not None and time.monotonic() < retry_at

    def trip(self, alias: str) -> None:
        with self._lock:
            self._retry_at[alias] = time.monotonic() + float(getattr(settings, "CACHE_RETRY_SECONDS", 5))

    def close(self, alias: str) -> None:
        if alias in self._retry_at:
            with self._lock:
                self._retry_at.pop(alias, None)

    def reset(self) -> None:
        with self._lock:
            self._retry_at.clear()


_breaker = _Breaker()


class ResilientCache:
    """The Django cache API subset the project uses, over caches[alias], resolved per call (settings may change)."""

    def __init__(self, alias: str = "default", *, required: bool):
        self.alias = alias
        self.required = required

    def get(self, key: str, default=None):
        return self._call("get", default, key, default)

    def get_many(self, keys) -> dict:
        return self._call("get_many", {}, keys)

    def set(self, key: str, value, timeout=None) -> None:
        self._call("set", None, key, value, timeout)

    def add(self, key: str, value, timeout=None) -> bool:
        return self._call("add", False, key, value, timeout)

    def incr(self, key: str, delta: int = 1):
        return self._call("incr", None, key, delta)

    def touch(self, key: str, timeout=None) -> bool:
        return self._call("touch", False, key, timeout)

    def delete(self, key: str) -> bool:
        return self._call("delete", False, key)

    def delete_many(self, keys) -> None:
        self._call("delete_many", None, keys)

    def _call(self, method: str, fallback, *args):
        if _breaker.is_open(self.alias):
            _outage_log.failed(None, _CONSEQUENCE)
            return self._refuse(fallback, None)
        try:
            result = getattr(caches[self.alias], method)(*args)
        except CACHE_ERRORS as error:
            _breaker.trip(self.alias)
            _outage_log.failed(error, _CONSEQUENCE)
            return self._refuse(fallback, error)
        _outage_log.recovered()
        return result

    def _refuse(self, fallback, error):
        if self.required:
            raise CacheUnavailable(f"cache {self.alias!r} unavailable") from error
        return fallback


def cache_failure_report(error: BaseException, alias: str = "default") -> None:
    """For the one caller that talks to the cache's server directly (web.board_state_mirror's pub/sub
    channel): the same pause and the same once-per-interval log line as every other cache call."""
    _breaker.trip(alias)
    _outage_log.failed(error, _CONSEQUENCE)


best_effort_cache = ResilientCache(required=False)
required_cache = ResilientCache(required=True)


def cache_retry_after_seconds() -> int:
    """What a refusal tells the client to wait (Retry-After): the time this process leaves the cache alone."""
    return max(1, round(float(getattr(settings, "CACHE_RETRY_SECONDS", 5))))


def _cache_settings_changed(*, setting, **kwargs) -> None:
    if setting == "CACHES":  # another server (tests): forget what the old one did
        _breaker.reset()
        _outage_log.reset()


setting_changed.connect(_cache_settings_changed, dispatch_uid="core_cache_settings_changed")
