"""Anyone could fill Redis: every distinct ?q= or ?page= of the leaderboard stored two entries for 24 hours (400
anonymous requests added 8.6 MB), in the Redis the Celery broker used too, with no memory limit.

Now only pages whose number is fixed by the data (campaign x window x column x the first pages x language) are
shared through Redis, for an hour; whatever else a visitor types stays in a small per-process LRU. Attacked here on
the real Redis with hundreds of distinct hostile requests.
"""

import random
import string

import pytest
import redis
from django.conf import settings

from tests.pages_data import build_board
from web import page_cache
from web.selectors import SORTS, WINDOWS, board_state_key
from web.views_board import local_cache_clear

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


@pytest.fixture
def own_prefix(settings):
    """The real cache server, under a key prefix of this test's own (other test processes may share the database)."""
    prefix = f"bounds-{random.randrange(10**9)}"
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    local_cache_clear()
    yield prefix
    server = redis.Redis.from_url(settings.REDIS_CACHE_URL)
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)
    local_cache_clear()


def _shared(prefix: str) -> dict[str, int]:
    """Every key the site holds in Redis under the prefix -> its memory in bytes."""
    server = redis.Redis.from_url(settings.REDIS_CACHE_URL)
    return {key.decode(): server.memory_usage(key) or 0 for key in server.scan_iter(f"{prefix}:*")}


def _word(rng: random.Random, n: int = 8) -> str:
    return "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(n))


def _hostile_urls(rng: random.Random, count: int, slug: str) -> list[str]:
    reversed_sorts = [f"-{key}" if not best_desc else key for key, (_, best_desc) in SORTS.items()]
    urls = []
    for i in range(count):
        kind = i % 8
        if kind == 0:
            urls.append(f"/leaderboard/?q={_word(rng)}")
        elif kind == 1:
            urls.append(f"/leaderboard/?window=7d&page={rng.randrange(4, 10**6)}")
        elif kind == 2:
            urls.append(f"/leaderboard/?sort={rng.choice(reversed_sorts)}&page={rng.randrange(1, 4)}&ref={i}")
        elif kind == 3:
            urls.append(f"/leaderboard/?campaign={_word(rng)}&window=90d")
        elif kind == 4:
            urls.append(f"/leaderboard/?window={_word(rng)}&{_word(rng, 4)}={_word(rng)}")  # = the default page
        elif kind == 5:
            urls.append(f"/leaderboard/?campaign={slug}&q={_word(rng, 3)}&page={rng.randrange(1, 50)}")
        elif kind == 6:
            urls.append(f"/api/v1/leaderboard/?window=30d&{_word(rng, 4)}={_word(rng)}")
        else:
            urls.append(f"/traders/{_word(rng, 10)}/?campaign={_word(rng)}")
    return urls


def test_hundreds_of_hostile_query_strings_add_no_shared_cache_entry(client, own_prefix):
    board = build_board(traders=60)
    assert client.get("/leaderboard/").status_code == 200  # the default page: its board version, table, whole page
    before = _shared(own_prefix)
    assert len([k for k in before if ":pages:leaderboard:" in k]) == 2

    rng = random.Random(12)
    urls = _hostile_urls(rng, 400, board["campaign"].slug)
    assert len(set(urls)) == 400
    for url in urls:
        assert client.get(url).status_code in {200, 404}, url

    after = _shared(own_prefix)
    added = {key.split(":", 2)[2] for key in set(after) - set(before)}
    # Not a single page. Only the board versions of windows that exist, of the campaign that exists (the featured
    # one, by its slug or none), and one API throttle counter for the one client address.
    versions = {board_state_key(slug=slug, window=w) for slug in (None, board["campaign"].slug) for w in WINDOWS}
    assert added - versions == {"throttle_anon_127.0.0.1"}, sorted(added)
    print(
        f"Redis after the default page: {sum(before.values())} bytes; after 400 hostile requests more: "
        f"{sum(after.values())} bytes"
    )
    assert sum(after.values()) < 256 * 1024, f"{sum(after.values())} bytes in Redis after 400 hostile requests"
    server = redis.Redis.from_url(settings.REDIS_CACHE_URL)
    for key in after:
        if ":pages:leaderboard:" in key:
            assert 0 < server.ttl(key) <= settings.LEADERBOARD_PAGE_CACHE_SECONDS
    # What the visitors typed is kept only per process, in a bounded LRU that never evicts the canonical copies.
    assert len(page_cache.other_copies) == page_cache.other_copies.max_entries
    assert len(page_cache.canonical_copies) == 2

    found = client.get("/leaderboard/?q=Bolt").content.decode()  # a search still works, uncached in Redis
    assert "Bolt" in found and "Cobalt" not in found


def test_the_shared_pages_are_bounded_by_the_data_not_by_requests(client, own_prefix, settings):
    """Every canonical page of one window, in both languages, twice over with noise in the query string: exactly
    columns x first pages x languages x (table, whole page) entries, however many requests."""
    build_board(traders=60)
    pages = settings.LEADERBOARD_SHARED_PAGES
    rng = random.Random(3)
    for round_ in range(2):
        for language in ("en", "zh-hans"):
            client.cookies["django_language"] = language
            for key, (_, best_desc) in SORTS.items():
                for page in range(1, pages + 1):
                    sort = f"-{key}" if best_desc else key
                    noise = f"&utm_{_word(rng, 3)}={_word(rng)}" if round_ else ""
                    response = client.get(f"/leaderboard/?window=7d&sort={sort}&page={page}{noise}")
                    assert response.status_code == 200
        client.cookies.pop("django_language")
        shared = _shared(own_prefix)
        page_keys = [k for k in shared if ":pages:leaderboard:" in k]
        assert len(page_keys) == len(SORTS) * pages * 2 * 2, round_
    largest = max(shared[k] for k in page_keys)
    print(f"{len(page_keys)} shared page entries for one window, {sum(shared.values())} bytes, largest {largest}")
