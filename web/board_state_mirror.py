"""Each process's own copy of the cached board states, kept exact by Redis pub/sub, so a cached page view makes no
network round trip at all.

Not a timed guess: every writer of a board-state entry (web.board_cache) publishes the entry's key
on a channel after writing it, and drops its own copy at once; every process that reads runs one listener thread
that drops its copy when a key arrives. Copies are used only while that listener is subscribed: on subscribe, on any
connection error and on silence (no answer to a ping), the copy is emptied, so a message missed while disconnected
never leaves a stale entry behind. A reader that fetched from Redis just before a write and stores just after the
drop would revive the old value; a generation number, bumped by every drop, makes such a late store a no-op.

Only for Django's RedisCache: other backends are already in-process (locmem) or have no channel.
"""

import contextlib
import logging
import os
import threading
import time

import redis
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.signals import setting_changed

from core.failure_log import RecurringFailureLog

logger = logging.getLogger(__name__)
# A lost connection is retried with backoff; the log says so once per interval, like every other cache failure.
_listener_log = RecurringFailureLog(
    logger, "Board-state channel", interval_setting="CACHE_OUTAGE_LOG_SECONDS", default_interval=60.0
)

ALL = ""  # the message that drops every copy (a campaign change touches several entries)
PING_AFTER_SECONDS = 5.0  # silence after which the listener pings
SILENT_LIMIT_SECONDS = 15.0  # no message and no pong for this long: the connection is presumed dead
RETRY_MAX_SECONDS = 30.0

_lock = threading.Lock()
_copies: dict[str, tuple[object, float]] = {}  # key -> (entry, expires at in time.time() seconds)
# epoch: which listener is current; a listener left over from other cache settings (tests) changes nothing.
_state = {"generation": 0, "live": False, "started": False, "epoch": 0}


def _backend() -> RedisCache | None:
    backend = caches["default"]
    return backend if isinstance(backend, RedisCache) else None


def channel_name(backend: RedisCache) -> str:
    """Per Redis database and key prefix: pub/sub channels are server-wide, caches are not."""
    pool = backend._cache.get_client(write=False).connection_pool
    return f"{pool.connection_kwargs.get('db', 0)}:{backend.make_key('pages:board-state:changed')}"


def get(key: str):
    """This process's copy of the entry, or None (no copy, expired, or the listener is not subscribed)."""
    if not _state["started"]:
        _start()
    if not _state["live"]:
        return None
    copy = _copies.get(key)
    if copy is None:
        return None
    entry, expires_at = copy
    if time.time() >= expires_at:
        _copies.pop(key, None)
        return None
    return entry


def token() -> int:
    """Taken before reading Redis; put() stores only if no drop happened since."""
    return _state["generation"]


def put(key: str, entry, *, expires_at: float, taken: int) -> None:
    with _lock:
        if _state["live"] and taken == _state["generation"]:
            _copies[key] = (entry, expires_at)


def drop(key: str = ALL) -> None:
    """Forget one copy (or all): the listener does this per message, a writer for its own process at once."""
    with _lock:
        _state["generation"] += 1
        if key == ALL:
            _copies.clear()
        else:
            _copies.pop(key, None)


def announce(keys: list[str]) -> None:
    """After writing entries to Redis: drop them here now and in every other process through the channel."""
    for key in keys:
        drop(key)
    backend = _backend()
    if backend is None:
        return
    client = backend._cache.get_client(write=True)
    channel = channel_name(backend)
    for key in keys:
        client.publish(channel, key)


def _set_live(live: bool, epoch: int) -> None:
    with _lock:
        if epoch != _state["epoch"]:
            return
        _state["generation"] += 1
        _state["live"] = live
        _copies.clear()


def _start() -> None:
    with _lock:
        if _state["started"]:
            return
        _state["started"] = True
        epoch = _state["epoch"]
    backend = _backend()
    if backend is None:
        return
    thread = threading.Thread(target=_listen, args=(backend, epoch), name="board-state-mirror", daemon=True)
    thread.start()


def listener_client_name() -> str:
    """The listener's Redis connection name (CLIENT LIST), per process."""
    return f"starboard-board-state-mirror-{os.getpid()}"


def _listener_client(backend: RedisCache) -> redis.Redis:
    # Its own small pool on the cache's connection settings, so the connection carries a name an operator (or a test)
    # can find in CLIENT LIST; the cache's pool stays for the readers.
    pool = backend._cache.get_client(write=False).connection_pool
    kwargs = {**pool.connection_kwargs, "client_name": listener_client_name()}
    return redis.Redis(connection_pool=redis.ConnectionPool(connection_class=pool.connection_class, **kwargs))


def _listen(backend: RedisCache, epoch: int) -> None:
    channel = channel_name(backend)
    retry = 0.5
    while epoch == _state["epoch"]:
        pubsub = None
        try:
            pubsub = _listener_client(backend).pubsub()
            pubsub.subscribe(channel)
            heard = time.monotonic()
            pinged = False
            while epoch == _state["epoch"]:
                message = pubsub.get_message(timeout=1.0)
                now = time.monotonic()
                if message is not None:
                    heard, pinged = now, False
                    if message["type"] == "subscribe":
                        _set_live(True, epoch)
                        _listener_log.recovered()
                        retry = 0.5
                    elif message["type"] == "message":
                        data = message["data"]
                        drop(data.decode() if isinstance(data, bytes) else data)
                elif now - heard > SILENT_LIMIT_SECONDS:
                    raise ConnectionError("no answer from Redis on the board-state channel")
                elif now - heard > PING_AFTER_SECONDS and not pinged:
                    pubsub.ping()
                    pinged = True
        except Exception as error:
            _listener_log.failed(error, "this process reads the board version from Redis or the database meanwhile")
        finally:
            _set_live(False, epoch)
            if pubsub is not None:
                with contextlib.suppress(Exception):  # the connection is already gone
                    pubsub.close()
        time.sleep(retry)
        retry = min(retry * 2, RETRY_MAX_SECONDS)


def clear() -> None:
    """Forget every copy in this process (tests, after flushing the cache behind the writers' backs)."""
    drop(ALL)


def restart() -> None:
    """Retire the listener; the next get() starts one for the cache configured now."""
    with _lock:
        _copies.clear()
        _state.update(generation=_state["generation"] + 1, live=False, started=False, epoch=_state["epoch"] + 1)


def _cache_settings_changed(*, setting, **kwargs) -> None:
    if setting == "CACHES":
        restart()
        _listener_log.reset()


def _after_fork_in_child() -> None:
    # The listener thread does not survive fork (gunicorn workers): the child starts its own on first use.
    global _lock
    _lock = threading.Lock()
    restart()


os.register_at_fork(after_in_child=_after_fork_in_child)
setting_changed.connect(_cache_settings_changed, dispatch_uid="board_state_mirror_caches")
