"""Pull BTC/USDT daily candles through ccxt from the stored cursor (what the daily beat task does)."""

from datetime import UTC, datetime

import ccxt
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from core.input_bounds import EARLIEST_DAY, day_in_range
from regime.services.candles import btc_candles_pull, exchange_client


class Command(BaseCommand):
    help = "Pull BTC/USDT daily candles via ccxt (public endpoints) from the series cursor; idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--exchange", default=None, help="ccxt exchange id (default: settings.REGIME_EXCHANGE or gate)"
        )
        parser.add_argument("--since", default=None, help="YYYY-MM-DD start when there is no cursor yet")
        parser.add_argument("--timeout", type=int, default=10_000, help="HTTP timeout in ms")

    def handle(self, *args, exchange, since, timeout, **options):
        start_ms = None
        if since:
            try:
                start = datetime.strptime(since, "%Y-%m-%d").replace(tzinfo=UTC)
            except ValueError as exc:
                raise CommandError(f"--since must be YYYY-MM-DD, got {since!r}") from exc
            if not day_in_range(start.date(), now=timezone.now()):  # no bitcoin candle predates its genesis
                raise CommandError(f"--since must be from {EARLIEST_DAY} to today, got {since!r}")
            start_ms = int(start.timestamp() * 1000)
        try:
            client = exchange_client(exchange_id=exchange, timeout_ms=timeout)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        with tqdm(desc="candles", unit="c", disable=not self.stdout.isatty()) as bar:
            try:
                result = btc_candles_pull(exchange=client, start_ms=start_ms, progress=bar.update)
            except ccxt.BaseError as exc:
                raise CommandError(f"candle pull failed ({type(exc).__name__}): {exc}") from exc
        self.stdout.write(self.style.SUCCESS(result.summary()))
