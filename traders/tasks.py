"""Celery tasks of traders: thin wrappers that load ids and call one service. Task names keep their first spelling
(beat rows and queued messages hold them)."""

from celery import group, shared_task
from django.conf import settings

from core.cache import CacheUnavailable
from traders.services.ingestion import RETRYABLE_ERRORS, account_ingest, ingestible_account_ids
from traders.services.uid_verification import trader_uids_verify_due

LOCKED_RETRIES = 3


@shared_task(name="leaderboard.tasks.ingest_dispatch")
def ingest_dispatch() -> int:
    """Fan out one ingest_account task per active account with credentials (beat runs this every few minutes)."""
    ids = ingestible_account_ids()
    if ids:
        group(ingest_account.s(account_id) for account_id in ids).apply_async()
    return len(ids)


@shared_task(
    bind=True,
    name="leaderboard.tasks.ingest_account",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(*RETRYABLE_ERRORS, CacheUnavailable),  # the cache down: its lock and budget refuse; later
    retry_backoff=30,
    retry_backoff_max=settings.CELERY_RETRY_MAX_COUNTDOWN,  # within the broker's visibility timeout
    retry_jitter=True,
    max_retries=6,
)
def ingest_account(self, account_id: int) -> dict:
    """Pull one account from its cursors. Transient exchange errors retry with exponential backoff and jitter;
    a rejected key marks the account "needs attention" inside the service and is not retried.

    Locked: another worker holds the account, or held it and died (kill -9: this task is then the redelivered one).
    Look again once that lock would have expired, a few times, rather than leave the account to the next dispatch.
    """
    result = account_ingest(account_id=account_id).as_dict()
    if result["status"] == "locked" and not self.request.is_eager and self.request.retries < LOCKED_RETRIES:
        raise self.retry(countdown=settings.INGEST_LOCK_SECONDS + 1, max_retries=None)
    return result


@shared_task(name="leaderboard.tasks.verify_uids")
def verify_uids() -> dict:
    """Ask the exchange again, through each stored key, whose account it opens, for traders not verified yet."""
    return trader_uids_verify_due()
