"""Compute (or recompute) the daily regime readings from the stored series."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from core.input_bounds import EARLIEST_MARKET_DAY, day_in_range
from regime.services.readings import regime_readings_compute

MAX_DAYS = 366 * 200  # the market series' whole range (core.input_bounds)


def _date(text):
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError as exc:
        raise CommandError(f"dates are YYYY-MM-DD, got {text!r}") from exc
    if not day_in_range(day, now=timezone.now(), earliest=EARLIEST_MARKET_DAY):
        raise CommandError(f"dates are from {EARLIEST_MARKET_DAY} to today, got {text!r}")
    return day


class Command(BaseCommand):
    help = "Compute regime readings (score, label, framing text) per day; default: refresh since the last reading."

    def add_arguments(self, parser):
        parser.add_argument("--start", help="first day to write (YYYY-MM-DD)")
        parser.add_argument("--end", help="last day to write (default: last BTC candle)")
        parser.add_argument("--days", type=int, help="write this many days up to the end (e.g. 730)")

    def handle(self, *args, start, end, days, **options):
        if days is not None and not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--days is from 1 to {MAX_DAYS} (back to {EARLIEST_MARKET_DAY}), got {days}")
        with tqdm(desc="readings", unit="d", disable=not self.stdout.isatty()) as bar:
            result = regime_readings_compute(
                start=_date(start) if start else None,
                end=_date(end) if end else None,
                days=days,
                progress=bar.update,
            )
        if not result.written:
            raise CommandError("no readings computed: import series or pull candles first")
        self.stdout.write(self.style.SUCCESS(result.summary()))
