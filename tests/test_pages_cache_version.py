"""The leaderboard's version (latest published run) lives in the cache: written on publish, after commit; a reader
falls back to the database when the entry is missing or the cache is down, and a cached page makes no query."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from leaderboard.models import RankingRun, Standing
from leaderboard.services.ranking import ranking_run_publish
from tests.cache_support import cache_keys
from tests.pages_data import build_board, publish_new_run, publish_standings
from tests.test_pages_views import CACHE_DOWN, _clear_cache  # noqa: F401 (autouse: empty caches around each test)
from tests.test_ranking import NOW, btc, field, phase2  # noqa: F401 (fixtures: a campaign the service can rank)
from web import board_state_mirror
from web.selectors import board_state_entry, board_state_key

pytestmark = pytest.mark.django_db


def _etag_run(response) -> int:
    """The run id the page was built from (its ETag is "lb-<run id>.<published ms>-<digest>")."""
    return int(response["ETag"].strip('"').split("-")[1].split(".")[0])


def _unrecorded_run(board, window: str) -> RankingRun:
    """A newer published run written straight to the database, as if its cache write had been lost."""
    latest = board["runs"][window]
    run = RankingRun.objects.create(
        campaign=board["campaign"],
        window=window,
        start_date=latest.start_date + timedelta(days=1),
        end_date=latest.end_date + timedelta(days=1),
        status=RankingRun.Status.PUBLISHED,
        published_at=timezone.now(),
        trader_count=len(board["traders"]),
    )
    import random

    publish_standings(run=run, traders=board["traders"], rng=random.Random(7))
    return run


@pytest.mark.usefixtures("field")
def test_publishing_through_the_service_switches_the_page_on_commit(
    client, request, django_capture_on_commit_callbacks
):
    campaign = request.getfixturevalue("phase2")
    url = f"/leaderboard/?campaign={campaign.slug}&window=7d"
    with django_capture_on_commit_callbacks(execute=True):
        first = ranking_run_publish(campaign=campaign, window="7d", now=NOW)
    assert _etag_run(client.get(url)) == first.pk
    assert _etag_run(client.get(url)) == first.pk  # cached

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        second = ranking_run_publish(campaign=campaign, window="7d", now=NOW + timedelta(minutes=30))
    # Not committed yet: the cached version still names the first run (no reader may see an uncommitted one).
    assert cache.get(board_state_key(slug=campaign.slug, window="7d"))[0][1] == first.pk
    for callback in callbacks:
        callback()
    assert cache.get(board_state_key(slug=campaign.slug, window="7d"))[0][1] == second.pk
    response = client.get(url)
    assert _etag_run(response) == second.pk
    assert second.end_date.isoformat() in response.content.decode() or first.end_date == second.end_date


def test_a_new_run_replaces_the_page_at_once(client):
    board = build_board(traders=20)
    before = client.get("/leaderboard/?window=7d")
    assert _etag_run(before) == board["runs"]["7d"].pk
    run = publish_new_run(campaign=board["campaign"], window="7d", traders=board["traders"], seed=5)
    after = client.get("/leaderboard/?window=7d")
    assert _etag_run(after) == run.pk
    assert Standing.objects.get(run=run, rank=1).trader.display_name in after.content.decode()


def test_evicted_version_key_falls_back_to_the_database_and_reprimes(client):
    board = build_board(traders=20)
    key = board_state_key(slug=None, window="30d")
    client.get("/leaderboard/?window=30d")
    assert cache.get(key) is not None
    run = _unrecorded_run(board, "30d")
    assert _etag_run(client.get("/leaderboard/?window=30d")) == board["runs"]["30d"].pk  # the entry still holds
    cache.delete(key)  # evicted, from the shared cache and from this process's copy
    board_state_mirror.drop(key)
    response = client.get("/leaderboard/?window=30d")
    assert _etag_run(response) == run.pk
    assert Standing.objects.get(run=run, rank=1).trader.display_name in response.content.decode()
    assert cache.get(key)[0][1] == run.pk  # primed again


@CACHE_DOWN
def test_with_the_cache_down_the_page_renders_the_latest_run_from_the_database(client):
    board = build_board(traders=10)
    assert _etag_run(client.get("/leaderboard/?window=7d")) == board["runs"]["7d"].pk
    run = publish_new_run(campaign=board["campaign"], window="7d", traders=board["traders"])  # its write fails
    response = client.get("/leaderboard/?window=7d")
    assert response.status_code == 200
    assert _etag_run(response) == run.pk
    assert Standing.objects.get(run=run, rank=1).trader.display_name in response.content.decode()


def test_cached_page_and_304_make_no_query_for_an_anonymous_visitor(client, django_assert_num_queries):
    build_board(traders=20)
    first = client.get("/leaderboard/?window=90d")
    assert first.status_code == 200
    with django_assert_num_queries(0):
        assert client.get("/leaderboard/?window=90d").status_code == 200
    with django_assert_num_queries(0):
        assert client.get("/leaderboard/?window=90d", headers={"if-none-match": first["ETag"]}).status_code == 304


def test_a_campaign_edit_forgets_its_cached_state(client, django_capture_on_commit_callbacks):
    board = build_board(traders=10)
    campaign = board["campaign"]
    url = f"/leaderboard/?campaign={campaign.slug}&window=7d"
    assert client.get(url).status_code == 200
    assert cache.get(board_state_key(slug=campaign.slug, window="7d")) is not None
    with django_capture_on_commit_callbacks(execute=True):
        campaign.is_active = False
        campaign.save()
    assert cache.get(board_state_key(slug=campaign.slug, window="7d")) is None
    assert client.get(url).status_code == 404


def test_featured_entry_lasts_only_until_the_next_campaign_boundary():
    board = build_board(traders=5)
    campaign = board["campaign"]
    campaign.pk = None
    campaign.slug = "starts-soon"
    campaign.starts_at = timezone.now() + timedelta(seconds=90)
    campaign.save()
    state, seconds = board_state_entry(slug=None, window="7d")
    assert state is not None and 0 < seconds <= 90
    assert board_state_entry(slug=board["campaign"].slug, window="7d")[1] > 90  # a named campaign: time-free


@pytest.mark.redis
def test_version_entry_in_redis_follows_publishes(client, settings):
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    board = build_board(traders=10)
    client.get("/leaderboard/?window=7d")
    assert cache_keys("*pages:board-state:*:7d")
    run = publish_new_run(campaign=board["campaign"], window="7d", traders=board["traders"])
    assert cache.get(board_state_key(slug=None, window="7d"))[0][1] == run.pk
    assert _etag_run(client.get("/leaderboard/?window=7d")) == run.pk
