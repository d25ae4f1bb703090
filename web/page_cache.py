"""Where a rendered leaderboard page (table or whole page) is kept, bounded by data, never by requests.

Keys name immutable content: they carry the published run's version, so a new run is a new key and no copy is ever
stale. Two kinds of page:

- canonical (no search, one of the first LEADERBOARD_SHARED_PAGES pages, a column in its first-click order): their
  number is fixed by the campaigns, windows, columns and languages that exist, so they are shared through the cache
  (Redis, core.cache's best-effort face) and each process keeps the hottest in memory;
- anything else a visitor can type (a search, page 4000, a column reversed): kept only in a small per-process LRU of
  its own, so hostile query strings can neither fill Redis nor push the canonical pages out of memory.

Redis entries live LEADERBOARD_PAGE_CACHE_SECONDS: runs are published every 30 minutes, so older versions are garbage.
"""

import threading
from collections import OrderedDict

from django.conf import settings

from core.cache import best_effort_cache


class _Lru:
    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._entries: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()  # threaded servers: a get racing an eviction must not raise

    def get(self, key: str):
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: str, value) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


canonical_copies = _Lru(256)
other_copies = _Lru(64)


def is_canonical(*, query: str, page_number: int, descending: bool, first_click_descending: bool) -> bool:
    return not query and page_number <= settings.LEADERBOARD_SHARED_PAGES and descending == first_click_descending


def page_get(key: str, *, canonical: bool):
    if not canonical:
        return other_copies.get(key)
    value = canonical_copies.get(key)
    if value is None:
        value = best_effort_cache.get(key)  # None when Redis is down: render instead
        if value is not None:
            canonical_copies.put(key, value)
    return value


def page_put(key: str, value, *, canonical: bool) -> None:
    if not canonical:
        other_copies.put(key, value)
        return
    canonical_copies.put(key, value)
    best_effort_cache.set(key, value, settings.LEADERBOARD_PAGE_CACHE_SECONDS)


def local_copies_clear() -> None:
    canonical_copies.clear()
    other_copies.clear()
