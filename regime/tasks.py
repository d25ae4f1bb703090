"""Celery tasks of the regime app: thin wrappers around one service each."""

from celery import shared_task
from django.conf import settings

from regime.services.candles import RETRYABLE, btc_candles_pull
from regime.services.readings import regime_readings_compute


@shared_task(
    name="regime.tasks.pull_btc_candles",
    autoretry_for=RETRYABLE,
    retry_backoff=30,
    retry_backoff_max=settings.CELERY_RETRY_MAX_COUNTDOWN,  # within the broker's visibility timeout
    retry_jitter=True,
    max_retries=6,
)
def pull_btc_candles() -> str:
    """Daily: new BTC/USDT candles from the cursor. Network trouble retries with exponential backoff; pages
    already stored stay stored, so a retry resumes where the failed attempt stopped."""
    return btc_candles_pull().summary()


@shared_task(name="regime.tasks.compute_regime")
def compute_regime() -> str:
    """Daily, after the candle pull: refresh the readings of the last week and add today's."""
    return regime_readings_compute().summary()
