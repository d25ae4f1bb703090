"""A worker process killed with SIGKILL in the middle of an account (the OOM killer, kill -9): the task is redelivered
(acks_late + reject_on_worker_lost), waits out the dead worker's account lock, resumes from the committed cursors, and
the account ends with every row exactly once."""

import os
import signal
import time
from pathlib import Path

import pytest

from tests.conftest import celery_worker_env, celery_worker_running
from tests.test_ingestion_tasks import FIXTURES, make_account
from traders.models import ClosedPosition, ExchangeAccount, Fill, IngestionCursor, LedgerEntry
from traders.tasks import ingest_account

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

QUEUE = "pytest-kill"


def _pool_children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _wait_for(condition, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    return condition()


def test_a_pool_process_killed_mid_account_loses_nothing_and_duplicates_nothing(django_db_setup, django_db_blocker):
    env = {
        **celery_worker_env(django_db_blocker),
        "EXCHANGE_REPLAY_DIR": str(FIXTURES),
        "EXCHANGE_REPLAY_LATENCY_MS": "60",  # about 100 recorded answers: a few seconds per account
        "INGEST_LOCK_SECONDS": "3",  # how long the dead worker's lock outlives it
    }
    args = ["--pool=prefork", "--concurrency=1", "--without-gossip", "--without-mingle", f"--queues={QUEUE}"]
    args.append("--hostname=pytest-kill@%h")
    account = make_account("KILL9")
    for stream in ("trades", "positions", "ledger"):  # the recordings are from 2024: start the cursors there
        IngestionCursor.objects.create(account=account, stream=stream, since_ms=1704067200000)

    with celery_worker_running(env=env, args=args, log_name="celery-worker-killed.log") as worker:
        ingest_account.apply_async((account.pk,), queue=QUEUE)

        # Mid-account: some pages committed with their cursors, the account not finished.
        assert _wait_for(lambda: Fill.objects.filter(account=account).exists(), 240), "the task never started"
        account.refresh_from_db()
        assert account.last_ingested_at is None
        fills_at_kill = Fill.objects.filter(account=account).count()
        (child,) = _pool_children(worker.pid)
        os.kill(child, signal.SIGKILL)

        def finished():
            account.refresh_from_db()
            return account.last_ingested_at is not None

        assert _wait_for(finished, 400), f"not finished after the kill; see {worker.log_path}"
        log = worker.log_path.read_text()

    assert "WorkerLostError" in log and "signal 9" in log, "the kill did not hit the running task"
    ids = list(Fill.objects.filter(account=account).values_list("exchange_trade_id", flat=True))
    assert len(ids) == len(set(ids)) == 25, f"{fills_at_kill} fills at the kill"
    assert ClosedPosition.objects.filter(account=account).count() == 7
    assert LedgerEntry.objects.filter(account=account).count() == 9
    assert account.status == ExchangeAccount.Status.ACTIVE
