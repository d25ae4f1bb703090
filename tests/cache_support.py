"""The shared cache as one test process sees it: its own keys only.

Parallel test workers (pytest-xdist) share the Redis cache database, each under its own key prefix
(config/settings/base.py). Django's RedisCache.clear() is FLUSHDB, which would empty every worker's rate-limit
counts and pages in the middle of their tests, and a KEYS pattern would count theirs too.
"""

import re

import redis
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


def _redis(alias: str) -> tuple[RedisCache, redis.Redis] | None:
    backend = caches[alias]
    if not isinstance(backend, RedisCache):
        return None
    return backend, backend._cache.get_client(write=True)


def _own(backend: RedisCache, pattern: str) -> str:
    return re.sub(r"([*?\[\]\\])", r"\\\1", backend.key_prefix) + ":" + pattern


def cache_keys(pattern: str = "*", alias: str = "default") -> list[str]:
    """This process's cache keys (whole, prefix included) whose part after the prefix matches the glob `pattern`."""
    found = _redis(alias)
    if found is None:
        raise TypeError(f"cache {alias!r} is not Redis")
    backend, server = found
    return sorted(key.decode() for key in server.scan_iter(_own(backend, pattern), count=1000))


def cache_clear(alias: str = "default") -> None:
    """cache.clear() for this process's keys only (any other backend is per process already: cleared whole)."""
    found = _redis(alias)
    if found is None:
        caches[alias].clear()
        return
    backend, server = found
    keys = list(server.scan_iter(_own(backend, "*"), count=1000))
    for start in range(0, len(keys), 500):
        server.delete(*keys[start : start + 500])
