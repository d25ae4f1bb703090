"""The cache and the Celery broker live apart: nothing done to the cache (filling it, evicting from it, flushing it)
can touch a queued task. REDIS_URL is the broker; REDIS_CACHE_URL the cache, by default the next database number of
the same server; the two may never be the same database. The broker's visibility timeout (how soon a killed
worker's task is delivered again) comes from the task time limit."""

import pytest
from celery import Celery
from django.core.cache import caches

from config.settings.base import _next_database
from tests.security.redis_server import redis_server
from tests.test_foundation_settings import _run

SHOW = (
    "from django.conf import settings as s; o = s.CELERY_BROKER_TRANSPORT_OPTIONS; "
    "print(s.CACHES['default'].get('LOCATION'), s.CELERY_BROKER_URL, o['visibility_timeout'], "
    "o['unacked_restore_interval'], o['unacked_restore_throttle'], "
    "s.CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS['visibility_timeout'], s.CELERY_TASK_SOFT_TIME_LIMIT)"
)


def _shown(**env) -> list[str]:
    result = _run(["shell", "-c", SHOW], **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1].split()


def test_the_cache_defaults_to_the_next_database_and_the_visibility_timeout_to_the_time_limit():
    shown = _shown(REDIS_URL="redis://127.0.0.1:6379/9", CELERY_TASK_TIME_LIMIT="600")
    assert shown[:2] == ["redis://127.0.0.1:6379/10", "redis://127.0.0.1:6379/9"]
    # time limit + the longest countdown a task may wait in a worker (5 min) + a minute; swept every 10 s.
    assert shown[2:] == ["960", "10", "1", "960", "500"]


def test_a_separate_cache_instance_and_visibility_timeout_are_used_as_given():
    env = {"REDIS_URL": "redis://broker.internal:6379", "REDIS_CACHE_URL": "redis://cache.internal:6380/0"}
    shown = _shown(**env, CELERY_BROKER_VISIBILITY_TIMEOUT="7")
    assert shown[:3] == ["redis://cache.internal:6380/0", "redis://broker.internal:6379", "7"] and shown[5] == "7"


def test_settings_refuse_a_cache_in_the_brokers_database():
    result = _run(["check"], REDIS_URL="redis://127.0.0.1:6379/4", REDIS_CACHE_URL="redis://127.0.0.1:6379/4")
    assert result.returncode != 0
    assert "REDIS_CACHE_URL must name another Redis database" in result.stderr


@pytest.mark.redis
def test_flushing_the_cache_keeps_a_queued_task(settings):
    """Before: the cache and the broker shared REDIS_URL's database, so cache.clear() (FLUSHDB) dropped every queued
    task along with the pages. Flushed on a redis-server of the test's own, laid out as the settings lay out
    REDIS_URL (the broker's database, the cache in the next one): parallel test workers share the real one."""
    assert settings.CACHES["default"]["LOCATION"] == settings.REDIS_CACHE_URL != settings.CELERY_BROKER_URL
    with redis_server() as server:
        broker_url = server.url
        settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": _next_database(broker_url)}}
        broker = Celery("pytest-keep-apart", broker=broker_url, set_as_current=False)
        with broker.connection_for_write() as connection:
            queue = connection.SimpleQueue("pytest-keep-apart")
            try:
                queue.put({"task": "still here"})
                caches["default"].set("pytest-keep-apart", 1)
                caches["default"].clear()
                assert caches["default"].get("pytest-keep-apart") is None  # the cache was flushed
                message = queue.get(timeout=10)
                assert message.payload == {"task": "still here"}
                message.ack()
            finally:
                queue.close()
