"""Each process's copy of the board state (web.board_state_mirror): served without a Redis round trip, dropped
when any process announces a write, emptied whenever its listener loses Redis, and never revived by a late store."""

import time
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.core.cache import caches
from django.utils import timezone

from tests.pages_data import build_board, publish_new_run
from tests.test_pages_cache_version import _etag_run, _unrecorded_run
from tests.test_pages_views import _clear_cache  # noqa: F401 (autouse: empty caches around each test)
from web import board_state_mirror
from web.selectors import board_state_cache_value, board_state_entry, board_state_key

pytestmark = [pytest.mark.django_db, pytest.mark.redis]

URL = "/leaderboard/?window=30d"
KEY = board_state_key(slug=None, window="30d")


def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_CACHE_URL)


def _wait_for(condition, *, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def _live() -> bool:
    board_state_mirror.get(KEY)  # starts the listener on first use
    return _wait_for(lambda: board_state_mirror._state["live"])


def _write_behind_the_writers_back(board) -> int:
    """A newer run in the database and in the shared cache entry, with no announcement: only the copy is stale."""
    run = _unrecorded_run(board, "30d")
    state, seconds = board_state_entry(slug=None, window="30d")
    caches["default"].set(KEY, board_state_cache_value(state, seconds), seconds)
    return run.pk


def test_a_copy_is_served_without_redis_until_a_write_is_announced_on_the_channel(client):
    board = build_board(traders=12)
    assert _live()
    assert _etag_run(client.get(URL)) == board["runs"]["30d"].pk
    assert board_state_mirror.get(KEY) is not None

    newer = _write_behind_the_writers_back(board)
    # The shared entry names the newer run, yet this process answers from its own copy: no Redis read happened.
    assert _etag_run(client.get(URL)) == board["runs"]["30d"].pk

    # Another connection (as another process would) announces the key: the listener thread drops the copy.
    _redis().publish(board_state_mirror.channel_name(caches["default"]), KEY)
    assert _wait_for(lambda: board_state_mirror.get(KEY) is None)
    assert _etag_run(client.get(URL)) == newer


def test_publishing_announces_the_keys_and_drops_this_processs_copy_at_once(client):
    board = build_board(traders=12)
    assert _live()
    client.get("/leaderboard/?window=7d")
    key_7d = board_state_key(slug=None, window="7d")
    assert board_state_mirror.get(key_7d) is not None

    subscriber = _redis().pubsub()
    subscriber.subscribe(board_state_mirror.channel_name(caches["default"]))
    assert subscriber.get_message(timeout=2)["type"] == "subscribe"
    run = publish_new_run(campaign=board["campaign"], window="7d", traders=board["traders"])
    # Read-your-writes in the publishing process, without waiting for its own listener.
    assert board_state_mirror.get(key_7d) is None
    assert _etag_run(client.get("/leaderboard/?window=7d")) == run.pk

    heard = set()
    while (message := subscriber.get_message(timeout=2)) is not None:
        heard.add(message["data"].decode())
    subscriber.close()
    assert heard == {key_7d, board_state_key(slug=board["campaign"].slug, window="7d")}


def test_a_lost_listener_connection_empties_the_copies_so_a_missed_message_cannot_leave_them_stale(client):
    board = build_board(traders=12)
    assert _live()
    client.get(URL)
    assert board_state_mirror.get(KEY) is not None

    admin = _redis()
    name = board_state_mirror.listener_client_name()
    ids = [c["id"] for c in admin.client_list(_type="pubsub") if c["name"] == name]
    assert len(ids) == 1, "one named listener connection per process"
    admin.client_kill_filter(_id=ids[0])
    # While disconnected, a write happens whose announcement this process never hears.
    newer = _write_behind_the_writers_back(board)

    def resubscribed() -> bool:
        # redis-py reconnects (and resubscribes) inside the failing read before raising to the listener, so a new
        # connection id can show while the listener still counts as live: wait for the copies to be gone too.
        fresh = [c["id"] for c in admin.client_list(_type="pubsub") if c["name"] == name]
        live = board_state_mirror._state["live"]
        return bool(fresh) and fresh != ids and live and board_state_mirror.get(KEY) is None

    # Reconnected and resubscribed, the process serves the shared entry again, not its old copy.
    assert _wait_for(resubscribed)
    assert _etag_run(client.get(URL)) == newer


def test_a_store_that_raced_a_drop_is_discarded():
    assert _live()
    entry = ((1, 2, timezone.now()), time.time() + 60)
    taken = board_state_mirror.token()
    board_state_mirror.drop(KEY)  # a write announced between this reader's Redis GET and its store
    board_state_mirror.put(KEY, entry, expires_at=entry[1], taken=taken)
    assert board_state_mirror.get(KEY) is None
    board_state_mirror.put(KEY, entry, expires_at=entry[1], taken=board_state_mirror.token())
    assert board_state_mirror.get(KEY) == entry


def test_the_featured_copy_expires_when_the_next_campaign_starts(client):
    """No announcement is needed for time itself: the copy lasts exactly as long as the shared entry."""
    board = build_board(traders=12)
    soon = board["campaign"]
    soon.pk = None
    soon.slug = "starts-in-two-seconds"
    soon.starts_at = timezone.now() + timedelta(seconds=2)
    soon.save()  # its own forget runs on commit, which a test transaction never reaches
    assert _live()
    assert _etag_run(client.get(URL)) == board["runs"]["30d"].pk
    entry = board_state_mirror.get(KEY)
    assert entry is not None and entry[1] <= soon.starts_at.timestamp() + 1
    time.sleep(max(0.0, soon.starts_at.timestamp() - time.time()) + 0.05)
    assert board_state_mirror.get(KEY) is None
    # The new campaign is featured now and has no published run yet.
    response = client.get(URL)
    assert response.status_code == 200 and response["ETag"].startswith('"lb-0-')
