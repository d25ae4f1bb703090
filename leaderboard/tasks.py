"""Celery tasks of the leaderboard app: thin wrappers that call one service."""

from celery import shared_task

from leaderboard.services.ranking import rankings_publish


@shared_task(name="leaderboard.tasks.rank_all")
def rank_all() -> dict:
    """Publish a fresh RankingRun for every started campaign: 7d/30d/90d and each open leaderboard period."""
    runs, skipped = rankings_publish()
    return {"runs": [run.pk for run in runs], "skipped": skipped}
