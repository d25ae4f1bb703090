"""Compute (or recompute) the daily regime readings from the stored series."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from regime.services.readings import regime_readings_compute


def _date(text):
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError as exc:
        raise CommandError(f"dates are YYYY-MM-DD, got {text!r}") from exc


class Command(BaseCommand):
    help = "Compute regime readings (score, label, framing text) per day; default: refresh since the last reading."

    def add_arguments(self, parser):
        parser.add_argument("--start", help="first day to write (YYYY-MM-DD)")
        parser.add_argument("--end", help="last day to write (default: last BTC candle)")
        parser.add_argument("--days", type=int, help="write this many days up to the end (e.g. 730)")

    def handle(self, *args, start, end, days, **options):
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
