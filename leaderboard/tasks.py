"""Celery tasks of the leaderboard app: thin wrappers that load ids and call one service."""

from celery import group, shared_task

from leaderboard.services.ingestion import RETRYABLE_ERRORS, account_ingest, ingestible_account_ids
from leaderboard.services.ranking import rankings_publish


@shared_task(name="leaderboard.tasks.ingest_dispatch")
def ingest_dispatch() -> int:
    """Fan out one ingest_account task per active account with credentials (beat runs this every few minutes)."""
    ids = ingestible_account_ids()
    if ids:
        group(ingest_account.s(account_id) for account_id in ids).apply_async()
    return len(ids)


@shared_task(
    name="leaderboard.tasks.ingest_account",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=RETRYABLE_ERRORS,
    retry_backoff=30,
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=6,
)
def ingest_account(account_id: int) -> dict:
    """Pull one account from its cursors. Transient exchange errors retry with exponential backoff and jitter;
    a rejected key marks the account "needs attention" inside the service and is not retried."""
    return account_ingest(account_id=account_id).as_dict()


@shared_task(name="leaderboard.tasks.rank_all")
def rank_all() -> dict:
    """Publish a fresh RankingRun for every started campaign: 7d/30d/90d and each open leaderboard period."""
    runs, skipped = rankings_publish()
    return {"runs": [run.pk for run in runs], "skipped": skipped}
