"""A whole worker killed mid-task (kill -9 of its main process and pool at once: a lost machine, the OOM killer on
the container) leaves its task unacknowledged in Redis, where nobody requeues it: the Redis transport delivers such a
message again only once it has waited the visibility timeout, kombu's default an hour. Now the timeout comes from
the task time limit (config/settings/base.py) and workers look for such messages every few seconds, so the task runs
again within visibility timeout + sweep interval once a worker is up.

Here the timeout is made small (CELERY_BROKER_VISIBILITY_TIMEOUT) and the broker keys get a prefix of this test's
own (CELERY_BROKER_KEY_PREFIX), so its short timeout never touches another worker's messages.
"""

import os
import signal
import time
import uuid

import pytest
import redis
from celery import Celery
from django.conf import settings

from tests.conftest import celery_worker_env, celery_worker_running
from tests.security.redis_server import wait_for
from tests.test_ingestion_tasks import FIXTURES, make_account
from traders.models import ClosedPosition, ExchangeAccount, Fill, IngestionCursor, LedgerEntry

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

QUEUE = "pytest-requeue"
VISIBILITY_SECONDS = 20  # longer than the task runs here, so a live worker's message is never taken from it
SWEEP_SECONDS = 1


def _session_alive(session_id: int) -> bool:
    try:
        os.killpg(session_id, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def broker_prefix():
    prefix = f"pytest-requeue-{uuid.uuid4().hex[:8]}:"
    yield prefix
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    for key in broker.scan_iter(f"{prefix}*"):
        broker.delete(key)


def test_a_task_of_a_killed_worker_runs_again_within_the_visibility_timeout(
    django_db_setup, django_db_blocker, broker_prefix
):
    env = {
        **celery_worker_env(django_db_blocker),
        "CELERY_BROKER_KEY_PREFIX": broker_prefix,
        "PYTEST_XDIST_WORKER": "",  # the prefix above is this test's own already: no parallel worker's added to it
        "CELERY_BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_SECONDS),
        "CELERY_BROKER_RESTORE_INTERVAL": str(SWEEP_SECONDS),
        "EXCHANGE_REPLAY_DIR": str(FIXTURES),
        "EXCHANGE_REPLAY_LATENCY_MS": "60",  # about 100 recorded answers: a few seconds per account
        "INGEST_LOCK_SECONDS": "3",
    }
    # This process talks to the prefixed broker keys through an app of its own (ping, send).
    control = Celery("pytest-requeue", broker=settings.CELERY_BROKER_URL, set_as_current=False)
    control.conf.broker_transport_options = {"global_keyprefix": broker_prefix}
    common = ["--pool=prefork", "--concurrency=1", "--without-gossip", "--without-mingle", f"--queues={QUEUE}"]
    account = make_account("REQUEUE1")
    for stream in ("trades", "positions", "ledger"):  # the recordings are from 2024: start the cursors there
        IngestionCursor.objects.create(account=account, stream=stream, since_ms=1704067200000)
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)

    first = celery_worker_running(
        env=env, args=[*common, "--hostname=pytest-requeue-a@%h"], log_name="celery-requeue-a.log", control_app=control
    )
    with first as worker:
        sent = control.send_task("leaderboard.tasks.ingest_account", args=[account.pk], queue=QUEUE)
        assert wait_for(lambda: Fill.objects.filter(account=account).exists(), seconds=90), "the task never started"
        os.killpg(worker.pid, signal.SIGKILL)  # the main process and its pool child, at once
        killed_at = time.monotonic()
        worker.wait(timeout=30)
        assert wait_for(lambda: not _session_alive(worker.pid), seconds=30), "a worker process survived kill -9"

    # Stranded: unacknowledged in Redis, the account half done, no worker left that could requeue it.
    account.refresh_from_db()
    assert account.last_ingested_at is None
    assert broker.hlen(f"{broker_prefix}unacked") == 1
    assert "WorkerLostError" not in worker.log_path.read_text()  # no main process survived to hand it back

    def finished():
        account.refresh_from_db()
        return account.last_ingested_at is not None

    second = celery_worker_running(
        env=env, args=[*common, "--hostname=pytest-requeue-b@%h"], log_name="celery-requeue-b.log", control_app=control
    )
    with second as worker:
        assert wait_for(finished, seconds=VISIBILITY_SECONDS + 150, every=0.25), f"not run again; see {worker.log_path}"
        elapsed = time.monotonic() - killed_at
        log = worker.log_path.read_text()
        assert wait_for(lambda: broker.hlen(f"{broker_prefix}unacked") == 0, seconds=60), "never acknowledged"

    print(f"run again and finished {elapsed:.1f} s after the kill (visibility timeout {VISIBILITY_SECONDS} s)")
    assert f"Task leaderboard.tasks.ingest_account[{sent.id}] received" in log
    # Well inside the bound (timeout + sweep + the task itself), nowhere near kombu's default hour.
    assert elapsed < VISIBILITY_SECONDS + SWEEP_SECONDS + 120
    ids = list(Fill.objects.filter(account=account).values_list("exchange_trade_id", flat=True))
    assert len(ids) == len(set(ids)) == 25
    assert ClosedPosition.objects.filter(account=account).count() == 7
    assert LedgerEntry.objects.filter(account=account).count() == 9
    assert account.status == ExchangeAccount.Status.ACTIVE
