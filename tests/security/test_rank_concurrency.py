"""Hole 14: two `rank` runs at once published duplicate runs milliseconds apart.

One run per campaign, window (and period) at a time: a second publisher that meets a first one still at work stops
at once with a clear message, in its own process, and publishes nothing; the first one publishes its run alone.
"""

import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime

import numpy as np
import pytest
from django.conf import settings
from django.db import connection, transaction

from demo.campaigns import seed_campaigns
from leaderboard.models import RankingRun
from leaderboard.services.ranking import RankingBusy, _ranking_target_lock, ranking_run_publish, rankings_publish
from tests.conftest import _database_url_for_tests
from tests.test_ranking import DAYS, _enrol, _trader

NOW = datetime(2026, 5, 3, 4, 0, tzinfo=UTC)
WAIT_SECONDS = 60  # generous: CI is a loaded two-core machine


def _campaign_with_traders():
    campaign = next(c for c in seed_campaigns(now=NOW) if c.slug == "star-lead-traders-phase-2")
    rng = np.random.default_rng(7)
    for n in range(6):
        _enrol(campaign, _trader(f"RACE{n}", rng.normal(0.002, 0.02, DAYS)))
    return campaign


def _wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _locks(*, advisory_granted: bool = False, standing_waiting: bool = False) -> int:
    """Locks in this test database (other databases on the server are not ours): granted advisory locks, or
    requests waiting for a lock on the standings table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE locktype = 'advisory' AND granted), "
            "count(*) FILTER (WHERE NOT granted AND relation = 'leaderboard_standing'::regclass) "
            "FROM pg_locks WHERE database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        advisory, waiting = cursor.fetchone()
    return advisory if advisory_granted else waiting


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_second_rank_process_stops_clearly_while_the_first_publishes():
    campaign = _campaign_with_traders()
    outcome: dict = {}

    def first_publisher():
        try:
            outcome["run"] = ranking_run_publish(campaign=campaign, window=RankingRun.Window.D7, now=NOW)
        except Exception as exc:  # reported by the assertions below
            outcome["error"] = exc
        finally:
            connection.close()

    # Hold the first publisher inside its transaction (after it took the target's lock, before its standings are
    # written) by keeping the standings table from taking inserts until the second process has had its try.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE leaderboard_standing IN SHARE MODE")
        first = threading.Thread(target=first_publisher)
        first.start()
        _wait_for(
            lambda: _locks(advisory_granted=True) == 1 and _locks(standing_waiting=True) == 1,
            "the first publisher to hold the ranking lock and wait on its standings",
        )
        second = subprocess.run(
            [sys.executable, "manage.py", "rank", "--campaign", campaign.slug, "--window", "7d"],
            cwd=settings.BASE_DIR,
            env={**os.environ, "DATABASE_URL": _database_url_for_tests()},
            capture_output=True,
            text=True,
            timeout=WAIT_SECONDS * 2,
        )
    first.join(timeout=WAIT_SECONDS)

    assert second.returncode != 0, second.stdout
    assert "is being published right now" in second.stderr and "Nothing ranked" in second.stderr
    assert "Traceback" not in second.stderr
    assert "error" not in outcome, outcome.get("error")
    published = RankingRun.objects.filter(campaign=campaign, window=RankingRun.Window.D7)
    assert list(published.values_list("pk", "status")) == [(outcome["run"].pk, RankingRun.Status.PUBLISHED)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_lock_is_per_target_and_gone_with_its_transaction():
    campaign = _campaign_with_traders()
    held = threading.Event()
    release = threading.Event()

    def holder():
        # Another transaction publishing the 30-day window: it holds only that target's lock.
        try:
            with transaction.atomic():
                assert _ranking_target_lock(campaign=campaign, window=RankingRun.Window.D30, period=None)
                held.set()
                release.wait(WAIT_SECONDS)
        finally:
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    assert held.wait(WAIT_SECONDS)
    try:
        runs, skipped = rankings_publish(campaigns=[campaign], windows=["7d", "30d"], now=NOW)
        assert [run.window for run in runs] == ["7d"]  # another window of the same campaign is not held up
        assert len(skipped) == 1 and "30d" in skipped[0] and "being published right now" in skipped[0]
        with pytest.raises(RankingBusy):
            ranking_run_publish(campaign=campaign, window=RankingRun.Window.D30, now=NOW)
    finally:
        release.set()
        thread.join(timeout=WAIT_SECONDS)
    # Committed (or killed): the lock went with the transaction, and the window publishes again.
    assert ranking_run_publish(campaign=campaign, window=RankingRun.Window.D30, now=NOW).status == "published"
