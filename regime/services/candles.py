"""Pulling BTC/USDT daily candles through ccxt from the series' cursor, page by page, idempotently.

Each page is written together with the advanced cursor in one transaction, so a crash or a network error midway
keeps every page already fetched and the next pull resumes from there. The last candle stored is fetched again
next time (it may have been the still-open day), which the upsert turns into an update, never a duplicate.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import ccxt
from django.conf import settings
from django.db import transaction

from regime.models import MarketSeries
from regime.selectors import BTC_CODE
from regime.series_files import PLACES, Row
from regime.services.imports import observations_upsert, series_ensure

logger = logging.getLogger(__name__)

DAY_MS = 86_400_000
DEFAULT_HISTORY_DAYS = 3 * 365  # first pull: enough for the 365-day high and the z-score window
# Network-level failures worth retrying with backoff (RateLimitExceeded, RequestTimeout and ExchangeNotAvailable
# are NetworkError subclasses in ccxt, listed for the reader).
RETRYABLE = (ccxt.RateLimitExceeded, ccxt.RequestTimeout, ccxt.ExchangeNotAvailable, ccxt.NetworkError)


@dataclass
class PullResult:
    exchange: str
    pages: int
    created: int
    updated: int
    cursor_ms: int | None

    def summary(self) -> str:
        last = datetime.fromtimestamp(self.cursor_ms / 1000, tz=UTC).date() if self.cursor_ms else "-"
        counts = f"{self.pages} pages, {self.created} new, {self.updated} updated"
        return f"{BTC_CODE} from {self.exchange}: {counts}, last {last}"


def exchange_client(*, exchange_id: str | None = None, timeout_ms: int = 10_000) -> ccxt.Exchange:
    """A public (key-less) ccxt client; rate limiting on, since the pull pages through history."""
    exchange_id = exchange_id or getattr(settings, "REGIME_EXCHANGE", "gate")
    klass = getattr(ccxt, exchange_id, None)
    if klass is None:
        raise ValueError(f"unknown ccxt exchange {exchange_id!r}")
    return klass({"enableRateLimit": True, "timeout": timeout_ms})


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(repr(float(value))).quantize(PLACES)


def _rows(candles: list[list]) -> list[Row]:
    rows = {}
    for ts, open_, high, low, close, volume in candles:
        if close is None:
            continue
        day = datetime.fromtimestamp(ts / 1000, tz=UTC).date()
        rows[day] = Row(day, _dec(close), _dec(open_), _dec(high), _dec(low), _dec(volume))
    return [rows[d] for d in sorted(rows)]


@transaction.atomic
def _store_page(*, series_id: int, candles: list[list]) -> tuple[int, int]:
    series = MarketSeries.objects.select_for_update().get(pk=series_id)
    created, updated, _ = observations_upsert(series=series, rows=_rows(candles))
    series.cursor_ms = max(series.cursor_ms or 0, max(c[0] for c in candles))
    series.save(update_fields=["cursor_ms", "updated_at"])
    return created, updated


def btc_candles_pull(
    *,
    exchange: ccxt.Exchange | None = None,
    symbol: str = BTC_CODE,
    start_ms: int | None = None,
    page_limit: int = 1000,
    max_pages: int = 100,
    progress=None,
) -> PullResult:
    """Fetch daily candles from the cursor (or `start_ms`, or three years back) up to now. Errors propagate."""
    exchange = exchange or exchange_client()
    existing = MarketSeries.objects.filter(code=symbol).first()
    since = (existing.cursor_ms if existing and not existing.is_simulated else None) or start_ms
    if since is None:
        start = datetime.now(tz=UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        since = int((start - timedelta(days=DEFAULT_HISTORY_DAYS)).timestamp() * 1000)
    series = None  # created or relabelled only once the exchange has answered with candles
    pages = created = updated = 0
    while pages < max_pages:
        candles = exchange.fetch_ohlcv(symbol, "1d", since=since, limit=page_limit)
        candles = [c for c in candles if c[0] >= since]
        pages += 1
        if not candles:
            break
        if series is None:
            series = series_ensure(
                code=symbol,
                name=f"{symbol} daily candles ({exchange.id} via ccxt)",
                unit=symbol.split("/")[-1],
                frequency="daily",
                source=MarketSeries.Source.EXCHANGE,
            )
        c, u = _store_page(series_id=series.pk, candles=candles)
        created, updated = created + c, updated + u
        if progress:
            progress(len(candles))
        last = max(c[0] for c in candles)
        if last <= since:  # only the candle we resumed from came back: we are at the head
            break
        since = last
    cursor = MarketSeries.objects.filter(code=symbol).values_list("cursor_ms", flat=True).first()
    return PullResult(exchange=exchange.id, pages=pages, created=created, updated=updated, cursor_ms=cursor)
